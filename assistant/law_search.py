"""Searching the law texts the way people type: article numbers, either numeral style, and meaning.

"18条", "第十八条" and "电子商务法第十条" go straight to the article; "十万" also finds "10万元" and "提前5日" also
finds "前五日"; anything else is matched literally first and then by meaning with the same hybrid index that answers
questions (`KnowledgeBase.retriever`), so "自动续费提前几天" finds 第十八条 although no article contains those words.
Every match carries the words to highlight. The 法规 tab of the UI and `GET /api/v1/articles?q=` both call
`search_articles`.
"""

import re
from dataclasses import dataclass

from assistant.corpus import Article, Corpus, chinese_numeral

MAX_QUERY = 100
MEANING_LIMIT = 8          # articles found by meaning, best first, after exact and literal matches
MEANING_FLOOR = 0.8        # share of the knowledge base's answer threshold a meaning match must reach
LAW_NAMES = {"ecommerce_law": ("中华人民共和国电子商务法", "电子商务法", "电商法"),
             "measures": ("网络交易监督管理办法", "网络交易管理办法", "监督管理办法", "管理办法")}
_CN = "零〇一二两三四五六七八九十百千"
_CN_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_REF = re.compile(rf"第?\s*(\d{{1,3}}|[{_CN}]{{1,5}})\s*条|^第?\s*(\d{{1,3}}|[{_CN}]{{1,5}})$")
_CN_UNIT = re.compile(rf"([{_CN}]+)(万|亿|元|日|天|年|个月|小时|倍|项|款)")
_ARABIC_UNIT = re.compile(r"(\d{1,3})(日|天|年|个月|小时|倍|项|款)")
_FILLER = re.compile(r"[\s，,。.？?！!：:、“”\"'《》（）()]+|说了什么|讲了什么|是什么|内容|规定|原文")


@dataclass(frozen=True)
class Match:
    """One article found: how (number, text or meaning), a score for ordering, and the words to highlight."""

    source: str
    number: int
    how: str
    score: float
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Found:
    """The articles a query found, best first; `source` is the law the query named, if it named one."""

    query: str
    matches: list[Match]
    source: str | None = None


def cn_int(text: str) -> int | None:
    """十八 → 18, 一百零二 → 102, 18 → 18 (article numbers); None for anything else."""
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for char in text:
        if char in _CN_VALUE:
            digit = _CN_VALUE[char]
        elif char in "十百千":
            total += (1 if digit is None else digit) * {"十": 10, "百": 100, "千": 1000}[char]
            digit = None
        else:
            return None
    total += digit or 0
    return total or None


def named_law(query: str) -> str | None:
    """The law a query names (电子商务法第十条 → ecommerce_law), if any."""
    for source, names in LAW_NAMES.items():
        if any(name in query for name in names):
            return source
    return None


def article_ref(query: str) -> tuple[int | None, str]:
    """(article number the query asks for, the rest of the query): "第18条自我声明" → (18, "自我声明")."""
    text = query
    for names in LAW_NAMES.values():
        for name in names:
            text = text.replace(name, " ")
    match = _REF.search(text.strip())
    if not match:
        return None, query
    number = cn_int(next(g for g in match.groups() if g))
    rest = _FILLER.sub(" ", text.strip()[:match.start()] + " " + text.strip()[match.end():]).strip()
    return number, rest


def variants(query: str) -> list[str]:
    """The query as typed plus its other numeral style: 十万 ↔ 10万, 提前5日 → 提前五日 (laws use both)."""
    out = [query]

    def to_arabic(match):
        number = cn_int(match.group(1))
        return f"{number}{match.group(2)}" if number is not None else match.group(0)

    def to_chinese(match):
        return chinese_numeral(int(match.group(1))) + match.group(2) if int(match.group(1)) < 1000 else match.group(0)

    for pattern, convert in ((_CN_UNIT, to_arabic), (_ARABIC_UNIT, to_chinese)):
        changed = pattern.sub(convert, query)
        if changed not in out:
            out.append(changed)
    return out


