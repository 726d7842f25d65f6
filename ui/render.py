"""HTML and Markdown fragments the Gradio UI shows: answers with citation chips, outcome cards, the law browser."""

import html
import re

from assistant.answer import DISCLAIMER
from assistant.corpus import Corpus

SHORT_TITLES = {"measures": "", "ecommerce_law": "电子商务法"}
LAW_TABS = {"measures": "网络交易监督管理办法", "ecommerce_law": "电子商务法（相关条文）", "qa": "官方答记者问",
            "changes": "2025年修正"}


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
    return '<div class="cite-chips" role="group" aria-label="引用条文">' + "".join(chips) + "</div>"


def related_citations(citations: list[dict]) -> str:
    """Other provisions worth reading (`related_citations`), collapsed and kept apart from the answer's sources."""
    if not citations:
        return ""
    chips = citation_chips(citations).replace('aria-label="引用条文"', 'aria-label="相关条文"', 1)
    return f'<details class="related-cites"><summary>相关条文（{len(citations)}）</summary>{chips}</details>'



def answer_message(result: dict) -> str:
    """The assistant's chat message: the extractive answer (Markdown), its citation chips, then 相关条文 if any."""
    parts = [result["answer"], citation_chips(result.get("citations") or []),
             related_citations(result.get("related_citations") or [])]
    return "\n\n".join(part for part in parts if part)


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


def _article_html(corpus: Corpus, article, terms: tuple[str, ...] = (), is_open: bool = False, tag: str = "") -> str:
    paragraphs = []
    for p in article.paragraphs:
        paragraphs.append(f"<p>{_mark(p.text, terms)}</p>" + "".join(f"<p class='item'>{_mark(i, terms)}</p>"
                                                                   for i in p.items))
    explained = _notes_for(corpus, article, terms)
    plain = ""
    if explained:
        plain = "<div class='plain'><h5>通俗解读</h5>" + "".join(
            f"<p><strong>{_mark(f.question, terms)}</strong><br>{_mark(f.answer, terms)}</p>" for f in explained)
        plain += "</div>"
    amendment = ""
    if article.amendment:
        previous = "".join(f"<p>{_mark(p.get('text'), terms)}</p>"
                           for p in article.amendment.get("previous", {}).get("paragraphs", []))
        amendment = (f"<div class='amendment'><h5 title='根据2025年3月18日国家市场监督管理总局令第101号修正'>2025年修正（令第101号）</h5><p>{_mark(article.amendment.get('note'), terms)}</p>"
                     f"<details{' open' if terms and '<mark>' in previous else ''}><summary>"
                     f"{esc(article.amendment.get('previous', {}).get('label', '修正前原文'))}</summary>{previous}"
                     f"</details></div>")
    first = article.paragraphs[0].text if article.paragraphs else ""
    preview = esc(first[:36] + ("…" if len(first) > 36 else ""))
    badge = " <span class='tag'>2025修正</span>" if article.amendment else ""
    how = f" <span class='how'>{esc(tag)}</span>" if tag else ""
    return (f"<details class='article' id='{article.source}-{article.number}'{' open' if is_open else ''}>"
            f"<summary><strong>{esc(article.heading)}</strong>{badge}{how} <span class='preview'>{preview}</span>"
            f"</summary><div class='article-body'><div class='original'><h5>原文</h5>{''.join(paragraphs)}</div>"
            f"{plain}{amendment}</div></details>")


def _notes_for(corpus: Corpus, article, terms: tuple[str, ...] = ()) -> list:
    """Up to two FAQ answers that explain the article, those mentioning a searched word first."""
    items = corpus.faq_for(article.source, article.number)
    return sorted(items, key=lambda f: not any(t in f.question + f.answer for t in terms))[:2]


