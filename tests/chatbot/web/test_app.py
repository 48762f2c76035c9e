"""The patient page, launched for real on a synced knowledge base and driven through gradio_client."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from gradio_client import Client
from playwright.sync_api import Browser, Page, expect, sync_playwright

from chatbot.assistant import Assistant
from chatbot.build import build_assistant
from chatbot.clinic import profile_path, update_profile
from chatbot.replies import Replies
from chatbot.settings import ClinicProfile, Settings
from chatbot.web.app import MAX_CHOICES, build_app, choice_updates, launch_options, reply_id_at
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.factory import build_knowledge_base
from knowledge_base.service import KnowledgeBase
from tests.conftest import SAMPLE_ARTICLES, markdown, without_uplifted_env

CLINIC = ClinicProfile(name="Uplifted Test Clinic", booking_url="https://uplifted.example/book-test",
                       phone="(555) 010-9999", emergency_number="911", crisis_line="988")
HIP = "why does hip mobility matter for my back?"
XSS = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
SPLINT_TITLE = f"Wrist Splint Care {SCRIPT}"
SPLINT_BODY = f"""
Wear your wrist splint at night {SCRIPT} so the wrist can rest while you sleep.
Take the wrist splint off once a day to wash and dry the skin under it.
Check the wrist splint straps: they should be snug but never leave your fingers numb.
"""
VAGUE_KNEE, VAGUE_WRIST = "my knee hurts", "my wrist hurts"  # vague: the assistant asks back with choices
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
TIMEOUT = 60_000


@dataclass
class Served:
    app: gr.Blocks
    url: str
    assistant: Assistant
    client: Client


@pytest.fixture(scope="module")
def env_clean() -> Iterator[None]:
    with without_uplifted_env():
        yield


@pytest.fixture(scope="module")
def web_settings(env_clean: None, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("web") / "data", clinic=CLINIC)


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
def served(web_settings: Settings, web_kb: KnowledgeBase, embeddings: MiniLMEmbeddings) -> Iterator[Served]:
    assistant = build_assistant(web_settings, embeddings=embeddings, kb=web_kb)
    app, url = launch(web_settings, assistant)
    try:
        yield Served(app, url, assistant, Client(url, verbose=False))
    finally:
        app.close()
        assistant.conversations.close()


def texts(history: list[dict[str, Any]]) -> list[str]:
    """The text of each chat message, as the browser receives it."""
    return ["".join(part["text"] for part in m["content"] if part.get("type") == "text") for m in history]


def chat(client: Client, message: str, history: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """One chat turn through the UI's own handler (the same session state as ``client``)."""
    shown, cleared = client.predict(message, history or [], api_name="/respond")
    assert cleared == ""  # the question box is emptied
    return list(shown)


# --- /ask --------------------------------------------------------------------------------------
def test_ask_answers_with_the_cli_json_and_continues_the_session(served: Served) -> None:
    first = served.client.predict(HIP, "", api_name="/ask")
    assert set(first) == {"answer", "route", "sources", "session"}
    assert first["route"] == "answer" and first["session"]
    assert first["sources"][0]["id"] == "why-does-hip-mobility-matter"
    assert set(first["sources"][0]) == {"id", "title", "url"}
    follow_up = served.client.predict("and what about when I walk?", first["session"], api_name="/ask")
    assert follow_up["route"] == "answer" and follow_up["session"] == first["session"]
    assert [role for role, _ in served.assistant.conversations.history(first["session"])] == ["patient", "assistant"] * 2


def test_red_flag_is_an_emergency_with_no_sources(served: Served) -> None:
    reply = served.client.predict("I suddenly can't control my bladder and my back hurts", "", api_name="/ask")
    assert reply["route"] == "emergency" and reply["sources"] == []
    assert "911" in reply["answer"]


def test_only_ask_is_public_api(served: Served) -> None:
    info = served.client.view_api(print_info=False, return_format="dict")
    assert isinstance(info, dict)
    assert list(info["named_endpoints"]) == ["/ask"] and not info["unnamed_endpoints"]
    assert [p["parameter_name"] for p in info["named_endpoints"]["/ask"]["parameters"]] == ["message", "session_id"]


