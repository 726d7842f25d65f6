"""HTTP boundary: the JSON API, /healthz, the widget files, offline /docs, and the Gradio UI mounted at `/`.

Routes only translate HTTP into calls of the functions the CLI uses (`KnowledgeBase.ask`, `flows.assess`,
`report.render_report`) on the snapshot `Live` serves, and translate every failure once, in `handle_error`, into
`{"ok": false, "error": str, "errors": [str], "status": int}`.
"""

import hmac
import logging
import os
import re
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr
from starlette.exceptions import HTTPException

from assistant import __version__, metrics
from assistant.config import Settings
from assistant.corpus import Corpus
from assistant.errors import AssessmentIncomplete, AssistantError, NotFound
from assistant.feedback import REASONS, FeedbackStore
from assistant.guard import Guard, ScopedCORS, error_body
from assistant.flows import assess, get_questionnaire, read_answer, verification_id
from assistant.live import Live, Snapshot
from assistant.ratelimit import RateLimiter

log = logging.getLogger(__name__)

API = "/api/v1"
STATIC = Path(__file__).resolve().parents[1] / "ui" / "static"
MAX_HISTORY = 20


# ---------------------------------------------------------------------------------------------- request bodies

class AskBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: StrictStr = Field(description="The question, in Chinese.", examples=["我在朋友圈卖蛋糕要办营业执照吗？"])
    history: list[StrictStr | dict[str, Any]] | None = Field(
        None, max_length=MAX_HISTORY, description='Previous turns: strings or {"role": "user", "content": ...}.')
    top_k: StrictInt | None = Field(None, ge=1, le=20, description="How many citations and hits to return.")


Answer = StrictStr | StrictInt | StrictFloat | StrictBool | None


class AssessBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, Answer] = Field(default_factory=dict, description="Answer key → option id or number.",
                                       examples=[{"operator": "individual", "activity": "other"}])


class FeedbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: StrictStr = Field(min_length=1, max_length=5000)
    rating: Literal["up", "down"]
    comment: StrictStr | None = Field(None, max_length=2000)
    answer: StrictStr | None = Field(None, max_length=20000, description="The answer text rated (stored redacted).")
    corpus_version: StrictStr | None = Field(None, max_length=64)
    reason: Literal[REASONS] | None = Field(None, description="Why a 👎: one of " + "、".join(REASONS) + ".")


class ReasonBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Literal[REASONS] = Field(description="Why the answer got 👎, chosen after the click.")


# ---------------------------------------------------------------------------------------------- error shape

_ZH = {
    "missing": "缺少必填字段", "string_type": "应为字符串", "int_type": "应为整数", "dict_type": "应为 JSON 对象",
    "list_type": "应为数组", "extra_forbidden": "不支持的字段", "literal_error": "取值无效",
    "greater_than_equal": "取值过小", "less_than_equal": "取值过大", "too_long": "过长", "string_too_short": "不能为空",
    "string_too_long": "过长", "model_attributes_type": "应为 JSON 对象", "json_invalid": "不是有效的 JSON",
    "bool_type": "应为布尔值", "float_type": "应为数字", "int_parsing": "应为整数",
}
_HTTP_ZH = {404: "未找到该地址", 405: "不支持此请求方法", 413: "请求体过大", 415: "请使用 JSON 请求体"}


def _problem(error: dict) -> str:
    loc = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "请求体"
    text = _ZH.get(error.get("type", ""), "")
    ctx = error.get("ctx") or {}
    if error.get("type") == "literal_error" and "expected" in ctx:
        text += f"，可选：{ctx['expected']}"
    elif "ge" in ctx or "le" in ctx or "max_length" in ctx:
        text += f"（{', '.join(f'{k}={v}' for k, v in ctx.items())}）"
    return f"{loc}: {text} / {error.get('msg', '')}" if text else f"{loc}: {error.get('msg', '')}"