def _haystack(article: Article) -> str:
    """What a literal search looks in: the article, and its 2025 amendment note and earlier wording."""
    amendment = article.amendment or {}
    previous = "\n".join(p.get("text", "") for p in amendment.get("previous", {}).get("paragraphs", []))
    return "\n".join([article.heading, article.text, amendment.get("note") or "", previous])


def _words(kb, text: str) -> list[str]:
    """Informative words of the query and the legal terms its everyday words stand for (刷单 → 虚构交易)."""
    retriever = kb.retriever
    words = retriever.segmenter.words(retriever.expand(text))
    found = []
    for word in sorted(set(words), key=lambda w: (-len(w), words.index(w))):
        if len(word) >= 2 and not any(word in longer for longer in found):
            found.append(word)
    return found


def search_articles(kb, query: str, sources: list[str] | None = None, amended_only: bool = False) -> Found:
    """Articles of `sources` (default: every law; a law the query names wins) matching the query, best first."""
    corpus: Corpus = kb.corpus
    query = " ".join((query or "").split())[:MAX_QUERY]
    named = named_law(query)
    scope = [named] if named else [s for s in (sources or list(corpus.laws)) if s in corpus.laws]
    articles = {(s, a.number): a for s in scope for a in corpus.laws[s].articles.values()
                if not amended_only or a.amendment}
    if not query:
        return Found(query, [], named)
    number, rest = article_ref(query)
    matches: dict[tuple[str, int], Match] = {}
    if number is not None:
        for source in scope:
            if (source, number) in articles:
                matches[(source, number)] = Match(source, number, "number", 2.0)
                break
    text = rest if number is not None else query
    if text:
        forms = variants(text)
        for key, article in articles.items():  # literal: the words as typed (either numeral style), in order
            hit = [form for form in forms if form in _haystack(article)]
            if hit and key not in matches:
                matches[key] = Match(*key, "text", 1.0, tuple(hit))
        words = [w for form in forms for w in _words(kb, form)]
        for key, score in _meaning(kb, text):
            if key in articles and key not in matches:
                shown = tuple(w for w in [*forms, *words] if w in _haystack(articles[key]))
                matches[key] = Match(*key, "meaning", score, shown)
    order = {key: i for i, key in enumerate(articles)}
    ranked = sorted(matches.values(), key=lambda m: (-m.score, order[(m.source, m.number)]))
    return Found(query, ranked, named)


def _meaning(kb, text: str) -> list[tuple[tuple[str, int], float]]:
    """Articles the hybrid index ranks for the text, above a floor tied to the answer threshold."""
    ranking = kb.retriever.search(text, MEANING_LIMIT)
    floor = MEANING_FLOOR * kb.threshold
    out = []
    for key, score in ranking.articles:
        source, article = key.split(":")[:2]
        if score >= floor and len(out) < MEANING_LIMIT:
            out.append(((source, int(article)), round(float(score), 4)))
    return out


def search_qa(kb, query: str) -> list:
    """Official Q&A items: those citing the article a query names, or containing its words (all of them)."""
    corpus: Corpus = kb.corpus
    query = " ".join((query or "").split())[:MAX_QUERY]
    if not query:
        return list(corpus.qa)
    number, rest = article_ref(query)
    named = named_law(query) or "measures"
    out = []
    for item in corpus.qa:
        body = item.question + "".join(item.answer)
        if number is not None and any(c.source == named and c.article == number for c in item.cites):
            out.append(item)
        elif rest and (any(form in body for form in variants(rest))
                       or (words := _words(kb, rest)) and all(w in body for w in words)):
            out.append(item)
    return out


def highlight_terms(query: str, kb=None) -> list[str]:
    """Words worth marking for a query in text that matched it literally or by meaning, longest first."""
    _, rest = article_ref(query)
    terms = variants(rest) if rest else []
    if kb is not None and rest:
        terms += _words(kb, rest)
    return sorted({t for t in terms if t}, key=len, reverse=True)