def test_twenty_concurrent_asks_all_succeed(served: Served) -> None:
    questions = [HIP, "Should I use heat or ice?", "Why does my heel hurt in the morning?", "how can I ease tennis elbow?"]

    def ask(i: int) -> dict[str, Any]:
        return dict(served.client.predict(questions[i % len(questions)], "", api_name="/ask"))

    with ThreadPoolExecutor(max_workers=20) as pool:
        replies = list(pool.map(ask, range(20)))
    assert all(r["route"] == "answer" for r in replies), [r["route"] for r in replies]
    assert len({r["session"] for r in replies}) == 20


# --- the chat ------------------------------------------------------------------------------------
def test_chat_streams_an_answer_with_source_links(served: Served) -> None:
    client = Client(served.url, verbose=False)
    history = chat(client, HIP)
    user, answer = texts(history)
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert user == HIP
    assert "**Sources:**\n- [Why Does Hip Mobility Matter?](https://uplifted.example/articles/why-does-hip-mobility-matter)" in answer
    history = chat(client, "and what about when I walk?", history)  # same browser session: a follow-up
    assert len(history) == 4 and "Sources:" in texts(history)[3]


def test_patient_html_is_echoed_as_text(served: Served) -> None:
    history = chat(Client(served.url, verbose=False), XSS)
    assert texts(history)[0] == "&lt;img src=x onerror=alert(1)&gt;"
    assert "<img" not in json.dumps(history)


def test_article_html_is_shown_as_text(served: Served) -> None:
    history = chat(Client(served.url, verbose=False), "how should I look after my wrist splint?")
    answer = texts(history)[1]
    assert "Wrist Splint Care &lt;script&gt;alert(1)&lt;/script&gt;" in answer
    assert "[Wrist Splint Care &lt;script&gt;alert(1)&lt;/script&gt;](https://uplifted.example/articles/wrist-splint)" in answer
    assert "<script" not in json.dumps(history)


def rate(served: Served, client: Client, index: int, liked: bool | str) -> None:
    """What the browser sends on a thumbs up/down: the like event with its LikeData, in the client's session."""
    deps = {d.get("api_name"): d for d in client.config["dependencies"]}
    chatbot = next(c["id"] for c in client.config["components"] if c.get("props", {}).get("elem_id") == "chat")
    body = {"data": [None], "fn_index": deps["rate"]["id"], "session_hash": client.session_hash, "trigger_id": chatbot,
            "event_data": {"index": index, "value": [], "liked": liked}}
    response = httpx.post(served.url + "gradio_api/run/rate", json=body, timeout=30)
    assert response.status_code == 200, response.text


