"""Compose the extractive, cited answer from a ranking; nothing is generated, every sentence comes from the corpus."""

from assistant.corpus import Citation, Corpus
from assistant.retrieve import Ranking, Unit
from assistant.suggest import prefill, suggest

DISCLAIMER = "仅供参考，不构成法律意见；具体问题请以法律法规原文和市场监督管理部门的意见为准。"
NOT_COVERED = (
    "抱歉，《网络交易监督管理办法》及本助手收录的相关法律条文中没有找到与您的问题直接对应的规定。"
    "建议拨打12315热线或咨询当地市场监督管理部门；涉及其他法律问题的，请咨询专业律师。"
)
TRUNCATED_NOTE = "（您的问题较长，已截取前{n}字进行检索。）"
CITATION_FLOOR = 0.8  # citations must score at least this share of the answer threshold


def _citation(corpus: Corpus, key: str, score: float) -> dict:
    cite = Citation.parse(key)
    article = corpus.article(cite.source, cite.article)
    return {
        "source": cite.source,
        "article": cite.article,
        "paragraph": cite.paragraph,
        "label": article.label(cite.paragraph),
        "text": article.cited_text(cite.paragraph),
        "score": round(score, 4),
    }


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
            faq_threshold: float, truncated_to: int | None = None, questionnaires: dict | None = None) -> dict:
    """Build the JSON-ready answer; below the threshold it is an honest 'not covered' with no citations.

    When a questionnaire decides what the answer cites first, the answer offers it (`suggested_assessment`) with
    answers stated in the question (`prefill`).
    """
    note = TRUNCATED_NOTE.format(n=truncated_to) + "\n\n" if truncated_to else ""
    uncovered = ranking.out_of_scope
    answered = ranking.answerable(answer_threshold)
    floor = answer_threshold * CITATION_FLOOR
    result = {"question": question, "answered": answered, "answer": "", "citations": [], "hits": [],
              "related": [], "corpus_version": corpus.version, "confidence": round(ranking.confidence, 4)}
    if not answered:
        referral = ""
        if uncovered is not None:
            topic = corpus.unit(uncovered.id)
            referral = f"\n\n您的问题可能属于“{topic.topic}”方面：{topic.referral}"
        result["answer"] = f"{note}{NOT_COVERED}{referral}\n\n> {DISCLAIMER}"
        return result
    top = ranking.units[0]
    body, basis = _body(corpus, ranking, top, faq_threshold)
    citations = [_citation(corpus, key, score) for key, score in ranking.articles if score >= floor][:top_k]
    related = []
    for unit in ranking.units[1:]:
        if unit.id.startswith("faq:") and unit.score >= floor and len(related) < 3:
            question_text = corpus.unit(unit.id).question
            if question_text not in related:
                related.append(question_text)
    labels = "、".join(c["label"] for c in citations[:3])
    offer = ""
    questionnaire = suggest(citations, questionnaires or {})
    if questionnaire is not None:
        result["suggested_assessment"] = questionnaire.id
        result["prefill"] = prefill(question, questionnaire)
        offer = f"\n\n想确认自己的情况？可以做一下自查：「{questionnaire.title}」"
    result.update(
        answer=f"{note}{body}\n\n**依据**：{labels}{offer}\n\n> {DISCLAIMER}",
        basis=basis,
        citations=citations,
        hits=[{"id": h.passage.id, "source": h.passage.source, "kind": h.passage.kind, "score": round(h.score, 4),
               "text": h.passage.text} for h in ranking.hits[:top_k] if h.score >= floor],
        related=related,
    )
    return result
