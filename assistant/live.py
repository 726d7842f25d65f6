"""The knowledge a running server answers from, swapped atomically when staff build a new index (hot reload).

A `Snapshot` (knowledge base + questionnaires) is immutable once loaded. `Live` holds the current one; each request
takes it once with `snapshot()` and uses only that object, so a request in flight finishes on the index it started
with while a reload swaps the reference underneath it (a single attribute assignment, atomic in CPython).

Reloads run in one background thread at a time and are triggered two ways:

* a cheap `os.stat` of `index/manifest.json`, at most every `reload_check_seconds`, on incoming requests: when
  `assistant build` has repointed the manifest, the new build is loaded;
* `request_reload()` (POST /admin/reload): validates the corpus and questionnaires now, then builds the index
  incrementally (only changed text is re-embedded) and loads it in the background.

A reload that fails for any reason (invalid corpus, stale or unreadable index, build error) keeps the old
snapshot serving; the error is logged and kept for /healthz until a later reload succeeds.
"""

import logging
import os
import re
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from assistant import metrics
from assistant.config import Settings
from assistant.corpus import Corpus, load_corpus
from assistant.errors import AssistantError, QuestionTooLong, ReloadInProgress, UnreadableText
from assistant.flow_loader import load_questionnaires
from assistant.flows import Questionnaire
from assistant.index import LEASE_SECONDS, MANIFEST, build_index, touch_lease
from assistant.knowledge import KnowledgeBase
from assistant.segment import Segmenter

log = logging.getLogger(__name__)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def manifest_stamp(index_dir: str | Path) -> tuple | None:
    """Identity of the manifest file (inode, size, mtime): `assistant build` replaces it atomically, so any build
    changes it."""
    try:
        st = os.stat(Path(index_dir) / MANIFEST)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class Snapshot:
    """Everything one request needs, loaded together and never mutated."""

    kb: KnowledgeBase
    stamp: tuple | None

    @property
    def questionnaires(self) -> dict[str, Questionnaire]:
        return self.kb.questionnaires

    @property
    def corpus(self) -> Corpus:
        return self.kb.corpus

    @property
    def versions(self) -> dict:
        return self.kb.versions

    def ask(self, question, history: list | None = None, top_k: int | None = None) -> dict:
        """`KnowledgeBase.ask`, after rejecting questions over the serving hard limit."""
        limit = self.kb.settings.question_hard_limit
        if isinstance(question, str) and len(question) > limit:
            raise QuestionTooLong(f"问题过长：最多 {limit} 个字，您输入了 {len(question)} 个字。请精简后再问。")
        for text in [question, *_history_texts(history)]:
            if isinstance(text, str) and _SURROGATE.search(text):
                raise UnreadableText("问题或对话记录中含有无法识别的字符，请删除后重试。/ The text contains a lone "
                                     "surrogate (invalid Unicode).")
        return self.kb.ask(question, history=history, top_k=top_k)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _history_texts(history: list | None) -> list:
    return [turn.get("content") if isinstance(turn, dict) else turn for turn in history or []]


def load_snapshot(settings: Settings, encoder=None, auto_build: bool | None = None) -> Snapshot:
    """Load corpus, questionnaires and index; raises (and changes nothing) if any of them is invalid or stale."""
    stamp = manifest_stamp(settings.index_dir)  # taken first: a build finishing meanwhile triggers another reload
    kb = KnowledgeBase.open(settings, encoder=encoder, auto_build=auto_build)
    return Snapshot(kb, manifest_stamp(settings.index_dir) if stamp is None else stamp)


