"""The patient page, launched for real on a synced knowledge base and driven through gradio_client
(fixtures in ``conftest.py``; the browser tests of replies and the contact form are in ``test_chat_browser.py``)."""

from __future__ import annotations

import html
import json
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client
from playwright.sync_api import Browser, Page, expect

from chatbot.build import build_assistant
from chatbot.clinic import profile_path, update_profile
from chatbot.replies import Replies
from chatbot.settings import Settings
from chatbot.web.app import MAX_CHOICES, choice_updates, reply_id_at
from chatbot.web.format import BOOKING_CLASS, TYPING
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.service import KnowledgeBase
from tests.browser import SIZES, TIMEOUT
from tests.chatbot.web.conftest import CLINIC, Served, launch

HIP = "why does hip mobility matter for my back?"
XSS = "<img src=x onerror=alert(1)>"
EMERGENCY = "I suddenly can't control my bladder and my back hurts"
VAGUE_KNEE, VAGUE_WRIST = "my knee hurts", "my wrist hurts"  # vague: the assistant asks back with choices


def texts(history: list[dict[str, Any]]) -> list[str]:
    """The text of each chat message, as the browser receives it."""
    return ["".join(part["text"] for part in m["content"] if part.get("type") == "text") for m in history]


def turn(client: Client, message: str, history: list[dict[str, Any]] | None = None) -> list[list[Any]]:
    """Every update the page gets in one chat turn through the UI's own handler (the ``client``'s session)."""
    job = client.submit(message, history or [], api_name="/respond")
    job.result(timeout=120)
    return [list(update) for update in job.outputs()]


