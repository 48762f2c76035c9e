"""One FastAPI app: the patient chat at ``/`` and the staff console at ``/staff``, both Gradio.

The console is mounted only when a staff login is configured; otherwise ``/staff`` says how to
set one and the patient chat runs as usual. The two Gradio apps share the knowledge base and the
assistant but not their endpoints: the patient app's API has no staff handler in it.

``/embed.js`` puts the chat on the clinic's own site; only the sites in ``UPLIFTED_EMBED_ORIGINS`` may frame
the chat, and no other site the console (``chatbot.web.embed``). ``/api/v1`` is the plain HTTP API
(``chatbot.web.api``). Nothing anonymous uploads a file (the patient app's upload routes answer 403) and Gradio's
monitoring pages are off. ``/healthz``, ``/readyz``, ``/metrics`` and request ids are ``chatbot.web.ops``'s.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import fastapi
import gradio as gr
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from gradio.routes import App as GradioApp
from gradio.utils import get_upload_folder
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.vectorstores import VectorStore
from starlette.routing import Mount

from chatbot.assistant import Assistant
from chatbot.build import Application, build_application
from chatbot.health import Readiness, server_checks
from chatbot.retention import RetentionJob
from chatbot.settings import Settings
from chatbot.staff import render
from chatbot.staff.a11y import CONSOLE_JS, LoginPage
from chatbot.staff.auth import StaffAuth, StaffAuthError
from chatbot.staff.login import LoginForm, add_staff_login
from chatbot.web.api import API_PATH, build_api
from chatbot.web.app import QUEUE_CONCURRENCY, build_app, launch_options
from chatbot.web.clients import trust_proxies
from chatbot.web.embed import FRAME_HEAD, add_embedding
from chatbot.web.ops import RequestIds, add_operations
from chatbot.web.theme import build_theme, font_routes, palette
from knowledge_base.service import KnowledgeBase

STAFF_PATH = "/staff"


@dataclass
class Server:
    app: fastapi.FastAPI
    assistant: Assistant
    kb: KnowledgeBase
    console_off: str | None  # why the console is not mounted, or None when it is
    retention: RetentionJob | None = None  # the daily purge of conversations and booking requests
    readiness: Readiness | None = None  # what /readyz checks
    application: Application | None = None  # every part the server was built from

    def end_streams(self) -> None:
        """End the never-ending stream each open page holds (Gradio's session heartbeat), as Gradio's own
        ``close()`` does; called when the server starts to stop, so open pages don't hold it up."""
        for route in self.app.routes:
            if isinstance(route, Mount) and isinstance(route.app, GradioApp):
                route.app.stop_event.set()


def _console_off_page(reason: str) -> HTMLResponse:
    body = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Staff console is off</title></head>"
            f"<body style='font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem'>"
            f"<h1>Staff console is off</h1><p>{html.escape(reason)}</p></body></html>")
    return HTMLResponse(body, status_code=503)


def build_server(
    settings: Settings,
    *,
    llm: BaseChatModel | None = None,
    embeddings: Embeddings | None = None,
    store: VectorStore | None = None,
    kb: KnowledgeBase | None = None,
    auth: StaffAuth | None = None,
    rate_limit: bool = True,
) -> Server:
    """Build the whole web app from settings; tests swap in the LLM, embeddings, store or login check."""
    application = build_application(settings, llm=llm, embeddings=embeddings, store=store, kb=kb, auth=auth,
                                     rate_limit=rate_limit)
    return serve_application(application)


def serve_application(application: Application) -> Server:
    """The web app (patient chat, API, staff console, operations routes) over an application's parts."""
    from chatbot.staff.console import build_console

    settings, kb, assistant = application.settings, application.kb, application.assistant
    metrics, embeddings = application.metrics, application.embeddings
    clinic_name = assistant.clinic.current().name  # the settings with the staff-edited clinic.yaml laid over them
    app = fastapi.FastAPI(title=f"{clinic_name} Assistant", docs_url=None, redoc_url=None, openapi_url=None)
    readiness = Readiness(server_checks(assistant.conversations, kb, embeddings, timeout_s=settings.ready_timeout_s),
                          timeout_s=settings.ready_timeout_s)
    add_operations(app, readiness=readiness, metrics=metrics, metrics_enabled=settings.metrics_enabled)
    add_embedding(app, origins=settings.embed_origins, private_path=STAFF_PATH,
                  clinic_name=lambda: assistant.clinic.current().name, colour=palette(settings.brand).primary)
    trust_proxies(app, settings.trusted_proxies)  # the client address every per-client limit counts by
    app.mount(API_PATH, build_api(assistant, origins=settings.embed_origins, title=clinic_name,
                                  concurrency=QUEUE_CONCURRENCY))
    console_off: str | None = None
    auth: StaffAuth | None = None
    try:
        auth = application.staff_auth
    except StaffAuthError as exc:
        console_off = str(exc)
    if auth is not None:
        @app.get(STAFF_PATH, include_in_schema=False)
        def console_home(request: fastapi.Request) -> RedirectResponse:
            """``/staff`` (where Gradio's logout lands) to the console's page, ``/staff/``."""
            return RedirectResponse(url=request.url.path + "/", status_code=307)

        console = build_console(settings, assistant=assistant, kb=kb, auth=auth, insights=application.insights)
        settings.evals_dir.mkdir(parents=True, exist_ok=True)
        form = LoginForm(path=STAFF_PATH, heading=f"{clinic_name} staff console",
                         colour=palette(settings.brand).primary,
                         intro="Log in with your staff name and password. After a few wrong tries from one address, "
                               "that address has to wait before it can try again.")
        gr.mount_gradio_app(
            app, console, path=STAFF_PATH, auth_dependency=add_staff_login(app, auth, path=STAFF_PATH, form=form),
            theme=build_theme(settings.brand), css=render.CSS, js=CONSOLE_JS, footer_links=[], run_history=False,
            show_error=False, max_file_size=settings.max_article_bytes, allowed_paths=[str(settings.evals_dir)],
            app_kwargs={"routes": font_routes(), "openapi_url": None}, enable_monitoring=False,
        )
        # Gradio's login page has no title, landmark or h1 of its own (chatbot/staff/a11y.py adds them).
        app.add_middleware(LoginPage, path=STAFF_PATH + "/", title=f"{clinic_name} staff console: log in")
    else:
        reason = console_off or ""

        @app.get(STAFF_PATH, include_in_schema=False)
        @app.get(STAFF_PATH + "/{rest:path}", include_in_schema=False)
        def console_is_off(rest: str = "") -> HTMLResponse:
            return _console_off_page(reason)

    # Both apps share Gradio's upload and output cache, where staff uploads and CSV exports land; the patient
    # app serves no file at all, so it is barred from that folder and from the data dir.
    barred = [get_upload_folder(), str(settings.data_dir.resolve())]

    @app.post("/gradio_api/upload", include_in_schema=False)
    @app.post("/gradio_api/process_recording", include_in_schema=False)
    def no_uploads() -> PlainTextResponse:  # matched before the patient app's own routes: nothing is read
        return PlainTextResponse("The chat accepts no files.", status_code=403)

    options = launch_options(settings)
    options["head"] = (options.get("head") or "") + FRAME_HEAD  # framed by /embed.js: Escape and focus
    gr.mount_gradio_app(app, build_app(settings, assistant), path="", show_error=False, blocked_paths=barred,
                        **options)
    retention = RetentionJob(assistant.conversations, settings).start()
    app.add_middleware(RequestIds)  # the outermost layer: every line logged while serving a request carries its id
    return Server(app, assistant, kb, console_off, retention, readiness, application)
