"""Logging for ``uplifted serve``: plain text as before, or one JSON object a line with ``UPLIFTED_LOG_FORMAT=json``.

Each HTTP request gets an id (``chatbot.web.ops.RequestIds``) kept in a context variable while it is served; a
filter on the handler copies it into every record as ``request_id``, so a line logged anywhere (the assistant,
storage, the answer engine) while serving that request carries it. The JSON lines come from python-json-logger's
formatter: it turns every record's fields, ``extra`` ones and tracebacks included, into valid JSON, which a
hand-written format string can't promise for messages with quotes or newlines.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal, TextIO, TypeVar

from pythonjsonlogger.json import JsonFormatter

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
T = TypeVar("T")
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,127}")  # a UUID, a trace id, a proxy's id: nothing to escape
# Our own loggers say what the server does at INFO (one line per HTTP request, one per reply); others only warn.
OWN_LOGGERS = ("chatbot", "knowledge_base")
JSON_FIELDS = "{asctime}{levelname}{name}{message}"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (None outside a request) to every record that reaches the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def request_id_of(request: Any) -> str | None:
    """The id ``RequestIds`` gave the HTTP request behind a ``gr.Request`` (Gradio's queue works on it later)."""
    headers = getattr(request, "headers", None)
    value = headers.get("x-request-id") if headers is not None else None
    return value if isinstance(value, str) and SANE_ID.fullmatch(value) else None


@contextmanager
def bound_request_id(value: str | None) -> Iterator[None]:
    """Lines logged inside carry ``value``: for work done after its request returned (Gradio's queue)."""
    token = request_id.set(value)
    try:
        yield
    finally:
        request_id.reset(token)


def carry_request_id(value: str | None, items: Iterator[T]) -> Iterator[T]:
    """``items`` with ``value`` bound while each one is made (each step of a streamed reply may run in another
    thread, with a fresh copy of the context)."""
    while True:
        with bound_request_id(value):
            try:
                item = next(items)
            except StopIteration:
                return
        yield item


def json_handler(stream: TextIO | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(JSON_FIELDS, style="{", rename_fields={"asctime": "time",
                                                                             "levelname": "level",
                                                                             "name": "logger"}))
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(log_format: Literal["text", "json"], stream: TextIO | None = None) -> None:
    """``text`` leaves logging as it always was (warnings and errors, plain); ``json`` sends every record through
    one JSON handler on the root logger, uvicorn's included (``chatbot.cli.serve`` gives uvicorn no config of its
    own then)."""
    if log_format != "json":
        return
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(json_handler(stream))
    root.setLevel(logging.WARNING)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
