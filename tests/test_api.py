"""The HTTP contract in-process: same JSON as the CLI, one error shape on every failure, CORS, framing, rate limit."""

import json

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("gradio")

from fastapi.testclient import TestClient  # noqa: E402

from assistant.api import create_app  # noqa: E402
from assistant.cli import main  # noqa: E402
from assistant.feedback import FeedbackStore  # noqa: E402
from assistant.flows import assess, verification_id  # noqa: E402
from assistant.live import Live, Snapshot, manifest_stamp  # noqa: E402

LOCAL = ("127.0.0.1", 40000)
REGISTRATION = {"operator": "individual", "activity": "other", "license_required": "no", "annual_turnover": 60000}


def make_live(settings, kb) -> Live:
    """A Live around the session's knowledge base (no reload checks: these tests never rebuild)."""
    return Live(settings, Snapshot(kb, manifest_stamp(settings.index_dir)), check_interval=3600)


@pytest.fixture(scope="module")
def api_settings(settings, tmp_path_factory):
    return settings.replace(feedback_db=str(tmp_path_factory.mktemp("api") / "feedback" / "fb.sqlite3"),
                            rate_limit_per_minute=0, allowed_origins="http://localhost,https://seller.example.com")


@pytest.fixture(scope="module")
def app(api_settings, kb):
    return create_app(api_settings, live=make_live(api_settings, kb), ui=True)


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, client=LOCAL)


def canonical(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"ok", "error", "errors", "status"}, body
    assert body["ok"] is False and body["status"] == status, body
    assert isinstance(body["error"], str) and body["error"], body
    assert body["errors"] and all(isinstance(e, str) and e for e in body["errors"]), body
    return body


# ------------------------------------------------------------------------------------------ contracts

def test_ask_returns_the_cli_json(client, kb):
    question = "我在朋友圈卖蛋糕要办营业执照吗？"
    r = client.post("/api/v1/ask", json={"question": question})
    assert r.status_code == 200, r.text
    assert r.json() == kb.ask(question)
    assert r.json()["citations"][0]["label"].startswith("《网络交易监督管理办法》第八条")


def test_ask_follow_up_uses_history(client, kb):
    history = ["个人在网上卖东西，一年卖多少以内可以不办营业执照？"]
    r = client.post("/api/v1/ask", json={"question": "那如果超过10万呢？", "history": history, "top_k": 3})
    assert r.status_code == 200, r.text
    assert r.json() == kb.ask("那如果超过10万呢？", history=history, top_k=3)
    assert len(r.json()["citations"]) <= 3


def test_long_question_below_hard_limit_is_truncated_like_the_cli(client, kb):
    question = "我在朋友圈卖蛋糕要办营业执照吗？" * 60  # 960 chars: over max_question_chars, under the hard limit
    r = client.post("/api/v1/ask", json={"question": question})
    assert r.status_code == 200, r.text
    assert "已截取前500字" in r.json()["answer"]


def test_questionnaires_list_and_detail(client, kb):
    rows = client.get("/api/v1/questionnaires").json()
    assert {"registration"} <= {row["id"] for row in rows}
    assert all(set(row) == {"id", "title", "description", "law_version"} for row in rows)
    detail = client.get("/api/v1/questionnaires/registration").json()
    keys = [q["id"] for q in detail["questions"]]
    assert keys[0] == "operator" and "annual_turnover" in keys, keys
    assert detail["first"]["id"] == "operator" and detail["first"]["why"]
    number = next(q for q in detail["questions"] if q["id"] == "annual_turnover")
    assert number["type"] == "number" and number["unit"] == "元"


def test_assess_returns_the_cli_json(client, app):
    snapshot = app.state.live.snapshot()
    r = client.post("/api/v1/assess/registration", json={"answers": REGISTRATION})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {k: v for k, v in body.items() if k != "verification_id"} == json.loads(json.dumps(
        assess(snapshot.questionnaires["registration"], REGISTRATION, snapshot.corpus), ensure_ascii=False))
    assert body["outcome"]["id"] == "exempt"
    assert body["outcome"]["self_declaration"] == "个人从事零星小额交易活动，依法不需要办理市场主体登记"
    assert body["verification_id"] == verification_id(body)


