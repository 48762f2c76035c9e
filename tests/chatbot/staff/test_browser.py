"""The console in headless Chromium: log in, upload and publish an article; screenshot every page; axe-core
on the login page and every tab, at both sizes (no critical or serious WCAG 2.1 AA violation).

Chromium, axe-core and the screenshot folder are ``tests/browser.py``'s: screenshots land in a temporary folder,
so `make test` leaves the working tree clean; ``UPDATE_SCREENSHOTS=1`` writes them to docs/screenshots/ (linked
from the README) instead.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from chatbot.clinic import profile_path
from tests.browser import SHOTS, SIZES, assert_accessible, axe_rules, describe
from tests.chatbot.staff.conftest import PASSWORD, STAFF, Live
from tests.conftest import markdown

TABS = [("articles", "Articles"), ("upload", "Add articles"), ("preview", "Try a question"),
        ("insights", "What patients ask"), ("bookings", "Booking requests"), ("clinic", "Clinic profile"),
        ("evals", "Evals")]
TIMEOUT = 60_000
# Best-practice rules (outside WCAG's tags) that Gradio's own login page broke: checked there too.
LOGIN_RULES = ["document-title", "landmark-one-main", "page-has-heading-one"]


def log_in(page: Page, live: Live, shot: str | None = None) -> None:
    page.goto(f"{live.url}/staff/")
    page.locator("input[type=text]").first.wait_for(timeout=TIMEOUT)
    if shot:
        page.screenshot(path=SHOTS / f"login-{shot}.png", full_page=True)
        assert_accessible(page, f"the console's login page ({shot})")
        missing = axe_rules(page, LOGIN_RULES)
        assert not missing, describe(missing)
        expect(page).to_have_title(f"{live.settings.clinic.name} staff console: log in")
    page.locator("input[type=text]").first.fill(STAFF)
    page.locator("input[type=password]").first.fill(PASSWORD)
    page.get_by_role("button", name="Login").click()
    expect(page.get_by_text(f"Logged in as {STAFF}")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#articles-table")).to_contain_text("articles", timeout=TIMEOUT)


def open_tab(page: Page, label: str) -> None:
    """Click a tab; on a narrow screen Gradio puts the tabs that don't fit under "More tabs"."""
    tab = page.get_by_role("tab", name=label, exact=True)
    if tab.count() and tab.is_visible():
        tab.click()
        return
    page.get_by_role("button", name="More tabs").click()
    page.locator(".overflow-dropdown button", has_text=label).click()


def populate(live: Live) -> None:
    """A few patient conversations and a booking request, so the insight pages show something real."""
    patient = live.patient()
    for question in ["Why does hip mobility matter for my back?", "Should I use heat or ice?",
                     "I have shin splints, what helps?", "shin splints after running, what do I do?",
                     "I suddenly can't control my bladder and my back hurts"]:
        patient.predict(question, "", api_name="/ask")
    live.server.assistant.conversations.request_booking("browser-test", "Ana Lopez", "555 123 4567", "mornings", True)


