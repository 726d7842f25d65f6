"""Hot reload while serving: a new build is picked up, requests in flight finish on the old index, failures keep it."""

import threading

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from assistant.api import create_app  # noqa: E402
from assistant.corpus import load_corpus  # noqa: E402
from assistant.index import build_index, read_manifest  # noqa: E402
from assistant.live import Live  # noqa: E402
from assistant.segment import Segmenter  # noqa: E402

QUESTION = "国家为什么要出台《网络交易监督管理办法》？"
OLD_ANSWER = "办法第一条写明，制定目的是规范网络交易活动"
NEW_ANSWER = "（热更新测试）办法第一条写明，制定目的是规范网络交易活动"
TOKEN = "s3cret-token"


@pytest.fixture()
def served(workspace, settings, encoder):
    """An app serving a private corpus + index copy, checking the manifest on every request."""
    ws_settings = settings.replace(corpus_dir=str(workspace / "corpus"), index_dir=str(workspace / "index"),
                                   feedback_db=str(workspace / "fb.sqlite3"), rate_limit_per_minute=0,
                                   admin_token=TOKEN)
    live = Live.open(ws_settings, encoder=encoder, check_interval=0)
    client = TestClient(create_app(ws_settings, live=live, ui=False), client=("127.0.0.1", 40000))
    yield client, live, workspace
    live.wait(60)


def edit_faq(workspace, old=OLD_ANSWER, new=NEW_ANSWER):
    faq = workspace / "corpus" / "faq.yaml"
    text = faq.read_text(encoding="utf-8")
    assert old in text
    faq.write_text(text.replace(old, new, 1), encoding="utf-8")


def build(workspace, encoder) -> dict:
    corpus = load_corpus(workspace / "corpus")
    return build_index(corpus, encoder, Segmenter(corpus.userdict_path), workspace / "index")


def ask(client) -> dict:
    r = client.post("/api/v1/ask", json={"question": QUESTION})
    assert r.status_code == 200, r.text
    return r.json()


def wait_for_reload(client, live) -> dict:
    client.get("/healthz")  # any request notices the new manifest and starts the reload in the background
    assert live.wait(60), "reload did not finish"
    return client.get("/healthz").json()


def test_build_while_serving_swaps_to_the_new_index(served, encoder):
    client, live, workspace = served
    before = client.get("/healthz").json()
    assert ask(client)["answer"].startswith(OLD_ANSWER)
    edit_faq(workspace)
    manifest = build(workspace, encoder)
    assert manifest["counts"]["embedded_now"] <= 5, "an edit re-embeds only the changed text"
    health = wait_for_reload(client, live)
    assert health["corpus_version"] == manifest["corpus_version"] != before["corpus_version"], health
    assert health["index_build"] == manifest["build"] and health["last_error"] is None
    assert health["last_reload"]["trigger"] == "build"
    result = ask(client)
    assert result["answer"].startswith(NEW_ANSWER) and result["corpus_version"] == manifest["corpus_version"]


def test_request_in_flight_finishes_on_the_old_index(served, encoder):
    client, live, workspace = served
    old = live.snapshot()
    entered, release = threading.Event(), threading.Event()
    search = old.kb.retriever.search

    def slow_search(*args, **kwargs):
        entered.set()
        assert release.wait(60)
        return search(*args, **kwargs)

    old.kb.retriever.search = slow_search  # only this snapshot's retriever; the new one is loaded fresh
    results = {}
    worker = threading.Thread(target=lambda: results.update(slow=ask(client)))
    worker.start()
    try:
        assert entered.wait(30), "the request never reached the retriever"
        edit_faq(workspace)
        manifest = build(workspace, encoder)
        health = wait_for_reload(client, live)
        assert health["corpus_version"] == manifest["corpus_version"]
        assert ask(client)["answer"].startswith(NEW_ANSWER), "new requests use the new index at once"
    finally:
        release.set()
        worker.join(60)
    assert results["slow"]["corpus_version"] == old.versions["corpus_version"]
    assert results["slow"]["answer"].startswith(OLD_ANSWER), "the in-flight request finished on the old index"


def test_build_then_broken_corpus_keeps_the_old_index(served, encoder):
    client, live, workspace = served
    before = client.get("/healthz").json()
    edit_faq(workspace)
    build(workspace, encoder)
    faq = workspace / "corpus" / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8") + "\n  - id: broken\n    question: [unclosed\n", encoding="utf-8")
    health = wait_for_reload(client, live)
    assert health["status"] == "degraded" and health["corpus_version"] == before["corpus_version"], health
    assert health["last_error"]["trigger"] == "build"
    assert any("faq.yaml" in problem for problem in health["last_error"]["errors"]), health["last_error"]
    assert ask(client)["answer"].startswith(OLD_ANSWER), "the old index keeps serving"
    assert not live.poll(force=True), "a failed build is not retried on every request"


def test_admin_reload_validates_then_builds_in_the_background(served):
    client, live, workspace = served
    before = client.get("/healthz").json()
    edit_faq(workspace)
    r = client.post("/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "reloading"
    assert live.wait(120), "admin reload did not finish"
    health = client.get("/healthz").json()
    manifest = read_manifest(workspace / "index")
    assert health["corpus_version"] == manifest["corpus_version"] != before["corpus_version"], health
    assert health["last_reload"]["trigger"] == "admin" and health["status"] == "ok"
    assert manifest["counts"]["embedded_now"] <= 5, "admin reload builds incrementally"
    assert ask(client)["answer"].startswith(NEW_ANSWER)


def test_admin_reload_with_invalid_corpus_reports_every_problem_and_keeps_serving(served):
    client, live, workspace = served
    before = client.get("/healthz").json()
    faq = workspace / "corpus" / "faq.yaml"
    text = faq.read_text(encoding="utf-8")
    faq.write_text(text.replace('cites: ["measures:1"]', 'cites: ["measures:88"]', 1), encoding="utf-8")
    r = client.post("/admin/reload", headers={"X-Admin-Token": TOKEN})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["ok"] is False and any("measures:88" in e for e in body["errors"]), body
    health = client.get("/healthz").json()
    assert health["status"] == "degraded" and health["last_error"]["trigger"] == "admin"
    assert health["corpus_version"] == before["corpus_version"] and not live.reloading
    assert ask(client)["answer"].startswith(OLD_ANSWER)


@pytest.mark.parametrize("headers, status", [({}, 401), ({"Authorization": "Bearer wrong"}, 401),
                                             ({"X-Admin-Token": "wrong"}, 401)])
def test_admin_reload_needs_the_token(served, headers, status):
    client, live, _ = served
    r = client.post("/admin/reload", headers=headers)
    assert r.status_code == status and r.json()["status"] == status, r.text
    assert not live.reloading