def chat(client: Client, message: str, history: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """One chat turn; the first update shows the message and the typing indicator and empties the question box."""
    updates = turn(client, message, history)
    shown, cleared = updates[0]
    assert cleared == "" and texts(shown)[-1] == TYPING
    return list(updates[-1][0])


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


def test_a_reply_keeps_one_rating_however_often_it_is_rated(served: Served) -> None:
    client = Client(served.url, verbose=False)
    chat(client, "Why does my heel hurt in the morning?")
    conn = served.assistant.conversations.conn
    newest = conn.execute("SELECT reply_id FROM messages WHERE role = 'assistant' ORDER BY id DESC LIMIT 1").fetchone()[0]
    for liked in (False, False, True, False, False):
        rate(served, client, 1, liked)
    assert [tuple(r) for r in conn.execute("SELECT rating FROM feedback WHERE reply_id = ?", (newest,))] == [(-1,)]
    assert len(set(conn.execute("SELECT COUNT(*), COUNT(DISTINCT reply_id) FROM feedback").fetchone())) == 1


def test_a_safety_reply_cannot_be_rated(served: Served) -> None:
    """Its thumbs are hidden on the page, and a rating sent anyway maps to no reply."""
    client = Client(served.url, verbose=False)
    history = chat(client, EMERGENCY)
    assert texts(history)[1].startswith('<div class="safety-alert safety-emergency" role="alert">')
    before = ratings(served)
    rate(served, client, 1, False)
    assert ratings(served) == before


def test_the_booking_button_comes_once_per_conversation_and_only_after_answers(served: Served) -> None:
    client = Client(served.url, verbose=False)
    history = chat(client, "I want to know about stuff like the weather")  # not an answer: no button
    history = chat(client, HIP, history)
    history = chat(client, "and what about when I walk?", history)
    replies = texts(history)[1::2]
    assert [BOOKING_CLASS in r for r in replies] == [False, True, False], replies
    assert all(CLINIC.booking_url not in r or f'href="{CLINIC.booking_url}"' in r or f"]({CLINIC.booking_url})" in r
               for r in replies)  # never a raw address
    fresh = chat(Client(served.url, verbose=False), HIP)  # a new conversation offers it again
    assert BOOKING_CLASS in texts(fresh)[1]


def test_the_llm_engine_streams_into_the_chat_after_the_typing_indicator(
    web_settings: Settings, web_kb: KnowledgeBase, embeddings: MiniLMEmbeddings
) -> None:
    """Every update the page gets: the typing indicator first, then the answer growing sentence by sentence."""
    from tests.chatbot.fakes import QuotingModel

    assistant = build_assistant(web_settings, embeddings=embeddings, kb=web_kb, llm=QuotingModel())
    app, url = launch(web_settings, assistant)
    try:
        updates = turn(Client(url, verbose=False), "Should I use heat or ice?")
        shown = [texts(history)[-1] for history, _ in updates]
        assert shown[0] == TYPING and updates[0][1] == ""
        answers = [s for s in shown[1:] if "Sources" in s]
        assert len(answers) >= 2, shown  # one update per checked sentence, each longer than the last
        assert all(len(a) < len(b) for a, b in pairwise(answers))
        newest = "SELECT engine FROM messages WHERE role = 'assistant' ORDER BY rowid DESC LIMIT 1"
        assert assistant.conversations.conn.execute(newest).fetchone()[0] == "llm"  # not the extractive fallback
    finally:
        app.close()
        assistant.conversations.close()


def test_reply_id_at_maps_like_indexes() -> None:
    ids = ["", "r1", "", "r2"]
    assert reply_id_at(ids, 1) == "r1" and reply_id_at(ids, [3, 0]) == "r2"
    assert reply_id_at(ids, 0) is None and reply_id_at(ids, 9) is None and reply_id_at(ids, -1) is None
    assert reply_id_at(ids, "1") is None


# --- booking requests ------------------------------------------------------------------------------
def request_contact(client: Client, **fields: Any) -> dict[str, Any]:
    """What the contact form sends (its fields as JSON), and the result it gets back."""
    return dict(json.loads(client.predict(json.dumps(fields), api_name="/request_contact")))


def test_a_contact_request_names_every_wrong_field_and_stores_nothing(served: Served) -> None:
    client = Client(served.url, verbose=False)
    store = served.assistant.conversations
    before = len(store.booking_requests())
    empty = request_contact(client, name="", phone="", note="", consent=False, sent=1)
    assert empty["ok"] is False and empty["sent"] == 1
    assert list(empty["errors"]) == ["name", "phone", "consent"]  # each field its own message, in the form's order
    assert empty["errors"]["name"] == "Please enter your name."
    assert "3 fields" in empty["status"] and "Nothing was stored" in empty["status"]
    wrong = request_contact(client, name="Pat Doe", phone="call me after 5", note="", consent=True, sent=2)
    assert list(wrong["errors"]) == ["phone"] and "7 to 15 digits" in wrong["errors"]["phone"]
    assert "the field marked in the form" in wrong["status"]
    assert request_contact(client, name="Pat", phone="12", consent=True)["errors"].keys() == {"phone"}
    assert request_contact(client, **{"name": "Pat", "phone": "555 010 1234", "consent": "yes"})["errors"].keys() \
        == {"consent"}  # only a ticked box (true) is consent
    assert json.loads(client.predict("not json", api_name="/request_contact"))["ok"] is False
    assert len(store.booking_requests()) == before


def test_a_right_contact_request_is_stored_and_says_how_to_call_us(served: Served) -> None:
    client = Client(served.url, verbose=False)
    store = served.assistant.conversations
    before = len(store.booking_requests())
    result = request_contact(client, name="Pat <b>Doe</b>", phone="555 010 1234", note="mornings", consent=True)
    assert result["ok"] is True and result["errors"] == {}
    assert result["status"].startswith("Thank you, we have your request.")
    assert (result["phone"], result["tel"]) == (CLINIC.phone, "tel:5550109999")
    newest = store.booking_requests()[0]
    assert (newest.name, newest.phone, newest.note) == ("Pat <b>Doe</b>", "555 010 1234", "mornings")
    assert len(store.booking_requests()) == before + 1


def test_the_assistant_checks_a_contact_request_itself(served: Served) -> None:
    """Not only the page: ``Assistant.request_booking`` refuses a wrong phone number before anything is stored."""
    from chatbot.contact import ContactRequestError

    before = len(served.assistant.conversations.booking_requests())
    with pytest.raises(ContactRequestError) as refused:
        served.assistant.request_booking("s-direct", "Pat", "+1 (555) 010-12a4", True)
    assert list(refused.value.problems) == ["phone"]
    assert len(served.assistant.conversations.booking_requests()) == before


# --- the page --------------------------------------------------------------------------------------
def test_page_shows_clinic_phone_booking_link_disclaimer_and_starters(served: Served) -> None:
    config = served.client.config
    props = [c.get("props", {}) for c in config["components"]]
    shown = json.dumps(props)
    assert config["title"] == "Uplifted Test Clinic Assistant"
    assert "Uplifted Test Clinic" in shown and "(555) 010-9999" in shown and "tel:5550109999" in shown
    assert any(p.get("link") == CLINIC.booking_url and p.get("value") == "Book an evaluation" for p in props)
    assert html.escape(Replies(CLINIC).say("disclaimer")) in shown  # behind "more" (chatbot/web/layout.py)
    chatbot = next(p for p in props if p.get("elem_id") == "chat")
    starters = [p.get("value") for p in props if "starter" in (p.get("elem_classes") or [])]  # buttons, not examples
    assert starters == [
        "Why does hip mobility matter for my back?", "Should I use heat or ice?", "Why does my heel hurt in the morning?"
    ]
    assert chatbot["sanitize_html"] is True
    by_id = {p["elem_id"]: p for p in props if p.get("elem_id")}
    assert by_id["message"]["label"]
    form = by_id["contact"]  # the contact form is HTML of its own: labelled fields, a tel input, the privacy link
    for field in ["contact-name", "contact-phone", "contact-note", "contact-consent"]:
        assert f'<label for="{field}">' in form["html_template"], field
    assert 'type="tel"' in form["html_template"] and CLINIC.privacy_url in shown
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


def test_an_empty_question_box_sends_nothing(served: Served) -> None:
    client = Client(served.url, verbose=False)
    history = chat(client, HIP)
    for blank in ("", "   \n"):
        updates = turn(client, blank, history)
        # Every update leaves the chat and the question box as they were (an update with no value).
        assert updates and all(part == {"__type__": "update"} for update in updates for part in update), updates
