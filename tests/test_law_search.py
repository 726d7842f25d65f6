"""Issue 10, item 5: 法规 search understands article numbers in either numeral style, 十万 = 10万, and meaning
(the same hybrid index that answers questions), in `assistant.law_search`, `GET /api/v1/articles?q=` and the 法规 tab."""

import pytest

from assistant.law_search import article_ref, cn_int, search_articles, search_qa, variants


@pytest.mark.parametrize("text, number", [("十八", 18), ("十", 10), ("二十一", 21), ("五十六", 56), ("一百零二", 102),
                                          ("18", 18), ("两", 2), ("十万元", None)])
def test_chinese_numerals(text, number):
    assert cn_int(text) == number


@pytest.mark.parametrize("query, number, rest", [
    ("18条", 18, ""), ("第18条", 18, ""), ("第十八条", 18, ""), ("十八条", 18, ""), ("十八", 18, ""), ("18", 18, ""),
    ("第 18 条", 18, ""), ("电子商务法第十条", 10, ""), ("第十八条说了什么", 18, ""), ("第十二条 自我声明", 12, "自我声明"),
    ("十万", None, "十万"), ("自动续费提前几天", None, "自动续费提前几天"),
])
def test_article_references(query, number, rest):
    assert article_ref(query) == (number, rest)


def test_numeral_variants():
    assert variants("十万") == ["十万", "10万"]
    assert variants("提前5日") == ["提前5日", "提前五日"]
    assert variants("自我声明") == ["自我声明"]


@pytest.mark.parametrize("query", ["18条", "第十八条", "第18条", "十八条", "18"])
def test_article_number_goes_to_the_article(kb, query):
    found = search_articles(kb, query)
    assert [(m.source, m.number, m.how) for m in found.matches] == [("measures", 18, "number")], found


def test_named_law(kb):
    found = search_articles(kb, "电子商务法第十条", ["measures"])
    assert found.source == "ecommerce_law"
    assert [(m.source, m.number) for m in found.matches] == [("ecommerce_law", 10)]


def test_chinese_amount_finds_arabic_text(kb):
    found = search_articles(kb, "十万")
    first = found.matches[0]
    assert (first.source, first.number, first.how) == ("measures", 8, "text"), found
    assert "10万" in first.terms


def test_search_by_meaning(kb):
    """No article contains "自动续费提前几天"; the index still finds 第十八条 first, with 自动续费 to highlight."""
    found = search_articles(kb, "自动续费提前几天")
    first = found.matches[0]
    assert (first.source, first.number, first.how) == ("measures", 18, "meaning"), found
    assert "自动续费" in first.terms


def test_literal_matches_come_first(kb):
    found = search_articles(kb, "自我声明")
    hows = [m.how for m in found.matches]
    assert hows[0] == "text" and hows == sorted(hows, key=lambda h: h != "text"), found
    assert ("measures", 12) in [(m.source, m.number) for m in found.matches if m.how == "text"]


def test_amended_wording_is_searchable(kb):
    """前五日 was removed from 第十八条 in 2025: searching it finds the article by its amendment note."""
    found = search_articles(kb, "提前5日", amended_only=True)
    assert found.matches and found.matches[0].number == 18, found


def test_nothing_for_unrelated_words(kb):
    assert search_articles(kb, "红烧肉怎么做").matches == []


def test_official_qa_search(kb):
    assert search_qa(kb, "") == list(kb.corpus.qa)
    items = search_qa(kb, "直播")
    assert items and all("直播" in q.question + "".join(q.answer) for q in items)


# ------------------------------------------------------------------------------------------ HTTP

fastapi = pytest.importorskip("fastapi")


@pytest.fixture(scope="module")
def client(settings, kb, tmp_path_factory):
    from fastapi.testclient import TestClient

    from assistant.api import create_app
    from test_api import make_live

    served = settings.replace(feedback_db=str(tmp_path_factory.mktemp("laws") / "fb.sqlite3"), rate_limit_per_minute=0)
    return TestClient(create_app(served, live=make_live(served, kb), ui=False), client=("127.0.0.1", 40000))


def test_api_search(client):
    rows = client.get("/api/v1/articles", params={"q": "第十八条"}).json()
    assert [(r["source"], r["number"], r["match"]) for r in rows] == [("measures", 18, "number")]
    rows = client.get("/api/v1/articles", params={"q": "自动续费提前几天"}).json()
    assert rows[0]["number"] == 18 and rows[0]["match"] == "meaning" and "自动续费" in rows[0]["highlight"]
    rows = client.get("/api/v1/articles", params={"q": "十万", "source": "measures"}).json()
    assert rows[0]["number"] == 8 and "10万" in rows[0]["highlight"]


def test_api_list_without_query_is_unchanged(client, kb):
    rows = client.get("/api/v1/articles", params={"source": "measures"}).json()
    assert [r["number"] for r in rows] == list(kb.corpus.laws["measures"].articles)
    assert set(rows[0]) == {"source", "number", "label", "chapter", "section", "amended"}