def handle_error(request: Request, exc: Exception) -> JSONResponse:
    """The one translation of failures into the canonical error shape."""
    headers = None
    if isinstance(exc, AssistantError):
        status, error, errors = exc.status, str(exc).splitlines()[0], exc.problems
    elif isinstance(exc, RequestValidationError):
        problems = [_problem(e) for e in exc.errors()]
        bad_json = any(e.get("type") == "json_invalid" for e in exc.errors())
        status = 400 if bad_json else 422
        error = "请求体不是有效的 JSON。/ Malformed JSON body." if bad_json else f"请求参数无效：{problems[0]}"
        errors = problems
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != _default_phrase(status) else ""
        error = detail or f"{_HTTP_ZH.get(status, '请求无效')}：{request.method} {request.url.path}"
        errors = [error]
        headers = getattr(exc, "headers", None)
    else:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        status, error, errors = 500, "服务器内部错误，请稍后再试。/ Internal server error.", None
    return JSONResponse(error_body(status, error, errors), status_code=status, headers=headers)


def _default_phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


# ---------------------------------------------------------------------------------------------- origins

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def _any_port(entry: str) -> str | None:
    """The scheme://host an entry allows on every port: `https://host:*`, or a loopback entry written without a
    port (http://localhost); None if the entry is one exact origin."""
    if entry.endswith(":*"):
        return entry[:-2]
    host = entry.split("://", 1)[-1]
    return entry if host in LOOPBACK_HOSTS else None


def origin_matches(origin: str, allowed: list[str]) -> bool:
    """Exact scheme, host and port, except entries that allow any port (see `_any_port`)."""
    origin = origin.rstrip("/")
    for entry in allowed:
        base = _any_port(entry)
        if origin == entry or (base and re.fullmatch(re.escape(base) + r"(:\d+)?", origin)):
            return True
    return False


def frame_ancestors(allowed: list[str]) -> str:
    sources = ["'self'"] + [f"{_any_port(e)}:*" if _any_port(e) else e for e in allowed]
    return "frame-ancestors " + " ".join(sources)


def _origin_regex(allowed: list[str]) -> str:
    parts = [re.escape(_any_port(e)) + r"(:\d+)?" if _any_port(e) else re.escape(e) for e in allowed]
    return "^(" + "|".join(parts) + ")$" if parts else "^$"


# ---------------------------------------------------------------------------------------------- presentation

def questionnaire_json(snapshot: Snapshot, questionnaire_id: str, summary: bool = False) -> dict:
    questionnaire = _questionnaire(snapshot, questionnaire_id)
    out = {"id": questionnaire.id, "title": questionnaire.title, "description": questionnaire.description,
           "law_version": questionnaire.law_version}
    if summary:
        return out
    corpus = snapshot.corpus
    out["questions"] = [{"id": key, "text": q.text, "type": q.type, "why": q.why, "unit": q.unit,
                         "options": [{"id": o.id, "label": o.label} for o in q.options],
                         "cites": [corpus.article(c.source, c.article).label(c.paragraph) for c in q.cites]}
                        for key, q in questionnaire.keys.items()]
    out["outcomes"] = [{"id": o.id, "title": o.title} for o in questionnaire.outcomes.values()]
    out["first"] = assess(questionnaire, {}, corpus)["next"]
    return out


def _questionnaire(snapshot: Snapshot, questionnaire_id: str):
    return get_questionnaire(snapshot.questionnaires, questionnaire_id)


def article_json(corpus: Corpus, source: str, number: int) -> dict:
    """One article: paragraphs verbatim, the 2025 amendment if any, and the FAQ answers that explain it."""
    article = corpus.article(source, number)
    notes = [{"id": f.id, "question": f.question, "answer": f.answer} for f in corpus.faq_for(source, number)]
    qa = [{"id": q.id, "question": q.question} for q in corpus.qa_for(source, number)]
    return {"source": source, "number": number, "law_title": article.law_title, "label": article.label(),
            "heading": article.heading, "chapter": article.chapter, "section": article.section,
            "paragraphs": [{"number": i, "label": article.label(i), "text": p.text, "items": p.items}
                           for i, p in enumerate(article.paragraphs, 1)],
            "text": article.text, "amendment": article.amendment, "notes": notes, "official_qa": qa,
            "corpus_version": corpus.version}


# ---------------------------------------------------------------------------------------------- the app