def test_assess_partial_answers_ask_the_next_question(client):
    body = client.post("/api/v1/assess/registration", json={"answers": {"operator": "individual"}}).json()
    assert body["status"] == "need_more" and body["next"]["id"] == "activity"
    assert client.post("/api/v1/assess/registration", json={}).json()["next"]["id"] == "operator"


@pytest.mark.parametrize("fmt, marker, media", [("html", "<html", "text/html"), ("md", "# ", "text/markdown")])
def test_report_download(client, fmt, marker, media):
    r = client.post(f"/api/v1/assess/registration/report?format={fmt}", json={"answers": REGISTRATION})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert r.headers["content-disposition"].startswith('attachment; filename="report-registration-')
    assert marker in r.text and "个人从事零星小额交易活动，依法不需要办理市场主体登记" in r.text


def test_article_with_plain_language_notes_and_amendment(client):
    body = client.get("/api/v1/articles/measures/8").json()
    assert body["label"] == "《网络交易监督管理办法》第八条" and len(body["paragraphs"]) == 3
    assert body["paragraphs"][2]["label"] == "《网络交易监督管理办法》第八条第三款"
    assert "年交易额累计不超过10万元" in body["paragraphs"][2]["text"]
    assert body["notes"], "FAQ answers citing Art. 8 serve as its plain-language notes"
    amended = client.get("/api/v1/articles/measures/18").json()
    assert amended["amendment"]["note"] and amended["amendment"]["previous"]["paragraphs"]
    law = client.get("/api/v1/articles/ecommerce_law/10").json()
    assert law["label"] == "《中华人民共和国电子商务法》第十条"


def test_article_search(client):
    rows = client.get("/api/v1/articles", params={"q": "自我声明"}).json()
    assert rows and all(row["source"] in {"measures", "ecommerce_law"} for row in rows)
    assert any(row["number"] == 12 and row["source"] == "measures" for row in rows)
    assert {r["number"] for r in client.get("/api/v1/articles?source=measures").json()} == set(range(1, 57))


def test_feedback_is_stored_redacted(client, api_settings):
    r = client.post("/api/v1/feedback", json={"question": "我的电话13812345678，要办执照吗", "rating": "down",
                                               "comment": "邮件 a.b@example.com"})
    assert r.status_code == 201, r.text
    row = next(x for x in FeedbackStore(api_settings.feedback_db).rows() if x["id"] == r.json()["id"])
    assert row["kind"] == "down" and "13812345678" not in row["question"] and "[手机号已隐去]" in row["question"]
    assert row["comment"] == "邮件 [邮箱已隐去]"


def test_unanswered_questions_are_recorded(client, api_settings):
    r = client.post("/api/v1/ask", json={"question": "今天天气怎么样，我的身份证110101199003074514"})
    assert r.status_code == 200 and r.json()["answered"] is False, r.text
    rows = FeedbackStore(api_settings.feedback_db).rows(("unanswered",))
    assert rows and rows[-1]["question"] == "今天天气怎么样，我的身份证[身份证号已隐去]"


def test_healthz_reports_versions(client, kb):
    body = client.get("/healthz").json()
    assert body["ok"] is True and body["status"] == "ok"
    for key, value in kb.versions.items():
        assert body[key] == value
    assert body["last_error"] is None


