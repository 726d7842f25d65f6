"""Issue 12: the scale-out topology for real, without containers: two `assistant serve` processes behind nginx,
feedback in PostgreSQL, the rate limit in Redis, one shared index folder (tests/load/topology.py starts it).

Needs nginx, PostgreSQL (postgresql://postgres@127.0.0.1:5432/test) and Redis (127.0.0.1:6379); .ci/run installs
and starts them. Without them the test skips, except in CI (CI set), where it fails.
"""

import os
import shutil
import sys
import time
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "load"))
httpx = pytest.importorskip("httpx")
redis = pytest.importorskip("redis", reason="redis is in the `scale` extra")
pytest.importorskip("psycopg", reason="psycopg is in the `scale` extra")

import topology  # noqa: E402


def _missing() -> str | None:
    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        return "nginx is not installed"
    try:
        redis.Redis.from_url(topology.REDIS_URL).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis is not reachable: {exc}"
    try:
        import psycopg

        psycopg.connect(topology.PG_URL, connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001
        return f"PostgreSQL is not reachable: {exc}"
    return None


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    redis.Redis.from_url(topology.REDIS_URL).flushdb()
    with topology.topology("replicas2", rate_limit=12, workdir=tmp_path_factory.mktemp("replicas")) as (url, env, _):
        yield url, env


def instances(url: str, n: int = 6) -> dict:
    """instance → index build, as /healthz reports them through nginx (round-robin)."""
    seen = {}
    for _ in range(n):
        health = httpx.get(url + "/healthz", timeout=10).json()
        seen[health["instance"]] = health["index_build"]
    return seen


def test_two_replicas_share_feedback_rate_limit_and_builds(replicas):
    url, env = replicas
    assert len(instances(url)) == 2, "nginx balances the API over both replicas"

    mark = f"topology-{uuid.uuid4().hex[:8]}"
    codes = [httpx.post(url + "/api/v1/feedback", json={"question": f"{mark} 问题{i}", "rating": "down"}).status_code
             for i in range(6)]
    assert codes == [201] * 6
    from assistant.feedback import FeedbackStore

    store = FeedbackStore(env["ASSISTANT_FEEDBACK_DB"])
    rows = [r for r in store.rows(("down",)) if str(r["question"]).startswith(mark)]
    assert len(rows) == 6, "every row written through either replica is in PostgreSQL"

    codes = [httpx.get(url + "/api/v1/questionnaires").status_code for _ in range(10)]
    assert codes == [200] * 6 + [429] * 4, "12 per minute in all, across both replicas (Redis), not 12 each"

    redis.Redis.from_url(topology.REDIS_URL).flushdb()
    before = set(instances(url).values())
    r = httpx.post(url + "/admin/reload", headers={"authorization": f"Bearer {topology.TOKEN}"}, timeout=30)
    assert r.status_code == 202, r.text
    deadline = time.time() + 120
    while time.time() < deadline:
        seen = instances(url)
        if len(seen) == 2 and not set(seen.values()) & before and len(set(seen.values())) == 1:
            break
        time.sleep(1)
    else:
        pytest.fail(f"both replicas should serve the new build: {seen}, before {before}")


def test_metrics_add_up_and_question_text_stays_out(replicas):
    url, _ = replicas
    redis.Redis.from_url(topology.REDIS_URL).flushdb()
    assert httpx.post(url + "/api/v1/ask", json={"question": "刷单违法吗"}).status_code == 200
    text = httpx.get(url + "/metrics").text
    assert "assistant_answers_total" in text and "刷单" not in text
    assert httpx.get(url + "/readyz").json()["checks"] == {"index": True, "feedback_db": True,
                                                           "rate_limit_storage": True}
