"""HTML fragments of the UI: 相关条文 kept apart from the answer's sources (and absent when the answer has none), and
search hits marked without letting text through unescaped."""

import pytest

pytest.importorskip("gradio", reason="gradio is in the `serve` extra")

from ui.render import _mark, answer_message  # noqa: E402

CITE = {"source": "measures", "article": 8, "paragraph": 3, "label": "《网络交易监督管理办法》第八条第三款",
        "text": "个人从事网络交易活动，年交易额累计不超过10万元的……", "score": 0.6}
RELATED = {"source": "measures", "article": 12, "paragraph": None, "label": "《网络交易监督管理办法》第十二条",
           "text": "网络交易经营者应当……", "score": None}


def test_related_citations_are_a_separate_collapsed_group():
    html = answer_message({"answer": "回答。", "citations": [CITE], "related_citations": [RELATED]})
    sources, related = html.split('<details class="related-cites">')
    assert "第八条第三款" in sources and "第十二条" not in sources
    assert related.startswith("<summary>相关条文（1）</summary>") and "第十二条" in related
    assert 'aria-label="相关条文"' in related


@pytest.mark.parametrize("result", [{"answer": "回答。", "citations": [CITE]},
                                    {"answer": "回答。", "citations": [CITE], "related_citations": []},
                                    {"answer": "回答。", "citations": [], "related_citations": None}])
def test_no_related_group_without_related_citations(result):
    assert "related-cites" not in answer_message(result)


def test_marks_escape_the_text_and_prefer_longer_words():
    assert _mark("自动续费<b>等</b>", ["自动", "自动续费"]) == "<mark>自动续费</mark>&lt;b&gt;等&lt;/b&gt;"
    assert _mark("a<b", []) == "a&lt;b"
