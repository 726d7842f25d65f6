"""Hybrid retrieval: BM25 over jieba words plus dense FAISS search, fused on calibrated scales.

Why not reciprocal-rank fusion: RRF scores only say how two rankings agree, never how good the best match
is, so a threshold on them lets unrelated passages through for out-of-scope questions (the bug
Langchain-Chatchat has). Here each signal is put on an absolute 0-1 scale first:

* dense: how far the cosine has travelled from the level unrelated questions reach (measured per encoder
  and corpus at build time, see calibration.py) towards a perfect match;
* lexical: the share of the query's informative words (IDF-weighted, words unknown to the corpus count
  fully) that the passage contains, so questions about things the corpus never mentions score low.

The fused score is their weighted mean; ranking and the "not covered" decision use the same number, and
passages below the floor are dropped before they can become citations. Out-of-scope topic anchors
(corpus/out_of_scope.yaml) compete in the same ranking: when one wins, the question is not covered.
"""

import math
import re
from dataclasses import dataclass, field

import bm25s
import numpy as np

from assistant.calibration import calibrate_dense
from assistant.encoders import Encoder
from assistant.index import Index
from assistant.intent import without_form
from assistant.passages import Passage
from assistant.segment import Segmenter

MODES = ("bm25", "dense", "hybrid")
_HAN = re.compile(r"[\u4e00-\u9fff]")
DENSE_WEIGHT = 0.8
# Confidence thresholds of the diagnostic single-signal modes (the served hybrid mode uses the setting), set
# like it: the level that still answers 97% of the in-scope dev questions (see evaluate.calibrate).
MODE_THRESHOLDS = {"bm25": 0.17, "dense": 0.15}


@dataclass
class Hit:
    passage: Passage
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    bm25: float = 0.0


@dataclass
class Unit:
    """An answerable unit (FAQ item, Q&A item or article) with its best passage."""

    id: str
    score: float
    best: Hit
    cites: list[str]


@dataclass
class Ranking:
    query: str
    expanded: str
    hits: list[Hit]
    units: list[Unit]
    articles: list[tuple[str, float]] = field(default_factory=list)  # "source:article[:paragraph]" best first
    terms: str = ""  # the legal terms the query was expanded with (营业执照 → 市场主体登记)

    @property
    def confidence(self) -> float:
        return self.units[0].score if self.units else 0.0

    @property
    def covered_confidence(self) -> float:
        """Score of the best unit the corpus answers, ignoring out-of-scope anchors (used for calibration)."""
        return next((u.score for u in self.units if not u.id.startswith("oos:")), 0.0)

    def answerable(self, threshold: float) -> bool:
        """The one 'not covered' rule: no uncovered topic won and the best unit is confident enough."""
        return bool(self.units) and self.out_of_scope is None and self.confidence >= threshold

    @property
    def out_of_scope(self) -> Unit | None:
        """The out-of-scope topic anchor that won the ranking, if one did."""
        return self.units[0] if self.units and self.units[0].id.startswith("oos:") else None


