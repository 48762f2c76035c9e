"""Who is asking: the client address every per-client limit counts by.

The address is the socket's, or, when the socket's peer is one of ``UPLIFTED_TRUSTED_PROXIES``, the first
address in ``X-Forwarded-For`` (read from the right) that isn't a trusted proxy: uvicorn's own
``ProxyHeadersMiddleware`` rewrites the request's client so, for the API and Gradio alike. ``uplifted serve``
turns uvicorn's built-in proxy handling off (it trusts loopback by default), so this is the only one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import fastapi
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


def trust_proxies(app: fastapi.FastAPI, trusted: Sequence[str]) -> None:
    """Believe ``X-Forwarded-For`` only from the ``trusted`` addresses and networks (none: never)."""
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(trusted))


def client_host(request: Any) -> str | None:
    """The client address of a FastAPI request or a ``gr.Request`` (None when there is none, as in a test call)."""
    host = getattr(getattr(request, "client", None), "host", None)
    return host if isinstance(host, str) and host else None