def _mark(text, terms: tuple[str, ...] | list[str] = ()) -> str:
    """Escape `text` and wrap every occurrence of the searched words in <mark> (longest words first)."""
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return esc(text)
    pattern = re.compile("|".join(re.escape(w) for w in words))
    out, last = [], 0
    raw = str(text or "")
    for match in pattern.finditer(raw):
        out += [esc(raw[last:match.start()]), f"<mark>{esc(match.group(0))}</mark>"]
        last = match.end()
    return "".join(out) + esc(raw[last:])


HOW = {"number": "条号", "text": "原文含搜索词", "meaning": "内容相关"}


def law_browser(corpus: Corpus, tab: str) -> str:
    """One tab of 法规 without a search: a law by chapter and section, the official Q&A, or the 2025 changes."""
    out = []
    if tab in corpus.laws:
        law = corpus.laws[tab]
        chapter = section = None
        out.append(f"<p class='meta'>《{esc(law.title)}》 法规版本 {esc(law.law_version)} · 共 {len(law.articles)} 条</p>")
        for article in law.articles.values():
            if article.chapter != chapter:
                chapter, section = article.chapter, None
                out.append(f"<h3>{esc(chapter)}</h3>")
            if article.section and article.section != section:
                section = article.section
                out.append(f"<h4>{esc(section)}</h4>")
            out.append(_article_html(corpus, article))
    elif tab == "qa":
        out.append(f"<p class='meta'>市场监管总局答记者问 · {len(corpus.qa)} 问</p>")
        out += [_qa_html(corpus, q) for q in corpus.qa]
    elif tab == "changes":
        changed = [a for law in corpus.laws.values() for a in law.articles.values() if a.amendment]
        out.append("<p class='meta'>2025年3月18日国家市场监督管理总局令第101号修正了以下条文：</p>")
        out += [_article_html(corpus, article, is_open=True) for article in changed]
    return "<div class='law-browser'>" + "".join(out) + "</div>"


def search_results(corpus: Corpus, tab: str, query: str, found=None, qa_items=None) -> str:
    """Search results for one tab: articles found (law_search.Found) with the matched words marked, or Q&A items."""
    out = []
    if qa_items is not None:
        terms = tuple(_query_terms(query))
        out.append(f"<p class='meta' role='status'>官方答记者问中与“{esc(query)}”相关的 {len(qa_items)} 问</p>")
        out += [_qa_html(corpus, q, terms, is_open=True) for q in qa_items]
    else:
        where = "、".join(f"《{corpus.laws[s].title}》" for s in ([found.source] if found.source else
                                                               ([tab] if tab in corpus.laws else corpus.laws)))
        out.append(f"<p class='meta' role='status'>在{esc(where)}{'的2025年修正条文' if tab == 'changes' else ''}中"
                   f"搜索“{esc(query)}”：找到 {len(found.matches)} 条</p>")
        for i, match in enumerate(found.matches):
            article = corpus.article(match.source, match.number)
            out.append(_article_html(corpus, article, match.terms, is_open=i < 3,
                                     tag=(SHORT_TITLES.get(match.source) or "") + " " + HOW[match.how]))
    if len(out) <= 1:
        out.append("<p>没有找到匹配的内容。可以输入条号（如“18条”“第十八条”）、关键词（如“自我声明”）或一句话"
                   "（如“自动续费提前几天提醒”）。</p>")
    return "<div class='law-browser'>" + "".join(out) + "</div>"


def _query_terms(query: str) -> list[str]:
    from assistant.law_search import article_ref, variants

    _, rest = article_ref(query)
    return variants(rest) if rest else []


def _qa_html(corpus: Corpus, q, terms: tuple[str, ...] = (), is_open: bool = False) -> str:
    body = "".join(f"<p>{_mark(p, terms)}</p>" for p in q.answer)
    cites = "、".join(corpus.article(c.source, c.article).label(c.paragraph) for c in q.cites)
    return (f"<details class='article'{' open' if is_open else ''}><summary>{_mark(q.question, terms)}</summary>"
            f"<div class='article-body'>{body}<p class='meta'>相关条文：{esc(cites)}</p></div></details>")
