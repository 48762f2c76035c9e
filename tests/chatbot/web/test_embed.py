"""The chat on a clinic's own site from one ``<script>`` line, and who may frame it.

The browser tests start ``uplifted serve`` as a real process with ``UPLIFTED_EMBED_ORIGINS`` naming one local
origin, and serve the clinic's pages from two other local origins (``http.server`` on two ports): the listed
one gets a working chat panel, the other one gets the frame refused by the browser (CSP ``frame-ancestors``).
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from pydantic import ValidationError
from starlette.testclient import TestClient

from chatbot.clinic import update_profile
from chatbot.settings import Settings
from chatbot.staff.auth import StaffAuth, hash_password
from chatbot.web.embed import frame_ancestors
from chatbot.web.server import build_server
from chatbot.web.theme import palette
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.factory import build_knowledge_base
from tests.browser import SHOTS, SIZES, TIMEOUT, assert_accessible
from tests.chatbot.conftest import UPLIFTED, serve_process
from tests.conftest import SAMPLE_ARTICLES

CLINIC = "Uplifted Physical Therapy"  # the default clinic name: the served process has no clinic settings
HEEL = "Why does my heel hurt in the morning?"
STAFF, PASSWORD = "maria", "correct horse battery"
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Clinic home</title></head>
<body><main><h1>Welcome to the clinic</h1><p>Our team, our hours, our services.</p></main>
{script}
</body></html>
"""
# In the widget's shadow root: the element that has the focus (the launcher, the close button or the iframe).
NewPage = Callable[[dict[str, int]], Page]
FOCUSED = """() => {
  const host = document.querySelector("uplifted-chat");
  if (document.activeElement !== host) return "outside: " + (document.activeElement?.tagName ?? "none");
  const el = host.shadowRoot.activeElement;
  return el ? el.tagName.toLowerCase() + (el.className ? "." + el.className : "") : "none";
}"""


# --- the setting -----------------------------------------------------------------------------------------------
def test_embed_origins_are_read_as_a_comma_separated_list_and_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().embed_origins == []
    monkeypatch.setenv("UPLIFTED_EMBED_ORIGINS", " https://www.Clinic.example/, https://clinic.example:8443,,"
                                                 "https://*.clinic.example, https://www.clinic.example")
    assert Settings().embed_origins == ["https://www.clinic.example", "https://clinic.example:8443",
                                        "https://*.clinic.example"]


@pytest.mark.parametrize(("value", "says"), [
    ("www.clinic.example", "write the scheme and the host"),
    ("*", "write the scheme and the host"),
    ("'self'", "write the scheme and the host"),
    ("ftp://clinic.example", "write the scheme and the host"),
    ("https://clinic.example/contact", "no path"),
    ("https://clinic.example?page=1", "no path"),
    ("https://user@clinic.example", "user name"),
    ("https://clinic.example:99999", "port"),
    ("https://clinic example", "is not a host name"),
    ("https://*", "is not a host name"),
    ("https://www.*.example", "is not a host name"),
])
def test_a_bad_embed_origin_is_refused_naming_it(monkeypatch: pytest.MonkeyPatch, value: str, says: str) -> None:
    monkeypatch.setenv("UPLIFTED_EMBED_ORIGINS", f"https://clinic.example,{value}")
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert f"{value!r} is not a web origin" in str(refused.value) and says in str(refused.value)


def test_serve_stops_at_start_up_on_a_bad_embed_origin(tmp_path: Path) -> None:
    done = subprocess.run([UPLIFTED, "serve", "--port", "9"], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "UPLIFTED_DATA_DIR": str(tmp_path),
                               "UPLIFTED_EMBED_ORIGINS": "https://clinic.example,clinic.example"})
    assert done.returncode == 1
    assert ("setting UPLIFTED_EMBED_ORIGINS is invalid: 'clinic.example' is not a web origin: write the scheme and "
            "the host, like https://www.clinic.example") in " ".join(done.stderr.split())


