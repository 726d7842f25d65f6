"""HTML and Markdown fragments the Gradio UI shows: answers with citation chips, outcome cards, the law browser."""

import html
import re

from assistant.answer import DISCLAIMER
from assistant.corpus import Corpus

SHORT_TITLES = {"measures": "", "ecommerce_law": "电子商务法"}
LAW_TABS = {"measures": "网络交易监督管理办法", "ecommerce_law": "电子商务法（相关条文）", "qa": "官方答记者问",
            "changes": "2025年修订"}


def esc(text) -> str:
    return html.escape(str(text or ""))


def short_label(citation: dict) -> str:
    """第八条第三款 for the Measures, 电子商务法第十条 for the E-Commerce Law (the law is clear from the chip)."""
    label = citation["label"]
    return SHORT_TITLES.get(citation["source"], "") + re.sub(r"^《[^》]*》", "", label)


def citation_chips(citations: list[dict], corpus: Corpus | None = None) -> str:
    """Expandable chips: the summary is the short label, the body the full cited text."""
    if not citations:
        return ""
    chips = []
    for c in citations:
        text = c.get("text")
        if text is None and corpus is not None:
            text = corpus.article(c["source"], c["article"]).cited_text(c.get("paragraph"))
        body = "".join(f"<p>{esc(line)}</p>" for line in str(text or "").splitlines())
        chips.append(f'<details class="cite-chip"><summary>{esc(short_label(c))}</summary>'
                     f'<div class="cite-text"><strong>{esc(c["label"])}</strong>{body}</div></details>')
    return '<div class="cite-chips" aria-label="引用条文">' + "".join(chips) + "</div>"


def answer_message(result: dict) -> str:
    """The assistant's chat message: the extractive answer (Markdown) followed by its citation chips."""
    text = result["answer"]
    chips = citation_chips(result.get("citations") or [])
    return f"{text}\n\n{chips}" if chips else text


def outcome_card(result: dict, corpus: Corpus, title: str) -> str:
    outcome = result["outcome"]
    parts = [f'<section class="outcome-card" aria-label="自查结论"><p class="outcome-kicker">{esc(title)}</p>',
             f'<h3>【结论】{esc(outcome["title"])}</h3><p>{esc(outcome["explanation"])}</p>']
    if outcome.get("self_declaration"):
        parts.append('<div class="declaration"><p>应在经营主页面显著位置公示的自我声明：</p>'
                     f'<p><strong>{esc(outcome["self_declaration"])}</strong></p></div>')
    if outcome["obligations"]:
        items = "".join(f'<li><label><input type="checkbox"> {esc(o)}</label></li>' for o in outcome["obligations"])
        parts.append(f'<h4>需要做到（可逐项勾选核对）</h4><ul class="checklist">{items}</ul>')
    if result["path"]:
        rows = "".join(f"<li>{esc(s['text'])}<br><strong>{esc(s['answer_label'])}</strong></li>" for s in result["path"])
        parts.append(f"<h4>您的回答</h4><ol class=\"answers\">{rows}</ol>")
    parts.append("<h4>依据（点击展开原文）</h4>" + citation_chips(outcome["citations"], corpus))
    parts.append(f'<p class="meta">法规版本 {esc(result["law_version"])} · 语料版本 {esc(result["corpus_version"])}'
                 f'{" · 核验码 " + esc(result["verification_id"]) if result.get("verification_id") else ""}</p>'
                 f'<p class="disclaimer">{esc(DISCLAIMER)}</p></section>')
    return "".join(parts)


