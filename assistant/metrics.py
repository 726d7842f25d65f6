"""Prometheus metrics (prometheus-client): request latency per route, answers by scope, questionnaire completions by
outcome, reloads and their failures, feedback counts and the corpus version served.

Labels are route templates, scopes, questionnaire and outcome ids, never question text. With several worker
processes (`assistant serve --workers N`) every worker writes to PROMETHEUS_MULTIPROC_DIR and `/metrics` adds them
up (prometheus-client's multiprocess mode), so one scrape sees the whole server.
"""

import os
import time

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest,
                               multiprocess)

LATENCY = Histogram("assistant_request_seconds", "HTTP request latency by route template, method and status class",
                    ["route", "method", "status"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
ANSWERS = Counter("assistant_answers_total", "Answers by scope (covered, partial, not_covered) and basis",
                  ["scope", "basis"])
ASSESSMENTS = Counter("assistant_assessments_completed_total", "Self-assessments reaching an outcome",
                      ["questionnaire", "outcome"])
RELOADS = Counter("assistant_reloads_total", "Hot reloads by trigger and result", ["trigger", "result"])
FEEDBACK = Counter("assistant_feedback_total", "Feedback rows stored, by kind (up, down, unanswered)", ["kind"])
RATE_LIMITED = Counter("assistant_rate_limited_total", "Requests refused with 429")
CORPUS = Gauge("assistant_corpus_info", "The corpus, index build and law version served (value 1)",
               ["corpus_version", "index_build", "law_version"], multiprocess_mode="liveall")


def route_of(scope: dict) -> str:
    """The route template a request matched (/api/v1/assess/{questionnaire_id}), or a coarse group."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return path
    raw = scope.get("path", "")
    if raw.startswith("/gradio_api"):
        return "/gradio_api"
    if raw.startswith("/widget/static") or raw.startswith("/docs/static"):
        return "/static"
    return "/" if raw in ("", "/") else "other"


def observe(scope: dict, status: int, started: float) -> None:
    LATENCY.labels(route_of(scope), scope.get("method", ""), f"{status // 100}xx").observe(time.perf_counter() - started)


def answered(result: dict) -> None:
    ANSWERS.labels(result.get("scope", "covered" if result.get("answered") else "not_covered"),
                   result.get("basis") or "none").inc()
    assessment = result.get("assessment")
    if assessment and assessment.get("decides") and assessment.get("outcome"):
        ASSESSMENTS.labels(assessment["id"], assessment["outcome"]["id"]).inc()


def assessed(result: dict) -> None:
    if result.get("status") == "complete" and result.get("outcome"):
        ASSESSMENTS.labels(result["questionnaire"], result["outcome"]["id"]).inc()


def serving(versions: dict) -> None:
    CORPUS.clear()
    CORPUS.labels(versions["corpus_version"], versions["index_build"], versions["law_version"]).set(1)


def exposition() -> tuple[bytes, str]:
    """The text format for /metrics: this process, or every worker's files in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
