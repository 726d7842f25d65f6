"""Choose what answers a retrieved question: the unit that fits what is asked, the paragraph the answer quotes, and
the citations that support it.

The nearest text is not always the answer. A curated FAQ answer is used only when it was written for the same kind
of question (its phrasings' intent) and the same facts (amounts on the same side); otherwise the answer quotes the
paragraph that does. A penalty question gets the article that punishes the duty it is about (the Measures' own
"违反本办法第十四条的…" references, read from the law text), or, where the Measures set no penalty, says so and
quotes Art. 39. A "怎么办 / 如何投诉" question gets the duty and where to complain, not the fine. Citations start with
where the answer text comes from and stop at `max_citations`; other provisions worth reading are `related`.
"""

import re
from dataclasses import dataclass, field, replace

import cn2an

from assistant.amounts import find_mentions
from assistant.corpus import Citation, Corpus
from assistant.intent import Intent, recognise
from assistant.retrieve import Ranking, Unit

FIT_MARGIN = 0.85  # a fitting unit scoring at least this share of the best one is preferred to a better-scoring misfit
MEASURES = "measures"
CHANNELS = ("**可以这样反映**：先向平台的客服或投诉举报渠道反映；也可以拨打12315、登录全国12315平台（www.12315.cn）"
            "投诉举报，或者向当地市场监督管理部门举报；涉及违法犯罪的，向公安机关报案。")
NO_REMEDY = "《网络交易监督管理办法》规定了经营者应当怎样做，没有规定投诉举报、维权索赔的具体程序。"
NO_PENALTY = ("《网络交易监督管理办法》没有为这一行为另设罚则：{duty}规定了应当怎样做，违反的，依照其他法律、行政法规的规定处理"
              "（第三十九条）。具体处罚请咨询当地市场监督管理部门。")
# "算。" "不能。": a yes/no opener belongs only to an answer of that yes/no question.
_OPENER = re.compile(r"^(?:原则上|一般)?(算|不算|会|不会|能|不能|可以|不可以|需要|不需要|要|不要|是|不是|适用|不适用|有|没有|必须|不必|违法|不违法|"
                     r"合法|不合法|属于|不属于|应当|不应当|对|不对)[。，,！!]\s*")
_CITED = re.compile(r"第([一二三四五六七八九十百]+)条(?:第([一二三四五六七八九十]+)款)?")
_VIOLATION = re.compile(r"违反本办法((?:第[一二三四五六七八九十百]+条(?:第[一二三四五六七八九十]+款)?[、，,]?)+)")
_TIME = re.compile(r"日|年|月|工作日|小时|之日起|期限|以前|以内|前")
_MONEY = re.compile(r"元|罚款")
# When the best provision does not say what the question asks for, the Measures touch the matter without settling it.
NOT_SAID = {
    "howto": "《网络交易监督管理办法》规定的是应当遵守的义务，没有规定具体怎么办理、怎么操作；具体步骤请以平台规则、登记机关或者"
             "有关部门的要求为准，也可以咨询当地市场监督管理部门。",
    "amount": "《网络交易监督管理办法》没有规定您问的这个金额或者费用；请以有关法律法规、平台规则或者有关部门的规定为准。",
    "deadline": "《网络交易监督管理办法》没有规定您问的这个期限；请以有关法律法规或者平台规则为准。",
}
_SAYS = {"amount": _MONEY, "deadline": _TIME}


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


@dataclass
class Selection:
    """The answer text, what it was taken from, its citations (source first), related provisions and scope."""

    body: str
    basis: str                      # faq | official_qa | article | penalty | remedy
    citations: list[str]            # "source:article[:paragraph]"
    related: list[str] = field(default_factory=list)
    scope: str = "covered"          # covered | partial


SUBJECT_SHARE = 0.5  # a subject term is in at least this share of an item's phrasings …
SUBJECT_ITEMS = 5  # … and in at most this many FAQ items


def _subjects(corpus: Corpus) -> dict[str, set[str]]:
    """The terms that make each FAQ item what it is (税 for the tax items, 开锁 for the locksmith one): in most of
    its phrasings and in few other items. A question that mentions none of them was not what the item was written
    for, however close its other words are (e.g. 朋友圈 and 执照 in a question about registering, not tax)."""
    from collections import Counter

    import jieba

    def terms(text: str) -> set[str]:
        words = [w for w in jieba.lcut(text) if w.strip() and not w.isascii()]
        return set(words) | {ch for w in words for ch in w}

    phrasings = {f"faq:{item.id}": [terms(t) for t in [item.question, *item.paraphrases]] for item in corpus.faq}
    spread = Counter(t for sets in phrasings.values() for t in set().union(*sets))
    derived = {unit_id: {t for t in set().union(*sets)
                         if sum(t in s for s in sets) >= SUBJECT_SHARE * len(sets) and spread[t] <= SUBJECT_ITEMS}
               for unit_id, sets in phrasings.items()}
    # An item whose subject is said in many ways (两个/多个/好几个) declares it; that wins over the derived terms.
    return {**derived, **{f"faq:{item.id}": set(item.subject) for item in corpus.faq if item.subject}}


