"""The chat on a clinic's own web site: ``/embed.js`` and who may show the chat in a frame.

``/embed.js`` (``static/embed.js``) adds a "Chat with us" button that opens the chat in an iframe panel; the
server fills in the clinic's name (the live profile) and the default colour. Every response carries a
``Content-Security-Policy: frame-ancestors`` header: the chat may be framed by this server's own pages and by the
origins in ``UPLIFTED_EMBED_ORIGINS``, the staff console only by this server's own pages. ``FRAME_HEAD`` goes into
the chat page: framed, it passes Escape up to the panel (keys typed in a cross-origin frame never reach the page
around it) and moves the focus inside the chat when the panel asks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import fastapi
from fastapi.responses import Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EMBED_PATH = "/embed.js"
DEFAULT_COLOUR = "#0b5f73"  # a calm blue-green, 7.2:1 under white text
_CONFIG = re.compile(r"/\*@config\*/[^;\n]*")
_SCRIPT = (Path(__file__).parent / "static" / "embed.js").read_text(encoding="utf-8")
if len(_CONFIG.findall(_SCRIPT)) != 1:
    raise RuntimeError("static/embed.js must hold exactly one /*@config*/ placeholder")

# In the chat page: only when framed, and only messages from the page that framed it. The messages carry no data.
FRAME_HEAD = """<script>
(function () {
  if (window.parent === window) return;
  var outer = window.parent;
  var FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), textarea:not([disabled]),'
    + ' select:not([disabled]), [tabindex]:not([tabindex="-1"])';
  function shown(el) { return el.getClientRects().length > 0; }
  function focusWhenShown(selector) {  // the page shows its parts only once it has loaded them all
    var tries = 0;
    var timer = setInterval(function () {
      var el = document.querySelector(selector);
      if (el && shown(el)) el.focus();
      if ((el && document.activeElement === el) || ++tries > 200) clearInterval(timer);
    }, 100);
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !event.defaultPrevented) outer.postMessage({uplifted: "close"}, "*");
  });
  window.addEventListener("message", function (event) {
    if (event.source !== outer || !event.data) return;
    if (event.data.uplifted === "focus-input") {
      focusWhenShown("#message textarea");
    } else if (event.data.uplifted === "focus-last") {
      var all = Array.prototype.filter.call(document.querySelectorAll(FOCUSABLE), shown);
      if (all.length) all[all.length - 1].focus();
    }
  });
  outer.postMessage({uplifted: "ready"}, "*");
})();
</script>"""


def frame_ancestors(origins: Iterable[str]) -> str:
    """The CSP directive for the chat: this server's own pages plus the listed (already validated) origins."""
    return " ".join(["frame-ancestors", "'self'", *origins])


def embed_script(clinic_name: str, colour: str = DEFAULT_COLOUR) -> str:
    """``static/embed.js`` with the clinic's name and default colour in it (as JSON, so any name is safe)."""
    config = json.dumps({"clinic": clinic_name, "colour": colour})
    return _CONFIG.sub(lambda _: config, _SCRIPT, count=1)


class FramePolicy:
    """ASGI middleware: a ``frame-ancestors`` policy on every response, a stricter one under ``private_path``.

    Pure ASGI (not ``BaseHTTPMiddleware``) so Gradio's streamed replies pass through untouched."""

    def __init__(self, app: ASGIApp, *, origins: Iterable[str], private_path: str) -> None:
        self.app = app
        self.private_path = private_path.rstrip("/")
        self.public = frame_ancestors(origins)
        self.private = frame_ancestors([])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        private = path == self.private_path or path.startswith(self.private_path + "/")
        policy = self.private if private else self.public

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append("Content-Security-Policy", policy)
                if policy == self.private:  # the same rule for browsers that predate frame-ancestors
                    headers["X-Frame-Options"] = "SAMEORIGIN"
            await send(message)

        await self.app(scope, receive, send_with_policy)


def add_embedding(app: fastapi.FastAPI, *, origins: Iterable[str], private_path: str,
                  clinic_name: Callable[[], str], colour: str = DEFAULT_COLOUR) -> None:
    """Serve ``/embed.js`` and set the framing policy; call before the chat is mounted at ``/``.
    ``colour`` is the button's when the script tag sets none (the brand's, checked for white text)."""
    app.add_middleware(FramePolicy, origins=list(origins), private_path=private_path)

    @app.get(EMBED_PATH, include_in_schema=False)
    def embed_js() -> Response:
        return Response(embed_script(clinic_name(), colour), media_type="text/javascript; charset=utf-8", headers={
            "Cache-Control": "public, max-age=300",  # a changed clinic name shows within five minutes
            "Cross-Origin-Resource-Policy": "cross-origin",  # loadable by pages that require it (COEP)
            "X-Content-Type-Options": "nosniff",
        })
