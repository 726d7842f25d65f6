"""Shared fixtures: one real index (default encoder) built once per test session on a copy of the corpus."""

import shutil
from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.corpus import load_corpus
from assistant.encoders import create_encoder
from assistant.flow_loader import load_questionnaires
from assistant.index import build_index
from assistant.knowledge import KnowledgeBase
from assistant.segment import Segmenter

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def corpus():
    """The real corpus, loaded once (no index): for questionnaire and corpus tests."""
    return load_corpus(CORPUS)


@pytest.fixture(scope="session")
def questionnaires(corpus):
    return load_questionnaires(corpus)


@pytest.fixture(scope="session")
def encoder():
    return create_encoder(load_settings(environ={}))


@pytest.fixture(scope="session")
def built(tmp_path_factory, encoder):
    """A corpus copy and an index built from it; tests that mutate must copy again (see `workspace`)."""
    base = tmp_path_factory.mktemp("built")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(CORPUS, corpus)
    loaded = load_corpus(corpus)
    build_index(loaded, encoder, Segmenter(loaded.userdict_path), index)
    return base


@pytest.fixture(scope="session")
def settings(built):
    return load_settings(overrides={"corpus_dir": str(built / "corpus"), "index_dir": str(built / "index"),
                                    "auto_build": False}, environ={})


@pytest.fixture(scope="session")
def kb(settings, encoder):
    return KnowledgeBase.open(settings, encoder=encoder)


@pytest.fixture()
def workspace(built, tmp_path):
    """A private copy of the built corpus and index (with its warm embedding cache) that a test may edit."""
    shutil.copytree(built / "corpus", tmp_path / "corpus")
    shutil.copytree(built / "index", tmp_path / "index", symlinks=True)
    return tmp_path