class Selector:
    """Built once per corpus: the intents each FAQ item was written for, and which article punishes which duty."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.faq_kinds = {f"faq:{item.id}": {recognise(t).kind for t in [item.question, *item.paraphrases]}
                          for item in corpus.faq}
        self.faq_yes_no = {f"faq:{item.id}": recognise(item.question).yes_no for item in corpus.faq}
        self.faq_subject = _subjects(corpus)
        self.penalties: dict[int, list[Citation]] = {}
        self.duties: dict[int, list[int]] = {}
        law = corpus.laws.get(MEASURES)
        for number, article in (law.articles.items() if law else []):
            for i, paragraph in enumerate(article.paragraphs, 1):
                for clause in _VIOLATION.finditer(paragraph.full_text):
                    for cited in _CITED.finditer(clause.group(1)):
                        duty = int(cn2an.cn2an(cited.group(1), "smart"))
                        where = Citation(MEASURES, number, i if len(article.paragraphs) > 1 else None)
                        if where not in self.penalties.setdefault(duty, []):
                            self.penalties[duty].append(where)
                        self.duties.setdefault(number, []).append(duty)

    # ------------------------------------------------------------------------------------------ choosing

    def select(self, ranking: Ranking, intent: Intent, question: str, *, faq_threshold: float, floor: float,
               max_citations: int) -> Selection:
        # Subject terms are looked for in the legal terms the question was searched with too (审核 → 核验).
        question = f"{question} {ranking.terms}"
        units = [u for u in ranking.units if not u.id.startswith("oos:") and u.score >= floor] or \
                [u for u in ranking.units if not u.id.startswith("oos:")][:1]
        selection = None
        if intent.kind == "remedy" and not intent.complaint:
            intent = replace(intent, kind="other")  # a merchant's 怎么办 about its own duty: the duty answers it
        if intent.kind == "penalty":
            selection = self._penalty(ranking, units, intent, question, faq_threshold)
        elif intent.kind == "remedy":
            selection = self._remedy(ranking, units, intent, question, faq_threshold)
        selection = selection or self._answer(ranking, units, intent, question, faq_threshold)
        return self._finish(selection, ranking, floor, max_citations)

    def _answer(self, ranking, units, intent, question, faq_threshold) -> Selection:
        best = units[0].score
        top = units[0]
        if intent.kind in _SAYS and top.id.startswith("faq:") and self._on_subject(top.id, question) \
                and not self.fits(top.id, intent, question):
            # "平台多久审核一次卖家信息": the best item is on the subject but written as a yes/no question; its own
            # provision may still say the time limit or amount asked (至少每六个月核验更新一次): quote that.
            cite = self._paragraph(ranking, self._primary(top, intent), intent)
            if _SAYS[intent.kind].search(self.corpus.article(cite.source, cite.article).cited_text(cite.paragraph)):
                return self._article(ranking, cite, intent)
        for unit in units:
            if unit.score < best * FIT_MARGIN:
                break
            kind = unit.id.partition(":")[0]
            if kind == "faq" and unit.score >= faq_threshold and self.fits(unit.id, intent, question):
                return self._faq(unit, intent, ranking)
            if kind == "qa":
                return self._qa(unit)
            if kind not in ("faq", "qa") and self._article_fits(unit, intent):
                return self._article(ranking, Citation.parse(unit.id), intent)
        # Nothing close was written for this kind of question: the best unit that fits further down, else quote the
        # paragraph the best match rests on.
        for unit in units:
            kind = unit.id.partition(":")[0]
            if kind == "faq" and unit.score >= faq_threshold and self.fits(unit.id, intent, question):
                return self._faq(unit, intent, ranking)
            if kind not in ("faq", "qa", "oos") and self._article_fits(unit, intent):
                return self._article(ranking, Citation.parse(unit.id), intent)
        return self._article(ranking, self._primary(units[0], intent), intent)

    def fits(self, unit_id: str, intent: Intent, question: str) -> bool:
        """Whether a FAQ item was written for this kind of question and these facts."""
        kinds = self.faq_kinds.get(unit_id, set())
        if intent.kind not in ("other", "howto") and intent.kind not in kinds and not (
                intent.kind == "decision" and kinds & {"other", "howto"}):
            return False
        if not self._on_subject(unit_id, question):  # 朋友圈卖衣服要办营业执照吗 ≠ the tax item
            return False
        item = self.corpus.unit(unit_id)
        asked = [m.amount for m in find_mentions(question)[0] if m.kind == "turnover"]
        written = [m.amount for m in find_mentions(item.question)[0] if m.kind == "turnover"]
        return not (asked and written and asked[0].intersect(written[0]) is None)

    def _on_subject(self, unit_id: str, question: str) -> bool:
        subject = self.faq_subject.get(unit_id)
        return not subject or any(term in question for term in subject)

    def _article_fits(self, unit: Unit, intent: Intent) -> bool:
        """A penalty article answers a question about the penalty (or an unmarked one), not "what must I show"."""
        cite = Citation.parse(unit.id)
        punishes = cite.source == MEASURES and cite.article >= 39
        return not punishes or intent.kind in ("penalty", "other")

    def _faq(self, unit: Unit, intent: Intent, ranking: Ranking | None = None) -> Selection:
        item = self.corpus.unit(unit.id)
        answer = item.answer
        if not intent.yes_no or not self.faq_yes_no.get(unit.id, True):
            answer = _OPENER.sub("", answer, count=1)
        cites = [self._paragraph(ranking, c, intent) if ranking is not None else c for c in item.cites]
        return Selection(answer, "faq", [str(c) for c in cites], scope=item.scope)

    def _qa(self, unit: Unit) -> Selection:
        item = self.corpus.unit(unit.id)
        best = unit.best.passage
        paragraph = item.answer[int(best.id.rsplit("#", 1)[1]) - 1] if best.kind == "qa_answer" else item.answer[0]
        return Selection(f"市场监管总局就《办法》答记者问时指出：{paragraph}", "official_qa", [str(c) for c in item.cites])

    def _article(self, ranking: Ranking, cite: Citation, intent: Intent) -> Selection:
        cite = self._paragraph(ranking, cite, intent)
        article = self.corpus.article(cite.source, cite.article)
        text = article.cited_text(cite.paragraph)
        quoted = f"{article.label(cite.paragraph)}规定：{text}"
        says = _SAYS.get(intent.kind)
        if intent.kind in NOT_SAID and not (says and says.search(text)):
            # "怎么办理", "要交多少钱", "要多久" answered only by a duty: say what the Measures don't decide.
            return Selection(f"{NOT_SAID[intent.kind]}\n\n**相关规定**：{quoted}", "article", [str(cite)],
                             scope="partial")
        return Selection(quoted, "article", [str(cite)])

    def _paragraph(self, ranking: Ranking, cite: Citation, intent: Intent) -> Citation:
        """The paragraph of a cited article that answers: the best-ranked one, unless another says what was asked
        (a time limit for 多久, an amount for 多少钱) and the best one does not."""
        article = self.corpus.article(cite.source, cite.article)
        if cite.paragraph is not None or len(article.paragraphs) == 1:
            return cite
        unit = f"{cite.source}:{cite.article}"
        ranked = [int(h.passage.id.rsplit(":", 1)[1]) for h in ranking.hits
                  if h.passage.kind == "paragraph" and h.passage.unit == unit]
        # Paragraphs the search did not reach: the one sharing most of the searched words (刷单 → 虚构交易) first.
        grams = _bigrams(ranking.expanded)
        rest = [i for i in range(1, len(article.paragraphs) + 1) if i not in ranked]
        ranked += sorted(rest, key=lambda i: -len(grams & _bigrams(article.paragraphs[i - 1].full_text)))
        wanted = {"deadline": _TIME, "amount": _MONEY}.get(intent.kind)
        if wanted and not wanted.search(article.paragraphs[ranked[0] - 1].full_text):
            ranked = sorted(ranked, key=lambda i: not wanted.search(article.paragraphs[i - 1].full_text))
        return Citation(cite.source, cite.article, ranked[0])

    def _primary(self, unit: Unit, intent: Intent | None = None) -> Citation:
        """The provision a unit rests on: its first Measures citation, and for a question that does not ask for the
        penalty itself, the duty rather than the article punishing it ("发短信违法吗" → Art. 16, not Art. 41)."""
        if unit.cites:
            cites = sorted(unit.cites, key=lambda c: not c.startswith(MEASURES))
            if intent is not None and not intent.asks_penalty:
                cites.sort(key=lambda c: c.startswith(MEASURES) and Citation.parse(c).article in
                           self.corpus.penalty_articles)
            return Citation.parse(cites[0])
        return Citation.parse(unit.id)

    # ------------------------------------------------------------------------------------------ penalty / remedy

    def _duty(self, units: list[Unit], punished: bool = False) -> Citation | None:
        """The duty a question is about: the first Measures provision of the best units that is not a penalty
        (with `punished`, the first that the Measures attach a penalty to, if one of the best units has one)."""
        duties = [Citation.parse(key) for unit in units[:3]
                  for key in sorted(unit.cites, key=lambda c: not c.startswith(MEASURES))]
        duties = [c for c in duties if c.source == MEASURES and c.article < 39]
        if punished:
            return next((c for c in duties if c.article in self.penalties), duties[0] if duties else None)
        return duties[0] if duties else None

    def _penalty(self, ranking, units, intent, question, faq_threshold) -> Selection | None:
        top = units[0]
        if top.id.startswith("faq:") and top.score >= faq_threshold and self.fits(top.id, intent, question):
            selection = self._faq(top, intent, ranking)
            punishing = [str(p) for c in selection.citations for p in self.penalties.get(Citation.parse(c).article, [])
                         if Citation.parse(c).source == MEASURES]
            selection.citations = [*punishing[:1], *selection.citations]
            if not intent.whether_punished:
                selection.citations.sort(key=lambda c: Citation.parse(c).article not in self.duties)
            else:
                selection.citations.sort(key=lambda c: Citation.parse(c).article in self.duties)
            return selection
        if top.id.startswith(f"{MEASURES}:") and Citation.parse(top.id).article >= 39:
            return None  # a penalty article already ranks first: quote it
        duty = self._duty(units, punished=True)
        if duty is None:
            return None
        duty = self._paragraph(ranking, duty, Intent("other", "", False))
        duty_label = self.corpus.article(duty.source, duty.article).label(duty.paragraph)
        penalties = self.penalties.get(duty.article, [])
        ranked = next((u for u in units if u.id.startswith(f"{MEASURES}:") and Citation.parse(u.id).article >= 39
                       and Citation.parse(u.id).article != 39), None)
        if not penalties and ranked is not None:  # a penalty article the law text does not tie to an article number
            return None
        if not penalties:  # the Measures set no penalty for this duty: say so, and where the penalty comes from
            article39 = self.corpus.article(MEASURES, 39)
            body = (NO_PENALTY.format(duty=duty_label) + f"\n\n{article39.label()}规定：{article39.text}")
            return Selection(body, "penalty", [f"{MEASURES}:39", str(duty)], scope="partial")
        penalty = penalties[0]
        article = self.corpus.article(penalty.source, penalty.article)
        body = f"{article.label(penalty.paragraph)}规定：{article.cited_text(penalty.paragraph)}"
        if intent.whether_punished:
            duty_text = self.corpus.article(duty.source, duty.article).cited_text(duty.paragraph)
            return Selection(f"{duty_label}规定：{duty_text}\n\n违反的，{body}", "penalty", [str(duty), str(penalty)])
        return Selection(body, "penalty", [str(penalty), str(duty)])

    def _remedy(self, ranking, units, intent, question, faq_threshold) -> Selection | None:
        top = units[0]
        if top.id.startswith("faq:") and top.score >= faq_threshold and self.fits(top.id, intent, question):
            selection = self._faq(top, intent, ranking)
        else:
            duty = self._duty(units)
            if duty is None:
                return None
            selection = self._article(ranking, duty, Intent("other", "", False))
        selection.citations.sort(key=lambda c: Citation.parse(c).article in self.duties)  # the duty, not the fine
        # The Measures say what the other side must do; how to complain or claim is not theirs to settle.
        selection.body = f"{NO_REMEDY}\n\n{CHANNELS}\n\n**相关规定**：{selection.body}"
        selection.basis, selection.scope = "remedy", "partial"
        return selection

    # ------------------------------------------------------------------------------------------ citations

    def _finish(self, selection: Selection, ranking: Ranking, floor: float, max_citations: int) -> Selection:
        """At most `max_citations` distinct articles, where the text comes from first; the rest of the ranking's
        articles above the floor are related provisions."""
        cited, seen = [], set()
        # The Measures first (this assistant explains them); a provision of another law stays when it is all there is.
        for key in sorted(selection.citations, key=lambda k: not k.startswith(f"{MEASURES}:")):
            article = tuple(key.split(":")[:2])
            if article not in seen:
                seen.add(article)
                cited.append(key)
        selection.citations = cited[:max_citations]
        shown = {tuple(k.split(":")[:2]) for k in selection.citations}
        related = [key for key, score in ranking.articles if score >= floor
                   and tuple(key.split(":")[:2]) not in shown]
        selection.related = [*cited[max_citations:], *related][:3]
        return selection
