"""Build, persist and load the hybrid index; the manifest describes each build so stale indexes are never served."""

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from assistant import __version__
from assistant.calibration import BACKGROUND_QUESTIONS_EN, dense_background
from assistant.corpus import Corpus
from assistant.encoders import Encoder
from assistant.errors import IndexCorrupt, IndexNotBuilt, StaleIndex
from assistant.passages import Passage, build_passages
from assistant.segment import Segmenter

MANIFEST = "manifest.json"
FORMAT = 3  # 3: the manifest records the size and sha256 of every build file
KEEP_BUILDS = 2  # the live build plus the previous one, for requests still in flight during a swap
LEASE = ".serving"  # touched by every process serving a build; a build with a fresh lease is never removed
LEASE_SECONDS = 600
BATCH = 32
BUILD_FILES = ("passages.json", "dense.faiss")


@dataclass
class Index:
    """A loaded build: passages, their BM25 tokens and an exact inner-product FAISS index over unit vectors."""

    manifest: dict
    passages: list[Passage]
    tokens: list[list[str]]
    dense: faiss.Index
    path: Path


class EmbeddingCache:
    """Vectors keyed by sha1(encoder id, role, text): a rebuild after one FAQ edit embeds only the new text."""

    def __init__(self, folder: Path, encoder_id: str):
        slug = hashlib.sha1(encoder_id.encode()).hexdigest()[:16]
        self.path = folder / f"embeddings-{slug}.npz"
        self.encoder_id = encoder_id
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            try:
                with np.load(self.path) as data:
                    self.vectors = dict(zip(data["keys"].tolist(), data["vectors"]))
            except (OSError, ValueError, KeyError):
                self.vectors = {}  # a corrupt cache only costs a re-embed

    def key(self, text: str) -> str:
        return hashlib.sha1(f"{self.encoder_id}\0passage\0{text}".encode()).hexdigest()

    def save(self, keep: set[str]) -> None:
        keys = sorted(k for k in self.vectors if k in keep)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        os.close(fd)
        vectors = np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, 1), np.float32)
        np.savez(tmp, keys=np.array(keys), vectors=vectors)
        os.replace(tmp, self.path)


def read_manifest(index_dir: Path) -> dict | None:
    path = Path(index_dir) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def check_manifest(manifest: dict | None, corpus_version: str, encoder_id: str) -> None:
    """Raise unless the manifest matches the current corpus and encoder."""
    if manifest is None:
        raise IndexNotBuilt("no index has been built yet: run `assistant build`")
    if manifest.get("format") != FORMAT:
        raise StaleIndex(f"index format {manifest.get('format')} is not {FORMAT}: run `assistant build`")
    if manifest.get("corpus_version") != corpus_version:
        raise StaleIndex(f"index was built from corpus {manifest.get('corpus_version')}, corpus is now "
                         f"{corpus_version}: run `assistant build`")
    if manifest.get("encoder", {}).get("id") != encoder_id:
        raise StaleIndex(f"index was built with encoder {manifest.get('encoder', {}).get('id')!r}, "
                         f"configured encoder is {encoder_id!r}: run `assistant build`")


