"""Corrupt corpus edits and tampered index files (issue 11, items 5-7): `check` and `build` refuse the same edits,
naming file and problem; a tampered build is never served and never replaces the one serving."""

import json

import pytest

from assistant import cli
from assistant.corpus import load_corpus
from assistant.errors import CorpusError, IndexCorrupt
from assistant.index import KEEP_BUILDS, MANIFEST, build_index, load_index, read_manifest
from assistant.segment import Segmenter

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from assistant.api import create_app  # noqa: E402
from assistant.live import Live  # noqa: E402


def _alias_bomb(corpus):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    (corpus / "synonyms.yaml").write_text("\n".join(lines) + "\nsynonyms: {}\n", encoding="utf-8")


def _directory(name):
    def edit(corpus):
        path = corpus / name
        path.unlink()
        path.mkdir()
    return edit


def _empty(name, text=""):
    def edit(corpus):
        (corpus / name).write_text(text, encoding="utf-8")
    return edit


def _truncate_userdict(corpus):
    path = corpus / "userdict.txt"
    path.write_bytes(path.read_bytes()[:301])


def _delete_questionnaire(corpus):
    (corpus / "questionnaires" / "registration.yaml").unlink()


def _invalid_questionnaire(corpus):
    path = corpus / "questionnaires" / "closing_shop.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("start: initiated_by", "start: nowhere"), encoding="utf-8")


# (edit, the file and the words the report must contain)
CORRUPT = {
    "alias bomb": (_alias_bomb, "corpus/synonyms.yaml", "aliases"),
    "directory for faq.yaml": (_directory("faq.yaml"), "corpus/faq.yaml", "not a regular file"),
    "directory for synonyms.yaml": (_directory("synonyms.yaml"), "corpus/synonyms.yaml", "not a regular file"),
    "directory for userdict.txt": (_directory("userdict.txt"), "corpus/userdict.txt", "not a regular file"),
    "empty faq.yaml": (_empty("faq.yaml"), "corpus/faq.yaml", "empty"),
    "comment-only official_qa.yaml": (_empty("official_qa.yaml", "# nothing\n"), "corpus/official_qa.yaml", "empty"),
    "empty out_of_scope.yaml": (_empty("out_of_scope.yaml", "# \n"), "corpus/out_of_scope.yaml", "empty"),
    "empty synonyms.yaml": (_empty("synonyms.yaml"), "corpus/synonyms.yaml", "empty"),
    "empty userdict.txt": (_empty("userdict.txt"), "corpus/userdict.txt", "no words"),
    "truncated userdict.txt": (_truncate_userdict, "corpus/userdict.txt", "truncated"),
    "deleted registration questionnaire": (_delete_questionnaire, "corpus/questionnaires/registration.yaml",
                                           "missing"),
    "invalid questionnaire": (_invalid_questionnaire, "corpus/questionnaires/closing_shop.yaml", "start"),
}


@pytest.fixture()
def corrupt(workspace):
    def apply(kind):
        edit, _, _ = CORRUPT[kind]
        edit(workspace / "corpus")
        return workspace
    return apply


@pytest.mark.parametrize("kind", sorted(CORRUPT))
def test_check_and_build_refuse_the_same_corrupt_edits(corrupt, kind, capsys, encoder):
    workspace = corrupt(kind)
    _, label, words = CORRUPT[kind]
    before = (workspace / "index" / MANIFEST).read_bytes()
    args = ["--corpus-dir", str(workspace / "corpus"), "--index-dir", str(workspace / "index")]
    assert cli.main(["check", *args]) == 1
    err = capsys.readouterr().err
    assert label in err and words in err, err
    assert cli.main(["build", "--quiet", *args]) != 0
    err = capsys.readouterr().err
    assert label in err and words in err and "Traceback" not in err, err
    assert (workspace / "index" / MANIFEST).read_bytes() == before, "a refused build must not touch the manifest"


def test_alias_bomb_is_refused_quickly(corrupt):
    import time

    workspace = corrupt("alias bomb")
    started = time.perf_counter()
    with pytest.raises(CorpusError):
        load_corpus(workspace / "corpus")
    assert time.perf_counter() - started < 5


def _tamper_dense(folder):
    import faiss
    import numpy as np

    foreign = faiss.IndexFlatIP(384)
    foreign.add(np.random.default_rng(0).random((50, 384), dtype=np.float32))
    faiss.write_index(foreign, str(folder / "dense.faiss"))


def _tamper_tokens(folder):
    data = json.loads((folder / "passages.json").read_text(encoding="utf-8"))
    data["tokens"] = data["tokens"][:-100]
    (folder / "passages.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("tamper", [_tamper_dense, _tamper_tokens])
def test_tampered_build_is_refused_and_the_old_one_keeps_serving(workspace, settings, encoder, tamper):
    ws = settings.replace(corpus_dir=str(workspace / "corpus"), index_dir=str(workspace / "index"),
                          feedback_db=str(workspace / "fb.sqlite3"), rate_limit_per_minute=0)
    live = Live.open(ws, encoder=encoder, check_interval=0)
    client = TestClient(create_app(ws, live=live, ui=False), client=("127.0.0.1", 40000))
    served = client.get("/healthz").json()["index_build"]
    corpus = load_corpus(workspace / "corpus")
    faq = workspace / "corpus" / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("办法第一条写明", "办法第一条写明：", 1), encoding="utf-8")
    corpus = load_corpus(workspace / "corpus")
    manifest = build_index(corpus, encoder, Segmenter(corpus.userdict_path), workspace / "index")
    tamper(workspace / "index" / manifest["path"])
    with pytest.raises(IndexCorrupt):
        load_index(workspace / "index", corpus.version, encoder.id)
    client.get("/healthz")
    assert live.wait(60)
    health = client.get("/healthz").json()
    assert health["index_build"] == served and health["status"] == "degraded", health
    assert "does not match the manifest" in health["last_error"]["error"], health["last_error"]
    r = client.post("/api/v1/ask", json={"question": "刷单违法吗"})
    assert r.status_code == 200 and r.json()["answered"], r.text


def test_the_build_being_served_is_never_collected(workspace, encoder):
    """Several builds in a row must not remove a build a server still holds a fresh lease on."""
    index = workspace / "index"
    serving = index / read_manifest(index)["path"]
    load_index(index, load_corpus(workspace / "corpus").version, encoder.id)  # takes the lease
    faq = workspace / "corpus" / "faq.yaml"
    for i in range(KEEP_BUILDS + 2):
        faq.write_text(faq.read_text(encoding="utf-8").replace("办法第一条写明", f"办法第一条写明{i}", 1),
                       encoding="utf-8")
        corpus = load_corpus(workspace / "corpus")
        build_index(corpus, encoder, Segmenter(corpus.userdict_path), index)
    assert serving.is_dir() and (serving / "dense.faiss").exists()


def test_build_files_are_readable_by_other_users(workspace):
    index = workspace / "index"
    manifest = read_manifest(index)
    folder = index / manifest["path"]
    assert (index / MANIFEST).stat().st_mode & 0o044 and folder.stat().st_mode & 0o055
    assert all((folder / name).stat().st_mode & 0o044 for name in manifest["files"])
