"""One web server for the console tests: patient chat at /, staff console at /staff, launched for real."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import uvicorn
from gradio_client import Client

from chatbot.settings import ClinicProfile, Settings
from chatbot.staff.auth import StaffAuth, configured_users, hash_password
from chatbot.staff.session import StaffSessions
from chatbot.staff.throttle import LoginThrottle
from chatbot.web.server import Server, build_server
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.factory import build_knowledge_base
from tests.chatbot.conftest import free_port
from tests.conftest import SAMPLE_ARTICLES, without_uplifted_env

STAFF = "maria"
PASSWORD = "correct horse battery"
CLINIC = ClinicProfile(name="Uplifted Test Clinic", booking_url="https://uplifted.example/book-test",
                       phone="(555) 010-9999")


class ManualClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@dataclass
class Live:
    server: Server
    url: str
    settings: Settings
    auth: StaffAuth
    clock: ManualClock  # the login throttle's: failed logins wait or expire only when a test moves it

    def staff(self) -> Client:
        return Client(f"{self.url}/staff/", auth=(STAFF, PASSWORD), verbose=False)

    def patient(self) -> Client:
        return Client(f"{self.url}/", verbose=False)


@contextmanager
def serving(server: Server) -> Iterator[str]:
    """Run the FastAPI app with uvicorn in a thread on a free port; yields its base url."""
    port = free_port()
    runner = uvicorn.Server(uvicorn.Config(server.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not runner.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        runner.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="package")
def staff_env() -> Iterator[None]:
    with without_uplifted_env():
        yield


@pytest.fixture(scope="package")
def live(staff_env: None, embeddings: MiniLMEmbeddings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The sample articles synced, one staff login (from a hash), the whole app served on a free port."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("console") / "data", clinic=CLINIC,
                        staff_users={STAFF: hash_password(PASSWORD)})
    folder = tmp_path_factory.mktemp("articles")
    shutil.copytree(SAMPLE_ARTICLES, folder, dirs_exist_ok=True)
    kb = build_knowledge_base(settings, embeddings=embeddings)
    assert kb.sync(folder, by="setup").ok
    clock = ManualClock()
    auth = StaffAuth(configured_users(settings), sessions=StaffSessions.from_settings(settings),
                     throttle=LoginThrottle(clock=clock))
    server = build_server(settings, embeddings=embeddings, kb=kb, auth=auth)
    assert server.console_off is None
    with serving(server) as url:
        yield Live(server, url, settings, auth, clock)
    server.assistant.conversations.close()
