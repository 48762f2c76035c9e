"""The patient page, launched for real and called through gradio_client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client

from chatbot.settings import ClinicProfile, Settings
from chatbot.web.app import build_app
from knowledge_base.service import KnowledgeBase
from tests.conftest import ArticleWriter


@pytest.fixture
def served(settings: Settings, kb: KnowledgeBase) -> Iterator[tuple[gr.Blocks, str]]:
    settings = settings.model_copy(update={"clinic": ClinicProfile(name="Uplifted Test Clinic", phone="(555) 010-9999")})
    app = build_app(settings, kb)
    _, url, _ = app.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
    try:
        yield app, url
    finally:
        app.close()


def test_page_lists_live_articles_as_text_not_html(
    served: tuple[gr.Blocks, str], kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path
) -> None:
    write_article("heel", "Heel Pain <script>alert(1)</script>", "Heel pain is common in the morning.")
    kb.sync(articles_dir, by="t")
    app, url = served
    listing = Client(url, verbose=False).predict(api_name="/articles")
    assert "Heel Pain" in listing and "<script>" not in listing
    assert "https://uplifted.example/articles/heel" in listing
    config = app.config
    texts = " ".join(str(c.get("props", {}).get("value", "")) for c in config["components"])
    assert "Uplifted Test Clinic" in texts and "(555) 010-9999" in texts and "911" in texts