@contextlib.contextmanager
def _build_lock(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _embed(passages: list[Passage], encoder: Encoder, cache: EmbeddingCache, progress: bool) -> tuple[np.ndarray, int]:
    keys = [cache.key(p.text) for p in passages]
    missing = sorted({k: p.text for k, p in zip(keys, passages) if k not in cache.vectors}.items())
    if missing:
        from tqdm import tqdm

        bar = tqdm(total=len(missing), desc="embedding", unit="text", disable=not progress, leave=False)
        for start in range(0, len(missing), BATCH):
            batch = missing[start:start + BATCH]
            vectors = encoder.encode_passages([text for _, text in batch])
            cache.vectors.update({k: v for (k, _), v in zip(batch, vectors)})
            bar.update(len(batch))
        bar.close()
    cache.save(set(keys))
    return np.stack([cache.vectors[k] for k in keys]).astype(np.float32), len(missing)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _readable(path: Path, mode: int) -> None:
    """tempfile creates private (0600/0700) files; a build is read by servers that may run as another user."""
    os.chmod(path, mode & ~_umask())


def file_digest(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def build_index(corpus: Corpus, encoder: Encoder, segmenter: Segmenter, index_dir: Path, progress: bool = False) -> dict:
    """Build into a fresh folder, then atomically repoint manifest.json at it; a failure leaves the old build live.

    The whole corpus is validated first, questionnaires included (`assistant check` and `build` agree): an invalid
    corpus raises CorpusError and nothing is written."""
    from assistant.flow_loader import load_questionnaires

    load_questionnaires(corpus)
    index_dir = Path(index_dir)
    started = time.perf_counter()
    with _build_lock(index_dir):
        builds = index_dir / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        passages = build_passages(corpus)
        tokens = [segmenter.words(p.text) for p in passages]
        vectors, embedded = _embed(passages, encoder, EmbeddingCache(index_dir / "cache", encoder.id), progress)
        dense = faiss.IndexFlatIP(vectors.shape[1])
        dense.add(vectors)
        build_id = time.strftime("%Y%m%dT%H%M%S") + f"-{corpus.version}-{os.getpid()}"
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=builds))
        try:
            (tmp / "passages.json").write_text(json.dumps(
                {"passages": [p.to_dict() for p in passages], "tokens": tokens}, ensure_ascii=False), encoding="utf-8")
            faiss.write_index(dense, str(tmp / "dense.faiss"))
            files = {name: file_digest(tmp / name) for name in BUILD_FILES}
            counts = {kind: sum(p.kind == kind for p in passages) for kind in sorted({p.kind for p in passages})}
            manifest = {
                "format": FORMAT,
                "build": build_id,
                "path": f"builds/{build_id}",
                "corpus_version": corpus.version,
                "encoder": {"id": encoder.id, "dim": int(vectors.shape[1]),
                            "background_cosine": round(dense_background(encoder, vectors), 6),
                            "background_cosine_en": round(dense_background(encoder, vectors,
                                                                           BACKGROUND_QUESTIONS_EN), 6)},
                "package_version": __version__,
                "counts": {"passages": len(passages), **counts, "faq_items": len(corpus.faq),
                           "qa_items": len(corpus.qa), "embedded_now": embedded},
                "files": files,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "build_seconds": round(time.perf_counter() - started, 3),
            }
            (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            for name in (*BUILD_FILES, MANIFEST):
                _readable(tmp / name, 0o644)
            _readable(tmp, 0o755)
            os.replace(tmp, builds / build_id)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        fd, pointer = tempfile.mkstemp(dir=index_dir, prefix=".manifest-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, ensure_ascii=False, indent=2)
        _readable(Path(pointer), 0o644)
        os.replace(pointer, index_dir / MANIFEST)
        _collect_garbage(builds, keep=build_id)
    return manifest


def touch_lease(folder: Path) -> None:
    """Mark a build as being served, so a later `assistant build` does not remove it from under the server."""
    try:
        (Path(folder) / LEASE).touch()
    except OSError:
        pass  # a read-only index folder: nothing to protect, nothing removes builds there either


def _collect_garbage(builds: Path, keep: str) -> None:
    """Keep the new build, the previous one, and every build a server has touched within LEASE_SECONDS."""
    finished = sorted((p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".tmp-")),
                      key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in finished if p.name != keep][KEEP_BUILDS - 1:]:
        lease = old / LEASE
        if lease.exists() and time.time() - lease.stat().st_mtime < LEASE_SECONDS:
            continue
        shutil.rmtree(old, ignore_errors=True)
    for stale in builds.glob(".tmp-*"):
        if time.time() - stale.stat().st_mtime > 3600:  # leftovers of a killed build
            shutil.rmtree(stale, ignore_errors=True)


def load_index(index_dir: Path, corpus_version: str, encoder_id: str) -> Index:
    """Load the build the manifest points at, after checking it matches corpus and encoder."""
    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    check_manifest(manifest, corpus_version, encoder_id)
    folder = index_dir / manifest["path"]
    verify_files(folder, manifest)
    try:
        data = json.loads((folder / "passages.json").read_text(encoding="utf-8"))
        # Memory-mapped, not copied: every worker process shares the same pages of the build file.
        dense = faiss.read_index(str(folder / "dense.faiss"), faiss.IO_FLAG_MMAP)
        passages = [Passage(**p) for p in data["passages"]]
        tokens = data["tokens"]
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as exc:
        raise IndexCorrupt(f"index build {manifest['build']} is unreadable ({exc}): run `assistant build`") from None
    if not (len(passages) == len(tokens) == dense.ntotal == manifest["counts"]["passages"]) \
            or dense.d != manifest["encoder"]["dim"]:
        raise IndexCorrupt(f"index build {manifest['build']} is inconsistent: {len(passages)} passages, "
                           f"{len(tokens)} token lists, {dense.ntotal} vectors of dimension {dense.d}; the manifest "
                           f"says {manifest['counts']['passages']} of dimension {manifest['encoder']['dim']}: "
                           "run `assistant build`")
    touch_lease(folder)
    return Index(manifest, passages, tokens, dense, folder)


def verify_files(folder: Path, manifest: dict) -> None:
    """Every build file has the size and checksum the manifest recorded; a build without them (older format) is
    refused too, so a swapped or truncated file is never served."""
    files = manifest.get("files")
    if not isinstance(files, dict) or set(files) != set(BUILD_FILES):
        raise IndexCorrupt(f"index build {manifest.get('build')} records no checksums: run `assistant build`")
    for name, expected in files.items():
        path = folder / name
        try:
            actual = file_digest(path)
        except OSError as exc:
            raise IndexCorrupt(f"index build {manifest['build']}: {name} is unreadable ({exc.strerror}): "
                               "run `assistant build`") from None
        if actual != expected:
            raise IndexCorrupt(f"index build {manifest['build']}: {name} does not match the manifest "
                               f"({actual['bytes']} bytes, expected {expected.get('bytes')}): the file was changed "
                               "after the build; run `assistant build`")
