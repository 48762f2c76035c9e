"""``uplifted serve`` as `make run` starts it: a real process, the chat at / and the console at /staff/."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest
from gradio_client import Client

from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.service import KnowledgeBase
from tests.chatbot.conftest import UPLIFTED, serve_process
from tests.conftest import ArticleWriter

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PASSWORD = "front desk password 1"
HEEL = "Plantar fasciitis makes the heel hurt with the first steps in the morning. Calf stretches often help."


@pytest.fixture
def synced(kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path, embeddings: MiniLMEmbeddings) -> Path:
    write_article("heel", "Heel Pain", HEEL)
    assert kb.sync(articles_dir, by="setup").ok
    return Path(os.environ["UPLIFTED_DATA_DIR"])


def test_serve_runs_the_chat_and_the_console_with_a_staff_login(synced: Path) -> None:
    added = subprocess.run([UPLIFTED, "staff", "add-user", "frontdesk", "--password-stdin"], input=PASSWORD + "\n",
                           env={**os.environ, "UPLIFTED_DATA_DIR": str(synced)}, text=True, capture_output=True)
    assert added.returncode == 0, added.stderr
    with serve_process(synced) as (url, _):
        reply = Client(f"{url}/", verbose=False).predict("why does my heel hurt in the morning?", "",
                                                         api_name="/ask")
        assert reply["route"] == "answer" and reply["sources"][0]["id"] == "heel"
        assert httpx.get(f"{url}/staff/config").status_code == 401
        staff = Client(f"{url}/staff/", auth=("frontdesk", PASSWORD), verbose=False)
        route, _, _ = staff.predict("why does my heel hurt in the morning?", api_name="/preview")
        assert "answer" in route


def test_serve_without_a_login_keeps_the_chat_and_says_how_to_open_the_console(synced: Path) -> None:
    with serve_process(synced) as (url, proc):
        page = httpx.get(f"{url}/staff/")
        assert page.status_code == 503 and "uplifted staff add-user" in page.text
        reply = Client(f"{url}/", verbose=False).predict("why does my heel hurt in the morning?", "",
                                                         api_name="/ask")
        assert reply["route"] == "answer"
        proc.terminate()
        printed = proc.communicate(timeout=30)[0]
    assert "The staff console is off" in printed and "uplifted staff add-user" in printed


def stopped(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """SIGTERM (as systemd, Docker or `kill` send it); the exit status and what the server printed. Fails if the
    process is still running a minute later: a generous bound for a slow shared machine, not a timing check."""
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("uplifted serve was still running 60 s after SIGTERM")
    return code, proc.stdout.read() if proc.stdout else ""


def test_serve_stops_on_sigterm_while_a_patient_page_is_open(synced: Path, browser: Browser) -> None:
    with serve_process(synced) as (url, proc):
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{url}/")
            page.locator("#message textarea").wait_for(timeout=60_000)  # the page holds its session stream open
            code, printed = stopped(proc)
        finally:
            context.close()
    assert code == 0, printed
    assert printed.rstrip().endswith("Stopped.") and "Traceback" not in printed  # the page was let go, not cut off


def test_serve_closes_a_request_that_never_finishes_after_the_shutdown_timeout(synced: Path) -> None:
    with serve_process(synced, UPLIFTED_SERVE_SHUTDOWN_TIMEOUT_S="1") as (url, proc):
        address = urlsplit(url)
        with socket.create_connection((address.hostname, address.port), timeout=30) as client:
            # A client that went quiet half-way through sending its question: the server waits for the rest.
            client.sendall(b"POST /gradio_api/queue/join HTTP/1.1\r\nHost: localhost\r\n"
                           b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"data\": [")
            code, printed = stopped(proc)
    assert code == 0, printed
    assert "timeout graceful shutdown exceeded" in printed and printed.rstrip().endswith("Stopped.")
