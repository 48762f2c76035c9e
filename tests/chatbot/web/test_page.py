"""The patient page as a patient meets it, in headless Chromium: the clinic's look, a phone-first layout,
WCAG 2.1 AA checked by axe-core before and after a conversation, and a small first load from this server only.

Screenshots (desktop and phone, on arrival, after an answer and after an emergency message) go to a temporary
folder; ``UPDATE_SCREENSHOTS=1`` writes them to docs/screenshots/ (linked from the README).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from bench.page import FIRST_LOAD_MAX_KIB, measure_load
from chatbot.replies import Replies
from chatbot.settings import BrandSettings, Settings
from chatbot.web.app import build_app, launch_options
from chatbot.web.theme import SHIPPED_FONT, STATIC, contrast, palette
from tests.browser import SHOTS, SIZES, TIMEOUT, assert_accessible
from tests.chatbot.web.conftest import CLINIC, Served

HIP = "Why does hip mobility matter for my back?"
INSTALLED = str(STATIC.parent.parent.parent)  # where the package is installed (the folder holding chatbot/)
EMERGENCY = "I suddenly can't feel my legs and lost control of my bladder"
TAP_MIN = 44
# Every control a patient can tap (links inside a sentence are exempt, as WCAG's target-size rule says).
CONTROLS = """() => [...document.querySelectorAll(
    'button, input:not([type=hidden]), textarea, select, summary, #clinic-header a')]
  .filter((el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
                    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; })
  .map((el) => { const r = el.getBoundingClientRect();
                 return {what: el.outerHTML.slice(0, 90), width: r.width, height: r.height}; })"""


def open_page(browser: Browser, url: str, size: str) -> Page:
    page = browser.new_page(viewport=SIZES[size])
    page.goto(url)
    expect(page.locator("#message textarea")).to_be_visible(timeout=TIMEOUT)
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


def ask(page: Page, text: str) -> None:
    """Send a question and wait for the whole reply (the typing indicator gone)."""
    replies = page.locator("#chat .message-row.bot-row")
    before = replies.count()
    page.locator("#message textarea").fill(text)
    page.locator("#send").click()
    expect(replies).to_have_count(before + 1, timeout=TIMEOUT)
    expect(page.locator("#chat .typing-indicator")).to_have_count(0, timeout=TIMEOUT)


def in_view(page: Page, selector: str, size: str) -> None:
    box = page.locator(selector).bounding_box()
    viewport = SIZES[size]
    assert box is not None, selector
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= viewport["width"] and box["y"] + box["height"] <= viewport["height"], (
        f"{selector} is not fully on a {viewport['width']}x{viewport['height']} screen on arrival: {box}")


def small_targets(page: Page) -> list[dict[str, object]]:
    return [c for c in page.evaluate(CONTROLS) if c["width"] < TAP_MIN or c["height"] < TAP_MIN]


@pytest.fixture(scope="module")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.mark.parametrize("size", list(SIZES))
def test_axe_finds_nothing_serious_before_and_after_a_conversation(browser: Browser, served: Served, size: str,
                                                                   shots: Path) -> None:
    page = open_page(browser, served.url, size)
    page.screenshot(path=shots / f"patient-{size}.png")
    assert_accessible(page, f"the patient page on arrival ({size})")

    ask(page, HIP)
    expect(page.locator("#chat .message-row.bot-row").last).to_contain_text("Hip Mobility")
    page.screenshot(path=shots / f"patient-answer-{size}.png")
    assert_accessible(page, f"the patient page after an answer ({size})")

    ask(page, EMERGENCY)
    expect(page.locator("#chat .message-row.bot-row").last).to_contain_text("911")
    page.screenshot(path=shots / f"patient-emergency-{size}.png")
    assert_accessible(page, f"the patient page after an emergency message ({size})")

    # Screen readers hear who wrote each message, not its Markdown source.
    names = page.locator("#chat [data-testid=bot], #chat [data-testid=user]").evaluate_all(
        "els => els.map((el) => el.getAttribute('aria-label'))")
    assert names == ["You said", "The assistant said"] * 2, names
    expect(page.locator("#chat [role=log]")).to_have_attribute("aria-label", "Conversation")
    page.close()


def test_the_dark_theme_passes_axe_too(browser: Browser, served: Served) -> None:
    """A phone set to dark mode gets Gradio's dark theme; the brand's colours have dark versions that pass."""
    page = browser.new_page(viewport=SIZES["phone"], color_scheme="dark")
    page.goto(served.url)
    expect(page.locator("#message textarea")).to_be_visible(timeout=TIMEOUT)
    ask(page, "Should I use heat or ice?")
    assert_accessible(page, "the patient page in dark mode after an answer")
    page.close()


def test_on_a_phone_the_question_box_is_on_screen_and_every_control_is_big_enough(browser: Browser,
                                                                                  served: Served) -> None:
    page = open_page(browser, served.url, "phone")
    in_view(page, "#message textarea", "phone")
    in_view(page, "#send", "phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"]["width"]  # no sideways scroll
    assert not small_targets(page), small_targets(page)

    # The disclaimer is one line (emergency number first) until "more" opens it.
    summary = page.locator("#disclaimer summary")
    line = page.locator("#disclaimer .disclaimer-line")
    expect(line).to_have_text(Replies(CLINIC).say("disclaimer_short"))
    one_line = float(line.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    assert (line.bounding_box() or {"height": 1e9})["height"] < 1.5 * one_line
    whole = page.get_by_text(Replies(CLINIC).say("disclaimer"))
    expect(whole).to_be_hidden()
    summary.click()
    expect(whole).to_be_visible()
    summary.focus()
    page.keyboard.press("Enter")  # from the keyboard too
    expect(whole).to_be_hidden()

    ask(page, "Should I use heat or ice?")  # the buttons under a reply (copy, thumbs) too
    assert not small_targets(page), small_targets(page)
    page.close()


def test_on_a_desktop_the_booking_button_is_one_line_and_no_label_covers_a_message(browser: Browser,
                                                                                     served: Served) -> None:
    page = open_page(browser, served.url, "desktop")
    in_view(page, "#message textarea", "desktop")
    lines = page.locator("#book-evaluation").evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " return new Set([...r.getClientRects()].map((rect) => Math.round(rect.top))).size; }")
    assert lines == 1
    ask(page, "Should I use heat or ice?")
    assert page.locator("#chat [data-testid=block-label]").count() == 0
    first = page.locator("#chat .message-row").first
    covering = first.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " const top = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(12, r.height / 2));"
        " return el.contains(top) ? null : top && top.outerHTML.slice(0, 120); }")
    assert covering is None, f"something covers the first message: {covering}"
    page.close()


def test_one_font_family_with_real_bold_from_this_server(browser: Browser, served: Served) -> None:
    load = measure_load(browser, served.url)
    assert load.fonts and all(url.startswith(f"{served.url.rstrip('/')}/fonts/atkinson-") for url in load.fonts)
    assert not load.failed, load.failed
    page = open_page(browser, served.url, "desktop")
    for selector in ["#clinic-contact h1", "#book-evaluation", "#disclaimer summary", "#message textarea"]:
        family = page.locator(selector).evaluate("el => getComputedStyle(el).fontFamily")
        assert family.startswith(f"'{SHIPPED_FONT}'") or family.startswith(f'"{SHIPPED_FONT}"'), (selector, family)
    faces = page.evaluate("[...document.fonts].filter((f) => f.status === 'loaded').map((f) => [f.family, f.weight])")
    assert {family.strip("'\"") for family, _ in faces} == {SHIPPED_FONT}, faces
    assert {"400", "700"} <= {weight for _, weight in faces}, faces  # bold is a real bold file
    page.close()


def test_the_page_and_its_css_never_show_where_the_app_is_installed(browser: Browser, served: Served) -> None:
    page = open_page(browser, served.url, "desktop")
    html = page.content()
    sheets = page.evaluate("""async () => Promise.all([...document.styleSheets].map((sheet) => sheet.href
        ? fetch(sheet.href).then((response) => response.text()) : sheet.ownerNode.textContent))""")
    page.close()
    assert any("@font-face" in sheet for sheet in sheets)  # the theme's CSS is among them
    config = httpx.get(f"{served.url.rstrip('/')}/config")
    assert config.status_code == 200 and '"components"' in config.text
    for where, text in [("the page", html), ("the page's config", config.text), *(("a style sheet", s) for s in sheets)]:
        assert INSTALLED not in text, f"{where} shows the install path {INSTALLED}"
        assert "gradio_api/file=" not in text, where


def test_first_load_is_under_600_kib_with_no_third_party_request(browser: Browser, served: Served) -> None:
    load = measure_load(browser, served.url)
    print(f"first load of the patient page: {load.kib:.0f} KiB in {len(load.requests)} requests")
    assert not load.third_party, load.third_party
    assert not load.failed, load.failed
    assert load.kib < FIRST_LOAD_MAX_KIB, f"{load.kib:.0f} KiB"


@pytest.fixture
def branded(served: Served, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Iterator[tuple[str, BrandSettings]]:
    """The page with an orange that's too light for white text and a logo file, from settings."""
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" '
                    'fill="#f97316"/></svg>', encoding="utf-8")
    brand = BrandSettings(primary_color="#fb923c", logo=str(logo))
    settings = Settings(data_dir=tmp_path / "data", clinic=CLINIC, brand=brand)
    with caplog.at_level(logging.WARNING, logger="chatbot.web.theme"):
        app = build_app(settings, served.assistant)
        _, url, _ = app.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True,
                               **launch_options(settings))
    try:
        yield url, brand
    finally:
        app.close()


def test_the_brand_from_settings_is_used_and_a_weak_colour_is_darkened(
    browser: Browser, branded: tuple[str, BrandSettings], caplog: pytest.LogCaptureFixture
) -> None:
    url, brand = branded
    used = palette(brand).primary
    assert used != brand.primary_color and contrast(used, "#ffffff") >= 4.5
    logged = [r.getMessage() for r in caplog.get_records("setup")]  # the page was built in the fixture
    assert any(f"darkened to {used}" in m for m in logged), logged
    page = open_page(browser, url, "phone")
    logo = page.locator("#clinic-contact img.clinic-logo")
    expect(logo).to_have_attribute("alt", f"{CLINIC.name} logo")
    assert (logo.get_attribute("src") or "").startswith("data:image/svg+xml;base64,")
    red, green, blue = (int(used[i:i + 2], 16) for i in (1, 3, 5))
    expect(page.locator("#book-evaluation")).to_have_css("background-color", f"rgb({red}, {green}, {blue})")
    assert_accessible(page, "the patient page in the clinic's own colour")
    page.close()
