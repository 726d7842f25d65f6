"""Issue 10, item 4 (storage): the optional reason of a 👎 — an additive column, migrated on start, set after the
click, exported — and its HTTP routes (`reason` on POST /feedback, POST /feedback/{id}/reason)."""

import csv
import io
import sqlite3

import pytest

from assistant.feedback import REASONS, FeedbackStore

OLD_SCHEMA = """CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
kind TEXT NOT NULL CHECK (kind IN ('up', 'down', 'unanswered')), question TEXT NOT NULL, answer TEXT, comment TEXT,
corpus_version TEXT, source TEXT);
INSERT INTO feedback (created_at, kind, question) VALUES ('2025-01-01T00:00:00+0800', 'down', '旧的问题');"""


def test_an_older_file_gains_the_column_and_keeps_its_rows(tmp_path):
    path = tmp_path / "fb.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
    store = FeedbackStore(path)
    (old,) = store.rows()
    assert old["question"] == "旧的问题" and old["reason"] is None
    assert store.set_reason(old["id"], "看不懂")
    assert store.rows()[0]["reason"] == "看不懂"


def test_reason_set_after_the_click_and_exported(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    first = store.add("down", "刷单违法吗", answer="答案")
    store.add("down", "刷单违法吗", reason="法条不对")
    store.add("down", "刷单违法吗")
    assert store.set_reason(first, "法条不对")
    up = store.add("up", "刷单违法吗")
    assert not store.set_reason(up, "看不懂"), "only a 👎 takes a reason"
    assert not store.set_reason(9999, "看不懂")
    (row,) = list(csv.DictReader(io.StringIO(store.export_csv())))
    assert row["count"] == "3" and row["reasons"] == "法条不对×2", row


@pytest.mark.parametrize("kind, reason", [("down", "不喜欢"), ("up", "看不懂"), ("unanswered", "其他")])
def test_reasons_are_checked(tmp_path, kind, reason):
    with pytest.raises(ValueError):
        FeedbackStore(tmp_path / "fb.sqlite3").add(kind, "问题", reason=reason)


# ------------------------------------------------------------------------------------------ HTTP

pytest.importorskip("fastapi")
pytest.importorskip("gradio")


@pytest.fixture(scope="module")
def client_and_store(settings, kb, tmp_path_factory):
    from fastapi.testclient import TestClient

    from assistant.api import create_app
    from test_api import make_live

    served = settings.replace(feedback_db=str(tmp_path_factory.mktemp("reason") / "fb.sqlite3"), rate_limit_per_minute=0)
    app = create_app(served, live=make_live(served, kb), ui=False)
    return TestClient(app, client=("127.0.0.1", 40000)), FeedbackStore(served.feedback_db)


def test_api_reason_after_the_click(client_and_store):
    client, store = client_and_store
    r = client.post("/api/v1/feedback", json={"question": "平台要保存交易信息多久", "rating": "down"})
    assert r.status_code == 201, r.text
    row_id = r.json()["id"]
    r = client.post(f"/api/v1/feedback/{row_id}/reason", json={"reason": "答非所问"})
    assert r.status_code == 200 and r.json() == {"ok": True, "id": row_id}, r.text
    assert next(row for row in store.rows() if row["id"] == row_id)["reason"] == "答非所问"


def test_api_reason_with_the_rating(client_and_store):
    client, store = client_and_store
    r = client.post("/api/v1/feedback", json={"question": "直播要展示什么", "rating": "down", "reason": "其他"})
    assert r.status_code == 201, r.text
    assert next(row for row in store.rows() if row["id"] == r.json()["id"])["reason"] == "其他"


@pytest.mark.parametrize("path, body, status", [
    ("/api/v1/feedback", {"question": "问", "rating": "up", "reason": "看不懂"}, 422),
    ("/api/v1/feedback", {"question": "问", "rating": "down", "reason": "不喜欢"}, 422),
    ("/api/v1/feedback/99999/reason", {"reason": "看不懂"}, 404),
    ("/api/v1/feedback/1/reason", {"reason": "太长了"}, 422),
])
def test_api_reason_errors_have_the_one_error_shape(client_and_store, path, body, status):
    client, _ = client_and_store
    r = client.post(path, json=body)
    assert r.status_code == status, r.text
    assert r.json()["ok"] is False and r.json()["status"] == status and r.json()["error"], r.json()


def test_reasons_listed_in_the_openapi_schema(client_and_store):
    client, _ = client_and_store
    schema = client.get("/openapi.json").json()
    assert "/api/v1/feedback/{row_id}/reason" in schema["paths"]
    assert all(reason in str(schema["components"]["schemas"]["ReasonBody"]) for reason in REASONS)
