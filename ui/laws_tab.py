"""The 法规 tab: browse the Measures, the E-Commerce Law articles, the official Q&A and the 2025 changes, or search
them by article number (18条, 第十八条), either numeral style (十万 = 10万) or meaning (`assistant.law_search`)."""

import gradio as gr

from assistant.law_search import search_articles, search_qa
from assistant.live import Live
from ui.render import LAW_TABS, law_browser, search_results

PLACEHOLDER = "条号、关键词或一句话，如：18条、自我声明、自动续费提前几天"


def build(live: Live) -> None:
    """Lay out and wire the tab (inside the caller's gr.Tab); it talks to no other tab."""
    with gr.Row(elem_id="law-controls"):
        tab = gr.Radio(choices=[(label, key) for key, label in LAW_TABS.items()], value="measures", label="浏览",
                       scale=3, elem_id="law-tab")
        query = gr.Textbox(label="搜索条文", placeholder=PLACEHOLDER, scale=2, max_lines=1, elem_id="law-query")
    page = gr.HTML(law_browser(live.snapshot().corpus, "measures"), elem_id="law-browser")

    def show(which, text):
        return render(live, which, text)

    tab.change(show, [tab, query], page)
    query.submit(show, [tab, query], page)
    query.change(show, [tab, query], page, trigger_mode="always_last", show_progress="hidden")


def render(live: Live, tab: str, query: str) -> str:
    """The tab's page, or the search results within it when a query is typed."""
    snapshot = live.snapshot()
    query = " ".join((query or "").split())
    if not query:
        return law_browser(snapshot.corpus, tab)
    if tab == "qa":
        return search_results(snapshot.corpus, tab, query, qa_items=search_qa(snapshot.kb, query))
    sources = [tab] if tab in snapshot.corpus.laws else None
    found = search_articles(snapshot.kb, query, sources, amended_only=tab == "changes")
    return search_results(snapshot.corpus, tab, query, found=found)