def test_login_and_upload_in_chromium_with_screenshots(browser: Browser, live: Live, tmp_path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    populate(live)
    article = tmp_path / "walking-after-knee-surgery.md"
    article.write_text(markdown(
        "walking-after-knee-surgery", "Walking After Knee Surgery",
        "Short, frequent walks help the knee heal after surgery.\n\n"
        "Start with a few minutes at a time and add a little each day.\n\n"
        "Your physical therapist will tell you when to walk farther or drop the walker."), encoding="utf-8")

    for size, viewport in SIZES.items():
        page = browser.new_page(viewport=viewport)
        log_in(page, live, shot=size)
        if size == "desktop":  # the upload flow, through the real page
            open_tab(page, "Add articles")
            page.locator("#upload-files input[type=file]").set_input_files(str(article))
            page.locator("#check-files").click()
            expect(page.locator("#staged")).to_contain_text("1 file ready to publish", timeout=TIMEOUT)
            expect(page.locator("#staged")).to_contain_text("New article")
            page.screenshot(path=SHOTS / "upload-checked-desktop.png", full_page=True)
            page.locator("#publish-files").click()
            expect(page.locator("#publish-status")).to_contain_text("walking-after-knee-surgery", timeout=TIMEOUT)
            record = live.server.kb.article("walking-after-knee-surgery")
            assert record is not None and record.updated_by == STAFF
            open_tab(page, "Articles")
            expect(page.locator("#articles-table")).to_contain_text("Walking After Knee Surgery", timeout=TIMEOUT)
        for name, label in TABS:
            open_tab(page, label)
            if name == "articles" and size == "desktop":  # open one: its text and history
                page.locator("#article-picker input").click()
                page.get_by_role("option", name="Heat or Ice: Which Should I Use? (heat-or-ice)").click()
                expect(page.locator("#article-detail")).to_contain_text("History", timeout=TIMEOUT)
                page.locator("#article-detail").click()  # close the dropdown's list before the picture
                page.wait_for_timeout(500)
                page.screenshot(path=SHOTS / "article-open-desktop.png", full_page=True)
            if name == "preview":
                page.locator("#preview-question textarea").fill("Why does hip mobility matter for my back?")
                page.locator("#preview-ask").click()
                expect(page.locator("#preview-route")).to_contain_text("answer", timeout=TIMEOUT)
            elif name == "insights":
                expect(page.locator("#backlog")).to_contain_text("shin", timeout=TIMEOUT)
            elif name == "evals" and size == "desktop":  # a small shipped suite, run from the page
                page.locator("#eval-suite input").click()
                page.get_by_role("option", name="personal_details").click()
                page.locator("#run-evals").click()
                expect(page.locator("#eval-summary")).to_contain_text("cases passed", timeout=TIMEOUT * 3)
            elif name == "evals":  # the last run is shown when the tab opens
                page.locator("#eval-suite input").click()
                page.get_by_role("option", name="personal_details").click()
                expect(page.locator("#eval-summary")).to_contain_text("cases passed", timeout=TIMEOUT)
            elif name == "bookings":
                expect(page.locator("#bookings-table")).to_contain_text("Ana Lopez", timeout=TIMEOUT)
            elif name == "clinic":
                expect(page.locator("#clinic-name textarea")).to_have_value(live.settings.clinic.name, timeout=TIMEOUT)
            page.wait_for_timeout(300)  # let the tab's layout settle before the picture
            page.screenshot(path=SHOTS / f"{name}-{size}.png", full_page=True)
            assert_accessible(page, f"the console's {label} tab ({size})")
        if size == "desktop":  # logging out brings back the login form
            page.locator("#log-out").click()
            page.locator("input[type=password]").first.wait_for(timeout=TIMEOUT)
            page.goto(f"{live.url}/staff/")
            page.locator("input[type=password]").first.wait_for(timeout=TIMEOUT)
        page.close()
    assert {p.name for p in SHOTS.glob("*.png")} >= {f"{n}-{s}.png" for n, _ in TABS for s in SIZES}


def test_the_login_page_says_when_this_address_must_wait(browser: Browser, live: Live) -> None:
    """Failed logins from one address (uvicorn takes it from X-Forwarded-For sent through 127.0.0.1, as from a
    local proxy): the page says why, keeps the name typed, and stays accessible."""
    page = browser.new_page(viewport=SIZES["phone"], extra_http_headers={"X-Forwarded-For": "192.0.2.77"})
    page.goto(f"{live.url}/staff/")
    for _ in range(3):
        page.locator("#username").fill(STAFF)
        page.locator("#password").fill("not the password")
        with page.expect_navigation(timeout=TIMEOUT):  # the form posts and the server answers with the page
            page.get_by_role("button", name="Login").click()
        expect(page.locator("#login-message")).to_contain_text("Wrong staff name or password")
    expect(page.locator("#login-message")).to_contain_text("Too many failed logins from this address: wait")
    expect(page.locator("#username")).to_have_value(STAFF)
    page.screenshot(path=SHOTS / "login-refused-phone.png", full_page=True)
    assert_accessible(page, "the console's login page with a refusal (phone)")
    page.close()


def test_the_patient_chat_still_works_beside_the_console(browser: Browser, live: Live) -> None:
    """The patient app is barred from Gradio's file cache (staff exports live there); the chat must not care."""
    page = browser.new_page(viewport=SIZES["phone"])
    page.goto(f"{live.url}/")
    page.locator("#message textarea").fill("Why does my heel hurt in the morning?")
    page.locator("#send").click()
    expect(page.locator("#chat")).to_contain_text("Sources", timeout=TIMEOUT)
    expect(page.locator("#chat")).to_contain_text("Plantar Fasciitis", timeout=TIMEOUT)
    page.close()


def away_and_back(page: Page) -> None:
    open_tab(page, "Articles")
    expect(page.locator("#articles-table")).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(500)  # on a phone the tab bar re-lays itself out
    open_tab(page, "Clinic profile")
    expect(page.locator("#save-clinic")).to_be_visible(timeout=TIMEOUT)


def test_clinic_profile_edited_in_chromium_is_what_the_chat_answers(browser: Browser, live: Live) -> None:
    """On a phone-sized screen: save new hours, then a bad phone number (refused, nothing typed lost); the
    patient chat, already running, answers with the saved hours."""
    path = profile_path(live.settings.data_dir)
    before = path.read_text(encoding="utf-8") if path.exists() else None
    hours = "Monday to Thursday, 8 am to 6 pm"
    try:
        page = browser.new_page(viewport=SIZES["phone"])
        log_in(page, live)
        open_tab(page, "Clinic profile")
        expect(page.locator("#clinic-phone textarea")).to_have_value(live.settings.clinic.phone, timeout=TIMEOUT)
        away_and_back(page)  # with nothing typed: the tab shows the profile again
        page.wait_for_timeout(1000)
        expect(page.locator("#clinic-status")).not_to_contain_text("not saved")
        page.locator("#clinic-hours textarea").fill(hours)
        page.locator("#save-clinic").click()
        expect(page.locator("#clinic-status")).to_contain_text("Saved: Opening hours", timeout=TIMEOUT)
        expect(page.locator("#clinic-history")).to_contain_text(f"by {STAFF}")

        page.locator("#clinic-phone textarea").fill("ask at the desk")
        page.locator("#clinic-hours textarea").fill("Mondays only")
        page.locator("#save-clinic").click()
        expect(page.locator("#clinic-status")).to_contain_text("Phone number must be a number to call",
                                                               timeout=TIMEOUT)
        expect(page.locator("#clinic-phone textarea")).to_have_value("ask at the desk")
        expect(page.locator("#clinic-hours textarea")).to_have_value("Mondays only")
        page.screenshot(path=SHOTS / "clinic-refused-phone.png", full_page=True)
        away_and_back(page)  # with unsaved typing: it is still there
        expect(page.locator("#clinic-status")).to_contain_text("not saved yet", timeout=TIMEOUT)
        expect(page.locator("#clinic-phone textarea")).to_have_value("ask at the desk")
        page.close()

        chat = browser.new_page(viewport=SIZES["phone"])
        chat.goto(f"{live.url}/")
        chat.locator("#message textarea").fill("what are your hours?")
        chat.locator("#send").click()
        expect(chat.locator("#chat")).to_contain_text(hours, timeout=TIMEOUT)
        chat.close()
    finally:
        if before is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(before, encoding="utf-8")
        live.server.assistant.clinic.reload()
