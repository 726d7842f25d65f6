"""Index lifecycle: manifest, stale detection and auto rebuild, atomic swaps, incremental embedding cache."""

import json
import shutil

import pytest

from assistant.config import load_settings
from assistant.corpus import load_corpus
from assistant.errors import StaleIndex
from assistant.index import build_index, load_index, read_manifest
from assistant.knowledge import KnowledgeBase
from assistant.segment import Segmenter


def _settings(ws, **extra):
    return load_settings(overrides={"corpus_dir": str(ws / "corpus"), "index_dir": str(ws / "index"), **extra},
                         environ={})


def _edit_faq(ws, text="（新增的说法）"):
    path = ws / "corpus" / "faq.yaml"
    content = path.read_text(encoding="utf-8")
    marker = "    paraphrases:\n"
    path.write_text(content.replace(marker, f"{marker}      - 测试{text}\n", 1), encoding="utf-8")


def test_manifest_describes_the_build(built, encoder):
    manifest = read_manifest(built / "index")
    corpus = load_corpus(built / "corpus")
    assert manifest["corpus_version"] == corpus.version
    assert manifest["encoder"] == {**manifest["encoder"], "id": encoder.id, "dim": 384}
    assert manifest["counts"]["faq_items"] == len(corpus.faq)
    assert manifest["package_version"] and manifest["built_at"]
    assert (built / "index" / manifest["path"] / "dense.faiss").exists()


def test_stale_index_is_refused_then_rebuilt(workspace, encoder):
    _edit_faq(workspace)
    corpus = load_corpus(workspace / "corpus")
    with pytest.raises(StaleIndex, match="run `assistant build`"):
        load_index(workspace / "index", corpus.version, encoder.id)
    with pytest.raises(StaleIndex):
        KnowledgeBase.open(_settings(workspace, auto_build=False), encoder=encoder)
    kb = KnowledgeBase.open(_settings(workspace), encoder=encoder)
    assert kb.index.manifest["corpus_version"] == corpus.version


def test_incremental_rebuild_embeds_only_the_edit(workspace, encoder):
    _edit_faq(workspace)
    corpus = load_corpus(workspace / "corpus")
    manifest = build_index(corpus, encoder, Segmenter(corpus.userdict_path), workspace / "index")
    assert manifest["counts"]["embedded_now"] == 1, manifest["counts"]


def test_failed_build_keeps_last_good_index(workspace, encoder, monkeypatch):
    before = read_manifest(workspace / "index")
    _edit_faq(workspace)
    corpus = load_corpus(workspace / "corpus")

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("assistant.index.faiss.write_index", explode)
    with pytest.raises(RuntimeError):
        build_index(corpus, encoder, Segmenter(corpus.userdict_path), workspace / "index")
    assert read_manifest(workspace / "index") == before
    load_index(workspace / "index", before["corpus_version"], encoder.id)  # still loadable
    leftovers = [p.name for p in (workspace / "index" / "builds").iterdir() if p.name.startswith(".tmp-")]
    assert leftovers == []


def test_manifest_is_valid_json_on_disk(built):
    json.loads((built / "index" / "manifest.json").read_text(encoding="utf-8"))


def test_bm25_only_open_builds_a_missing_index(built, tmp_path):
    # No build and no manifest, but the embedding cache (as after a cleaned-up deploy): the build reuses vectors.
    shutil.copytree(built / "index" / "cache", tmp_path / "index" / "cache")
    settings = load_settings(overrides={"corpus_dir": str(built / "corpus"), "index_dir": str(tmp_path / "index")},
                             environ={})
    kb = KnowledgeBase.open(settings, mode="bm25")
    assert kb.retriever.mode == "bm25" and kb.ask("刷单违法吗")["citations"][0]["article"] == 14
