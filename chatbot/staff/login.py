"""The console's own login: ``POST /staff/login`` (form fields ``username`` and ``password``), ``/staff/logout``,
and the check Gradio makes on every console request (its ``auth_dependency``).

Gradio's built-in login can't see the client's address (its check gets a name and a password) and runs the
password hash on the event loop, so a flood of failed logins stalled every patient's reply. Here the hash runs
in a worker thread, at most one at a time (:class:`~chatbot.staff.auth.StaffAuth`), failures are throttled per
name and address (:mod:`chatbot.staff.throttle`) and the page says what happened. A login is a signed cookie
that ends after ``UPLIFTED_STAFF_IDLE_TIMEOUT_MINUTES`` without use (:mod:`chatbot.staff.session`).

The address is the connection's, or the one uvicorn takes from ``X-Forwarded-For`` when the request comes from
a trusted proxy (uvicorn's ``FORWARDED_ALLOW_IPS``, 127.0.0.1 by default).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import fastapi
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.requests import HTTPConnection

from chatbot.staff.a11y import ASGIApp, Message, Receive, Scope, Send
from chatbot.staff.auth import StaffAuth
from chatbot.staff.session import COOKIE, StaffSessions

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font-family: system-ui, sans-serif; background: #f6f7f7; color: #1b1f1f; margin: 0; }}
  main {{ max-width: 26rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: 12px;
         box-shadow: 0 1px 4px rgba(0,0,0,.12); }}
  h1 {{ font-size: 1.4rem; margin-top: 0; }}
  label {{ display: block; font-weight: 600; margin: 1rem 0 .3rem; }}
  input {{ width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; border: 1px solid #5f6b6b;
          border-radius: 6px; }}
  button {{ margin-top: 1.4rem; width: 100%; padding: .7rem; font-size: 1rem; font-weight: 600; color: #fff;
           background: {colour}; border: 0; border-radius: 6px; cursor: pointer; }}
  button:focus-visible, input:focus-visible {{ outline: 3px solid #1b1f1f; outline-offset: 2px; }}
  .message {{ padding: .8rem; border-radius: 6px; background: #fdecea; color: #7a1712; margin: 1rem 0 0; }}
</style></head>
<body><main>
<h1>{heading}</h1>
<p>{intro}</p>
{message}
<form method="post" action="{action}">
  <label for="username">Staff name</label>
  <input id="username" name="username" type="text" autocomplete="username" required value="{username}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Login</button>
</form>
</main></body></html>
"""


WHY = "uplifted_staff_login"  # the scope state key by which the session gate tells the login page why it is shown


@dataclass(frozen=True)
class Why:
    message: str = ""
    username: str = ""
    clear_cookie: bool = False


