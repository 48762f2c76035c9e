"""Fixtures for the chat's tests: the real assistant over the sample articles, built as the app builds it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from chatbot.assistant import Assistant
from chatbot.build import build_assistant
from chatbot.clinic import update_profile
from chatbot.settings import Settings
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.factory import build_knowledge_base
from tests.conftest import SAMPLE_ARTICLES


@pytest.fixture(scope="module")
def sample_assistant(tmp_path_factory: pytest.TempPathFactory, embeddings: MiniLMEmbeddings) -> Iterator[Assistant]:
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(SAMPLE_ARTICLES, root / "articles")
    settings = Settings(data_dir=root / "data")
    update_profile(settings.clinic, settings.data_dir, {"hours": "Monday to Friday, 7 am to 7 pm."})
    assert build_knowledge_base(settings, embeddings=embeddings).sync(root / "articles", by="test").ok
    yield build_assistant(settings, embeddings=embeddings, rate_limit=False)
