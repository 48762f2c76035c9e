"""``uplifted serve`` as `make run` starts it: a real process, the chat at / and the console at /staff/."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.service import KnowledgeBase
from tests.chatbot.conftest import UPLIFTED, serve_process
from tests.conftest import ArticleWriter

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
