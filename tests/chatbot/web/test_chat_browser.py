"""Replies and the contact form in headless Chromium, as a patient uses them: with the keyboard only, on a phone,
in an emergency. The page is the real one (``served`` in ``conftest.py``); Chromium and axe-core come from
``tests/browser.py``. Screenshots go to its temporary folder (``UPDATE_SCREENSHOTS=1``: docs/screenshots/)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from playwright.sync_api import Browser, Locator, Page, Route, expect
from pydantic import Field

from chatbot.build import build_assistant
from chatbot.settings import Settings
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.service import KnowledgeBase
from tests.browser import SHOTS, SIZES, TIMEOUT, assert_accessible
from tests.chatbot.fakes import QuotingModel
from tests.chatbot.web.conftest import CLINIC, Served, launch

HIP = "Why does hip mobility matter for my back?"
HIP_SOURCE = "https://uplifted.example/articles/why-does-hip-mobility-matter"
EMERGENCY = "I suddenly can't feel my legs and lost control of my bladder"
CRISIS = "I don't want to live anymore, I want to kill myself"
MAX_TABS = 60  # a keyboard path longer than this is itself a defect


def open_page(browser: Browser, served: Served, size: str = "desktop") -> Page:
    page = browser.new_page(viewport=SIZES[size])
    page.on("dialog", lambda dialog: pytest.fail(f"a script ran: {dialog.message}"))
    # Articles and the booking page live on the clinic's site: a stand-in page, so nothing leaves the machine.
    page.context.route("https://uplifted.example/**", lambda route: stand_in(route))
    page.goto(served.url)
    expect(page.locator("#message textarea")).to_be_editable(timeout=TIMEOUT)
    return page


def stand_in(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Clinic site</title><h1>Clinic</h1>")


def ask(page: Page, question: str) -> Locator:
    """Type a question and press Enter; the newest reply once it has its final text."""
    before = page.locator("#chat .message-row.bot-row").count()
    page.locator("#message textarea").fill(question)
    page.locator("#message textarea").press("Enter")
    expect(page.locator("#chat .message-row.bot-row")).to_have_count(before + 1, timeout=TIMEOUT)
    reply = page.locator("#chat .message-row.bot-row").last
    expect(reply.locator(".typing-indicator")).to_have_count(0, timeout=TIMEOUT)
    return reply


def focused(page: Page) -> dict[str, Any]:
    return dict(page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName, id: e.id, text: (e.innerText || '').trim(), href: e.getAttribute('href') || '',
                type: e.getAttribute('type') || ''}; }"""))


