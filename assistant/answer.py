"""Compose the extractive, cited answer; nothing is generated, every sentence comes from the corpus or a questionnaire.

Three ways: a questionnaire decides the question (the conclusion, or the rule and the next question to ask), the
corpus answers it (a curated FAQ answer, an official Q&A paragraph or the article paragraph itself), or it is not
covered (and says where to ask instead).
"""

from decimal import Decimal

from assistant.amounts import Amount
from assistant.corpus import Citation, Corpus
from assistant.decision import Decision
from assistant.retrieve import Ranking, Unit

DISCLAIMER = "仅供参考，不构成法律意见；具体问题请以法律法规原文和市场监督管理部门的意见为准。"
NOT_COVERED = (
    "抱歉，《网络交易监督管理办法》及本助手收录的相关法律条文中没有找到与您的问题直接对应的规定。"
    "建议拨打12315热线或咨询当地市场监督管理部门；涉及其他法律问题的，请咨询专业律师。"
)
TRUNCATED_NOTE = "（您的问题较长，已截取前{n}字进行检索。）"
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


def _body(corpus: Corpus, ranking: Ranking, top: Unit, faq_threshold: float) -> tuple[str, str]:
    """The answer text and what it was extracted from (faq | official_qa | article)."""
    kind = top.id.partition(":")[0]
    if kind == "faq" and top.score >= faq_threshold:
        return corpus.unit(top.id).answer, "faq"
    if kind == "qa":
        item = corpus.unit(top.id)
        best = top.best.passage
        paragraph = item.answer[int(best.id.rsplit("#", 1)[1]) - 1] if best.kind == "qa_answer" else item.answer[0]
        return f"市场监管总局就《办法》答记者问时指出：{paragraph}", "official_qa"
    # Otherwise quote the most relevant article paragraph (not a whole long article).
    key, _ = ranking.articles[0]
    cite = Citation.parse(key)
    article = corpus.article(cite.source, cite.article)
    if cite.paragraph is None and len(article.paragraphs) > 1:
        para_hit = next((h for h in ranking.hits if h.passage.kind == "paragraph"
                         and h.passage.unit == f"{cite.source}:{cite.article}"), None)
        if para_hit:
            cite = Citation.parse(para_hit.passage.id)
    return f"{article.label(cite.paragraph)}规定：{article.cited_text(cite.paragraph)}", "article"


def compose(corpus: Corpus, ranking: Ranking, question: str, *, top_k: int, answer_threshold: float,
            faq_threshold: float, truncated_to: int | None = None, decision: Decision | None = None) -> dict:
    """Build the JSON-ready answer; below the threshold it is an honest 'not covered' with no citations.

    When a questionnaire applies, `assessment` carries its result on the facts read from the conversation; when it
    decides the question, the answer is that result (`basis: "assessment"`).
    """
    note = TRUNCATED_NOTE.format(n=truncated_to) + "\n\n" if truncated_to else ""
    floor = answer_threshold * CITATION_FLOOR
    answered = ranking.answerable(answer_threshold) or bool(decision and decision.decides)
    result = {"question": question, "answered": answered, "answer": "", "citations": [], "hits": [],
              "related": [], "corpus_version": corpus.version, "confidence": round(ranking.confidence, 4)}
    if decision is not None and answered:
        result.update(assessment=decision.to_json(), suggested_assessment=decision.questionnaire.id,
                      prefill=decision.reading.answers)
    if not answered:
        uncovered = ranking.out_of_scope
        referral = ""
        if uncovered is not None:
            topic = corpus.unit(uncovered.id)
            referral = f"\n\n您的问题可能属于“{topic.topic}”方面：{topic.referral}"
        result["answer"] = f"{note}{NOT_COVERED}{referral}\n\n> {DISCLAIMER}"
        return result
    hits = [{"id": h.passage.id, "source": h.passage.source, "kind": h.passage.kind, "score": round(h.score, 4),
             "text": h.passage.text} for h in ranking.hits[:top_k] if h.score >= floor]
    if decision is not None and decision.decides:
        body, keys = decided(corpus, decision)
        keys = sorted(keys, key=lambda k: not k.startswith("measures:"))  # the Measures first, as in retrieval
        citations = [citation(corpus, key) for key in keys][:top_k]
        labels = "、".join(c["label"] for c in citations)
        result.update(answer=f"{note}{body}\n\n**依据**：{labels}\n\n> {DISCLAIMER}", basis="assessment",
                      citations=citations, hits=hits)
        return result
    top = ranking.units[0]
    body, basis = _body(corpus, ranking, top, faq_threshold)
    citations = [citation(corpus, key, score) for key, score in ranking.articles if score >= floor][:top_k]
    related = []
    for unit in ranking.units[1:]:
        if unit.id.startswith("faq:") and unit.score >= floor and len(related) < 3:
            question_text = corpus.unit(unit.id).question
            if question_text not in related:
                related.append(question_text)
    labels = "、".join(c["label"] for c in citations[:3])
    offer = f"\n\n想确认自己的情况？可以做一下自查：「{decision.questionnaire.title}」" if decision else ""
    result.update(answer=f"{note}{body}\n\n**依据**：{labels}{offer}\n\n> {DISCLAIMER}", basis=basis,
                  citations=citations, hits=hits, related=related)
    return result


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
        keys = [str(Citation(c["source"], c["article"], c["paragraph"])) for c in outcome["citations"]]
        return "\n".join(lines) + cautions, keys
    step = result["next"]
    node = questionnaire.keys[step["id"]]
    node = next((q for q in questionnaire.questions.values() if q.key == step["id"] and q.text == step["text"]), node)
    options = "\n".join(f"- {o['label']}" for o in step["options"])
    ask = f"{stated(decision)}还需要确认：**{step['text']}**"
    if step.get("unclear"):
        ask += f"\n\n{step['unclear']}"
    body = f"{step['why']}{unclear}{cautions}\n\n{ask}" + (f"\n{options}" if options else "") + f"\n\n{REPLY_HINT}"
    return body, [str(c) for c in node.cites]


def _clean(note: str) -> str:
    return note.split("]", 1)[1] if note.startswith("[") else note
