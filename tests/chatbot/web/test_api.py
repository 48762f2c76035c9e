"""The plain HTTP API (``/api/v1``) and the limits per client, on the real server app (``build_server``): through
starlette's TestClient, which sets the socket's address of each request, and through a real uvicorn socket where
the address matters (``serving``). Limits are per server, so each test sends from addresses of its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client
from starlette.testclient import TestClient
from typer.testing import CliRunner

from chatbot.cli.main import app as cli
from chatbot.settings import Settings
from chatbot.web.api import MAX_BODY_BYTES
from chatbot.web.server import Server, build_server
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.service import KnowledgeBase
from tests.chatbot.conftest import serving
from tests.chatbot.web.conftest import CLINIC

HIP = "why does hip mobility matter for my back?"
RED_FLAG = "I suddenly can't control my bladder and my back hurts."
PROXY = "10.0.0.1"  # the one trusted proxy
SITE = "https://www.clinic.example"


@pytest.fixture(scope="module")
def server(web_settings: Settings, web_kb: KnowledgeBase, embeddings: MiniLMEmbeddings) -> Iterator[Server]:
    settings = web_settings.model_copy(update={
        "client_rate_limit_per_minute": 3, "booking_limit_per_hour": 5, "trusted_proxies": [PROXY],
        "embed_origins": [SITE, "https://*.uplifted.example"]})
    built = build_server(settings, embeddings=embeddings, kb=web_kb)
    yield built
    built.assistant.conversations.close()


def from_address(server: Server, host: str) -> TestClient:
    return TestClient(server.app, client=(host, 40000))


def ask(client: TestClient, message: str = HIP, session: str = "", **headers: str) -> httpx.Response:
    return client.post("/api/v1/ask", json={"message": message, "session": session}, headers=headers)


def stored(server: Server, table: str = "messages") -> int:
    return int(server.assistant.conversations.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


# --- /api/v1/ask -------------------------------------------------------------------------------------------------
def test_ask_returns_exactly_what_uplifted_ask_json_prints(server: Server, web_settings: Settings) -> None:
    env = {"UPLIFTED_DATA_DIR": str(web_settings.data_dir), "UPLIFTED_CLINIC_NAME": CLINIC.name,
           "UPLIFTED_CLINIC_PHONE": CLINIC.phone, "UPLIFTED_CLINIC_BOOKING_URL": CLINIC.booking_url,
           "UPLIFTED_CLINIC_PRIVACY_URL": CLINIC.privacy_url}
    printed = CliRunner().invoke(cli, ["ask", "--json", HIP], env=env)
    assert printed.exit_code == 0, printed.output
    by_cli = json.loads(printed.stdout)
    response = ask(from_address(server, "192.0.2.1"))
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    by_api = response.json()
    assert by_api["route"] == "answer" and by_api["sources"][0]["id"] == "why-does-hip-mobility-matter"
    assert {**by_api, "session": ""} == {**by_cli, "session": ""}
    follow_up = ask(from_address(server, "192.0.2.1"), "and what about when I walk?", by_api["session"]).json()
    assert follow_up["session"] == by_api["session"] and follow_up["route"] == "answer"
    assert [role for role, _ in server.assistant.conversations.history(by_api["session"])] == ["patient",
                                                                                                "assistant"] * 2


def test_a_clarify_reply_carries_its_choices(server: Server) -> None:
    reply = ask(from_address(server, "192.0.2.2"), "my knee hurts").json()
    assert reply["route"] == "clarify" and 2 <= len(reply["choices"]) <= 4


def test_the_openapi_document_holds_the_api_routes_only(server: Server) -> None:
    client = from_address(server, "192.0.2.3")
    document = client.get("/api/v1/openapi.json").json()
    assert set(document["paths"]) == {"/ask", "/contact"}
    assert document["servers"] == [{"url": "/api/v1"}]
    ask_op = document["paths"]["/ask"]["post"]
    assert {"200", "429", "413"} <= set(ask_op["responses"])
    schemas = document["components"]["schemas"]
    assert set(schemas["AskReply"]["properties"]) == {"answer", "route", "sources", "session", "choices"}
    assert set(schemas["ContactRequest"]["properties"]) == {"name", "phone", "consent", "note", "session"}
    assert client.get("/openapi.json").status_code == 404  # the app's own (Gradio's routes) is not published


def test_cors_answers_only_the_embedding_sites(server: Server) -> None:
    client = from_address(server, "192.0.2.4")
    for origin, allowed in [(SITE, True), ("https://shop.uplifted.example", True), ("https://evil.example", False),
                            ("https://uplifted.example.evil.example", False)]:
        preflight = client.options("/api/v1/ask", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                           "Access-Control-Request-Headers": "content-type"})
        assert (preflight.headers.get("access-control-allow-origin") == origin) is allowed, origin
        assert (preflight.status_code == 200) is allowed, origin
    answered = client.post("/api/v1/ask", json={"message": "hi"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in answered.headers


# --- limits per client --------------------------------------------------------------------------------------------
def test_invented_sessions_do_not_get_past_the_limit_per_client(server: Server) -> None:
    client = from_address(server, "192.0.2.10")
    before, refused = stored(server), server.assistant.conversations.refused_counts().get("rate_limited", 0)
    sessions = ["", "made-up-1", "made-up-2"]
    assert [ask(client, session=s).status_code for s in sessions] == [200, 200, 200]
    limited = ask(client, session="made-up-3")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.json()["route"] == "blocked" and "sending messages quickly" in limited.json()["answer"]
    assert stored(server) == before + 2 * 3  # the limited message is counted, not stored
    assert server.assistant.conversations.refused_counts()["rate_limited"] == refused + 1
    assert ask(from_address(server, "192.0.2.11")).status_code == 200  # another client goes on


def test_a_red_flag_still_gets_the_emergency_reply_when_rate_limited(server: Server) -> None:
    client = from_address(server, "192.0.2.12")
    assert [ask(client).status_code for _ in range(3)] == [200] * 3
    reply = ask(client, RED_FLAG)
    assert reply.status_code == 200 and reply.json()["route"] == "emergency" and "911" in reply.json()["answer"]


def test_x_forwarded_for_names_the_client_only_behind_a_trusted_proxy(server: Server) -> None:
    untrusted = from_address(server, "192.0.2.20")  # anyone can send the header: it names no one
    codes = [ask(untrusted, **{"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    proxy = from_address(server, PROXY)
    behind = [ask(proxy, **{"X-Forwarded-For": "198.51.100.7"}).status_code for _ in range(4)]
    assert behind == [200, 200, 200, 429]
    # What the client wrote itself comes first; the address the proxy saw and appended counts.
    assert ask(proxy, **{"X-Forwarded-For": "203.0.113.99, 198.51.100.7"}).status_code == 429
    assert ask(proxy, **{"X-Forwarded-For": "198.51.100.8"}).status_code == 200  # another client of the proxy


def test_from_loopback_neither_the_header_nor_new_sessions_pass_and_the_chat_says_please_wait(
    server: Server,
) -> None:
    """A real socket, served as ``uplifted serve`` serves it: uvicorn believes X-Forwarded-For from loopback by
    default; here nothing does, and the chat (through gradio_client, the page's own handler) gets "please wait"."""
    with serving(server.app) as url:
        codes = [httpx.post(f"{url}/api/v1/ask", json={"message": HIP, "session": ""}, timeout=120,
                            headers={"X-Forwarded-For": f"198.51.100.{40 + i}"}).status_code for i in range(3)]
        assert codes == [200, 200, 200]
        job = Client(f"{url}/", verbose=False).submit("Should I use heat or ice?", [], api_name="/respond")
        job.result(timeout=120)
        chat = job.outputs()[-1][0]
        assert "Please wait" in chat[-1]["content"][0]["text"]
        assert httpx.post(f"{url}/api/v1/ask", json={"message": HIP}, timeout=120).status_code == 429


# --- over-long messages and large bodies ------------------------------------------------------------------------
def test_a_million_characters_are_refused_and_not_stored_but_a_red_flag_in_them_is_answered(server: Server) -> None:
    client = from_address(server, "192.0.2.30")
    before, refused = stored(server), server.assistant.conversations.refused_counts().get("too_long", 0)
    filler = "My back has been sore for a while. " * 28_572
    long = (filler + "x" * 1_000_000)[:1_000_000]
    reply = ask(client, long)
    assert reply.status_code == 200 and reply.json()["route"] == "blocked"
    assert "1,000,000" in reply.json()["answer"] or "1000000" in reply.json()["answer"]
    flagged = (filler[:20_000] + RED_FLAG + filler)[:1_000_000]
    emergency = ask(client, flagged)
    assert emergency.status_code == 200 and emergency.json()["route"] == "emergency"
    assert stored(server) == before
    assert server.assistant.conversations.refused_counts()["too_long"] == refused + 2


def test_a_body_over_the_limit_is_refused_unread(server: Server) -> None:
    response = from_address(server, "192.0.2.31").post(
        "/api/v1/ask", content=b'{"message": "' + b"a" * MAX_BODY_BYTES + b'"}',
        headers={"Content-Type": "application/json"})
    assert response.status_code == 413


# --- /api/v1/contact ------------------------------------------------------------------------------------------------
def contact(client: TestClient, **fields: Any) -> httpx.Response:
    return client.post("/api/v1/contact", json={"name": "Pat Doe", "consent": True, **fields})


def test_a_contact_request_is_stored_once_and_wrong_fields_store_nothing(server: Server) -> None:
    client = from_address(server, "192.0.2.40")
    before = stored(server, "booking_requests")
    wrong = contact(client, phone="call me", consent=False)
    assert wrong.status_code == 422 and set(wrong.json()["errors"]) == {"phone", "consent"}
    assert stored(server, "booking_requests") == before
    first = contact(client, phone="555 010 4444", note="mornings")
    assert first.status_code == 200 and first.json()["ok"] is True and first.json()["tel"] == "tel:5550109999"
    again = contact(client, phone="(555) 010-4444", session=first.json()["session"])  # a resend: the same request
    assert again.status_code == 200 and again.json()["ok"] is True
    assert stored(server, "booking_requests") == before + 1
    newest = server.assistant.conversations.booking_requests()[0]
    assert (newest.name, newest.phone, newest.note) == ("Pat Doe", "555 010 4444", "mornings")


def test_booking_requests_are_capped_per_client_per_hour(server: Server) -> None:
    client = from_address(server, "192.0.2.41")
    before = stored(server, "booking_requests")
    codes = [contact(client, phone=f"555 010 50{i:02d}").status_code for i in range(5)]
    assert codes == [200] * 5
    limited = contact(client, phone="555 010 5099")
    assert limited.status_code == 429 and 60 < int(limited.headers["Retry-After"]) <= 3600
    assert limited.json()["ok"] is False and limited.json()["phone"] == CLINIC.phone
    assert stored(server, "booking_requests") == before + 5
    assert contact(from_address(server, "192.0.2.42"), phone="555 010 5099").status_code == 200


# --- nothing anonymous writes what it shouldn't ------------------------------------------------------------------------
def test_the_patient_app_accepts_no_upload(server: Server, tmp_path: Path) -> None:
    from gradio.utils import get_upload_folder

    folder = Path(get_upload_folder())
    before = set(folder.rglob("*")) if folder.exists() else set()
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * 5_000_000)
    client = from_address(server, "192.0.2.50")
    with big.open("rb") as handle:
        response = client.post("/gradio_api/upload", files={"files": ("big.bin", handle)})
    assert response.status_code == 403
    assert client.post("/gradio_api/process_recording", files={"file": ("a.wav", b"RIFF")}).status_code == 403
    after = set(folder.rglob("*")) if folder.exists() else set()
    assert not [p for p in after - before if p.name == "big.bin"]


def test_monitoring_is_off(server: Server) -> None:
    client = from_address(server, "192.0.2.51")
    for path in ["/monitoring", "/monitoring/summary"]:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Monitoring is not enabled" in response.text