class Retriever:
    """Search one loaded index; stateless per query, safe to share between threads."""

    def __init__(self, index: Index, encoder: Encoder | None, segmenter: Segmenter, synonyms: dict[str, list[str]],
                 mode: str = "hybrid", penalties: frozenset[str] = frozenset()):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if mode != "bm25" and encoder is None:
            raise ValueError("dense and hybrid retrieval need an encoder")
        self.index, self.encoder, self.segmenter, self.mode = index, encoder, segmenter, mode
        self.passages = index.passages
        self.bm25 = bm25s.BM25()
        self.bm25.index(index.tokens, show_progress=False)
        postings: dict[str, list[int]] = {}
        for i, words in enumerate(index.tokens):
            for word in set(words):
                postings.setdefault(word, []).append(i)
        self.postings = {word: np.array(ids) for word, ids in postings.items()}
        n = len(index.tokens)
        self.idf = {word: math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5)) for word, ids in postings.items()}
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self.background = float(index.manifest["encoder"].get("background_cosine", 0.0))
        # Builds before the English level was measured fall back to the Chinese one (English is then refused more).
        self.background_en = float(index.manifest["encoder"].get("background_cosine_en", self.background))
        # Articles that punish ("measures:41"; Corpus.penalty_articles): of a unit's articles they rank after the duty
        # unless the question asks for the penalty itself.
        self.penalties = penalties
        # Longest colloquial words first, so 直播带货 wins over 直播.
        self.synonyms = sorted(((w, term) for term, words in synonyms.items() for w in words), key=lambda x: -len(x[0]))

    def expand(self, query: str) -> str:
        """Append the legal term for each colloquial word found (营业执照 → 市场主体登记)."""
        terms = self.terms(query)
        return f"{query} {terms}" if terms else query

    def terms(self, query: str) -> str:
        """The legal terms of the colloquial words in a query, space-separated."""
        added = []
        lowered = query.lower()
        for word, term in self.synonyms:
            if word.lower() in lowered and term not in added and term not in query:
                added.append(term)
        return " ".join(added)

    def _lexical(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Raw BM25 scores and the IDF-weighted share of query words each passage contains."""
        if not words:
            zeros = np.zeros(len(self.passages), dtype=np.float32)
            return zeros, zeros
        bm25 = np.asarray(self.bm25.get_scores(words), dtype=np.float32)
        weights = {w: self.idf.get(w, self.unknown_idf) for w in set(words)}
        total = sum(weights.values())
        coverage = np.zeros(len(self.passages), dtype=np.float32)
        for word, weight in weights.items():
            if word in self.postings:
                coverage[self.postings[word]] += weight
        return bm25, coverage / total

    def _dense(self, text: str, english: bool) -> tuple[np.ndarray, np.ndarray]:
        """Raw cosines and their calibrated 0-1 scale (a question in English on the English level, also when the
        Measures' terms for its words were appended)."""
        vector = self.encoder.encode_queries([text])
        scores, ids = self.index.dense.search(vector, len(self.passages))
        cosine = np.empty(len(self.passages), dtype=np.float32)
        cosine[ids[0]] = scores[0]
        return cosine, calibrate_dense(cosine, self.background_en if english else self.background)

    def search(self, query: str, top_k: int = 5, form: str = "", penalty: bool = False) -> Ranking:
        """Rank passages for a query. `form` is the words that say what kind of question it is (会被罚吗, 多久):
        the lexical signal leaves them out, so "写评价会被罚吗" is matched on 写评价, not on every article about
        罚款; the dense signal keeps the whole question (it helps match a FAQ asked the same way). `penalty`: the
        question asks for the penalty itself (罚多少), so of a unit's articles the penalty comes before the duty."""
        topic = without_form(query, form) if form and len(form) < len(query) else query
        terms = self.terms(topic)
        expanded = f"{topic} {terms}" if terms else topic
        n = len(self.passages)
        bm25 = lexical = cosine = dense = np.zeros(n, dtype=np.float32)
        if self.mode in ("bm25", "hybrid"):
            bm25, lexical = self._lexical(self.segmenter.words(expanded))
        if self.mode in ("dense", "hybrid"):
            # The encoder understands everyday words itself; appended legal terms only pull the query towards
            # long statutory passages (measured on the dev set: recall@1 0.846 → 0.877).
            # A question in English is searched with the Measures' terms its words name (fake reviews → 编造用户评价,
            # from the English entries of synonyms.yaml): the multilingual encoder matches those far better than the
            # English words against Chinese text.
            english = not _HAN.search(query)
            cosine, dense = self._dense(f"{query} {terms}" if terms and english else query, english)
        if self.mode == "bm25":
            # BM25 alone: rank by BM25, judge confidence by word coverage (the only absolute signal it has).
            fused = lexical + 1e-3 * bm25 / max(float(bm25.max()), 1e-6)
        elif self.mode == "dense":
            fused = dense
        elif not _HAN.search(query):
            # No Chinese words for the lexical signal to match (a question in English): the multilingual encoder
            # alone judges it, on the same calibrated scale.
            fused = dense
        else:
            fused = DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * lexical
        order = np.argsort(-fused, kind="stable")
        hits = [Hit(self.passages[i], float(fused[i]), float(cosine[i]), float(lexical[i]), float(bm25[i]))
                for i in order[: max(top_k * 8, 40)]]
        units = _units(hits)
        return Ranking(query, expanded, hits, units, _articles(units, frozenset() if penalty else self.penalties), terms)


def _units(hits: list[Hit]) -> list[Unit]:
    best: dict[str, Unit] = {}
    for hit in hits:  # hits arrive best first, so the first passage of a unit is its best
        if hit.passage.unit not in best:
            best[hit.passage.unit] = Unit(hit.passage.unit, hit.score, hit, hit.passage.cites)
    return sorted(best.values(), key=lambda u: -u.score)


def _articles(units: list[Unit], later: frozenset[str] = frozenset()) -> list[tuple[str, float]]:
    """Distinct cited articles, each scored by the best unit citing it (later cites of a unit slightly lower).

    Within one unit the Measures come before related law: they are the regulation this assistant explains; and
    articles in `later` (penalties, for a question that does not ask for the penalty) come after the others.
    """
    scores: dict[str, float] = {}
    paragraph: dict[str, str] = {}
    for unit in units:
        cites = sorted(unit.cites, key=lambda c: (not c.startswith("measures:"), ":".join(c.split(":")[:2]) in later))
        for position, cite in enumerate(cites):
            parts = cite.split(":")
            article = ":".join(parts[:2])
            score = unit.score * (0.97 ** position)
            if score > scores.get(article, -1.0):
                scores[article] = score
                paragraph[article] = cite if len(parts) > 2 else paragraph.get(article, article)
    ordered = sorted(scores.items(), key=lambda x: -x[1])
    return [(paragraph[a], s) for a, s in ordered]
