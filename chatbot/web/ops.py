"""Operations endpoints and request ids: ``/healthz``, ``/readyz``, ``/metrics`` (README "Operations").

- ``/healthz``: the process answers (200 ``{"status": "ok"}``); touches no database and no model.
- ``/readyz``: 200 when every check of :class:`~chatbot.health.Readiness` passes, else 503 naming each failing
  one and why; the checks run in threads and never take much over ``UPLIFTED_READY_TIMEOUT_S``.
- ``/metrics``: Prometheus's text, only with ``UPLIFTED_METRICS_ENABLED`` (404 otherwise).

:class:`RequestIds` gives each HTTP request an id (a sane incoming ``X-Request-ID`` is kept), returns it in the
``X-Request-ID`` header, keeps it in ``chatbot.logs.request_id`` while the request is served, and logs one line per
request (method, path, status, milliseconds; never the query string or the body).
"""

from __future__ import annotations

import logging
import time
import uuid

import fastapi
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatbot.health import Readiness
from chatbot.logs import SANE_ID, request_id
from chatbot.metrics import Metrics

HEADER = "X-Request-ID"
access = logging.getLogger("chatbot.access")


def incoming_id(value: str | None) -> str:
    """The caller's request id when sane (1 to 128 characters: letters, digits, ``._:+=/-``), else a new one."""
    return value if value and SANE_ID.fullmatch(value) else uuid.uuid4().hex


class RequestIds:
    """Pure ASGI middleware (so streamed replies stay streamed): the request id, its header and the access line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = incoming_id(Headers(scope=scope).get(HEADER))
        token = request_id.set(rid)
        # The app sees the id as the request's own X-Request-ID too: Gradio's queue, which works on a request
        # after it returned, finds it there (chatbot.logs.request_id_of).
        scope = {**scope, "headers": [*((k, v) for k, v in scope["headers"] if k != b"x-request-id"),
                                      (b"x-request-id", rid.encode("ascii"))]}
        status = 500  # unless the app starts a response
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = list(message.get("headers", []))
                MutableHeaders(scope=message)[HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            ms = round((time.perf_counter() - started) * 1000, 1)
            access.info("%s %s %s %.1f ms", scope.get("method"), scope.get("path"), status, ms,
                        extra={"method": scope.get("method"), "path": scope.get("path"), "status": status,
                               "duration_ms": ms})
            request_id.reset(token)


def add_operations(app: fastapi.FastAPI, *, readiness: Readiness, metrics: Metrics, metrics_enabled: bool) -> None:
    """``/healthz``, ``/readyz`` and ``/metrics`` on ``app``, to add before the chat's catch-all mount."""

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        report = readiness.check()
        return JSONResponse(report.to_json(), status_code=200 if report.ok else 503,
                            headers={"Cache-Control": "no-store"})

    @app.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        if not metrics_enabled:
            return PlainTextResponse("Not Found", status_code=404)
        body, content_type = metrics.render()
        return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})
