"""The console's login at /staff/login: the real server under attack from one address, idle sessions, and the
login routes with an injected clock and a slow hasher."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import fastapi
import httpx
import pytest
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from gradio_client import Client

from chatbot.staff.auth import BUSY, StaffAuth, hash_password, verify_password
from chatbot.staff.login import LoginForm, add_staff_login
from chatbot.staff.session import COOKIE, StaffSessions
from chatbot.staff.throttle import LoginThrottle, Policy
from tests.chatbot.staff.conftest import PASSWORD, STAFF, Live

PAGE = {"Accept": "text/html,application/xhtml+xml"}


def from_address(address: str) -> dict[str, str]:
    """uvicorn trusts X-Forwarded-For from 127.0.0.1 (its FORWARDED_ALLOW_IPS default), as from a local proxy."""
    return {**PAGE, "X-Forwarded-For": address}


def test_an_attack_from_one_address_locks_that_address_only(live: Live) -> None:
    attacker, desk = "203.0.113.50", "198.51.100.60"
    waits = []
    for _ in range(30):  # the attacker waits each time as long as told (the throttle's clock is the test's)
        got = httpx.post(f"{live.url}/staff/login", data={"username": STAFF, "password": "not the password"},
                         headers=from_address(attacker))
        assert got.status_code in (401, 429) and COOKIE not in got.cookies
        if "locked out" in got.text:
            break
        if got.status_code == 429:
            assert "Too many failed logins from this address: wait" in got.text
            waits.append(int(got.headers["Retry-After"]))
            live.clock.now += waits[-1]
    assert waits == [1, 2, 4, 8, 16, 32, 64]  # growing waits, then the tenth failure locks this address
    assert got.status_code == 401 and "locked out of the staff console for 15 minutes" in got.text
    assert 'name="username"' in got.text and 'name="password"' in got.text  # the form, to try again later
    right = httpx.post(f"{live.url}/staff/login", data={"username": STAFF, "password": PASSWORD},
                       headers=from_address(attacker))
    assert right.status_code == 429 and COOKIE not in right.cookies

    # The same name from a clean address logs in, in a browser's way and in gradio_client's.
    ok = httpx.post(f"{live.url}/staff/login", data={"username": STAFF, "password": PASSWORD},
                    headers=from_address(desk))
    assert ok.status_code == 303 and ok.headers["location"] == "/staff/" and ok.cookies.get(COOKIE)
    console = httpx.get(f"{live.url}/staff/config", cookies={COOKIE: ok.cookies[COOKIE]})
    assert console.status_code == 200 and console.json()["username"] == STAFF
    # ...and the console tells them, once, what happened to their name.
    shown = Client(f"{live.url}/staff/", auth=(STAFF, PASSWORD), verbose=False).predict(api_name="/load")
    assert "Logged in as" in shown[0] and shown[1]["visible"]
    assert "10 failed logins for your name since your last login (10 from 203.0.113.x)" in shown[1]["value"]
    again = live.staff().predict(api_name="/load")
    assert not again[1]["visible"]


def test_a_session_unused_for_the_idle_timeout_must_log_in_again(live: Live) -> None:
    sessions = live.auth.sessions
    assert sessions.idle_s == 30 * 60  # the default, UPLIFTED_STAFF_IDLE_TIMEOUT_MINUTES
    now = sessions.issue(STAFF)
    assert httpx.get(f"{live.url}/staff/config", cookies={COOKIE: now}).status_code == 200
    stale = sessions.issue(STAFF, last_used=sessions.read(now).last_used - 31 * 60)  # type: ignore[union-attr]
    assert httpx.get(f"{live.url}/staff/config", cookies={COOKIE: stale}).status_code == 401
    page = httpx.get(f"{live.url}/staff/", cookies={COOKIE: stale})
    assert page.status_code == 200 and "logged out after 30 minutes without using the console" in page.text
    assert 'type="password"' in page.text and COOKIE in page.headers.get("set-cookie", "")  # the old one removed
    recent = sessions.issue(STAFF, last_used=sessions.read(now).last_used - 10 * 60)  # type: ignore[union-attr]
    used = httpx.get(f"{live.url}/staff/config", cookies={COOKIE: recent})
    assert used.status_code == 200
    renewed = used.cookies.get(COOKIE)
    assert renewed and sessions.read(renewed).last_used > sessions.read(recent).last_used  # type: ignore[union-attr]
    out = httpx.get(f"{live.url}/staff/logout", cookies={COOKIE: now})
    assert out.status_code == 303 and not out.cookies.get(COOKIE)


# --- the login routes alone, with an injected clock and hasher --------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def small_app(auth: StaffAuth) -> fastapi.FastAPI:
    app = fastapi.FastAPI()
    form = LoginForm(path="/staff", heading="Test clinic staff console", intro="Log in.", colour="#0f6e6a")
    user = add_staff_login(app, auth, path="/staff", form=form)

    @app.get("/staff/")
    def console(request: fastapi.Request) -> PlainTextResponse:  # stands in for the Gradio console
        return PlainTextResponse(f"console for {user(request)}")

    return app


@pytest.fixture
def routes(clock: Clock) -> Iterator[tuple[StaffAuth, TestClient]]:
    auth = StaffAuth({STAFF: hash_password(PASSWORD)}, sessions=StaffSessions("x" * 32, idle_s=600, clock=clock),
                     throttle=LoginThrottle(per_name=Policy(free=2, lock_after=3), clock=clock))
    with TestClient(small_app(auth), client=("192.0.2.1", 5000)) as client:
        yield auth, client


def test_idle_timeout_with_an_injected_clock(routes: tuple[StaffAuth, TestClient], clock: Clock) -> None:
    _, client = routes
    assert 'id="password"' in client.get("/staff/").text
    logged = client.post("/staff/login", data={"username": STAFF, "password": PASSWORD}, headers=PAGE)
    assert logged.status_code == 200 and logged.text == f"console for {STAFF}"  # followed the 303
    clock.now += 500
    assert client.get("/staff/").text == f"console for {STAFF}"  # used: the cookie is renewed
    clock.now += 500
    assert client.get("/staff/").text == f"console for {STAFF}"
    clock.now += 601
    page = client.get("/staff/")
    assert "logged out after 10 minutes" in page.text and f'value="{STAFF}"' in page.text


def test_the_login_page_says_why_a_try_was_refused(routes: tuple[StaffAuth, TestClient], clock: Clock) -> None:
    _, client = routes
    first = client.post("/staff/login", data={"username": STAFF, "password": "wrong"}, headers=PAGE)
    assert first.status_code == 401 and "Wrong staff name or password." in first.text and 'role="alert"' in first.text
    second = client.post("/staff/login", data={"username": STAFF, "password": "wrong"}, headers=PAGE)
    assert second.status_code == 401 and "wait 1 second before trying again" in second.text
    early = client.post("/staff/login", data={"username": STAFF, "password": "wrong"}, headers=PAGE)
    assert early.status_code == 429 and early.headers["Retry-After"] == "1"
    clock.now += 1
    client.post("/staff/login", data={"username": STAFF, "password": "wrong"}, headers=PAGE)
    locked = client.post("/staff/login", data={"username": STAFF, "password": PASSWORD}, headers=PAGE)
    assert locked.status_code == 429 and "locked out of the staff console for 15 minutes" in locked.text
    api = client.post("/staff/login", data={"username": STAFF, "password": PASSWORD})
    assert api.status_code == 429 and "from this address" in api.json()["detail"]
    with TestClient(client.app, client=("192.0.2.2", 5000)) as elsewhere:
        assert elsewhere.post("/staff/login", data={"username": STAFF, "password": PASSWORD}).json() == {
            "success": True}


def test_logins_beyond_the_hashing_cap_are_refused_at_once(clock: Clock) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_hasher(password: str, hashed: str) -> bool:
        started.set()
        release.wait(timeout=30)
        return verify_password(password, hashed)

    auth = StaffAuth({STAFF: hash_password(PASSWORD)}, hasher=slow_hasher,
                     sessions=StaffSessions("x" * 32, clock=clock))
    app = small_app(auth)
    results: list[int] = []
    with TestClient(app, client=("192.0.2.1", 5000)) as first, TestClient(app, client=("192.0.2.2", 5000)) as second:
        slow = threading.Thread(target=lambda: results.append(
            first.post("/staff/login", data={"username": STAFF, "password": PASSWORD}).status_code))
        slow.start()
        assert started.wait(timeout=30)
        busy = second.post("/staff/login", data={"username": STAFF, "password": "a guess at it"}, headers=PAGE)
        assert busy.status_code == 503 and BUSY in busy.text and slow.is_alive()
        release.set()
        slow.join(timeout=30)
    assert results == [200]
