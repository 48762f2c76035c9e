"""Shared fixtures: real embedding model (loaded once), real Chroma under tmp_path."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

from chatbot.settings import Settings
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.factory import build_knowledge_base
from knowledge_base.service import KnowledgeBase

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parent.parent
SAMPLE_ARTICLES = REPO / "knowledge_base" / "articles"
CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def chroma_process(path: Path) -> Iterator[tuple[str, int, subprocess.Popen[bytes]]]:
    """A real ``chroma run`` server on a free port, its data under ``path``; yields host, port and the process
    once it answers (the process may be stopped early by the test)."""
    import chromadb

    port = free_port()
    path.mkdir(parents=True, exist_ok=True)
    log = (path / "server.log").open("w")
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(path / "db"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chroma run did not start: {(path / 'server.log').read_text()}") from None
                time.sleep(0.3)
        yield "127.0.0.1", port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


class Clock:
    """A clock tests move by hand: ``clock()`` is the time now, ``clock.advance(hours=1)`` moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@contextmanager
def without_uplifted_env() -> Iterator[None]:
    """For module- or package-scoped fixtures, built before the per-test isolation: no UPLIFTED_* settings."""
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("UPLIFTED_")]:
            mp.delenv(key)
        yield


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's UPLIFTED_* settings or writes under ./data."""
    for key in list(os.environ):
        if key.startswith("UPLIFTED_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("UPLIFTED_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(scope="session")
def embeddings() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def kb(settings: Settings, embeddings: MiniLMEmbeddings) -> KnowledgeBase:
    return build_knowledge_base(settings, embeddings=embeddings)


ArticleWriter = Callable[..., Path]


def markdown(article_id: str, title: str, body: str, **meta: str) -> str:
    lines = ["---", f"id: {article_id}", f'title: "{title}"']
    lines += [f"{k}: {v}" for k, v in meta.items()]
    lines += ["---", "", textwrap.dedent(body).strip(), ""]
    return "\n".join(lines)


@pytest.fixture
def articles_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "articles"
    folder.mkdir()
    yield folder


@pytest.fixture
def write_article(articles_dir: Path) -> ArticleWriter:
    def write(article_id: str, title: str, body: str, *, folder: Path | None = None, **meta: str) -> Path:
        path = (folder or articles_dir) / f"{article_id}.md"
        path.write_text(markdown(article_id, title, body, **meta), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium through Playwright (``tests/browser.py``), one for the whole run."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch_chromium

    with sync_playwright() as playwright:
        try:
            launched = launch_chromium(playwright)
        except FileNotFoundError as missing:
            pytest.fail(str(missing))
        yield launched
        launched.close()
