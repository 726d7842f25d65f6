"""`assistant serve`: one process, or N uvicorn worker processes serving the same build.

Why this shape: uvicorn's multi-worker mode imports the app in each child, so the children get the resolved
settings through one environment variable (`ASSISTANT_SERVE_SETTINGS`, JSON) and build the app with
`app_from_environment`. The parent builds a missing or stale index once, before any worker starts, so N workers
never race to build it; each worker then memory-maps the same FAISS file and hot-reloads on its own when the
manifest changes. With several workers, Prometheus metrics go through files in a fresh PROMETHEUS_MULTIPROC_DIR,
set before any child imports prometheus_client, and `/metrics` in any worker adds up all of them.
"""

import json
import logging
import os
import shutil
import sys
import tempfile

from assistant.config import Settings, load_settings

ENV = "WANGJIAO_SERVE_SETTINGS"  # not ASSISTANT_*: those are settings, and an unknown one is an error
log = logging.getLogger(__name__)


class _NoQueryStrings(logging.Filter):
    """Access-log lines keep the path but drop the query string: questions and typed answers travel in it
    (/api/v1/articles?q=…, /assess/…/read?value=…) and must not be written to logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            args = list(record.args)
            args[2] = args[2].split("?", 1)[0]
            record.args = tuple(args)
        return True


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").addFilter(_NoQueryStrings())


def prepare_index(settings: Settings) -> None:
    """Build a missing or stale index now, saying so, instead of inside the first request (or N workers at once).

    With several workers this runs in a child process, so the parent (which only supervises) does not keep an
    encoder and a loaded index in memory for nothing.
    """
    if max(1, settings.workers) == 1:
        return  # the one process builds while opening (KnowledgeBase.open says "building the index now", with progress)
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(target=_prepare, args=(settings.values,))
    child.start()
    child.join()
    if child.exitcode:
        raise SystemExit(child.exitcode)


def _prepare(values: dict) -> None:
    from assistant.knowledge import KnowledgeBase

    settings = load_settings(overrides=values, environ={})
    try:
        KnowledgeBase.open(settings, auto_build=False)
    except Exception:  # noqa: BLE001 - anything unusable is rebuilt (or reported) by the open below
        print("building the index (first start or changed corpus, about a minute)…", file=sys.stderr, flush=True)
        KnowledgeBase.open(settings, progress=sys.stderr.isatty())
        print("index ready", file=sys.stderr, flush=True)


def app_from_environment():
    """The uvicorn factory each worker process calls."""
    from assistant.api import create_app

    configure_logging()
    return create_app(load_settings(overrides=json.loads(os.environ[ENV]), environ={}))


def uvicorn_options(settings: Settings) -> dict:
    """Timeouts and limits for clients that are slow or many; proxy headers are handled by the app itself
    (`trusted_proxies`), so uvicorn's own default of believing 127.0.0.1 is turned off."""
    return {"host": settings.host, "port": settings.port, "log_level": "info", "proxy_headers": False,
            "timeout_keep_alive": 5, "timeout_graceful_shutdown": 10, "limit_concurrency": 1000,
            "h11_max_incomplete_event_size": 16 * 1024}


def run(settings: Settings) -> None:
    configure_logging()
    prepare_index(settings)
    workers = max(1, settings.workers)
    where = f"http://{settings.host}:{settings.port}/"
    print(f"serving on {where} with {workers} worker(s) (API /api/v1, docs /docs, widget /widget)", file=sys.stderr)
    # One OpenMP thread per question: a server answers many questions at once (the encoder's C call releases the
    # GIL, so a worker's thread pool already spreads them over the cores), and spreading each one over every core
    # as well makes the threads spin against each other. Measured with 20 clients on 2 cores, 1 worker: 54.8 →
    # 66.5 req/s, p99 1200 → 990 ms (a single question alone takes ~45 ms instead of ~25 ms). An operator's own
    # OMP_NUM_THREADS wins.
    threads_set = "OMP_NUM_THREADS" not in os.environ
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        _serve(settings, workers)
    finally:
        if threads_set:
            os.environ.pop("OMP_NUM_THREADS", None)


def _serve(settings: Settings, workers: int) -> None:
    import uvicorn

    if workers == 1:
        from assistant.api import create_app

        uvicorn.run(create_app(settings), **uvicorn_options(settings))
        return
    if settings.feedback_db.startswith(("postgresql://", "postgres://")) is False:
        log.warning("%d workers share the SQLite file %s (fine on one machine; use PostgreSQL across machines)",
                    workers, settings.feedback_db)
    metrics_dir = tempfile.mkdtemp(prefix="assistant-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    os.environ[ENV] = json.dumps(settings.values)
    try:
        uvicorn.run("assistant.serving:app_from_environment", factory=True, workers=workers,
                    **uvicorn_options(settings))
    finally:
        os.environ.pop(ENV, None)
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        shutil.rmtree(metrics_dir, ignore_errors=True)
