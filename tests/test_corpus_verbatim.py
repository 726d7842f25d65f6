"""Law text in corpus/ must match the authoritative reference files character for character."""

import pytest

from assistant.corpus import load_corpus
from conftest import CORPUS
from reference import REFERENCE_DIR, parse_articles

pytestmark = pytest.mark.skipif(not REFERENCE_DIR.exists(), reason="../shared/reference is not available")


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


@pytest.mark.parametrize("source, filename, count", [
    ("measures", "measures-current.txt", 56),
    ("ecommerce_law", "ecommerce-law-articles.txt", 8),
])
def test_every_article_is_verbatim(corpus, source, filename, count):
    reference = parse_articles(REFERENCE_DIR / filename)
    law = corpus.laws[source]
    assert sorted(law.articles) == sorted(reference), "article numbers differ from the reference"
    assert len(law.articles) == count
    for number, expected in reference.items():
        article = law.articles[number]
        got = [{"text": p.text, "items": p.items} for p in article.paragraphs]
        assert got == expected["paragraphs"], f"{source}:{number} differs from {filename}"
        assert (article.chapter, article.section) == (expected["chapter"], expected["section"]), f"{source}:{number}"


def test_amended_articles_carry_their_2021_wording(corpus):
    original = parse_articles(REFERENCE_DIR / "measures-2021-original.txt")
    current = parse_articles(REFERENCE_DIR / "measures-current.txt")
    changed = {n for n in current if current[n]["paragraphs"] != original[n]["paragraphs"]}
    assert changed == {18, 41}, "the reference says only Art. 18 and 41 changed in 2025"
    for number, article in corpus.laws["measures"].articles.items():
        if number in changed:
            previous = [p["text"] for p in article.amendment["previous"]["paragraphs"]]
            assert previous == [p["text"] for p in original[number]["paragraphs"]], number
            assert "2025" in article.amendment["note"]
        else:
            assert article.amendment is None, f"Art. {number} did not change in 2025"


def test_paragraph_labels(corpus):
    article = corpus.article("measures", 8)
    assert article.label(3) == "《网络交易监督管理办法》第八条第三款"
    assert corpus.article("measures", 56).label() == "《网络交易监督管理办法》第五十六条"
    assert corpus.article("ecommerce_law", 10).label() == "《中华人民共和国电子商务法》第十条"
