"""Turn the corpus into indexable passages: articles, paragraphs, amendments, FAQ phrasings, official Q&A."""

from dataclasses import asdict, dataclass

from assistant.corpus import Corpus


@dataclass
class Passage:
    """One retrievable text. `unit` groups passages that answer as one (an article, a FAQ item, a Q&A item)."""

    id: str
    kind: str  # article | paragraph | amendment | faq | faq_answer | qa | qa_answer | out_of_scope
    source: str  # measures | ecommerce_law | faq | official_qa | out_of_scope
    unit: str
    text: str
    cites: list[str]

    def to_dict(self) -> dict:
        return asdict(self)


def build_passages(corpus: Corpus) -> list[Passage]:
    """Article and paragraph level for the laws; every FAQ phrasing separately so any paraphrase can match."""
    out: list[Passage] = []
    for source, law in corpus.laws.items():
        for number, article in law.articles.items():
            key = f"{source}:{number}"
            context = " ".join(x for x in (article.section or article.chapter or "",) if x)
            out.append(Passage(key, "article", source, key, f"{context} {article.heading} {article.text}".strip(), [key]))
            if len(article.paragraphs) > 1:
                for i, para in enumerate(article.paragraphs, 1):
                    pid = f"{key}:{i}"
                    out.append(Passage(pid, "paragraph", source, key, para.full_text, [pid]))
            if article.amendment:
                previous = "\n".join(p["text"] for p in article.amendment.get("previous", {}).get("paragraphs", []))
                text = f"{article.heading} 2025年修正 修改前后 原来 以前 {article.amendment['note']}\n{previous}"
                out.append(Passage(f"{key}:amendment", "amendment", source, key, text, [key]))
    for item in corpus.faq:
        unit, cites = f"faq:{item.id}", [str(c) for c in item.cites]
        for i, phrasing in enumerate([item.question, *item.paraphrases]):
            out.append(Passage(f"{unit}#{i}", "faq", "faq", unit, phrasing, cites))
        out.append(Passage(f"{unit}#answer", "faq_answer", "faq", unit, item.answer, cites))
    for item in corpus.qa:
        unit, cites = f"qa:{item.id}", [str(c) for c in item.cites]
        out.append(Passage(f"{unit}#q", "qa", "official_qa", unit, item.question, cites))
        for i, para in enumerate(item.answer, 1):
            out.append(Passage(f"{unit}#{i}", "qa_answer", "official_qa", unit, para, cites))
    for topic in corpus.out_of_scope:  # anchors that let retrieval recognise adjacent, uncovered topics
        unit = f"oos:{topic.id}"
        for i, example in enumerate(topic.examples):
            out.append(Passage(f"{unit}#{i}", "out_of_scope", "out_of_scope", unit, example, []))
    return out
