"""The patient page's first load in headless Chromium: bytes transferred and where they came from.

``measure_load`` is shared with the browser test (tests/chatbot/web/test_page.py), which holds the page to
600 KiB with no third-party request. ``python -m bench.page`` prints the patient page's first load (cold cache)
beside a bare Gradio page (one text box and a button) served the same way in the same run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bench.report import Row

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Request

FIRST_LOAD_MAX_KIB = 600  # issue 10's target
READY = "#message textarea"  # the patient page is usable once the question box is there
SETTLE_S = 0.75  # no new request for this long: the page has finished loading


@dataclass
class PageLoad:
    url: str
    bytes: int = 0  # response headers and (encoded) bodies, as transferred
    requests: list[str] = field(default_factory=list)
    third_party: list[str] = field(default_factory=list)
    fonts: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def kib(self) -> float:
        return self.bytes / 1024


def measure_load(browser: Browser, url: str, ready: str = READY, viewport: dict[str, int] | None = None,
                 timeout_s: float = 60) -> PageLoad:
    """Open ``url`` in a fresh browser context (empty cache) and count every response until the page is quiet."""
    load = PageLoad(url)
    origin = urlsplit(url)[:2]
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})  # type: ignore[arg-type]
    page = context.new_page()

    def seen(request: Request) -> None:
        load.requests.append(request.url)
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and urlsplit(request.url)[:2] != origin:
            load.third_party.append(request.url)

    def finished(request: Request) -> None:
        sizes = request.sizes()
        load.bytes += max(sizes["responseBodySize"], 0) + max(sizes["responseHeadersSize"], 0)
        if request.resource_type == "font":
            load.fonts.append(request.url)

    page.on("request", seen)
    page.on("requestfinished", finished)
    page.on("requestfailed", lambda request: load.failed.append(request.url))
    try:
        page.goto(url)
        page.locator(ready).wait_for(timeout=timeout_s * 1000)
        page.evaluate("document.fonts.ready.then(() => true)")
        deadline, count = time.monotonic() + timeout_s, -1
        while count != len(load.requests) and time.monotonic() < deadline:
            count = len(load.requests)
            page.wait_for_timeout(SETTLE_S * 1000)
    finally:
        context.close()
    return load


def page_row(patient: PageLoad, bare: PageLoad) -> Row:
    ok = patient.kib < FIRST_LOAD_MAX_KIB and not patient.third_party
    return Row("Patient page · first load", f"{len(patient.requests)} requests · cold cache · Chromium",
               f"{patient.kib:.0f} KiB, {len(patient.third_party)} third-party",
               f"bare Gradio page {bare.kib:.0f} KiB", patient.bytes / bare.bytes,
               f"< {FIRST_LOAD_MAX_KIB} KiB, 0 third-party", ok)


def main() -> int:
    """``python -m bench.page``: the patient page's first load against a bare Gradio page."""
    import json
    import tempfile
    from dataclasses import asdict
    from pathlib import Path

    import gradio as gr
    from playwright.sync_api import sync_playwright
    from rich.console import Console

    import knowledge_base
    from bench.browser import launch_chromium
    from bench.report import render
    from chatbot.build import build_application
    from chatbot.settings import Settings
    from chatbot.web.app import build_app, launch_options
    from knowledge_base.embeddings import MiniLMEmbeddings

    console = Console(width=140)
    folder = Path(knowledge_base.__file__).resolve().parent / "articles"
    with tempfile.TemporaryDirectory(prefix="uplifted-page-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        emb = MiniLMEmbeddings()
        application = build_application(settings, embeddings=emb)
        application.kb.sync(folder, by="bench")
        app = build_app(settings, application.assistant)
        _, url, _ = app.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True,
                               **launch_options(settings))
        with gr.Blocks(title="bare") as bare_app:
            box = gr.Textbox(label="Your question", elem_id="message")
            gr.Button("Send").click(lambda text: text, box, box)
        _, bare_url, _ = bare_app.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                console.log("first load of the patient page and of a bare Gradio page …")
                patient, bare = measure_load(browser, url), measure_load(browser, bare_url)
                browser.close()
        finally:
            app.close()
            bare_app.close()
    rows = [page_row(patient, bare)]
    render(console, rows, "Uplifted patient page")
    for third in patient.third_party:
        console.print(f"[bold red]third-party request: {third}[/]")
    out = Path(__file__).resolve().parent / "results" / "page.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": [asdict(r) for r in rows], "patient": asdict(patient), "bare": asdict(bare)},
                              indent=2, default=str) + "\n")
    console.print(f"results written to {out}", style="dim")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