def _article_html(corpus: Corpus, article, query: str) -> str:
    paragraphs = []
    for p in article.paragraphs:
        paragraphs.append(f"<p>{_mark(p.text, query)}</p>" + "".join(f"<p class='item'>{_mark(i, query)}</p>"
                                                                   for i in p.items))
    explained = _notes_for(corpus, article, query)
    plain = ""
    if explained:
        plain = "<div class='plain'><h5>通俗解读</h5>" + "".join(
            f"<p><strong>{_mark(f.question, query)}</strong><br>{_mark(f.answer, query)}</p>" for f in explained) + "</div>"
    amendment = ""
    if article.amendment:
        previous = "".join(f"<p>{esc(p.get('text'))}</p>" for p in article.amendment.get("previous", {}).get("paragraphs", []))
        amendment = (f"<div class='amendment'><h5>2025年修订</h5><p>{esc(article.amendment.get('note'))}</p>"
                     f"<details><summary>{esc(article.amendment.get('previous', {}).get('label', '修订前原文'))}"
                     f"</summary>{previous}</details></div>")
    first = article.paragraphs[0].text if article.paragraphs else ""
    preview = esc(first[:36] + ("…" if len(first) > 36 else ""))
    is_open = " open" if query else ""
    tag = " <span class='tag'>2025修订</span>" if article.amendment else ""
    return (f"<details class='article' id='{article.source}-{article.number}'{is_open}>"
            f"<summary><strong>{esc(article.heading)}</strong>{tag} <span class='preview'>{preview}</span></summary>"
            f"<div class='article-body'><div class='original'><h5>原文</h5>{''.join(paragraphs)}</div>"
            f"{plain}{amendment}</div></details>")


def _notes_for(corpus: Corpus, article, query: str) -> list:
    """Up to two FAQ answers that explain the article, those mentioning the search term first."""
    items = corpus.faq_for(article.source, article.number)
    return sorted(items, key=lambda f: query not in f.question + f.answer if query else 0)[:2]


def _mark(text: str, query: str) -> str:
    if not query:
        return esc(text)
    return esc(text).replace(esc(query), f"<mark>{esc(query)}</mark>")


def law_browser(corpus: Corpus, tab: str, query: str = "") -> str:
    """One tab of 法规: a law by chapter and section, the official Q&A, or the 2025 changes; filtered by `query`."""
    query = (query or "").strip()[:50]
    out = []
    if tab in corpus.laws:
        law = corpus.laws[tab]
        chapter = section = None
        shown = 0
        for article in law.articles.values():
            haystack = article.text + article.heading + "".join(f.question + f.answer
                                                                for f in _notes_for(corpus, article, query))
            if query and query not in haystack:
                continue
            if article.chapter != chapter:
                chapter, section = article.chapter, None
                out.append(f"<h3>{esc(chapter)}</h3>")
            if article.section and article.section != section:
                section = article.section
                out.append(f"<h4>{esc(section)}</h4>")
            out.append(_article_html(corpus, article, query))
            shown += 1
        head = f"<p class='meta'>《{esc(law.title)}》 法规版本 {esc(law.law_version)} · 共 {shown} 条"
        head += f"（含“{esc(query)}”）" if query else ""
        out.insert(0, head + "</p>")
    elif tab == "qa":
        items = [q for q in corpus.qa if not query or query in q.question + "".join(q.answer)]
        out.append(f"<p class='meta'>市场监管总局答记者问 · {len(items)} 问</p>")
        for q in items:
            body = "".join(f"<p>{_mark(p, query)}</p>" for p in q.answer)
            cites = "、".join(corpus.article(c.source, c.article).label(c.paragraph) for c in q.cites)
            out.append(f"<details class='article'{' open' if query else ''}><summary>{esc(q.question)}</summary>"
                       f"<div class='article-body'>{body}<p class='meta'>相关条文：{esc(cites)}</p></div></details>")
    elif tab == "changes":
        changed = [a for law in corpus.laws.values() for a in law.articles.values() if a.amendment]
        out.append("<p class='meta'>2025年3月18日国家市场监督管理总局令第101号修正了以下条文：</p>")
        for article in changed:
            out.append(_article_html(corpus, article, query).replace("<details class='article'",
                                                                            "<details class='article' open", 1))
    if len(out) <= 1:
        out.append("<p>没有找到匹配的内容，请换个关键词试试。</p>")
    return "<div class='law-browser'>" + "".join(out) + "</div>"
