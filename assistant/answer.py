"""Compose the extractive, cited answer; nothing is generated, every sentence comes from the corpus or a questionnaire.

Three ways: a questionnaire decides the question (the conclusion, or the rule and the next question to ask), the
corpus answers it (a curated FAQ answer, an official Q&A paragraph or the article paragraph itself), or it is not
covered (and says where to ask instead).
"""

from decimal import Decimal

from assistant.amounts import Amount
from assistant.corpus import Citation, Corpus
from assistant.decision import Decision
from assistant.normalize import Text
from assistant.retrieve import Ranking
from assistant.scope import Scope
from assistant.select import Selection

DISCLAIMER = "仅供参考，不构成法律意见；具体问题请以法律法规原文和市场监督管理部门的意见为准。"
NOT_COVERED = (
    "抱歉，《网络交易监督管理办法》及本助手收录的相关法律条文中没有找到与您的问题直接对应的规定。"
    "如果是网络购物或者网店经营方面的问题，可以咨询当地市场监督管理部门或者拨打12315；其他法律问题请咨询专业律师。"
)
NOT_COVERED_TOPIC = "抱歉，《网络交易监督管理办法》及本助手收录的相关法律条文没有规定这方面的问题（{topic}）。{referral}"
PARTIAL = "《网络交易监督管理办法》没有对这个问题作出具体规定（{topic}）。{referral}\n\n**相关规定**：{quote}"
TRUNCATED_NOTE = "（您的问题较长，已截取前{n}字进行检索。）"
CORRECTED_NOTE = "（{words}。）"
OTHER_QUESTION = "**您问的另一个问题**（{topic}）：《网络交易监督管理办法》没有作出具体规定。{referral}"
PINYIN = "看起来您是用拼音输入的，本助手只能读懂汉字。请用汉字重新输入您的问题，例如：“我在朋友圈卖蛋糕要办营业执照吗？”"
ENGLISH_NOTE = ("*Note: this assistant answers in Chinese, from the Measures for the Supervision and Administration of "
                "Online Transactions (《网络交易监督管理办法》); the answer and the cited articles follow.*")
ENGLISH_NOT_COVERED = ("Sorry, the Measures for the Supervision and Administration of Online Transactions and the related "
                       "laws this assistant holds do not deal with this question. For online shopping or online shop "
                       "matters, please contact the local market regulation authority (市场监督管理部门) or call 12315; "
                       "for other legal questions, please consult a lawyer.\n\n> For reference only; not legal advice.")
CITATION_FLOOR = 0.8  # citations must score at least this share of the answer threshold
REPLY_HINT = "（可以直接点选下面的选项，也可以用自己的话回答。）"


def citation(corpus: Corpus, key: str, score: float | None = None) -> dict:
    """One cited article or paragraph with its label and full text, as the JSON `citations` list holds it; the
    score is the retrieval score, or null when a questionnaire decided the answer."""
    cite = Citation.parse(key)
    article = corpus.article(cite.source, cite.article)
    return {"source": cite.source, "article": cite.article, "paragraph": cite.paragraph,
            "label": article.label(cite.paragraph), "text": article.cited_text(cite.paragraph),
            "score": None if score is None else round(score, 4)}


def quote(corpus: Corpus, key: str) -> str:
    cite = Citation.parse(key)
    article = corpus.article(cite.source, cite.article)
    return f"{article.label(cite.paragraph)}规定：{article.cited_text(cite.paragraph)}"


