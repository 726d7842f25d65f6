"""The knowledge base a process serves from: corpus, encoder, index and retriever, loaded together.

CLI, API and UI all call `KnowledgeBase.ask`, so every surface gives the same answer for the same question. A
question passes through one stage per concern: normalise the text → recognise the intent → resolve a follow-up and
retrieve → read facts and decide with a questionnaire where one applies → compose.
"""

import functools
import logging
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.answer import CITATION_FLOOR, compose
from assistant.decision import Decision, Topic, asks, decide, looks_like_reply, on_topic, suggest, wants_decision
from assistant.config import Settings
from assistant.corpus import Corpus, load_corpus
from assistant.encoders import Encoder, create_encoder
from assistant.errors import IndexNotBuilt, QuestionError, StaleIndex
from assistant.flow_loader import load_questionnaires
from assistant.facts import read
from assistant.flows import FOLDER
from assistant.followup import is_elliptical, resolve, user_turns
from assistant.index import Index, build_index, check_manifest, load_index, read_manifest
from assistant.intent import clauses, recognise
from assistant.normalize import Text, normalize
from assistant.retrieve import MODE_THRESHOLDS, Ranking, Retriever
from assistant.scope import Scope, scope_of
from assistant.segment import Segmenter
from assistant.select import Selector
from assistant.typos import Speller, vocabulary

MAX_TURNS = 8  # earlier user turns read for facts and topic

log = logging.getLogger(__name__)