def ratings(served: Served) -> list[tuple[int, str]]:
    rows = served.assistant.conversations.conn.execute(
        "SELECT f.rating, m.text FROM feedback f JOIN messages m ON m.reply_id = f.reply_id AND m.role = 'assistant'"
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def test_thumbs_down_is_stored_with_the_reply(served: Served) -> None:
    client = Client(served.url, verbose=False)
    chat(client, "Should I use heat or ice?")
    before = ratings(served)
    rate(served, client, 0, False)  # the patient's own message: nothing to rate
    assert ratings(served) == before
    rate(served, client, 1, False)
    new = [r for r in ratings(served) if r not in before]
    assert len(new) == 1 and new[0][0] == -1 and "heat" in new[0][1].lower()
    rate(served, client, 1, "")  # the thumb taken back: the rating stays as it was
    assert [r for r in ratings(served) if r not in before] == new


def test_reply_id_at_maps_like_indexes() -> None:
    ids = ["", "r1", "", "r2"]
    assert reply_id_at(ids, 1) == "r1" and reply_id_at(ids, [3, 0]) == "r2"
    assert reply_id_at(ids, 0) is None and reply_id_at(ids, 9) is None and reply_id_at(ids, -1) is None
    assert reply_id_at(ids, "1") is None


# --- booking requests ------------------------------------------------------------------------------
def test_booking_request_needs_consent_and_a_phone_number(served: Served) -> None:
    client = Client(served.url, verbose=False)
    store = served.assistant.conversations
    before = len(store.booking_requests())
    status, *fields = client.predict("Pat Doe", "555 010 1234", False, "", api_name="/request_contact")
    assert "not sent" in status and "Consent is required" in status and len(store.booking_requests()) == before
    status, *_ = client.predict("Pat Doe", "call me", True, "", api_name="/request_contact")
    assert "not sent" in status and "phone must have 7 to 15 digits" in status.lower()
    assert len(store.booking_requests()) == before
    status, *fields = client.predict("Pat <b>Doe</b>", "555 010 1234", True, "mornings", api_name="/request_contact")
    assert "Thank you" in status and fields == ["", "", "", False]  # the form is cleared
    newest = store.booking_requests()[0]
    assert (newest.name, newest.phone, newest.note) == ("Pat <b>Doe</b>", "555 010 1234", "mornings")
    assert len(store.booking_requests()) == before + 1


# --- the page --------------------------------------------------------------------------------------
def test_page_shows_clinic_phone_booking_link_disclaimer_and_starters(served: Served) -> None:
    config = served.client.config
    props = [c.get("props", {}) for c in config["components"]]
    shown = json.dumps(props)
    assert config["title"] == "Uplifted Test Clinic Assistant"
    assert "Uplifted Test Clinic" in shown and "(555) 010-9999" in shown and "tel:5550109999" in shown
    assert any(p.get("link") == CLINIC.booking_url and p.get("value") == "Book an evaluation" for p in props)
    assert Replies(CLINIC).say("disclaimer") in shown
    chatbot = next(p for p in props if p.get("elem_id") == "chat")
    assert [e["text"] for e in chatbot["examples"]][:3] == [
        "Why does hip mobility matter for my back?", "Should I use heat or ice?", "Why does my heel hurt in the morning?"
    ]
    assert chatbot["sanitize_html"] is True
    by_id = {p["elem_id"]: p for p in props if p.get("elem_id")}
    for field in ["message", "contact-name", "contact-phone", "contact-note", "contact-consent"]:
        assert by_id[field]["label"], field
    assert httpx.get(served.url, timeout=30).status_code == 200


# --- rate limit ------------------------------------------------------------------------------------
def test_rate_limit_message_comes_back_as_a_reply(
    web_settings: Settings, web_kb: KnowledgeBase, embeddings: MiniLMEmbeddings
) -> None:
    settings = web_settings.model_copy(update={"rate_limit_per_minute": 3})
    assistant = build_assistant(settings, embeddings=embeddings, kb=web_kb)
    app, url = launch(settings, assistant)
    try:
        client = Client(url, verbose=False)
        session = client.predict("Should I use heat or ice?", "", api_name="/ask")["session"]
        replies = [client.predict("Should I use heat or ice?", session, api_name="/ask") for _ in range(3)]
        assert [r["route"] for r in replies] == ["answer", "answer", "blocked"]
        assert "sending messages quickly" in replies[-1]["answer"]
        other = client.predict("Should I use heat or ice?", "", api_name="/ask")  # other sessions go on
        assert other["route"] == "answer"
    finally:
        app.close()
        assistant.conversations.close()


# --- clarify choices ---------------------------------------------------------------------------------
def test_a_vague_message_offers_choices_and_a_picked_title_answers_from_that_article(served: Served) -> None:
    first = served.client.predict(VAGUE_KNEE, "", api_name="/ask")
    assert first["route"] == "clarify" and 2 <= len(first["choices"]) <= MAX_CHOICES, first
    assert all("Knee" in t for t in first["choices"][:2])
    picked = first["choices"][1]  # what its button sends: the title, in the same session
    second = served.client.predict(picked, first["session"], api_name="/ask")
    assert second["route"] == "answer" and second["sources"][0]["title"] == picked
    assert "choices" not in second


def test_choice_updates_show_the_choices_or_hide_them_all() -> None:
    shown = choice_updates(["A <b>title</b>", "Another"])
    assert shown[0].visible is True and [b.value for b in shown[1:3]] == ["A <b>title</b>", "Another"]
    assert [b.visible for b in shown[1:]] == [True, True, False, False]
    assert [u.visible for u in choice_updates([])] == [False] * (MAX_CHOICES + 1)
    assert len(choice_updates([str(i) for i in range(6)])) == MAX_CHOICES + 1  # at most four buttons


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def send(page: Page, text: str) -> None:
    page.locator("#message textarea").fill(text)
    page.locator("#send").click()


def visible_choices(page: Page) -> list[str]:
    buttons = page.locator("#choice-buttons button:visible")
    expect(buttons.first).to_be_visible(timeout=TIMEOUT)
    return [b.inner_text().strip() for b in buttons.all()]


def test_clarify_choices_are_buttons_under_the_chat_that_send_the_title(browser: Browser, served: Served,
                                                                         tmp_path: Path) -> None:
    for size, viewport in SIZES.items():
        page = browser.new_page(viewport=viewport)
        page.on("dialog", lambda dialog: pytest.fail(f"a script ran: {dialog.message}"))
        page.goto(served.url)
        expect(page.locator("#message textarea")).to_be_visible(timeout=TIMEOUT)
        assert page.locator("#choice-buttons button:visible").count() == 0  # nothing to pick before a question
        send(page, VAGUE_KNEE if size == "desktop" else VAGUE_WRIST)
        titles = visible_choices(page)
        assert 2 <= len(titles) <= MAX_CHOICES
        page.screenshot(path=tmp_path / f"choices-{size}.png", full_page=True)
        chat, question = page.locator("#chat").bounding_box(), page.locator("#message").bounding_box()
        assert chat and question
        for title in titles:  # each one a button named by its title, under the chat, on the screen
            button = page.get_by_role("button", name=title, exact=True)
            expect(button).to_be_visible()
            box = button.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (size, title, box)
            assert chat["y"] + chat["height"] <= box["y"] < question["y"], (size, title, box)
        if size == "desktop":  # the keyboard: Shift+Tab from the question box reaches the last choice
            assert all("Knee" in t for t in titles[:2])
            page.locator("#message textarea").focus()
            page.keyboard.press("Shift+Tab")
            picked = titles[-1]
            assert page.evaluate("document.activeElement.innerText.trim()") == picked
            page.keyboard.press("Enter")
            expect(page.locator("#message textarea")).to_be_focused(timeout=TIMEOUT)  # not lost with the button
        else:  # a tap; a title with markup in it is a title, shown and sent as text
            picked = "Wrist Splint Care <script>alert(1)</script>"
            assert picked in titles
            page.get_by_role("button", name=picked, exact=True).click()
        answer = page.locator("#chat .message-row").last
        expect(answer).to_contain_text("Sources", timeout=TIMEOUT)
        expect(answer).to_contain_text(f'"{picked}"')  # the lead-in names the picked article
        expect(page.locator("#chat")).to_contain_text(picked)  # the patient's turn is the title
        assert page.locator("#choice-buttons button:visible").count() == 0  # gone once picked
        page.screenshot(path=tmp_path / f"picked-{size}.png", full_page=True)
        page.close()


def test_typing_a_question_instead_of_picking_hides_the_choices(browser: Browser, served: Served) -> None:
    page = browser.new_page(viewport=SIZES["phone"])
    page.goto(served.url)
    send(page, VAGUE_KNEE)
    visible_choices(page)
    send(page, HIP)
    expect(page.locator("#chat .message-row").last).to_contain_text("Hip Mobility", timeout=TIMEOUT)
    assert page.locator("#choice-buttons button:visible").count() == 0
    page.close()


def test_the_page_shows_the_clinic_profile_as_saved_now(browser: Browser, served: Served, web_settings: Settings) -> None:
    path = profile_path(web_settings.data_dir)
    assert not path.exists()
    update_profile(web_settings.clinic, web_settings.data_dir,
                   {"phone": "(555) 010-7777", "booking_url": "https://uplifted.example/book-now"})
    try:
        page = browser.new_page(viewport=SIZES["phone"])
        page.goto(served.url)
        expect(page.locator("#clinic-contact")).to_contain_text("(555) 010-7777", timeout=TIMEOUT)
        expect(page.locator("#clinic-contact a")).to_have_attribute("href", "tel:5550107777")
        expect(page.locator("#book-evaluation")).to_have_attribute("href", "https://uplifted.example/book-now")
        page.close()
    finally:
        path.unlink()