def compose(corpus: Corpus, ranking: Ranking, text: Text, *, scope: Scope, selection: Selection | None,
            decision: Decision | None, top_k: int, floor: float, max_citations: int,
            truncated_to: int | None = None) -> dict:
    """The JSON-ready answer, in one of three scopes, always ending with the disclaimer.

    covered: decided by a questionnaire (`basis: "assessment"`) or taken from the corpus (`selection`); partial: what
    the Measures don't decide and where to ask, then the related provision; not_covered: where to ask instead.
    """
    note = TRUNCATED_NOTE.format(n=truncated_to) + "\n\n" if truncated_to else ""
    if text.english:
        note = f"{note}{ENGLISH_NOTE}\n\n"
    if text.corrections:  # say how a typo was read, so a wrong reading is seen at once
        words = "，".join(f"“{typed}”已按“{word}”理解" for typed, word in text.corrections)
        note = f"{note}{CORRECTED_NOTE.format(words=words)}\n\n"
    # Typed in pinyin, nothing was understood: ask for characters rather than answer what the pinyin resembled.
    decides = bool(decision and decision.decides) and not text.pinyin
    kind = "not_covered" if text.pinyin else "covered" if decides else (
        selection.scope if scope.kind == "covered" and selection else scope.kind)
    result = {"question": text.original, "answered": kind != "not_covered", "scope": kind, "answer": "",
              "citations": [], "related_citations": [], "hits": [], "related": [], "corpus_version": corpus.version,
              "confidence": round(ranking.confidence, 4)}
    if decision is not None and (kind != "not_covered" or decides):
        result.update(assessment=decision.to_json(), suggested_assessment=decision.questionnaire.id,
                      prefill=decision.reading.answers)
    if kind == "not_covered":
        topic = scope.topic if scope.confident_topic else None
        body = (NOT_COVERED_TOPIC.format(topic=topic.topic, referral=topic.referral) if topic else NOT_COVERED)
        result["answer"] = ENGLISH_NOT_COVERED if text.english and not topic else f"{note}{body}\n\n> {DISCLAIMER}"
        if text.pinyin:
            result["answer"] = f"{PINYIN}\n\n> {DISCLAIMER}"
        return result
    result["hits"] = [{"id": h.passage.id, "source": h.passage.source, "kind": h.passage.kind,
                       "score": round(h.score, 4), "text": h.passage.text} for h in ranking.hits[:top_k] if h.score >= floor]
    if decides:
        body, keys = decided(corpus, decision)
        if scope.kind != "covered" and scope.topic is not None and (scope.asked or scope.confident_topic):  # 2nd question
            body += f"\n\n{OTHER_QUESTION.format(topic=scope.topic.topic, referral=scope.topic.referral)}"
        keys = sorted(dict.fromkeys(keys), key=lambda k: not k.startswith("measures:"))  # the Measures first
        cited, related, basis = keys[:max_citations], keys[max_citations:], "assessment"
    elif kind == "partial" and scope.kind == "partial":
        keys = [str(c) for c in scope.topic.related]
        body = PARTIAL.format(topic=scope.topic.topic, referral=scope.topic.referral, quote=quote(corpus, keys[0]))
        cited, related, basis = keys[:max_citations], keys[max_citations:], "partial"
    else:
        body, cited, related, basis = selection.body, selection.citations, selection.related, selection.basis
        result["related"] = _related_questions(corpus, ranking, floor)
    scores = dict(ranking.articles)
    result["citations"] = [citation(corpus, key, None if decides else scores.get(key)) for key in cited]
    result["related_citations"] = [citation(corpus, key) for key in related if key not in cited][:3]
    labels = "、".join(c["label"] for c in result["citations"])
    offer = (f"\n\n想确认自己的情况？可以做一下自查：「{decision.questionnaire.title}」"
             if decision is not None and not decides else "")
    result.update(answer=f"{note}{body}\n\n**依据**：{labels}{offer}\n\n> {DISCLAIMER}", basis=basis)
    return result


def _related_questions(corpus: Corpus, ranking: Ranking, floor: float) -> list[str]:
    related = []
    for unit in ranking.units[1:]:
        if unit.id.startswith("faq:") and unit.score >= floor and len(related) < 3:
            question = corpus.unit(unit.id).question
            if question not in related:
                related.append(question)
    return related


# ---------------------------------------------------------------------------------------------- decided answers

def stated(decision: Decision) -> str:
    """根据您说的“个人网店”“一年卖6万元”（按 60,000 元计算）: the facts an answer rests on, in the user's words."""
    parts, seen = [], set()
    for fact in decision.reading.facts.values():
        if fact.words in seen:
            continue
        seen.add(fact.words)
        if isinstance(fact.value, Amount) or fact.note or _is_number(fact.value):
            amount = fact.value if isinstance(fact.value, Amount) else Amount.exact(fact.value)
            how = f"{fact.note}，" if fact.note else ""
            parts.append(f"“{fact.words}”（{how}按 {amount.describe()}计算）")
        else:
            parts.append(f"“{fact.words}”")
    return f"根据您说的{''.join(parts)}，" if parts else ""