def create_app(settings: Settings, live: Live | None = None, feedback: FeedbackStore | None = None,
               ui: bool = True) -> FastAPI:
    """Build the whole server; `live` and `feedback` default to ones opened from settings."""
    live = live or Live.open(settings)
    feedback = feedback or FeedbackStore(settings.feedback_db)
    limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_storage)
    app = FastAPI(title="网络交易合规助手 API", version=__version__, docs_url=None, redoc_url=None,
                  description="Q&A and self-assessment for 《网络交易监督管理办法》. Errors: "
                              '`{"ok": false, "error": str, "errors": [str], "status": int}`. See docs/api.md.')
    app.state.live, app.state.feedback, app.state.settings, app.state.limiter = live, feedback, settings, limiter
    app.router.on_shutdown.append(feedback.close)  # returns pooled PostgreSQL connections
    metrics.serving(live.snapshot().versions)
    for kind in (AssistantError, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(kind, handle_error)
    widget_csp = (f"{frame_ancestors(settings.origins)}; default-src 'self'; img-src 'self' data:; "
                  "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; base-uri 'none'; "
                  "form-action 'self'")
    app.state.ui_blocks = None
    app.add_middleware(Guard, max_body=settings.max_request_bytes, limiter=limiter, widget_csp=widget_csp,
                       on_ui_request=lambda: _revive_ui(app))
    app.add_middleware(ScopedCORS, origin_regex=_origin_regex(settings.origins))  # 413/429 replies carry CORS too
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    if proxies:  # outermost: the client address the limiter and logs see is the forwarded one, from these only
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)

    @app.get("/healthz", tags=["ops"], summary="Liveness: versions served, the last reload's result, the UI queue")
    def healthz():
        live.poll()
        status = live.status()
        metrics.serving(status)
        if app.state.ui_blocks is not None:
            from ui.gradio_guard import state

            status["ui_queue"] = state(app.state.ui_blocks)
            if status["ui_queue"] == "stopped":
                status["status"] = "degraded"
        return status

    @app.get("/readyz", tags=["ops"], summary="Readiness: index loaded, feedback store and rate-limit store reachable")
    def readyz():
        checks = {"index": live.ready(), "feedback_db": feedback.ping(),
                  "rate_limit_storage": limiter.healthy() if limiter.enabled else True}
        ready = all(checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics (no question text in any label)")
    def metrics_route():
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    @app.post(API + "/ask", tags=["ask"], summary="Answer a question with cited articles (same JSON as ask --json)")
    def ask(body: AskBody):
        snapshot = live.snapshot()
        result = snapshot.ask(body.question, history=body.history, top_k=body.top_k)
        metrics.answered(result)
        if feedback.record_answer(result, source="api") is not None:
            metrics.FEEDBACK.labels("unanswered").inc()
        return result

    @app.get(API + "/questionnaires", tags=["assess"], summary="List self-assessments")
    def questionnaires():
        snapshot = live.snapshot()
        return [questionnaire_json(snapshot, qid, summary=True) for qid in snapshot.questionnaires]

    @app.get(API + "/questionnaires/{questionnaire_id}", tags=["assess"], summary="A questionnaire's questions")
    def questionnaire(questionnaire_id: str):
        return questionnaire_json(live.snapshot(), questionnaire_id)

    @app.post(API + "/assess/{questionnaire_id}", tags=["assess"],
              summary="Next question or outcome for the answers so far (same JSON as assess --json)")
    def assess_route(questionnaire_id: str, body: AssessBody):
        snapshot = live.snapshot()
        result = assess(_questionnaire(snapshot, questionnaire_id), body.answers, snapshot.corpus)
        if result["status"] == "complete":
            result["verification_id"] = verification_id(result)
            metrics.assessed(result)
        return result

    @app.get(API + "/assess/{questionnaire_id}/read", tags=["assess"],
             summary="How one typed answer is understood (12万 → 120,000 元), before it is sent")
    def read_route(questionnaire_id: str, question: str = Query(..., max_length=64),
                   value: str = Query(..., max_length=100)):
        return read_answer(_questionnaire(live.snapshot(), questionnaire_id), question, value)

    @app.post(API + "/assess/{questionnaire_id}/report", tags=["assess"], summary="Download the report (html or md)",
              response_class=Response)
    def report(questionnaire_id: str, body: AssessBody, format: Literal["html", "md"] = Query("html")):
        from urllib.parse import quote

        from assistant.report import render_report, report_filename

        snapshot = live.snapshot()
        questionnaire = _questionnaire(snapshot, questionnaire_id)
        result = assess(questionnaire, body.answers, snapshot.corpus)
        if result["status"] != "complete":
            raise AssessmentIncomplete(f"问卷尚未完成，还需回答：{result['next']['text']} / The answers do not reach an "
                                       f"outcome yet (next: {result['next']['id']}).")
        text = render_report(result, questionnaire, snapshot.corpus, fmt=format, answers=body.answers)
        # One name everywhere (report.report_filename); plain filename= is the ASCII fallback for old clients.
        code = verification_id(result)
        name = report_filename(questionnaire.id, code, format)
        fallback = report_filename(questionnaire.id, code, format, ascii_only=True)
        media = "text/html" if format == "html" else "text/markdown"
        return Response(text, media_type=f"{media}; charset=utf-8", headers={
            "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"})

    @app.get(API + "/articles", tags=["laws"],
             summary="List articles, or search them (18条 / 第十八条 / 十万 / 自动续费提前几天), best match first")
    def articles(source: str | None = None, q: str | None = Query(None, max_length=100)):
        from assistant.law_search import search_articles

        snapshot = live.snapshot()
        corpus = snapshot.corpus
        if source is not None and source not in corpus.laws:
            raise NotFound(f"没有法规 {source!r}；现有：{'、'.join(corpus.laws)}。/ Unknown source {source!r}.")

        def row(law_source: str, number: int) -> dict:
            article = corpus.article(law_source, number)
            return {"source": law_source, "number": number, "label": article.label(), "chapter": article.chapter,
                    "section": article.section, "amended": article.amendment is not None}

        if q and q.strip():  # matched by number, literally or by meaning; `highlight` lists the words to mark
            found = search_articles(snapshot.kb, q, [source] if source else None)
            return [{**row(m.source, m.number), "match": m.how, "score": m.score, "highlight": list(m.terms)}
                    for m in found.matches]
        return [row(law.source, article.number) for law in corpus.laws.values() if not source or law.source == source
                for article in law.articles.values()]

    @app.get(API + "/articles/{source}/{number}", tags=["laws"], summary="One article with plain-language notes")
    def article(source: str, number: int):
        return article_json(live.snapshot().corpus, source, number)

    @app.post(API + "/feedback", tags=["feedback"], status_code=201, summary="👍/👎 on an answer (stored redacted)")
    def feedback_route(body: FeedbackBody):
        if body.reason and body.rating != "down":
            raise HTTPException(422, "只有“没有帮助”（down）可以附带原因。/ A reason goes with rating 'down' only.")
        row = feedback.add("up" if body.rating == "up" else "down", body.question, answer=body.answer,
                           comment=body.comment, corpus_version=body.corpus_version, source="api", reason=body.reason)
        metrics.FEEDBACK.labels(body.rating).inc()
        return {"ok": True, "id": row}

    @app.post(API + "/feedback/{row_id}/reason", tags=["feedback"], summary="Add the optional reason to a 👎")
    def feedback_reason(row_id: int, body: ReasonBody):
        if not feedback.set_reason(row_id, body.reason):
            raise NotFound(f"没有编号为 {row_id} 的“没有帮助”反馈。/ No 👎 feedback with id {row_id}.")
        return {"ok": True, "id": row_id}

    @app.api_route(API + "/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def api_not_found(rest: str, request: Request):
        _method_not_allowed(app, request)
        raise NotFound(f"没有这个接口：{API}/{rest} / No such endpoint.")

    @app.post("/admin/reload", tags=["ops"], status_code=202, summary="Validate the corpus, rebuild and swap the index")
    def admin_reload(request: Request):
        _check_admin(settings, request)
        return live.request_reload()

    @app.api_route("/admin/{rest:path}", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    @app.api_route("/healthz", methods=["POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    @app.api_route("/readyz", methods=["POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    @app.api_route("/metrics", methods=["POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def ops_wrong_method(request: Request):
        """Without these the UI mounted at `/` would answer with its own 404 page."""
        _method_not_allowed(app, request)
        raise NotFound(f"没有这个地址：{request.url.path} / No such endpoint.")

    _static_routes(app, settings)
    if ui:
        _mount_ui(app, settings, live, feedback)
    return app


def _method_not_allowed(app: FastAPI, request: Request) -> None:
    """405 with `Allow` when the path exists for other methods (a PUT to /api/v1/ask is not a 404)."""
    from starlette.routing import Match

    allowed = set()
    for route in app.router.routes:
        methods = getattr(route, "methods", None)
        if methods and route.matches({**request.scope, "method": "__none__"})[0] == Match.PARTIAL:
            if route.endpoint.__name__ not in ("api_not_found", "ops_wrong_method"):
                allowed |= methods
    if allowed:
        raise HTTPException(405, f"不支持此请求方法：{request.method} {request.url.path}（可用：{'、'.join(sorted(allowed))}）",
                            headers={"Allow": ", ".join(sorted(allowed))})


def _revive_ui(app: FastAPI) -> None:
    if app.state.ui_blocks is not None:
        from ui.gradio_guard import revive

        revive(app.state.ui_blocks)


def _check_admin(settings: Settings, request: Request) -> None:
    token = settings.admin_token
    if not token:
        raise HTTPException(403, "管理接口未启用：请在配置中设置 admin_token。/ Admin endpoint disabled: set admin_token.")
    given = request.headers.get("authorization", "")
    given = given[7:] if given.lower().startswith("bearer ") else request.headers.get("x-admin-token", "")
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(401, "管理令牌无效。/ Invalid admin token.", headers={"WWW-Authenticate": "Bearer"})


def _static_routes(app: FastAPI, settings: Settings) -> None:
    """embed.js, the widget page and its assets, the demo seller center, and Swagger UI served from a package."""

    @app.get("/embed.js", include_in_schema=False)
    def embed_js():
        return FileResponse(STATIC / "embed.js", media_type="text/javascript; charset=utf-8",
                            headers={"Cache-Control": "public, max-age=300"})

    @app.get("/widget", include_in_schema=False)
    def widget():
        page = (STATIC / "widget.html").read_text(encoding="utf-8")
        return HTMLResponse(page.replace("__ALLOWED_ORIGINS__", ",".join(settings.origins)))

    @app.get("/widget/demo", include_in_schema=False)
    def widget_demo():
        return FileResponse(STATIC / "demo.html", media_type="text/html; charset=utf-8")

    app.mount("/widget/static", StaticFiles(directory=STATIC), name="widget-static")

    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # the `serve` extra installs it; without it /docs says where the assets come from
        swagger_ui_path = None
    if swagger_ui_path is not None:
        app.mount("/docs/static", StaticFiles(directory=str(swagger_ui_path)), name="swagger-static")

    @app.get("/docs", include_in_schema=False)
    def docs():
        if swagger_ui_path is None:
            return HTMLResponse("<p>Swagger UI assets are missing: <code>pip install swagger-ui-bundle-v2</code>. "
                                "The schema is at <a href='/openapi.json'>/openapi.json</a>.</p>")
        return get_swagger_ui_html(openapi_url="/openapi.json", title="网络交易合规助手 API",
                                   swagger_js_url="/docs/static/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/static/swagger-ui.css",
                                   swagger_favicon_url="/docs/static/favicon-32x32.png")


def _mount_ui(app: FastAPI, settings: Settings, live: Live, feedback: FeedbackStore) -> None:
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no calls home
    import gradio as gr

    from ui.app import THEME_CSS, build_ui, theme

    from ui.gradio_guard import bound

    blocks = bound(build_ui(live, feedback), settings.ui_queue_size, settings.ui_concurrency)
    app.state.ui_blocks = blocks
    gr.mount_gradio_app(app, blocks, path="/", theme=theme(), css=THEME_CSS, footer_links=[],
                        favicon_path=str(STATIC / "favicon.svg"), max_file_size=f"{settings.max_request_bytes}b")