def test_docs_openapi_and_static_pages(client):
    schema = client.get("/openapi.json").json()
    assert {"/api/v1/ask", "/api/v1/assess/{questionnaire_id}", "/api/v1/feedback"} <= set(schema["paths"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/docs/static/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200
    embed = client.get("/embed.js")
    assert embed.headers["content-type"].startswith("text/javascript") and "wangjiao:prefill" in embed.text
    assert 'src="/embed.js"' in client.get("/widget/demo").text
    assert client.get("/widget/static/widget.js").status_code == 200
    ui = client.get("/")
    assert ui.status_code == 200 and "<html" in ui.text.lower()


# ------------------------------------------------------------------------------------------ one error shape

BIG = "问" * 200_000
ERRORS = [
    ("post", "/api/v1/ask", {}, 422),
    ("post", "/api/v1/ask", {"question": ""}, 400),
    ("post", "/api/v1/ask", {"question": "   \n "}, 400),
    ("post", "/api/v1/ask", {"question": 123}, 422),
    ("post", "/api/v1/ask", {"question": None}, 422),
    ("post", "/api/v1/ask", {"question": ["问"]}, 422),
    ("post", "/api/v1/ask", {"question": "问" * 2001}, 422),
    ("post", "/api/v1/ask", {"question": BIG}, 413),
    ("post", "/api/v1/ask", {"question": "刷单违法吗", "top_k": 0}, 422),
    ("post", "/api/v1/ask", {"question": "刷单违法吗", "top_k": "5"}, 422),
    ("post", "/api/v1/ask", {"question": "刷单违法吗", "history": "not a list"}, 422),
    ("post", "/api/v1/ask", {"question": "刷单违法吗", "unknown": 1}, 422),
    ("post", "/api/v1/ask", [], 422),
    ("get", "/api/v1/questionnaires/nope", None, 404),
    ("post", "/api/v1/assess/nope", {"answers": {}}, 404),
    ("post", "/api/v1/assess/registration", {"answers": {"operator": "alien"}}, 400),
    ("post", "/api/v1/assess/registration", {"answers": {"bogus": "x"}}, 400),
    ("post", "/api/v1/assess/registration", {"answers": {"annual_turnover": -5}}, 400),
    ("post", "/api/v1/assess/registration", {"answers": "individual"}, 422),
    ("post", "/api/v1/assess/registration", {"answers": {"operator": {"x": 1}}}, 422),
    ("post", "/api/v1/assess/registration/report", {"answers": {"operator": "individual"}}, 409),
    ("post", "/api/v1/assess/registration/report?format=pdf", {"answers": REGISTRATION}, 422),
    ("get", "/api/v1/articles/measures/999", None, 404),
    ("get", "/api/v1/articles/measures/abc", None, 422),
    ("get", "/api/v1/articles/nolaw/1", None, 404),
    ("get", "/api/v1/articles?source=nolaw", None, 404),
    ("post", "/api/v1/feedback", {"question": "x", "rating": "meh"}, 422),
    ("post", "/api/v1/feedback", {"rating": "up"}, 422),
    ("get", "/api/v1/nothing-here", None, 404),
    ("post", "/admin/reload", None, 403),
]


@pytest.mark.parametrize("method, path, body, status", ERRORS, ids=[f"{m} {p} {s}" for m, p, _, s in ERRORS])
def test_every_error_has_the_canonical_shape(client, method, path, body, status):
    response = client.request(method.upper(), path, json=body) if body is not None else client.request(
        method.upper(), path)
    canonical(response, status)


def test_malformed_json_is_400(client):
    body = canonical(client.post("/api/v1/ask", content=b'{"question": "x"',
                                 headers={"content-type": "application/json"}), 400)
    assert "JSON" in body["error"]


def test_oversized_body_without_content_length_is_413(client):
    def chunks():
        for _ in range(100):
            yield b'{"question": "' + "问".encode() * 1000
    canonical(client.post("/api/v1/ask", content=chunks(), headers={"content-type": "application/json"}), 413)


def test_too_long_question_message_is_clear(client):
    body = canonical(client.post("/api/v1/ask", json={"question": "问" * 2001}), 422)
    assert "最多 2000 个字" in body["error"]


# ------------------------------------------------------------------------------------------ CORS and framing

@pytest.mark.parametrize("origin, allowed", [("http://localhost:3000", True), ("http://localhost", True),
                                             ("https://seller.example.com", True),
                                             ("https://seller.example.com:8443", False),
                                             ("https://evil.example", False), ("http://127.0.0.1:9000", False)])
def test_cors_only_for_allowed_origins(client, origin, allowed):
    preflight = client.options("/api/v1/ask", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                        "Access-Control-Request-Headers": "content-type"})
    simple = client.get("/api/v1/questionnaires", headers={"Origin": origin})
    if allowed:
        assert preflight.status_code == 200, preflight.text
        assert preflight.headers["access-control-allow-origin"] == origin
        assert simple.headers["access-control-allow-origin"] == origin
    else:
        assert "access-control-allow-origin" not in preflight.headers
        assert "access-control-allow-origin" not in simple.headers


def test_no_cors_outside_the_api(client):
    r = client.get("/widget", headers={"Origin": "http://localhost:3000"})
    assert "access-control-allow-origin" not in r.headers


def test_widget_frame_ancestors_lists_allowed_origins_only(client):
    csp = client.get("/widget").headers["content-security-policy"]
    ancestors = next(d for d in csp.split(";") if d.strip().startswith("frame-ancestors")).split()[1:]
    assert ancestors == ["'self'", "http://localhost:*", "https://seller.example.com"], csp
    assert "script-src 'self'" in csp
    page = client.get("/widget").text
    assert 'content="http://localhost,https://seller.example.com"' in page


def test_other_pages_cannot_be_framed_by_others(client):
    for path in ("/", "/docs", "/healthz", "/widget/demo"):
        assert client.get(path).headers["content-security-policy"] == "frame-ancestors 'self'", path


def test_default_allows_localhost_only(settings, kb, tmp_path):
    local = settings.replace(feedback_db=str(tmp_path / "fb.sqlite3"))
    client = TestClient(create_app(local, live=make_live(local, kb), ui=False), client=LOCAL)
    csp = client.get("/widget").headers["content-security-policy"]
    assert "frame-ancestors 'self' http://localhost:* http://127.0.0.1:*;" in csp


# ------------------------------------------------------------------------------------------ rate limit

def test_rate_limit_per_client_with_nobody_exempt(settings, kb, tmp_path):
    limited = settings.replace(feedback_db=str(tmp_path / "fb.sqlite3"), rate_limit_per_minute=3)
    app = create_app(limited, live=make_live(limited, kb), ui=False)
    remote = TestClient(app, client=("203.0.113.7", 50000))
    other = TestClient(app, client=("198.51.100.4", 50000))
    local = TestClient(app, client=LOCAL)
    codes = [remote.get("/api/v1/questionnaires").status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    body = canonical(remote.post("/api/v1/ask", json={"question": "刷单违法吗"}), 429)
    assert "请求过于频繁" in body["error"]
    assert int(remote.get("/api/v1/questionnaires").headers["retry-after"]) >= 1
    assert other.get("/api/v1/questionnaires").status_code == 200, "quota is per client"
    codes = [local.get("/api/v1/questionnaires").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429], "loopback (a proxy that forwards nothing) is limited too"
    assert remote.get("/healthz").status_code == 200, "health checks are not limited"


# ------------------------------------------------------------------------------------------ serve command

def test_serve_command_builds_the_app_and_runs_uvicorn(monkeypatch, built, tmp_path):
    import uvicorn

    calls = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(app=app, **kw))
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(tmp_path / "fb.sqlite3"))
    code = main(["serve", "--host", "127.0.0.1", "--port", "8123", "--corpus-dir", str(built / "corpus"),
                 "--index-dir", str(built / "index")])
    assert code == 0 and (calls["host"], calls["port"]) == ("127.0.0.1", 8123)
    health = TestClient(calls["app"], client=LOCAL).get("/healthz").json()
    assert health["status"] == "ok" and json.dumps(health)


