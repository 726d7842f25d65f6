"""Issue 11: what a hostile client can send to the HTTP layer gets a clear 4xx, never a 500 or a broken
connection, and every response carries the same security headers (assistant/guard.py)."""

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from assistant.api import create_app  # noqa: E402
from assistant.ratelimit import client_key  # noqa: E402
from test_api import LOCAL, canonical, make_live  # noqa: E402


@pytest.fixture(scope="module")
def guarded(settings, kb, tmp_path_factory):
    served = settings.replace(feedback_db=str(tmp_path_factory.mktemp("guard") / "fb.sqlite3"),
                              rate_limit_per_minute=0)
    app = create_app(served, live=make_live(served, kb), ui=False)

    @app.get("/_boom", include_in_schema=False)
    def boom(q: str = "boom"):  # a bug in our code, as the probe found several, whose message quotes the input
        raise RuntimeError(q)

    return app


@pytest.fixture(scope="module")
def client(guarded):
    return TestClient(guarded, client=LOCAL, raise_server_exceptions=False)


def secured(response):
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors" in response.headers["content-security-policy"]
    return response


@pytest.mark.parametrize("body", [
    {"question": "a\ud800b"},
    {"question": "刷单违法吗", "history": ["x\udfffy"]},
    {"question": "刷单违法吗", "history": [{"role": "user", "content": "\ud83d"}]},
])
def test_lone_surrogates_are_refused_with_422(client, body):
    import json

    raw = json.dumps(body)  # json escapes the surrogate as \\udXXX, as a broken client sends it
    r = client.post("/api/v1/ask", content=raw, headers={"content-type": "application/json"})
    assert "无法识别的字符" in canonical(r, 422)["error"]


def test_an_unhandled_error_is_a_clean_500_that_closes_the_connection(client):
    r = secured(client.get("/_boom"))
    body = canonical(r, 500)
    assert "服务器内部错误" in body["error"] and "boom" not in r.text
    assert r.headers["connection"] == "close"


def test_wrong_methods_get_405_with_allow(client):
    r = client.put("/api/v1/ask", json={"question": "x"})
    assert canonical(r, 405) and "POST" in r.headers["allow"]
    r = client.get("/admin/reload")
    assert canonical(r, 405) and r.headers["allow"] == "POST"
    r = client.delete("/healthz")
    assert canonical(r, 405) and "GET" in r.headers["allow"]
    assert canonical(client.get("/api/v1/nothing-here"), 404)


def test_refusals_carry_the_security_headers(settings, kb, tmp_path):
    tight = settings.replace(feedback_db=str(tmp_path / "fb.sqlite3"), rate_limit_per_minute=1, max_request_bytes=100)
    app = create_app(tight, live=make_live(tight, kb), ui=False)
    c = TestClient(app, client=("203.0.113.9", 1))
    big = secured(c.post("/api/v1/ask", json={"question": "x" * 500}))
    assert big.status_code in (413, 429)
    canonical(secured(c.post("/api/v1/ask", json={"question": "刷单违法吗"})), 429)
    other = TestClient(app, client=("203.0.113.10", 1))
    canonical(secured(other.post("/api/v1/ask", json={"question": "x" * 500})), 413)


def test_gradio_event_routes_count_against_the_quota(settings, kb, tmp_path):
    from assistant.guard import limited

    assert limited("POST", "/gradio_api/queue/join") and limited("POST", "/gradio_api/run/predict")
    assert limited("POST", "/gradio_api/upload") and limited("GET", "/api/v1/questionnaires")
    assert not limited("GET", "/gradio_api/queue/data") and not limited("GET", "/healthz")


def test_ipv6_clients_share_their_64(settings):
    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:203.0.113.7") == "203.0.113.7"


def test_forwarded_address_only_from_trusted_proxies(settings, kb, tmp_path):
    served = settings.replace(feedback_db=str(tmp_path / "fb.sqlite3"), rate_limit_per_minute=2,
                              trusted_proxies="127.0.0.1")
    app = create_app(served, live=make_live(served, kb), ui=False)
    proxy = TestClient(app, client=LOCAL)
    for client_ip in ("198.51.100.1", "198.51.100.2"):  # two clients behind the proxy: separate quotas
        codes = [proxy.get("/api/v1/questionnaires", headers={"x-forwarded-for": client_ip}).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429], client_ip
    stranger = TestClient(app, client=("203.0.113.50", 1))  # not a trusted proxy: its header is ignored
    codes = [stranger.get("/api/v1/questionnaires", headers={"x-forwarded-for": f"10.0.0.{i}"}).status_code
             for i in range(3)]
    assert codes == [200, 200, 429]


def test_metrics_and_readiness(client):
    client.post("/api/v1/ask", json={"question": "刷单违法吗"})
    client.post("/api/v1/ask", json={"question": "个人包裹免税额度多少钱一个"})
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert 'assistant_request_seconds_bucket{le="0.005",method="POST",route="/api/v1/ask",status="2xx"}' in text
    assert 'assistant_answers_total{basis=' in text and 'scope="covered"' in text
    assert "刷单" not in text and "包裹" not in text, "no question text in metrics"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {
        "ready": True, "checks": {"index": True, "feedback_db": True, "rate_limit_storage": True}}


def test_readiness_fails_when_the_feedback_database_is_unreachable(settings, kb):
    down = settings.replace(feedback_db="postgresql://nobody@127.0.0.1:1/none", rate_limit_per_minute=0)
    app = create_app(down, live=make_live(down, kb), ui=False)
    r = TestClient(app, client=LOCAL).get("/readyz")
    assert r.status_code == 503 and r.json()["checks"]["feedback_db"] is False


def test_no_user_text_in_error_logs(client, caplog):
    import logging

    with caplog.at_level(logging.INFO):
        client.get("/_boom?q=我的手机号13812345678")
    served = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))  # not the client's
    assert "1381234" not in served and "手机号" not in served
    assert "RuntimeError" in served, "the kind of failure and where it happened are still logged"


def test_access_log_lines_lose_the_query_string():
    import logging

    from assistant.serving import _NoQueryStrings

    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:1", "GET", "/api/v1/articles?q=我在朋友圈卖蛋糕", "1.1", 200), None)
    _NoQueryStrings().filter(record)
    assert record.getMessage() == '127.0.0.1:1 - "GET /api/v1/articles HTTP/1.1" 200'