@dataclass
class KnowledgeBase:
    settings: Settings
    corpus: Corpus
    index: Index
    retriever: Retriever
    questionnaires: dict
    loaded_at: float
    _earlier: object = field(default=None, repr=False)
    selector: Selector | None = field(default=None, repr=False)
    speller: Speller | None = field(default=None, repr=False)

    def __post_init__(self):
        # Earlier turns are searched again to find the conversation's topic: cache those (same index, same result).
        self._earlier = functools.lru_cache(maxsize=1024)(self.retriever.search)
        self.selector = Selector(self.corpus)
        self.speller = Speller(vocabulary(self.corpus), self.retriever.segmenter)

    def read_text(self, text: str) -> Text:
        """Normalised text with its homophone typos corrected (搭受 → 搭售): what every later stage reads."""
        normalised = normalize(text)
        corrected, fixes = self.speller.correct(normalised.text)
        return replace(normalised, text=corrected, corrections=tuple(fixes)) if fixes else normalised

    @property
    def threshold(self) -> float:
        """Confidence needed to answer: the calibrated setting for hybrid, fixed ones for diagnostic modes."""
        return MODE_THRESHOLDS.get(self.retriever.mode, self.settings.answer_threshold)

    @property
    def versions(self) -> dict:
        return {"corpus_version": self.corpus.version, "index_build": self.index.manifest["build"],
                "law_version": self.corpus.laws["measures"].law_version}

    @classmethod
    def open(cls, settings: Settings, mode: str = "hybrid", auto_build: bool | None = None,
             progress: bool | None = None, encoder: Encoder | None = None) -> "KnowledgeBase":
        """Load corpus and index; rebuild a missing or stale index when auto_build allows, never serve it stale."""
        corpus = load_corpus(settings.corpus_dir)
        segmenter = Segmenter(corpus.userdict_path)
        if mode != "bm25" and encoder is None:
            encoder = create_encoder(settings)
        auto = settings.auto_build if auto_build is None else auto_build
        index_dir = Path(settings.index_dir)

        def encoder_id() -> str:
            # BM25-only callers skip loading the encoder and accept whichever one the index was built with.
            return encoder.id if encoder else (read_manifest(index_dir) or {}).get("encoder", {}).get("id", "")

        try:
            check_manifest(read_manifest(index_dir), corpus.version, encoder_id())
        except (IndexNotBuilt, StaleIndex) as exc:
            if not auto:
                raise
            log.warning("%s; building the index now (about a minute on 2 cores)", exc)
            if progress is None:  # a progress bar where someone watches a terminal (first `ask`, first `serve`)
                progress = sys.stderr.isatty()
            build_index(corpus, encoder or create_encoder(settings), segmenter, index_dir, progress=progress)
        index = load_index(index_dir, corpus.version, encoder_id())
        retriever = Retriever(index, encoder, segmenter, corpus.synonyms, mode=mode,
                              penalties=frozenset(f"measures:{n}" for n in corpus.penalty_articles))
        questionnaires = load_questionnaires(corpus) if (corpus.root / FOLDER).is_dir() else {}
        return cls(settings, corpus, index, retriever, questionnaires, time.time())

    def prepare(self, question) -> tuple[str, int | None]:
        """Validate and truncate a question; returns the text to use and the length it was cut to, if any."""
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("问题不能为空，请输入您想咨询的内容。")
        question = " ".join(question.split())
        limit = self.settings.max_question_chars
        if len(question) > limit:
            return question[:limit], limit
        return question, None

    def rank(self, question: str, history: list | None = None, top_k: int | None = None) -> Ranking:
        text, _ = self.prepare(question)
        normalised = self.read_text(text).text
        turns = [self.read_text(t).text for t in user_turns(history)][-MAX_TURNS:]
        intent = recognise(normalised)
        return self.retriever.search(resolve(normalised, turns), top_k or self.settings.top_k,
                                     form=intent.words, penalty=intent.asks_penalty)

    def topic(self, turns: list[str]) -> Topic | None:
        """What the latest earlier turn that is not a bare reply was about (its questionnaire, and whether that
        questionnaire decided it), so a reply or an elliptical follow-up continues it."""
        for i in range(len(turns) - 1, -1, -1):
            if looks_like_reply(turns[i], self.questionnaires):
                continue
            ranking = self._earlier(resolve(turns[i], turns[:i]), self.settings.top_k)
            scope = self._scope(ranking, turns[i])
            ranked = self._ranked(ranking, turns[i], scope)
            suggested = self._suggested(turns[i], ranking, ranked)
            agrees = ranked is suggested or scope.kind != "covered"
            decides = bool(suggested) and wants_decision(turns[i], recognise(turns[i]), read(turns[i], suggested),
                                                         suggested, agrees)
            prior = self.topic(turns[:i]) if i else None
            if prior and prior.questionnaire and suggested in (None, prior.questionnaire) and (
                    is_elliptical(turns[i]) or read(turns[i], prior.questionnaire).facts or not asks(turns[i])):
                # 那如果超过10万呢？, an answer in one's own words ("进货的，卖衣服") or one it could not read ("卖手机壳"):
                # the earlier topic goes on.
                return Topic(prior.questionnaire, prior.decides or decides, prior.anchor)
            return Topic(suggested, decides, i)
        return None

    def _suggested(self, text: str, ranking: Ranking, ranked):
        """The questionnaire a question is about: one it names with facts, else the one its first article has (even
        below the answer threshold when the question states facts it asks about: "淘宝卖手工包包，一年大概8万")."""
        named = on_topic(text, self.questionnaires) or ranked
        if named is None and ranking.out_of_scope is None:
            first = suggest([key for key, _ in ranking.articles], self.questionnaires)
            if first is not None and any(k != first.questions[first.start].key for k in read(text, first).facts):
                return first
        return named

    def _ranked(self, ranking: Ranking, text: str, scope: Scope):
        """The questionnaire that declares the article the answer would rest on, for a question the corpus covers.

        That is the first citation of the answer the selector would choose, not merely the best-scoring article:
        a FAQ written for another question ("朋友圈卖货不办执照要交税不") may score first without fitting.
        """
        if scope.kind != "covered":
            return None
        selection = self.selector.select(ranking, recognise(text), text, faq_threshold=self.settings.faq_threshold,
                                         floor=self.threshold * CITATION_FLOOR,
                                         max_citations=self.settings.max_citations)
        lead = selection.citations[:1] or [key for key, _ in ranking.articles]
        return suggest(lead, self.questionnaires)

    def _scope(self, ranking: Ranking, text: str, english: bool = False):
        # A question in English is judged by the dense signal alone, so it takes that signal's threshold.
        threshold = MODE_THRESHOLDS["dense"] if english else self.threshold
        return scope_of(ranking, self.corpus, threshold, self.settings.scope_margin, text)

    def decision(self, text: str, turns: list[str], ranking: Ranking, scope: Scope | None = None) -> Decision | None:
        scope = scope or self._scope(ranking, text)
        ranked = self._ranked(ranking, text, scope)  # runs the selector: once per turn, shared by both uses
        # Only where the scope is not covered does it matter whether one clause asks the questionnaire's question.
        also = scope.kind != "covered" and self._also_asks_decision(text)
        decision = decide(self.questionnaires, self.corpus, text, turns, recognise(text),
                          self._suggested(text, ranking, ranked), self.topic(turns) if turns else None, ranked,
                          covered=scope.kind == "covered", asks_other=scope.asked and not also)
        if decision is not None and not decision.decides and also \
                and decision.questionnaire is on_topic(text, self.questionnaires):
            # Two questions in one ("…蛋糕要不要办执照，…吃坏肚子我要赔多少"): the last asks something the Measures
            # leave to other rules, an earlier one asks the questionnaire's own question; that one is decided, and the
            # answer adds where to turn for the other (answer.compose).
            decision.decides = True
        return decision

    def _also_asks_decision(self, text: str) -> bool:
        """Whether, besides the subject an out-of-scope topic is asked for, one clause asks a questionnaire's own
        question with its facts ("卖自家种的橘子要办执照吗，要交税不": registration, then tax)."""
        parts = clauses(text)
        return any(recognise(clause).decides and not self.corpus.topics_asked(clause)
                   and on_topic("，".join(parts[:i + 1]), self.questionnaires)  # facts may come before the question
                   for i, clause in enumerate(parts))

    def ask(self, question, history: list | None = None, top_k: int | None = None) -> dict:
        """Answer one question (with optional previous turns) as the JSON contract of `assistant ask --json`.

        Stages: normalise → intent → resolve and retrieve → scope → decide with a questionnaire or select → compose.
        """
        text, truncated = self.prepare(question)
        top_k = top_k or self.settings.top_k
        normalised = self.read_text(text)
        turns = [self.read_text(t).text for t in user_turns(history)][-MAX_TURNS:]
        intent = recognise(normalised.text)
        ranking = self.retriever.search(resolve(normalised.text, turns), top_k, form=intent.words,
                                        penalty=intent.asks_penalty)
        scope = self._scope(ranking, normalised.text, normalised.english)
        # The decision judges scope on the hybrid threshold; for a question in English it measures its own.
        decision = self.decision(normalised.text, turns, ranking, None if normalised.english else scope)
        floor = self.threshold * CITATION_FLOOR
        selection = None
        if scope.kind == "covered" and not (decision and decision.decides):
            selection = self.selector.select(ranking, intent, normalised.text, faq_threshold=self.settings.faq_threshold,
                                             floor=floor, max_citations=self.settings.max_citations)
        return compose(self.corpus, ranking, normalised, scope=scope, selection=selection, decision=decision,
                       top_k=top_k, floor=floor, max_citations=self.settings.max_citations, truncated_to=truncated)
