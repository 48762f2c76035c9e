"""The patient page launched for real on a synced knowledge base, shared by the web tests (gradio_client and
Chromium). The ``browser`` fixture is in ``tests/conftest.py``; Chromium's flags and sizes in ``tests/browser.py``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr
import pytest
from gradio_client import Client

from chatbot.assistant import Assistant
from chatbot.build import build_assistant
from chatbot.settings import ClinicProfile, Settings
from chatbot.web.app import build_app, launch_options
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.factory import build_knowledge_base
from knowledge_base.service import KnowledgeBase
from tests.conftest import SAMPLE_ARTICLES, markdown, without_uplifted_env

CLINIC = ClinicProfile(name="Uplifted Test Clinic", booking_url="https://uplifted.example/book-test",
                       phone="(555) 010-9999", emergency_number="911", crisis_line="988",
                       privacy_url="https://uplifted.example/privacy-test")
SCRIPT = "<script>alert(1)</script>"
SPLINT_TITLE = f"Wrist Splint Care {SCRIPT}"
SPLINT_BODY = f"""
Wear your wrist splint at night {SCRIPT} so the wrist can rest while you sleep.
Take the wrist splint off once a day to wash and dry the skin under it.
Check the wrist splint straps: they should be snug but never leave your fingers numb.
"""


@dataclass
class Served:
    app: gr.Blocks
    url: str
    assistant: Assistant
    client: Client


@pytest.fixture(scope="package")
def env_clean() -> Iterator[None]:
    with without_uplifted_env():
        yield


@pytest.fixture(scope="package")
def web_settings(env_clean: None, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # Every test's patients share one address (loopback): the limit per client is test_api.py's to check.
    return Settings(data_dir=tmp_path_factory.mktemp("web") / "data", clinic=CLINIC, client_rate_limit_per_minute=10_000)


@pytest.fixture(scope="package")
def web_kb(web_settings: Settings, embeddings: MiniLMEmbeddings, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The sample articles plus one whose title and text carry a script tag, synced once."""
    folder = tmp_path_factory.mktemp("articles")
    shutil.copytree(SAMPLE_ARTICLES, folder, dirs_exist_ok=True)
    (folder / "wrist-splint.md").write_text(markdown("wrist-splint", SPLINT_TITLE, SPLINT_BODY), encoding="utf-8")
    kb = build_knowledge_base(web_settings, embeddings=embeddings)
    report = kb.sync(folder, by="test")
    assert not report.errors and "wrist-splint" in report.added
    return kb


def launch(settings: Settings, assistant: Assistant) -> tuple[gr.Blocks, str]:
    app = build_app(settings, assistant)
    _, url, _ = app.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True, **launch_options())
    return app, url


@pytest.fixture(scope="package")
def served(web_settings: Settings, web_kb: KnowledgeBase, embeddings: MiniLMEmbeddings) -> Iterator[Served]:
    """The patient page with the sample articles, served once for every web test (each test its own session)."""
    assistant = build_assistant(web_settings, embeddings=embeddings, kb=web_kb)
    app, url = launch(web_settings, assistant)
    try:
        yield Served(app, url, assistant, Client(url, verbose=False))
    finally:
        app.close()
        assistant.conversations.close()