def _is_number(value) -> bool:
    return isinstance(value, Decimal)


def decided(corpus: Corpus, decision: Decision) -> tuple[str, list[str]]:
    """The answer text of a question the questionnaire decides, and the citations it rests on (most direct first).

    complete: the conclusion, why, the obligations (and the statement to display); need_more: the rule with its
    condition (the next question's "why"), what is already known, and the question with its options.
    """
    result, questionnaire = decision.result, decision.questionnaire
    cautions = "".join(f"\n\n{text}" for _, text in decision.reading.cautions)
    unclear = "".join(f"\n\n{_clean(u)}" for u in decision.reading.unclear)
    if result["status"] == "complete":
        outcome = result["outcome"]
        explanation = outcome["explanation"]
        if decision.reading.facts:  # "根据您说的…" replaces the explanation's own "根据您的回答，"
            explanation = explanation.removeprefix("根据您的回答，")
        lines = [f"**结论：{outcome['title']}**", "", f"{stated(decision)}{explanation}"]
        if outcome.get("self_declaration"):
            lines += ["", f"应当公示的自我声明：**{outcome['self_declaration']}**"]
        if outcome["obligations"]:
            lines += ["", "**需要做到：**", *[f"- {item}" for item in outcome["obligations"]]]
        # The provisions the deciding facts rest on come first (自家种 → Art. 8(1) and E-Commerce Law Art. 10; 一年
        # 十五万 → Art. 8(3)): they are where the conclusion comes from; the outcome's duties follow.
        keys = [*_fact_cites(decision, decided_only=True),
                *(str(Citation(c["source"], c["article"], c["paragraph"])) for c in outcome["citations"])]
        return "\n".join(lines) + cautions, keys
    step = result["next"]
    node = _asked(questionnaire, step["id"], step["text"])
    options = "\n".join(f"- {o['label']}" for o in step["options"])
    ask = f"{stated(decision)}还需要确认：**{step['text']}**"
    if step.get("unclear"):
        ask += f"\n\n{step['unclear']}"
    body = f"{step['why']}{unclear}{cautions}\n\n{ask}" + (f"\n{options}" if options else "") + f"\n\n{REPLY_HINT}"
    return body, [*_fact_cites(decision), *[str(c) for c in node.cites]]


def _fact_cites(decision: Decision, decided_only: bool = False) -> list[str]:
    """The provisions the facts already known rest on, the most specific (deepest in the questionnaire) first:
    一年流水七八万 → 第八条第三款, 修空调 → 第八条第二款; the first question's own rule is left to the question.
    `decided_only`: only the facts on the path to the outcome (a turnover stated beside 自家种 decided nothing)."""
    questionnaire = decision.questionnaire
    order = [step["question"] for step in decision.result["path"]]
    # Facts off the path (a turnover stated beside 保洁) decided nothing yet: they come last.
    keys = sorted(decision.reading.facts, key=lambda k: order.index(k) if k in order else -1, reverse=True)
    if decided_only:
        keys = [k for k in keys if k in order]
    out = []
    asked = {step["question"]: step["text"] for step in decision.result["path"]}
    for key in keys:
        if key == questionnaire.questions[questionnaire.start].key:
            continue
        question = _asked(questionnaire, key, asked.get(key))
        value = decision.reading.facts[key].value
        option = next((o for o in question.options if o.id == value), None)
        out.extend(str(c) for c in (option.cites if option and option.cites else question.cites))
    return out


def _asked(questionnaire, key: str, text: str | None):
    """The node asked under `key` with this text: nodes may share a key (license_required after 便民劳务, own produce
    or other goods), and each has its own options' citations."""
    return next((q for q in questionnaire.questions.values() if q.key == key and q.text == text),
                questionnaire.keys[key])


def _clean(note: str) -> str:
    return note.split("]", 1)[1] if note.startswith("[") else note