def tab_to(page: Page, wanted: Callable[[dict[str, Any]], bool], *, back: bool = False) -> dict[str, Any]:
    """Press Tab (Shift+Tab with ``back``) until the focused element is the wanted one."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = focused(page)
        if wanted(now):
            return now
        seen.append(now.get("id") or now.get("text") or now.get("tag"))
    raise AssertionError(f"not reached with the keyboard; focus went through {seen}")


# --- the patient path, keyboard only -----------------------------------------------------------
def test_keyboard_only_ask_open_a_source_and_ask_us_to_call(browser: Browser, served: Served) -> None:
    page = open_page(browser, served)
    page.locator("body").focus()
    tab_to(page, lambda f: f["tag"] == "TEXTAREA" and f["id"] == "" and page.evaluate(
        "document.activeElement.closest('#message') !== null"))
    page.keyboard.type(HIP)
    page.keyboard.press("Enter")
    reply = page.locator("#chat .message-row.bot-row").last
    expect(reply).to_contain_text("Sources", timeout=TIMEOUT)

    # Open a source: back from the question box, through the reply, to the article's link; Enter opens it.
    tab_to(page, lambda f: f["href"] == HIP_SOURCE, back=True)
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    article = opened.value
    article.wait_for_load_state()
    assert article.url == HIP_SOURCE
    article.close()
    page.bring_to_front()

    # The contact form: its button, then each field; a missing tick is named and focused, then it is sent.
    before = len(served.assistant.conversations.booking_requests())
    tab_to(page, lambda f: f["text"] == "Ask us to call you")
    page.keyboard.press("Enter")
    expect(page.locator("#contact-form")).to_be_visible()
    assert focused(page)["id"] == "contact-name"  # the form opens on its first field
    page.keyboard.type("Pat Keyboard")
    page.keyboard.press("Tab")
    assert focused(page)["type"] == "tel"
    page.keyboard.type("(555) 010-4321")
    tab_to(page, lambda f: f["text"] == "Send my request")
    page.keyboard.press("Enter")
    expect(page.locator("#contact-status")).to_contain_text("not sent", timeout=TIMEOUT)
    expect(page.locator("#contact-consent-error")).to_have_text(re.compile("tick this box"))
    expect(page.locator("#contact-consent")).to_be_focused()
    expect(page.locator("#contact-consent")).to_have_attribute("aria-invalid", "true")
    page.keyboard.press("Space")
    tab_to(page, lambda f: f["text"] == "Send my request")
    page.keyboard.press("Enter")
    expect(page.locator("#contact-status")).to_contain_text("Thank you, we have your request", timeout=TIMEOUT)
    expect(page.locator("#contact-status a")).to_have_attribute("href", "tel:5550109999")
    expect(page.locator("#contact-name")).to_have_value("")  # the form is emptied once sent
    newest = served.assistant.conversations.booking_requests()[0]
    assert (newest.name, newest.phone) == ("Pat Keyboard", "(555) 010-4321")
    assert len(served.assistant.conversations.booking_requests()) == before + 1
    page.close()


def test_the_contact_form_names_each_wrong_field_on_a_phone(browser: Browser, served: Served) -> None:
    page = open_page(browser, served, "phone")
    toggle = page.get_by_role("button", name="Ask us to call you")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert toggle.bounding_box()["height"] >= 44  # type: ignore[index]
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    phone = page.get_by_label("Phone number", exact=True)
    expect(phone).to_have_attribute("type", "tel")
    expect(phone).to_have_attribute("autocomplete", "tel")
    expect(page.get_by_label("Your name", exact=True)).to_have_attribute("autocomplete", "name")
    privacy = page.locator(".privacy-note a")
    expect(privacy).to_have_attribute("href", CLINIC.privacy_url)
    expect(page.locator("#contact-status")).to_have_attribute("aria-live", "polite")
    page.get_by_label("Your name", exact=True).fill("Pat Phone")
    phone.fill("call me")
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("#contact-status")).to_contain_text("2 fields", timeout=TIMEOUT)
    expect(page.locator("#contact-phone-error")).to_contain_text("7 to 15 digits")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_be_focused()  # the first wrong field
    expect(page.locator("#contact-name-error")).to_be_hidden()
    expect(page.get_by_label("Your name", exact=True)).to_have_value("Pat Phone")  # nothing typed is lost
    assert_accessible(page, "the contact form with two wrong fields (390 px)")
    page.screenshot(path=SHOTS / "contact-form-phone.png", full_page=True)
    page.keyboard.press("Escape")  # closes the form, back on its button
    expect(page.locator("#contact-form")).to_be_hidden()
    expect(toggle).to_be_focused()
    page.close()


# --- safety replies ----------------------------------------------------------------------------
@pytest.mark.parametrize("size", list(SIZES))
def test_an_emergency_reply_is_an_alert_with_tap_to_call_and_no_thumbs(browser: Browser, served: Served,
                                                                         size: str) -> None:
    page = open_page(browser, served, size)
    ask(page, HIP)  # an ordinary answer first: it has thumbs
    expect(page.locator("#chat").get_by_role("button", name="Like", exact=True)).to_have_count(1)
    reply = ask(page, EMERGENCY)
    alert = page.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("911")
    expect(reply.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    call = reply.get_by_role("link", name="Call 911").bounding_box()
    assert call and call["height"] >= 44 and call["x"] + call["width"] <= SIZES[size]["width"]
    expect(reply.locator("p a[href='tel:911']").first).to_be_visible()  # "911" in the text is a link too
    expect(page.locator("#chat").get_by_role("button", name="Like", exact=True)).to_have_count(1)  # not this one
    expect(page.locator("#chat").get_by_role("button", name="Dislike", exact=True)).to_have_count(1)
    expect(page.locator("#chat .message-row:has(.safety-alert) + .message-buttons")).to_be_hidden()
    expect(reply.locator(".booking-cta")).to_have_count(0)
    box = page.locator("#message textarea")  # the question box stays usable
    expect(box).to_be_editable()
    box.fill("what should I tell them?")
    expect(box).to_have_value("what should I tell them?")
    page.screenshot(path=SHOTS / f"emergency-{size}.png")
    page.close()


def test_a_crisis_reply_offers_to_call_or_text_the_crisis_line(browser: Browser, served: Served) -> None:
    page = open_page(browser, served, "phone")
    reply = ask(page, CRISIS)
    expect(page.get_by_role("alert")).to_be_visible()
    expect(reply.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    expect(reply.get_by_role("link", name="Text 988")).to_have_attribute("href", "sms:988")
    expect(reply.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    expect(page.locator("#chat").get_by_role("button", name="Like", exact=True)).to_have_count(0)
    page.close()


# --- answers, scrolling, streaming, clear --------------------------------------------------------
def test_the_booking_button_and_a_new_answer_scrolled_to_its_start_on_a_phone(browser: Browser,
                                                                              served: Served) -> None:
    page = open_page(browser, served, "phone")
    first = ask(page, HIP)
    button = first.get_by_role("link", name="Book an evaluation")
    expect(button).to_have_attribute("href", CLINIC.booking_url)
    assert button.bounding_box()["height"] >= 44  # type: ignore[index]
    expect(first).not_to_contain_text(CLINIC.booking_url)  # a button, not an address
    expect(first.get_by_role("link", name="(555) 010-9999")).to_have_attribute("href", "tel:5550109999")
    second = ask(page, "and what about when I walk?")
    expect(second).to_contain_text("Sources")
    expect(second.get_by_role("link", name="Book an evaluation")).to_have_count(0)  # once per conversation
    where = second.evaluate("""(row) => {
        let box = row.parentElement;
        while (box && !(/(auto|scroll)/.test(getComputedStyle(box).overflowY) && box.scrollHeight > box.clientHeight))
            box = box.parentElement;
        const r = row.getBoundingClientRect(), b = box.getBoundingClientRect();
        return {top: r.top - b.top, height: r.height, view: box.clientHeight,
                atBottom: box.scrollTop + box.clientHeight >= box.scrollHeight - 2};
    }""")
    assert 0 <= where["top"] <= where["view"] / 2, where  # the answer's start is on screen, near the top
    if where["height"] > where["view"]:
        assert not where["atBottom"], where  # a long answer is not scrolled to its end
    page.screenshot(path=SHOTS / "answer-scrolled-phone.png")
    page.close()


class GatedModel(QuotingModel):
    """Streams like QuotingModel, but waits for the test: before its first word, and after the first word of
    its second sentence (so the first sentence is complete and checked, and shown, while the rest waits)."""

    start: threading.Event = Field(default_factory=threading.Event)
    rest: threading.Event = Field(default_factory=threading.Event)

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        assert self.start.wait(120)
        text, waited = "", False
        for word in re.split(r"(\s+)", self._reply(messages)):
            if not waited and re.search(r"\]\.\s+\S", text):
                assert self.rest.wait(120)
                waited = True
            text += word
            yield ChatGenerationChunk(message=AIMessageChunk(content=word))


@pytest.fixture
def gated(web_settings: Settings, web_kb: KnowledgeBase, embeddings: MiniLMEmbeddings) -> Iterator[tuple[str,
                                                                                                          GatedModel]]:
    model = GatedModel()
    settings = web_settings.model_copy(update={"llm_timeout_s": 120.0})
    assistant = build_assistant(settings, embeddings=embeddings, kb=web_kb, llm=model)
    app, url = launch(settings, assistant)
    try:
        yield url, model
    finally:
        model.start.set()
        model.rest.set()
        app.close()
        assistant.conversations.close()


def test_a_typing_indicator_at_once_then_the_answer_as_it_streams(browser: Browser, gated: tuple[str, GatedModel]
                                                                   ) -> None:
    url, model = gated
    page = browser.new_page(viewport=SIZES["phone"])
    page.goto(url)
    page.locator("#message textarea").fill("Should I use heat or ice?")
    page.locator("#message textarea").press("Enter")
    reply = page.locator("#chat .message-row.bot-row").last
    expect(reply.locator(".typing-indicator")).to_be_visible(timeout=TIMEOUT)  # before the model said a word
    expect(page.locator("#message textarea")).to_have_value("")
    expect(page.locator("#chat .message-row:has(.typing-indicator) + .message-buttons")).to_be_hidden()
    model.start.set()
    expect(reply.locator(".typing-indicator")).to_have_count(0, timeout=TIMEOUT)
    partial = reply.inner_text()
    assert "Sources" in partial and partial.count("[") == 0  # one checked sentence, its source, no markers
    model.rest.set()
    expect(reply).not_to_have_text(partial, timeout=TIMEOUT)  # the second sentence arrives in the same bubble
    assert len(reply.inner_text()) > len(partial)
    expect(page.locator("#chat .message-row.bot-row")).to_have_count(1)
    page.close()


def test_clear_asks_first_and_keep_it_keeps_the_conversation(browser: Browser, served: Served) -> None:
    page = open_page(browser, served)
    ask(page, HIP)
    expect(page.locator("#chat").get_by_role("button", name="Clear", exact=True)).to_be_hidden()  # no silent trash
    clear = page.get_by_role("button", name="Clear conversation")
    clear.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#clear-confirm")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Keep it")).to_be_focused(timeout=TIMEOUT)
    page.keyboard.press("Enter")
    expect(page.locator("#clear-confirm")).to_be_hidden(timeout=TIMEOUT)
    expect(clear).to_be_focused(timeout=TIMEOUT)
    expect(page.locator("#chat .message-row.bot-row")).to_have_count(1)  # still there
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Yes, clear it").click()
    expect(page.locator("#chat .message-row")).to_have_count(0, timeout=TIMEOUT)
    expect(page.locator("#message textarea")).to_be_focused(timeout=TIMEOUT)
    again = ask(page, HIP)  # a new conversation: its own booking button
    expect(again.get_by_role("link", name="Book an evaluation")).to_be_visible()
    page.close()
