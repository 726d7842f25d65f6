"""The knowledge base a process serves from: corpus, encoder, index and retriever, loaded together.

CLI, API and UI all call `KnowledgeBase.ask`, so every surface gives the same answer for the same question.
"""

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.answer import compose
from assistant.config import Settings
from assistant.corpus import Corpus, load_corpus
from assistant.encoders import Encoder, create_encoder
from assistant.errors import IndexNotBuilt, QuestionError, StaleIndex
from assistant.flow_loader import load_questionnaires
from assistant.flows import FOLDER
from assistant.followup import resolve
from assistant.index import Index, build_index, check_manifest, load_index, read_manifest
from assistant.retrieve import MODE_THRESHOLDS, Ranking, Retriever
from assistant.segment import Segmenter

log = logging.getLogger(__name__)


@dataclass
class KnowledgeBase:
    settings: Settings
    corpus: Corpus
    index: Index
    retriever: Retriever
    questionnaires: dict
    loaded_at: float

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
             progress: bool = False, encoder: Encoder | None = None) -> "KnowledgeBase":
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
            log.warning("%s; rebuilding", exc)
            build_index(corpus, encoder or create_encoder(settings), segmenter, index_dir, progress=progress)
        index = load_index(index_dir, corpus.version, encoder_id())
        retriever = Retriever(index, encoder, segmenter, corpus.synonyms, mode=mode)
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
        return self.retriever.search(resolve(text, history), top_k or self.settings.top_k)

    def ask(self, question, history: list | None = None, top_k: int | None = None) -> dict:
        """Answer one question (with optional previous turns) as the JSON contract of `assistant ask --json`."""
        text, truncated = self.prepare(question)
        top_k = top_k or self.settings.top_k
        ranking = self.retriever.search(resolve(text, history), top_k)
        return compose(self.corpus, ranking, text, top_k=top_k, answer_threshold=self.threshold,
                       faq_threshold=self.settings.faq_threshold, truncated_to=truncated,
                       questionnaires=self.questionnaires)
