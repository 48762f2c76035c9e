"""Fixtures for the chat's tests: the real assistant over the sample articles, built as the app builds it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatbot.assistant import Assistant
from chatbot.build import build_assistant
from chatbot.clinic import update_profile
from chatbot.settings import Settings
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.factory import build_knowledge_base
from tests.conftest import SAMPLE_ARTICLES

UPLIFTED = str(Path(sys.executable).parent / "uplifted")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_process(data_dir: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``uplifted serve`` as `make run` starts it, a real process on a free port, with ``env`` added to its
    environment; yields its base url (once ``/`` answers) and the process."""
    port = free_port()
    env = {**os.environ, "UPLIFTED_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **env}
    proc = subprocess.Popen([UPLIFTED, "serve", "--port", str(port)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # loading the models takes minutes when other work shares the CPU
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"uplifted serve exited: {proc.stdout.read() if proc.stdout else ''}")
            try:
                if httpx.get(f"{url}/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("uplifted serve did not start in 300 s")
            time.sleep(0.5)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # uvicorn waits for open streams, such as a browser page still open
            proc.kill()
            proc.wait(timeout=30)


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """An ASGI app served as ``uplifted serve`` serves it (``uvicorn_config``: uvicorn's own proxy handling off), in
    a thread on a free port; yields its base url."""
    import uvicorn

    from chatbot.cli.serve import uvicorn_config

    runner = uvicorn.Server(uvicorn_config(app, "127.0.0.1", free_port()))
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not runner.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{runner.config.port}"
    finally:
        runner.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def sample_assistant(tmp_path_factory: pytest.TempPathFactory, embeddings: MiniLMEmbeddings) -> Iterator[Assistant]:
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(SAMPLE_ARTICLES, root / "articles")
    settings = Settings(data_dir=root / "data")
    update_profile(settings.clinic, settings.data_dir, {"hours": "Monday to Friday, 7 am to 7 pm."})
    assert build_knowledge_base(settings, embeddings=embeddings).sync(root / "articles", by="test").ok
    yield build_assistant(settings, embeddings=embeddings, rate_limit=False)