# --- the server, in process: the default policy -------------------------------------------------------------------
def test_without_the_setting_only_the_servers_own_pages_may_frame_chat_or_console(
    env_clean: None, embeddings: MiniLMEmbeddings, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data", staff_users={STAFF: hash_password(PASSWORD)})
    server = build_server(settings, embeddings=embeddings, auth=StaffAuth.from_settings(settings))
    try:
        client = TestClient(server.app)
        for path in ["/", "/embed.js", "/staff/", "/staff/config", "/gradio_api/info"]:
            response = client.get(path, follow_redirects=False)
            assert response.headers.get_list("content-security-policy") == ["frame-ancestors 'self'"], path
            assert response.headers["x-frame-options"] == "SAMEORIGIN", path
        script = client.get("/embed.js")
        assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
        assert json.dumps({"clinic": CLINIC, "colour": palette(settings.brand).primary}) in script.text
        update_profile(settings.clinic, settings.data_dir, {"name": 'Ana\'s "Back" Clinic </script>'})
        assert '{"clinic": "Ana\'s \\"Back\\" Clinic </script>"' in client.get("/embed.js").text  # the live name
    finally:
        server.assistant.conversations.close()


def test_the_framing_policy_lists_self_then_the_origins() -> None:
    assert frame_ancestors([]) == "frame-ancestors 'self'"
    assert frame_ancestors(["https://a.example", "https://*.b.example"]) == (
        "frame-ancestors 'self' https://a.example https://*.b.example")


# --- a real server process and two host sites ------------------------------------------------------------------
@dataclass
class Sites:
    chat: str  # the chat server, `uplifted serve`
    listed: str  # a clinic site in UPLIFTED_EMBED_ORIGINS
    other: str  # a site that isn't


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_site(folder: Path) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def sites(env_clean: None, embeddings: MiniLMEmbeddings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    root = tmp_path_factory.mktemp("embed")
    settings = Settings(data_dir=root / "data")
    assert build_knowledge_base(settings, embeddings=embeddings).sync(SAMPLE_ARTICLES, by="setup").ok
    pages = root / "pages"
    pages.mkdir()
    staff = json.dumps({STAFF: hash_password(PASSWORD)})
    with static_site(pages) as listed, static_site(pages) as other, \
            serve_process(settings.data_dir, UPLIFTED_EMBED_ORIGINS=listed, UPLIFTED_STAFF_USERS=staff) as (chat, _):
        line = f'<script src="{chat}/embed.js" async></script>'
        (pages / "index.html").write_text(PAGE.format(script=line), encoding="utf-8")
        (pages / "blank.html").write_text(PAGE.format(script=""), encoding="utf-8")
        options = (f'<script src="{chat}/embed.js" data-side="left" data-colour="gold" data-label="Questions? Ask us"'
                   ' data-open="true" async></script>')
        (pages / "options.html").write_text(PAGE.format(script=options + "\n" + options), encoding="utf-8")
        yield Sites(chat, listed, other)


def test_the_chat_may_be_framed_by_listed_sites_only_and_the_console_by_none(sites: Sites) -> None:
    chat = httpx.get(f"{sites.chat}/")
    assert chat.headers.get_list("content-security-policy") == [f"frame-ancestors 'self' {sites.listed}"]
    assert "x-frame-options" not in chat.headers  # it can't name other sites: frame-ancestors decides
    for path in ["/staff/", "/staff/config"]:
        console = httpx.get(f"{sites.chat}{path}")
        assert console.status_code in (200, 401), path  # the real console, behind its login
        assert console.headers.get_list("content-security-policy") == ["frame-ancestors 'self'"], path
        assert console.headers["x-frame-options"] == "SAMEORIGIN", path


@pytest.fixture
def open_page(browser: Browser) -> Iterator[NewPage]:
    """New pages at a size, closed after the test even when it fails (an open page keeps a stream to the server)."""
    pages: list[Page] = []

    def new(viewport: dict[str, int]) -> Page:
        pages.append(browser.new_page(viewport=viewport))
        return pages[-1]

    yield new
    for page in pages:
        page.close()


def launcher(page: Page, name: str = "Chat with us") -> Locator:
    button = page.get_by_role("button", name=name, exact=True)
    expect(button).to_be_visible(timeout=TIMEOUT)
    return button


def test_a_page_on_a_listed_site_gets_a_chat_button_whose_panel_answers(open_page: NewPage, sites: Sites) -> None:
    page = open_page(SIZES["desktop"])
    requested: list[str] = []
    failed: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{sites.listed}/blank.html")
    before = set(page.evaluate("Object.getOwnPropertyNames(window)"))
    page.goto(f"{sites.listed}/index.html")
    button = launcher(page)
    assert set(page.evaluate("Object.getOwnPropertyNames(window)")) - before == {"UpliftedChat"}
    assert page.locator("uplifted-chat").count() == 1 and page.locator("uplifted-chat iframe").count() == 0
    box = button.bounding_box()
    assert box and box["x"] > SIZES["desktop"]["width"] / 2 and box["height"] >= 44  # bottom right, big enough
    expect(button).to_have_attribute("aria-expanded", "false")

    button.click()
    dialog = page.get_by_role("dialog", name=f"Chat with {CLINIC}")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-modal", "true")
    expect(button).to_have_attribute("aria-expanded", "true")
    frame = page.frame_locator("uplifted-chat iframe")
    question = frame.locator("#message textarea")
    expect(question).to_be_focused(timeout=TIMEOUT)  # straight into the question box
    page.keyboard.type(HEEL)
    page.keyboard.press("Enter")
    answer = frame.locator("#chat")
    expect(answer).to_contain_text("Sources", timeout=TIMEOUT)
    expect(answer).to_contain_text("Plantar Fasciitis")
    assert_accessible(page, "a clinic page with the chat panel open")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "embed-desktop.png")

    focus = []  # Tab goes round the panel: the close button, into the chat and back, never onto the page
    for _ in range(30):
        page.keyboard.press("Tab")
        focus.append(page.evaluate(FOCUSED))
    assert set(focus) == {"button.close", "iframe"}, focus

    contact = frame.get_by_role("button", name="Ask us to call you")
    contact.click()
    expect(frame.get_by_role("textbox", name="Your name")).to_be_focused()
    page.keyboard.press("Escape")  # the chat's own use of Escape (closing its contact form) keeps the panel open
    expect(contact).to_be_focused()
    expect(dialog).to_be_visible()

    question.focus()
    page.keyboard.press("Escape")  # pressed inside the chat's frame
    expect(dialog).to_be_hidden()
    assert page.evaluate(FOCUSED) == "button.launcher"
    expect(button).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")  # the button again, from the keyboard: the same conversation
    expect(question).to_be_focused(timeout=TIMEOUT)
    expect(answer).to_contain_text("Plantar Fasciitis")
    page.get_by_role("button", name="Close chat").click()
    expect(dialog).to_be_hidden()
    assert page.evaluate(FOCUSED) == "button.launcher"
    origins = {f"{p.scheme}://{p.netloc}" for p in map(urlsplit, requested)}
    assert origins == {sites.listed, sites.chat}, origins  # nothing from anywhere else
    fonts = [url for url in requested if url.endswith(".woff2")]  # the chat's font, from the chat server's route
    assert fonts and all(url.startswith(f"{sites.chat}/fonts/atkinson-hyperlegible-") for url in fonts), fonts
    assert not [url for url in failed if url in fonts], failed  # (a stream the page ends itself may show up there)


def test_data_attributes_set_side_colour_label_and_a_panel_open_from_the_start(open_page: NewPage,
                                                                                sites: Sites) -> None:
    phone = SIZES["phone"]
    page = open_page(phone)
    page.goto(f"{sites.listed}/options.html")  # the line twice: still one button
    dialog = page.get_by_role("dialog", name=f"Chat with {CLINIC}")
    expect(dialog).to_be_visible(timeout=TIMEOUT)
    expect(page.frame_locator("uplifted-chat iframe").locator("#message textarea")).to_be_visible(timeout=TIMEOUT)
    assert dialog.bounding_box() == {"x": 0, "y": 0, **phone}  # the whole screen on a phone
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "embed-phone.png")
    assert page.locator("uplifted-chat").count() == 1
    page.get_by_role("button", name="Close chat").focus()
    page.keyboard.press("Escape")  # pressed on the panel itself
    expect(dialog).to_be_hidden()
    assert page.evaluate(FOCUSED) == "button.launcher"
    button = launcher(page, "Questions? Ask us")
    box = button.bounding_box()
    assert box and box["x"] <= 16 and box["x"] + box["width"] < phone["width"] - 16  # bottom left
    colours = button.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
    assert colours == ["rgb(255, 215, 0)", "rgb(0, 0, 0)"]  # black reads better than white on gold


def test_a_page_on_a_site_not_listed_gets_the_frame_refused(open_page: NewPage, sites: Sites) -> None:
    page = open_page(SIZES["desktop"])
    page.goto(f"{sites.other}/index.html")
    with page.expect_event("framenavigated", lambda f: f.url.startswith("chrome-error://"), timeout=TIMEOUT) as error, \
            page.expect_console_message(lambda m: "frame-ancestors" in m.text, timeout=TIMEOUT) as refused:
        launcher(page).click()
    assert "violates" in refused.value.text and f"frame-ancestors 'self' {sites.listed}" in refused.value.text
    assert error.value.parent_frame == page.main_frame  # the panel's frame shows the browser's error page
    assert [f.url for f in page.frames] == [f"{sites.other}/index.html", error.value.url]  # and no chat
