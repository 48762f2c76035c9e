"""What the console needs beyond its layout to pass WCAG 2.1 AA (axe-core, in the browser test).

Gradio's login page has no page title, no ``main`` landmark and only an ``h2``; it is Gradio's own template,
so :class:`LoginPage` (ASGI middleware) adds a ``<title>`` and a small script to that one HTML response. In
the console itself, :data:`CONSOLE_JS` (run on load) gives Gradio's file-drop areas a name that contains the
words they show, and the empty plot and gallery boxes a role their label is allowed on.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Names the page's one landmark and makes the login form's heading the page's h1, once Gradio has drawn it.
LOGIN_SCRIPT = """<script>(() => {
  const fix = () => {
    const main = document.querySelector('gradio-app .main');
    if (main && document.querySelector('main')) main.removeAttribute('role');  // the console has its own
    else if (main && !main.hasAttribute('role')) main.setAttribute('role', 'main');
    const heading = document.querySelector('gradio-app .wrap h2');
    if (heading && document.querySelector('input[type=password]') && !heading.hasAttribute('aria-level')) {
      heading.setAttribute('role', 'heading');
      heading.setAttribute('aria-level', '1');
    }
  };
  new MutationObserver(fix).observe(document.documentElement, { childList: true, subtree: true });
})();</script>"""

CONSOLE_JS = """() => {
  if (window.upliftedConsole) return;
  window.upliftedConsole = true;
  const fix = () => {
    for (const drop of document.querySelectorAll('.upload-container[aria-label]')) {
      const shown = drop.innerText.replace(/\\s+/g, ' ').trim();
      if (shown && drop.getAttribute('aria-label') !== shown) drop.setAttribute('aria-label', shown);
    }
    for (const empty of document.querySelectorAll('.empty[aria-label]:not([role])')) empty.setAttribute('role', 'img');
  };
  new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  fix();
}"""


class LoginPage:
    """Adds ``<title>{title}</title>`` and :data:`LOGIN_SCRIPT` to the HTML page served at ``path``.

    The console's page is the login form until a staff member logs in; the script changes nothing on the
    console itself but its landmark (Gradio sets the console's own title from its config)."""

    def __init__(self, app: ASGIApp, *, path: str, title: str) -> None:
        self.app = app
        self.path = path
        self.head = f"<title>{html.escape(title)}</title>{LOGIN_SCRIPT}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        start: Message = {}
        body = bytearray()

        async def rewrite(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            kind = dict(headers).get(b"content-type", b"")
            page = bytes(body)
            if kind.startswith(b"text/html") and b"content-encoding" not in dict(headers) and b"</head>" in page \
                    and b"<title>" not in page:  # the console's own login page (chatbot/staff/login.py) has one
                page = page.replace(b"</head>", self.head + b"</head>", 1)
            await send({**start, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, rewrite)
