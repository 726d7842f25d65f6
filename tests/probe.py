"""A hostile HTTP probe: many malformed, oversized, mistyped and abusive requests against a running server, over
keep-alive connections from several threads. Prints counts by status and fails (exit 1) on any 5xx response or
any dropped or reset connection.

    python tests/probe.py --url http://127.0.0.1:7860 --requests 10000 --threads 8

tests/test_probe.py runs a short version of it against a live server; run the long one by hand (it takes a few
minutes) with the server started with `rate_limit_per_minute: 0` (the probe comes from one address; with the
limit on, most requests would get 429, which the probe counts but which proves little).
"""

import argparse
import collections
import json
import random
import sys
import threading
import time

import httpx

API = "/api/v1"
BIG = "超" * 3000
NAUGHTY = ["<script>alert(1)</script>", "'; DROP TABLE feedback; --", "\x00\x01\x02", "=HYPERLINK(\"http://x\")",
           "{{7*7}}", "../../etc/passwd", "\u202e\u200b\ufeff", "𠀀𪚥" * 50, "9" * 5000, "一" * 600]


def _json(method, path, body):
    return method, path, {"content": body if isinstance(body, (bytes, str)) else json.dumps(body),
                          "headers": {"content-type": "application/json"}}


def cases(rng: random.Random) -> list:
    """One round of hostile requests (method, path, httpx kwargs); each round shuffles them."""
    out = [
        _json("POST", API + "/ask", {"question": ""}),
        _json("POST", API + "/ask", {"question": BIG}),
        _json("POST", API + "/ask", '{"question": "a\\ud800b"}'),
        _json("POST", API + "/ask", '{"question": "ok", "history": ["\\udfff"]}'),
        _json("POST", API + "/ask", '{"question": '),
        _json("POST", API + "/ask", b"\xff\xfe\x00garbage"),
        _json("POST", API + "/ask", {"question": 12}),
        _json("POST", API + "/ask", {"question": "刷单违法吗", "top_k": 10**9}),
        _json("POST", API + "/ask", {"question": "刷单违法吗", "history": ["x"] * 500}),
        _json("POST", API + "/ask", {"question": "刷单违法吗", "extra": 1}),
        _json("POST", API + "/ask", {"question": rng.choice(NAUGHTY)}),
        _json("POST", API + "/ask", [1, 2, 3]),
        _json("POST", API + "/ask", "x" * 200_000),
        _json("POST", API + "/assess/registration", {"answers": {"annual_turnover": "9" * 5000}}),
        _json("POST", API + "/assess/registration", {"answers": {"operator": "nobody"}}),
        _json("POST", API + "/assess/registration", {"answers": {"operator": {"a": 1}}}),
        _json("POST", API + "/assess/registration", {"answers": {"x" * 100: 1}}),
        _json("POST", API + "/assess/no-such-questionnaire", {"answers": {}}),
        _json("POST", API + "/assess/registration/report?format=pdf", {"answers": {}}),
        _json("POST", API + "/assess/registration/report", {"answers": {"annual_turnover": 1e308}}),
        ("GET", API + "/assess/registration/read", {"params": {"question": "annual_turnover", "value": "9" * 99}}),
        ("GET", API + "/assess/registration/read", {"params": {"question": "nope", "value": "12万"}}),
        ("GET", API + "/articles", {"params": {"q": rng.choice(NAUGHTY)[:100]}}),
        ("GET", API + "/articles/measures/99999999999999999999", {}),
        ("GET", API + "/articles/../../etc/passwd", {}),
        ("GET", API + "/questionnaires/%00", {}),
        _json("POST", API + "/feedback", {"question": "=1+2", "rating": "up", "reason": "答非所问"}),
        _json("POST", API + "/feedback", {"question": "", "rating": "sideways"}),
        _json("POST", API + "/feedback/999999999/reason", {"reason": "其他"}),
        ("PUT", API + "/ask", {"json": {"question": "x"}}),
        ("DELETE", API + "/feedback", {}),
        ("GET", "/admin/reload", {}),
        ("POST", "/admin/reload", {"headers": {"authorization": "Bearer wrong"}}),
        ("POST", "/healthz", {}),
        ("GET", "/widget/static/../../pyproject.toml", {}),
        ("GET", "/widget?x=" + "%" * 10, {}),
        ("GET", "/%ff%fe", {}),
        _json("POST", "/gradio_api/queue/join", {"data": [None], "fn_index": 10**6, "session_hash": "p" * 8}),
        _json("POST", "/gradio_api/queue/join", {"data": "x", "fn_index": "a", "session_hash": None}),
        _json("POST", "/gradio_api/queue/join", "{broken"),
        _json("POST", "/gradio_api/run/rate", {"data": ["x"]}),
        _json("POST", "/gradio_api/run/example", {"data": [None, None]}),
        ("GET", "/gradio_api/queue/data", {"params": {"session_hash": f"unknown{rng.randrange(10**9)}"}}),
        ("GET", "/healthz", {}),
        ("GET", "/readyz", {}),
        ("GET", "/metrics", {}),
        ("OPTIONS", API + "/ask", {"headers": {"origin": "https://evil.example", "access-control-request-method": "POST"}}),
    ]
    rng.shuffle(out)
    return out