class Live:
    """Holder of the current snapshot with hot reload; one per server process."""

    def __init__(self, settings: Settings, snapshot: Snapshot, check_interval: float | None = None):
        self.settings = settings
        self._snapshot = snapshot
        self._encoder = snapshot.kb.retriever.encoder
        self._interval = settings.reload_check_seconds if check_interval is None else check_interval
        self._last_check = self._last_lease = time.monotonic()
        self._seen = snapshot.stamp
        self._lock = threading.Lock()  # guards _thread / _seen
        self._thread: threading.Thread | None = None
        self.last_reload: dict | None = None
        self.last_error: dict | None = None
        self.started_at = _now()

    @classmethod
    def open(cls, settings: Settings, encoder=None, check_interval: float | None = None) -> "Live":
        return cls(settings, load_snapshot(settings, encoder=encoder), check_interval)

    # ------------------------------------------------------------------ serving

    def snapshot(self) -> Snapshot:
        """The snapshot to use for one whole request (checks for a new build first, without waiting for it)."""
        self.poll()
        return self._snapshot

    @property
    def reloading(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def poll(self, force: bool = False) -> bool:
        """Start a background reload if index/manifest.json changed since it was last seen; True if one started."""
        now = time.monotonic()
        if now - self._last_lease > LEASE_SECONDS / 10:  # keep the served build from being collected
            self._last_lease = now
            touch_lease(self._snapshot.kb.index.path)
        if not force and now - self._last_check < self._interval:
            return False
        self._last_check = now
        stamp = manifest_stamp(self.settings.index_dir)
        if stamp is None or stamp == self._seen:
            return False
        with self._lock:
            if stamp == self._seen or self.reloading:
                return False
            self._seen = stamp  # a failed attempt is not retried until the manifest changes again
            self._start("build", build=False)
        return True

    def request_reload(self) -> dict:
        """Validate the corpus now (raising CorpusError with every problem), then rebuild and swap in the background."""
        with self._lock:
            if self.reloading:
                raise ReloadInProgress("已有一次重新加载正在进行，请稍后查看 /healthz。/ A reload is already running.")
            try:
                corpus = load_corpus(self.settings.corpus_dir)
                load_questionnaires(corpus)
            except AssistantError as exc:
                self._failed("admin", exc)
                raise
            self._start("admin", build=True)
        return {"ok": True, "status": "reloading", "corpus_version": corpus.version}

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the running reload (if any) ends; True if none is running afterwards."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self.reloading

    # ------------------------------------------------------------------ reloading

    def _start(self, trigger: str, build: bool) -> None:
        self._thread = threading.Thread(target=self._reload, args=(trigger, build), name=f"reload-{trigger}",
                                        daemon=True)
        self._thread.start()

    def _reload(self, trigger: str, build: bool) -> None:
        started = time.perf_counter()
        try:
            if build:
                corpus = load_corpus(self.settings.corpus_dir)
                build_index(corpus, self._encoder, Segmenter(corpus.userdict_path), Path(self.settings.index_dir))
            snapshot = load_snapshot(self.settings, encoder=self._encoder, auto_build=False)
        except Exception as exc:  # noqa: BLE001 - whatever broke, the old snapshot keeps serving
            self._failed(trigger, exc)
            return
        old = self._snapshot.versions
        self._snapshot = snapshot
        with self._lock:
            self._seen = snapshot.stamp
        self.last_error = None
        self.last_reload = {"at": _now(), "trigger": trigger, "seconds": round(time.perf_counter() - started, 3),
                            "previous": old, **snapshot.versions}
        metrics.RELOADS.labels(trigger, "ok").inc()
        metrics.serving(snapshot.versions)
        log.info("reloaded (%s): corpus %s -> %s, index %s", trigger, old["corpus_version"],
                 snapshot.versions["corpus_version"], snapshot.versions["index_build"])

    def _failed(self, trigger: str, exc: Exception) -> None:
        problems = exc.problems if isinstance(exc, AssistantError) else [f"{type(exc).__name__}: {exc}"]
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        self.last_error = {"at": _now(), "trigger": trigger, "error": message, "errors": problems}
        metrics.RELOADS.labels(trigger, "failed").inc()
        log.error("reload (%s) failed, still serving corpus %s: %s", trigger,
                  self._snapshot.versions["corpus_version"], "; ".join(problems))

    # ------------------------------------------------------------------ reporting

    def ready(self) -> bool:
        """An index is loaded and answers (a failed reload leaves the previous one serving, which is ready)."""
        return self._snapshot is not None and len(self._snapshot.kb.index.passages) > 0

    def status(self) -> dict:
        """What /healthz shows: the versions being served and how the last reload went."""
        return {"ok": True, "status": "degraded" if self.last_error else "ok", **self._snapshot.versions,
                "instance": f"{socket.gethostname()}:{os.getpid()}",
                "questionnaires": len(self._snapshot.questionnaires), "started_at": self.started_at,
                "reloading": self.reloading, "last_reload": self.last_reload, "last_error": self.last_error}
