"""The ASGI layer every request passes first: CORS for the API, body cap, rate limit, security headers, request
metrics, and a last line of defence that turns any escaped exception into a clean 500 on a closed connection.

Why one layer and not many: the probe showed each gap sat between two layers (a 429 without CSP, a 500 that
dropped the keep-alive connection without `Connection: close`, a streamed 200 aborted mid-body). Here every
response, whoever makes it, gets the same headers, and no exception reaches the server.
"""

import json
import logging
import time
import traceback

from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

from assistant import metrics
from assistant.ratelimit import RateLimiter

log = logging.getLogger(__name__)

API = "/api/v1"
# Gradio's routes that start work; its GET streams and static files are cheap and not counted.
UI_WORK = ("/gradio_api/queue/join", "/gradio_api/run/", "/gradio_api/call/", "/gradio_api/upload",
           "/gradio_api/api/")


def error_body(status: int, error: str, errors: list[str] | None = None) -> dict:
    """The canonical error shape of every JSON error response."""
    return {"ok": False, "error": error, "errors": errors or [error], "status": status}


class ScopedCORS:
    """CORS for the JSON API only (allowed origins); pages, widget and UI get none."""

    def __init__(self, app, origin_regex: str):
        self.app = app
        self.cors = CORSMiddleware(app, allow_origin_regex=origin_regex, allow_methods=["GET", "POST"],
                                   allow_headers=["Content-Type"], max_age=600)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith(API + "/"):
            return await self.cors(scope, receive, send)
        return await self.app(scope, receive, send)


def limited(method: str, path: str) -> bool:
    """Requests that count against the client's quota: the API, admin, and the UI's event routes."""
    if method in ("OPTIONS", "HEAD"):
        return False
    if path.startswith(API + "/") or path.startswith("/admin/"):
        return True
    return method == "POST" and path.startswith(UI_WORK)


class Guard:
    """Body cap, per-client rate limit, framing/sniffing headers, metrics, and no exception left unhandled."""

    def __init__(self, app, max_body: int, limiter: RateLimiter, widget_csp: str, on_ui_request=None):
        self.app = app
        self.max_body = max_body
        self.limiter = limiter
        self.widget_csp = widget_csp
        self.on_ui_request = on_ui_request  # called before each UI request (revives a stopped UI queue)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, method = scope["path"], scope["method"]
        started = time.perf_counter()
        state = {"status": 0, "done": False}
        csp = self.widget_csp if path == "/widget" else "frame-ancestors 'self'"

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                message = {**message, "headers": _secured(message.get("headers") or [], csp, message["status"])}
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                state["done"] = True
            await send(message)

        try:
            if limited(method, path):
                wait = self.limiter.check((scope.get("client") or (None, None))[0])
                if wait:
                    metrics.RATE_LIMITED.inc()
                    body = error_body(429, f"请求过于频繁，请 {wait} 秒后再试。/ Too many requests; retry in {wait} s.")
                    return await send_json(send_with_headers, 429, body, {"retry-after": str(wait)})
            if method in ("POST", "PUT", "PATCH"):
                length = dict(scope.get("headers") or []).get(b"content-length")
                if length is not None and length.isdigit() and int(length) > self.max_body:
                    return await send_json(send_with_headers, 413, self._too_large())
                receive = self._capped(receive)
            if self.on_ui_request and path.startswith("/gradio_api"):
                self.on_ui_request()
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # noqa: BLE001 - the last line: log, answer 500 or end the stream, never re-raise
            if isinstance(exc, HTTPException) and exc.status_code == 413 and not state["status"]:
                return await send_json(send_with_headers, 413, self._too_large())
            if not state["status"]:
                # The frames, not the message: messages can quote a merchant's question (no user text in logs).
                log.error("unhandled %s on %s %s (message withheld)\n%s", type(exc).__name__, method, path,
                          "".join(traceback.format_tb(exc.__traceback__)))
                await send_json(send_with_headers, 500,
                                error_body(500, "服务器内部错误，请稍后再试。/ Internal server error."))
                return
            # e.g. Gradio's stream for an unknown session: a 200, then a 404 it cannot send
            log.warning("%s after the response started on %s %s: stream ended", type(exc).__name__, method, path)
            if not state["done"]:  # end the stream properly so the connection stays usable
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            metrics.observe(scope, state["status"] or 500, started)

    def _too_large(self) -> dict:
        return error_body(413, f"请求体过大：最多 {self.max_body} 字节。/ Request body over {self.max_body} bytes.")

    def _capped(self, receive):
        seen = 0

        async def capped():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise HTTPException(413, self._too_large()["error"])
            return message
        return capped


def _secured(headers: list, csp: str, status: int) -> list:
    headers = list(headers)
    names = {k.lower() for k, _ in headers}
    if b"content-security-policy" not in names:
        headers.append((b"content-security-policy", csp.encode()))
    if b"x-content-type-options" not in names:
        headers.append((b"x-content-type-options", b"nosniff"))
    if b"referrer-policy" not in names:
        headers.append((b"referrer-policy", b"same-origin"))
    if status >= 500 and b"connection" not in names:
        headers.append((b"connection", b"close"))  # the client opens a fresh connection instead of a reset one
    return headers


async def send_json(send, status: int, body: dict, headers: dict | None = None) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode()
    extra = [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": raw})