def test_serve_with_workers_hands_the_settings_to_a_factory(monkeypatch, built, tmp_path):
    import os

    import uvicorn

    from assistant import serving

    calls = {}
    def run(app, **kw):
        calls.update(app=app, env=json.loads(os.environ[serving.ENV]), threads=os.environ["OMP_NUM_THREADS"], **kw)

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setattr(serving, "prepare_index", lambda settings: calls.update(prepared=settings.workers))
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(tmp_path / "fb.sqlite3"))
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)  # recorded as absent: restored so afterwards
    monkeypatch.delenv(serving.ENV, raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    code = main(["serve", "--workers", "2", "--port", "8124", "--corpus-dir", str(built / "corpus"),
                 "--index-dir", str(built / "index")])
    assert code == 0 and calls["prepared"] == 2, "the index is prepared once, before the workers start"
    assert calls["app"] == "assistant.serving:app_from_environment" and calls["factory"] is True
    assert calls["workers"] == 2 and calls["proxy_headers"] is False and calls["port"] == 8124
    assert calls["env"]["index_dir"] == str(built / "index") and calls["env"]["workers"] == 2
    assert calls["threads"] == "1", "one encoder thread per question: the thread pools spread questions over cores"
    assert serving.ENV not in os.environ and "PROMETHEUS_MULTIPROC_DIR" not in os.environ, "cleaned up after"