def run(url: str, total: int, threads: int, seed: int = 7) -> dict:
    counts = collections.Counter()
    failures = collections.Counter()
    lock = threading.Lock()
    per_thread = total // threads

    def worker(number: int):
        rng = random.Random(seed + number)
        sent = 0
        with httpx.Client(base_url=url, timeout=httpx.Timeout(30, read=10)) as client:  # one keep-alive connection
            while sent < per_thread:
                for method, path, kwargs in cases(rng):
                    if sent >= per_thread:
                        break
                    sent += 1
                    try:
                        if path.startswith("/gradio_api/queue/data"):
                            with client.stream(method, path, timeout=httpx.Timeout(5, read=2), **kwargs) as r:
                                for _ in r.iter_bytes():
                                    break
                                status = r.status_code
                        else:
                            response = client.request(method, path, **kwargs)
                        status = response.status_code
                        if status == 503 and "Queue is full" in response.text:
                            status = 429  # the bounded UI queue saying busy: counted with the refusals
                        key = f"{status // 100}xx"
                        if status >= 500:
                            with lock:
                                failures[f"{status} {method} {path[:60]}"] += 1
                    except httpx.ReadTimeout:
                        key = "stream kept open (timeout)" if "queue/data" in path else "timeout"
                        if key == "timeout":
                            with lock:
                                failures[f"timeout {method} {path[:60]}"] += 1
                    except httpx.TransportError as exc:
                        key = "connection error"
                        with lock:
                            failures[f"{type(exc).__name__} {method} {path[:60]}"] += 1
                    with lock:
                        counts[key] += 1

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return {"requests": sum(counts.values()), "seconds": round(time.perf_counter() - started, 1),
            "by_status": dict(sorted(counts.items())), "server_errors": sum(v for k, v in counts.items() if k == "5xx"),
            "dropped_connections": counts["connection error"], "failures": dict(failures.most_common(20))}


def flood(url: str, joins: int, threads: int = 16) -> dict:
    """Issue 11 item 1: a burst of UI events from distinct sessions, then check the UI still answers."""
    with httpx.Client(base_url=url, timeout=30) as client:
        config = client.get("/config").json()
        chat = next(d for d in config["dependencies"] if d.get("api_name") == "respond")
        outcomes = collections.Counter()
        lock = threading.Lock()

        def worker(start: int):
            with httpx.Client(base_url=url, timeout=30) as own:
                for i in range(start, joins, threads):
                    body = {"data": ["刷单违法吗", [], None], "fn_index": chat["id"], "session_hash": f"flood{i:06d}",
                            "trigger_id": None, "event_data": None}
                    try:
                        response = own.post("/gradio_api/queue/join", json=body)
                        status = response.status_code
                        if status == 503 and "Queue is full" in response.text:
                            status = "503 queue full"  # the bound working, not a failure
                    except httpx.TransportError as exc:
                        status = type(exc).__name__
                    with lock:
                        outcomes[str(status)] += 1

        pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        time.sleep(2)
        health = client.get("/healthz").json()
        answered = _ui_answers(client, chat["id"])
    return {"joins": joins, "outcomes": dict(outcomes), "ui_queue_after": health.get("ui_queue"),
            "ui_answers_after": answered}


def _ui_answers(client: httpx.Client, fn_index: int) -> bool:
    """One real UI event through the queue, read to completion from its event stream."""
    session = f"check{random.randrange(10**9)}"
    joined = client.post("/gradio_api/queue/join", json={"data": ["刷单违法吗", [], None], "fn_index": fn_index,
                                                          "session_hash": session, "trigger_id": None})
    if joined.status_code != 200:
        return False
    deadline = time.time() + 60
    with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if '"process_completed"' in line:
                return '"success": true' in line or '"success":true' in line
            if time.time() > deadline:
                return False
    return False


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--flood", type=int, default=0, metavar="N", help="first send N UI events from N sessions")
    args = parser.parse_args(argv)
    bad = False
    if args.flood:
        flooded = flood(args.url, args.flood)
        print(json.dumps(flooded, ensure_ascii=False, indent=2))
        bad = flooded["ui_queue_after"] != "running" or not flooded["ui_answers_after"] \
            or not set(flooded["outcomes"]) <= {"200", "503 queue full"}
    result = run(args.url, args.requests, args.threads)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 1 if bad or result["server_errors"] or result["dropped_connections"] or result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
