"""``/healthz``, ``/readyz``, ``/metrics`` and request ids: on the real server app (``build_server``) through starlette's
TestClient, as test_api.py does, and on a real ``uplifted serve`` process backed by a real ``chroma run`` server."""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from chatbot.build import build_assistant
from chatbot.health import Readiness
from chatbot.metrics import Metrics
from chatbot.settings import Settings
from chatbot.web.server import Server, build_server
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.factory import build_knowledge_base
from knowledge_base.service import KnowledgeBase
from tests.chatbot.conftest import serve_process
from tests.conftest import SAMPLE_ARTICLES, chroma_process

HIP = "why does hip mobility matter for my back?"
CHECKS = {"conversations", "catalog", "vector_store", "embeddings"}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics page by name and labels, parsed by prometheus_client's own parser."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def replies(page: dict[tuple[str, tuple[tuple[str, str], ...]], float], route: str) -> float:
    return page[("uplifted_replies_total", (("route", route),))]


@pytest.fixture(scope="module")
def metered(web_settings: Settings, web_kb: KnowledgeBase, embeddings: MiniLMEmbeddings) -> Iterator[Server]:
    """The server app with metrics on; its own conversations under a data dir of its own."""
    settings = web_settings.model_copy(update={"metrics_enabled": True, "client_rate_limit_per_minute": 2,
                                               "data_dir": web_settings.data_dir.parent / "metered"})
    built = build_server(settings, embeddings=embeddings, kb=web_kb)
    yield built
    built.assistant.conversations.close()


@pytest.fixture
def plain(web_settings: Settings, web_kb: KnowledgeBase, embeddings: MiniLMEmbeddings,
          tmp_path: Path) -> Iterator[Server]:
    """The server app as configured by default (metrics off), with conversations of its own to break."""
    built = build_server(web_settings.model_copy(update={"data_dir": tmp_path / "data"}), embeddings=embeddings,
                         kb=web_kb)
    yield built
    built.assistant.conversations.close()


def client(server: Server, host: str = "192.0.2.50") -> TestClient:
    return TestClient(server.app, client=(host, 40000))


# --- health and readiness -------------------------------------------------------------------------------------
def test_healthz_says_the_process_is_up(metered: Server) -> None:
    response = client(metered).get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_is_200_with_every_check_passing(metered: Server) -> None:
    response = client(metered).get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready" and set(body["checks"]) == CHECKS
    assert all(check == {"ok": True} for check in body["checks"].values())


def test_readyz_is_503_naming_a_conversation_database_that_is_not_a_database(plain: Server) -> None:
    assert client(plain).get("/readyz").status_code == 200
    path = Path(plain.assistant.conversations.conn.execute("PRAGMA database_list").fetchone()[2])
    path.rename(path.with_suffix(".moved"))  # as root, chmod can't make it unreadable: put garbage in its place
    path.write_bytes(b"this is not a database" * 100)
    response = client(plain).get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["conversations"]["ok"] is False
    assert "not a database" in body["checks"]["conversations"]["reason"]
    assert {name for name, check in body["checks"].items() if check["ok"]} == CHECKS - {"conversations"}


def test_a_check_that_hangs_fails_with_its_name_and_is_not_started_twice() -> None:
    release, calls = threading.Event(), []

    def hangs() -> None:
        calls.append(1)
        release.wait()

    readiness = Readiness({"hangs": hangs, "fine": lambda: None}, timeout_s=0.2)
    try:
        for _ in range(2):
            report = readiness.check()
            assert not report.ok and report.failing == ["hangs"]
            assert report.to_json()["checks"]["hangs"] == {"ok": False, "reason": "no answer within 0.2 s"}
        assert len(calls) == 1  # the second call waited on the first call's thread
    finally:
        release.set()


def test_a_check_that_raises_says_why() -> None:
    def broken() -> None:
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    report = Readiness({"vector_store": broken}).check()
    assert report.to_json() == {"status": "not ready", "checks": {
        "vector_store": {"ok": False, "reason": "ConnectionRefusedError: [Errno 111] Connection refused"}}}


# --- metrics ------------------------------------------------------------------------------------------------------
def test_metrics_count_a_real_reply_by_its_route(metered: Server) -> None:
    before = samples(client(metered).get("/metrics").text)
    answered = client(metered, "192.0.2.51").post("/api/v1/ask", json={"message": HIP, "session": ""})
    assert answered.status_code == 200 and answered.json()["route"] == "answer"
    response = client(metered).get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    after = samples(response.text)
    assert replies(after, "answer") == replies(before, "answer") + 1
    assert replies(after, "emergency") == replies(before, "emergency")
    assert after[("uplifted_reply_seconds_count", ())] == before[("uplifted_reply_seconds_count", ())] + 1


def test_metrics_count_rate_limited_messages_and_show_the_knowledge_base_revision(metered: Server) -> None:
    before = samples(client(metered).get("/metrics").text)
    sent = [client(metered, "192.0.2.52").post("/api/v1/ask", json={"message": HIP, "session": ""})
            for _ in range(3)]  # this server allows 2 a minute per client
    assert [r.status_code for r in sent] == [200, 200, 429]
    after = samples(client(metered).get("/metrics").text)
    refused = ("uplifted_refused_total", (("reason", "rate_limited"),))
    assert after[refused] == before[refused] + 1
    assert replies(after, "blocked") == replies(before, "blocked") + 1
    assert after[("uplifted_knowledge_base_revision", ())] == metered.kb.revision() > 0


