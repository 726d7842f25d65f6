"""The scale-out topology without containers, and the load test against it.

Three ways to run the same build, on this machine's PostgreSQL, Redis and nginx (Debian's packages):
  one       `assistant serve` with 1 worker; feedback in SQLite, rate limit in memory (the embedded defaults)
  workers2  `assistant serve --workers 2`; feedback in PostgreSQL, rate limit in Redis
  replicas2 two `assistant serve` processes (1 worker each) behind nginx, sharing the index folder, PostgreSQL
            and Redis; nginx forwards the client address (trusted_proxies=127.0.0.1)

    python tests/load/topology.py --users 20 --seconds 60        # all three, prints a table
    python tests/load/topology.py --only replicas2 --users 20 --seconds 60

During each run a hot reload is requested (POST /admin/reload) half way; afterwards every feedback row the run
wrote (its question carries the run's marker) is looked up in the store. tests/test_topology.py starts the
replicas2 topology for real and checks routing, shared feedback, the shared rate limit and hot reload on both.
"""

import argparse
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TOKEN = "load-test-token"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

NGINX_CONF = """
worker_processes 1;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{body}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_site(listen: int, upstreams: list[int]) -> str:
    """deploy/nginx.conf with the replicas' local ports: the API round-robin, the UI sticky (see docs/deploy.md)."""
    template = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    lines = [line for line in template.splitlines() if "# REPLICAS" not in line]
    out = []
    for line in lines:
        out.append(line.replace("listen 8080;", f"listen 127.0.0.1:{listen};"))
        if line.startswith("upstream "):
            out += [f"    server 127.0.0.1:{port};" for port in upstreams]
    return "\n".join(out)