def client_address(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


class LoginForm:
    """The login page, with an optional message (a wrong password, a wait, a session that went idle)."""

    def __init__(self, *, path: str, heading: str, intro: str, colour: str) -> None:
        self.path, self.heading, self.intro, self.colour = path, heading, intro, colour

    def render(self, message: str = "", username: str = "") -> str:
        shown = f'<p class="message" role="alert" id="login-message">{html.escape(message)}</p>' if message else ""
        return PAGE.format(title=html.escape(f"{self.heading}: log in"), heading=html.escape(self.heading),
                           intro=html.escape(self.intro), message=shown, action=f"{self.path}/login",
                           username=html.escape(username, quote=True), colour=self.colour)

    def response(self, message: str = "", *, username: str = "", status: int = 200,
                 headers: dict[str, str] | None = None) -> HTMLResponse:
        return HTMLResponse(self.render(message, username), status_code=status,
                            headers={"Cache-Control": "no-store", **(headers or {})})


def _set_session(response: Response, sessions: StaffSessions, value: str, *, path: str, secure: bool) -> None:
    response.set_cookie(COOKIE, value, max_age=int(sessions.idle_s), path=path, httponly=True, samesite="lax",
                        secure=secure)


class SessionGate:
    """ASGI middleware for the console's path: the login page instead of the console for anyone without a live
    session (saying so when theirs went idle), and a renewed cookie for each use of a live one."""

    def __init__(self, app: ASGIApp, *, path: str, auth: StaffAuth, form: LoginForm) -> None:
        self.app, self.path, self.auth, self.form = app, path, auth, form
        self.idle_minutes = round(auth.sessions.idle_s / 60)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = scope.get("path", "")
        if scope["type"] != "http" or not route.startswith(self.path + "/") or \
                route in (f"{self.path}/login", f"{self.path}/logout"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        sessions = self.auth.sessions
        session = sessions.read(conn.cookies.get(COOKIE))
        live = session is not None and not sessions.expired(session) and self.auth.is_staff(session.user)
        if not live and scope.get("method") == "GET" and route == self.path + "/":
            # The login page's own route draws it, so the app's other middleware (framing policy) still applies.
            idle = session is not None and sessions.expired(session)
            message = (f"You were logged out after {self.idle_minutes} minutes without using the console. "
                       f"Please log in again.") if idle else ""
            why = Why(message, session.user if idle and session else "", session is not None)
            login = f"{self.path}/login"
            await self.app({**scope, "path": login, "raw_path": login.encode(),
                            "state": {**scope.get("state", {}), WHY: why}}, receive, send)
            return
        # The heartbeat stream an open page keeps is not a use; everything else is.
        renewed = sessions.renewed(session) if live and session and "/heartbeat/" not in route else None
        if renewed is None:
            await self.app(scope, receive, send)
            return
        carrier = Response()
        _set_session(carrier, sessions, renewed, path=self.path, secure=conn.url.scheme == "https")
        cookie = [(k, v) for k, v in carrier.raw_headers if k == b"set-cookie"]

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *cookie]}
            await send(message)

        await self.app(scope, receive, with_cookie)


def add_staff_login(app: fastapi.FastAPI, auth: StaffAuth, *, path: str, form: LoginForm) -> Callable[
        [fastapi.Request], str | None]:
    """Add the login routes and the session gate to ``app`` (before the console is mounted at ``path``);
    returns the ``auth_dependency`` to mount the console with."""
    sessions = auth.sessions

    def current_user(request: fastapi.Request) -> str | None:
        session = sessions.active(request.cookies.get(COOKIE))
        return session.user if session is not None and auth.is_staff(session.user) else None

    def wants_page(request: fastapi.Request) -> bool:
        return "text/html" in request.headers.get("accept", "")

    @app.get(f"{path}/login", include_in_schema=False)
    def login_page(request: fastapi.Request) -> HTMLResponse:
        why = request.scope.get("state", {}).get(WHY) or Why()
        page = form.response(why.message, username=why.username)
        if why.clear_cookie:
            page.delete_cookie(COOKIE, path=path)
        return page

    @app.post(f"{path}/login", include_in_schema=False)
    def log_in(request: fastapi.Request, username: Annotated[str, fastapi.Form()] = "",
               password: Annotated[str, fastapi.Form()] = "") -> Response:
        # A plain `def`: FastAPI runs it in a worker thread, so the password hash never blocks the event loop.
        outcome = auth.log_in(username, password, client_address(request))
        if outcome.user is None:
            headers = {"Retry-After": str(outcome.retry_after_s)} if outcome.retry_after_s else {}
            if wants_page(request):
                return form.response(outcome.message, username=username.strip()[:64], status=outcome.status,
                                     headers=headers)
            return JSONResponse({"detail": outcome.message}, status_code=outcome.status, headers=headers)
        response: Response = (RedirectResponse(f"{path}/", status_code=303) if wants_page(request)
                              else JSONResponse({"success": True}))
        _set_session(response, sessions, sessions.issue(outcome.user), path=path,
                     secure=request.url.scheme == "https")
        return response

    @app.get(f"{path}/logout", include_in_schema=False)
    def log_out() -> RedirectResponse:
        response = RedirectResponse(f"{path}/", status_code=303)
        response.delete_cookie(COOKIE, path=path)
        return response

    app.add_middleware(SessionGate, path=path, auth=auth, form=form)
    return current_user