def test_metrics_count_errors_where_the_reply_is_made(web_settings: Settings, web_kb: KnowledgeBase,
                                                      embeddings: MiniLMEmbeddings, tmp_path: Path) -> None:
    metrics = Metrics()
    assistant = build_assistant(web_settings.model_copy(update={"data_dir": tmp_path / "data"}),
                                embeddings=embeddings, kb=web_kb, metrics=metrics)
    assistant.conversations.close()  # the conversation store is gone: history can't be read nor the turn stored
    reply = assistant.reply(HIP)
    assert reply.detail == "error"  # the patient still got the kind error reply
    page = samples(metrics.render()[0].decode())
    assert page[("uplifted_errors_total", (("stage", "reply"),))] == 1
    assert page[("uplifted_errors_total", (("stage", "store"),))] == 1
    assert replies(page, str(reply.route)) == 1


def test_metrics_are_404_unless_enabled(plain: Server) -> None:
    assert client(plain).get("/metrics").status_code == 404


# --- request ids -------------------------------------------------------------------------------------------------
def test_a_sane_request_id_is_returned_and_anything_else_replaced(metered: Server) -> None:
    assert client(metered).get("/healthz", headers={"X-Request-ID": "edge-7f3a.1"}).headers["X-Request-ID"] \
        == "edge-7f3a.1"
    for insane in ["", "a" * 129, "<script>", "two words"]:
        given = client(metered).get("/healthz", headers={"X-Request-ID": insane}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", given), (insane, given)
    first, second = (client(metered).get("/readyz").headers["X-Request-ID"] for _ in range(2))
    assert first != second


# --- a real process: JSON logs, a real reply counted, a Chroma server that goes away ------------------------------
def json_lines(printed: str) -> list[dict[str, Any]]:
    found = []
    for line in printed.splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))  # every log line is valid JSON
    return found


def test_serve_with_a_chroma_server_reports_it_gone_and_logs_json_with_request_ids(
        tmp_path: Path, embeddings: MiniLMEmbeddings) -> None:
    with chroma_process(tmp_path / "chroma") as (host, port, chroma):
        settings = Settings(data_dir=tmp_path / "data", chroma_host=host, chroma_port=port)
        shutil.copytree(SAMPLE_ARTICLES, tmp_path / "articles")
        assert build_knowledge_base(settings, embeddings=embeddings).sync(tmp_path / "articles", by="test").ok
        env = {"UPLIFTED_CHROMA_HOST": host, "UPLIFTED_CHROMA_PORT": str(port), "UPLIFTED_LOG_FORMAT": "json",
               "UPLIFTED_METRICS_ENABLED": "true"}
        with serve_process(settings.data_dir, **env) as (url, proc):
            assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
            ready = httpx.get(f"{url}/readyz", timeout=30)
            assert ready.status_code == 200, ready.text
            answered = httpx.post(f"{url}/api/v1/ask", json={"message": HIP, "session": ""},
                                  headers={"X-Request-ID": "probe-ask-1"}, timeout=120)
            assert answered.status_code == 200 and answered.json()["route"] == "answer"
            assert answered.headers["X-Request-ID"] == "probe-ask-1"
            assert replies(samples(httpx.get(f"{url}/metrics").text), "answer") == 1
            # Gradio's queue works on a reply after the request that queued it returned: the id still follows it.
            chat = Client(f"{url}/", verbose=False, headers={"X-Request-ID": "probe-chat-1"})
            assert chat.predict(HIP, "", api_name="/ask")["route"] == "answer"
            chroma.terminate()
            chroma.wait(timeout=30)
            gone = httpx.get(f"{url}/readyz", timeout=30)
            proc.terminate()
            printed = proc.communicate(timeout=60)[0]
        assert proc.returncode == 0, printed
    assert gone.status_code == 503, gone.text
    checks = gone.json()["checks"]
    assert checks["vector_store"]["ok"] is False and checks["vector_store"]["reason"]
    assert checks["catalog"] == checks["conversations"] == checks["embeddings"] == {"ok": True}
    lines = json_lines(printed)
    mine = [line for line in lines if line.get("request_id") == "probe-ask-1"]
    assert {line["logger"] for line in mine} >= {"chatbot.access", "chatbot.assistant"}, mine
    access = next(line for line in mine if line["logger"] == "chatbot.access")
    assert access["path"] == "/api/v1/ask" and access["status"] == 200 and access["method"] == "POST"
    reply = next(line for line in mine if line["logger"] == "chatbot.assistant")
    assert reply["route"] == "answer" and HIP not in json.dumps(mine)  # the patient's words are never logged
    from_chat = [line for line in lines if line.get("request_id") == "probe-chat-1"]
    assert any(line["logger"] == "chatbot.assistant" and line["route"] == "answer" for line in from_chat), from_chat
    readyz = [line for line in lines if line.get("path") == "/readyz" and line.get("status") == 503]
    assert readyz and readyz[0]["request_id"] and readyz[0]["request_id"] != "probe-ask-1"