def wait_ready(url: str, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not become ready in {timeout} s")


@contextmanager
def topology(kind: str, rate_limit: int = 0, workdir: Path | None = None):
    """Start one of the three topologies on a copy of corpus and index; yields (url, env, workdir)."""
    own = workdir is None
    workdir = Path(workdir or tempfile.mkdtemp(prefix=f"topology-{kind}-"))
    shutil.copytree(ROOT / "corpus", workdir / "corpus", dirs_exist_ok=True)
    if not (workdir / "index").exists():
        shutil.copytree(ROOT / "index", workdir / "index", ignore=shutil.ignore_patterns(".serving"))
    shared = kind != "one"
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(workdir / "corpus"), "ASSISTANT_INDEX_DIR": str(workdir / "index"),
           "ASSISTANT_ADMIN_TOKEN": TOKEN, "ASSISTANT_RATE_LIMIT_PER_MINUTE": str(rate_limit),
           "ASSISTANT_RELOAD_CHECK_SECONDS": "1",
           "ASSISTANT_FEEDBACK_DB": PG_URL if shared else str(workdir / "feedback.sqlite3"),
           "ASSISTANT_RATE_LIMIT_STORAGE": REDIS_URL if shared else "memory://"}
    processes, logs = [], []
    # Publish the build before any replica starts, as a deployment does (image build / `assistant build` into the
    # shared folder): replicas that find no build would each build one at once, competing for the same cores.
    subprocess.run([str(Path(sys.executable).parent / "assistant"), "build"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def serve(port: int, workers: int, extra: dict | None = None):
        log = open(workdir / f"serve-{port}.log", "w")
        logs.append(log)
        processes.append(subprocess.Popen(
            [str(Path(sys.executable).parent / "assistant"), "serve", "--port", str(port), "--workers", str(workers)],
            env={**env, **(extra or {})}, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT))

    try:
        if kind == "replicas2":
            ports = [free_port(), free_port()]
            for port in ports:
                serve(port, 1, {"ASSISTANT_TRUSTED_PROXIES": "127.0.0.1"})
            for port in ports:
                wait_ready(f"http://127.0.0.1:{port}")
            front = free_port()
            prefix = workdir / "nginx"
            prefix.mkdir(exist_ok=True)
            conf = prefix / "nginx.conf"
            conf.write_text(NGINX_CONF.format(prefix=prefix, body=nginx_site(front, ports)), encoding="utf-8")
            processes.append(subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                                              stdout=subprocess.DEVNULL, stderr=open(prefix / "stderr.log", "w")))
            url = f"http://127.0.0.1:{front}"
        else:
            port = free_port()
            serve(port, 2 if kind == "workers2" else 1)
            url = f"http://127.0.0.1:{port}"
        wait_ready(url)
        yield url, env, workdir
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


def reload_later(url: str, after: float, result: dict) -> threading.Thread:
    """POST /admin/reload after `after` seconds, then wait for every process to serve the new build."""
    def run():
        time.sleep(after)
        before = httpx.get(url + "/healthz").json()["index_build"]
        r = httpx.post(url + "/admin/reload", headers={"authorization": f"Bearer {TOKEN}"}, timeout=30)
        result["reload_status"] = r.status_code
        deadline = time.time() + 120
        seen = set()
        while time.time() < deadline:
            build = httpx.get(url + "/healthz").json()["index_build"]
            seen.add(build)
            if build != before:
                result["reloaded_to"] = build
                break
            time.sleep(0.5)
        result["builds_seen"] = sorted(seen)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def run_locust(url: str, users: int, seconds: int, mark: str, workdir: Path) -> dict:
    prefix = workdir / f"locust-{mark}"
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "tests" / "load" / "locustfile.py"), "--headless",
               "-u", str(users), "-r", str(max(1, users // 2)), "-t", f"{seconds}s", "--host", url, "--csv",
               str(prefix), "--only-summary", "--loglevel", "WARNING"]
    subprocess.run(command, env={**os.environ, "LOAD_MARK": mark}, cwd=ROOT, check=False,
                   stdout=subprocess.DEVNULL, stderr=open(workdir / f"locust-{mark}.log", "w"))
    rows = {row["Name"]: row for row in csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8"))}
    total = rows["Aggregated"]
    feedback = rows.get("/api/v1/feedback", {})
    failures = [f"{r['Method']} {r['Name']}: {r['Error']} ×{r['Occurrences']}"
                for r in csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8"))]
    return {"requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
            "rps": round(float(total["Requests/s"]), 1), "p50": int(float(total["50%"])),
            "p95": int(float(total["95%"])), "p99": int(float(total["99%"])),
            "feedback_sent": int(feedback.get("Request Count", 0)) - int(feedback.get("Failure Count", 0)),
            "failure_reasons": failures}


def count_feedback(db: str, mark: str) -> int:
    from assistant.feedback import FeedbackStore

    store = FeedbackStore(db)
    try:
        return sum(1 for row in store.rows(("up", "down")) if str(row["question"]).startswith(mark))
    finally:
        getattr(store, "close", lambda: None)()


def measure(kind: str, users: int, seconds: int, reload: bool = True) -> dict:
    mark = f"load-{kind}-{uuid.uuid4().hex[:8]}"
    with topology(kind) as (url, env, workdir):
        reload_result: dict = {}
        reloader = reload_later(url, seconds / 2, reload_result) if reload else None
        stats = run_locust(url, users, seconds, mark, workdir)
        if reloader:
            reloader.join(150)
        stored = count_feedback(env["ASSISTANT_FEEDBACK_DB"], mark)
    return {"topology": kind, **stats, "feedback_stored": stored, "reload": reload_result}


def memory(kind: str = "workers2") -> list[dict]:
    """RSS and PSS (pages shared between processes counted once, split among them) of every serving process."""
    with topology(kind) as (url, _, _):
        for _ in range(20):  # warm every worker
            httpx.post(url + "/api/v1/ask", json={"question": "刷单违法吗"}, timeout=30)
        parent = [p for p in _children(os.getpid()) if "serve" in _cmdline(p)]
        pids = [p for root in parent for p in [root, *_children(root)] if "multiprocessing" in _cmdline(p)
                or p == root]
        out = []
        for pid in pids:
            fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/smaps_rollup").read().splitlines()[1:])
            mb = {k: round(int(fields[k].split()[0]) / 1024, 1) for k in ("Rss", "Pss", "Shared_Clean")}
            out.append({"pid": pid, "role": "parent" if pid in parent else "worker", **mb})
        return out


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="load test: 1 worker, 2 workers, 2 replicas behind nginx")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--only", choices=["one", "workers2", "replicas2"], action="append")
    parser.add_argument("--memory", action="store_true", help="only print RSS/PSS per process of `--workers 2`")
    parser.add_argument("--no-reload", action="store_true", help="no hot reload during the run (pure throughput)")
    parser.add_argument("--think", type=float, default=1.0, help="max seconds between a user's actions (0: none)")
    args = parser.parse_args(argv)
    os.environ["LOAD_THINK"] = str(args.think)
    if args.memory:
        print(json.dumps(memory(), indent=1))
        return 0
    results = [measure(kind, args.users, args.seconds, not args.no_reload)
               for kind in args.only or ["one", "workers2", "replicas2"]]
    print(f"{args.users} users, think time ≤ {args.think} s, {args.seconds} s each, " +
          ("no reload" if args.no_reload else f"hot reload at {args.seconds // 2} s"))
    print("| topology | requests | failures | req/s | p50 ms | p95 ms | p99 ms | feedback sent → stored | reload |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        reload = "ok" if r["reload"].get("reloaded_to") else ("—" if not r["reload"] else f"not seen {r['reload']}")
        print(f"| {r['topology']} | {r['requests']} | {r['failures']} | {r['rps']} | {r['p50']} | {r['p95']} | "
              f"{r['p99']} | {r['feedback_sent']} → {r['feedback_stored']} | {reload} |")
    print(json.dumps(results, ensure_ascii=False))
    # Requests still in flight when locust stops are stored but not counted as sent: stored ≥ sent means none lost.
    return 0 if all(r["failures"] == 0 and r["feedback_stored"] >= r["feedback_sent"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
