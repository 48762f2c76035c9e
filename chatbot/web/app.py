"""The patient page: the chat, its sources and feedback, the clinic's contacts and a contact form.

Callbacks are thin adapters over the ``Assistant``; all escaping lives in ``chatbot.web.format``.
Per browser session, ``gr.State`` keeps the assistant's session id (from the first reply) and the
reply id of every chat message (``""`` for the patient's own), so a thumbs up/down maps to a reply.

When the assistant asks back (route ``clarify``), the reply's choices (article titles) are buttons under
the chat; a click puts the title in the question box and sends it like a typed question, in the same session.
The clinic's contacts on the page come from the live clinic profile, so a staff edit shows at the next visit.

How replies look is ``chatbot.web.format``'s: safety replies are alert cards with tap-to-call links and no thumbs
(their reply id is kept as ``""``, so they can't be rated), the booking button comes once per conversation. A
turn shows the patient's message and a typing indicator at once, then the reply as the assistant streams it;
``static/chat.js`` scrolls the chat to the start of a new reply. The contact form is ``chatbot.web.contact_form``.
"Clear conversation" asks before it clears.

Public API: ``/ask`` only. The UI's own handlers are ``undocumented`` (hidden from the API page,
callable like the browser calls them) or ``private``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from chatbot.assistant import SAFETY_ROUTES, Assistant
from chatbot.logs import bound_request_id, carry_request_id, request_id_of
from chatbot.settings import ClinicProfile, Settings
from chatbot.web.clients import client_host
from chatbot.web.contact_form import contact_form, form_props
from chatbot.web.format import TYPING, booking_offered, escape_text, format_reply
from chatbot.web.layout import PATIENT_CSS, PATIENT_JS, STARTERS, disclaimer_html, header_html
from chatbot.web.theme import brand_css, build_theme, font_routes, logo_src

# One concurrency group for everything that runs the assistant (chat, starters, /ask).
ASSISTANT = "assistant"
QUEUE_CONCURRENCY = 4
QUEUE_MAX_SIZE = 64
MAX_CHOICES = 4  # a clarify reply offers 2 to 4 articles

CSS = """
#choices { gap: 0.4rem; }
#choices-prompt p { margin: 0; }
#choice-buttons { flex-wrap: wrap; gap: 0.5rem; }
#choice-buttons button { flex: 1 1 14rem; white-space: normal; text-align: left; justify-content: flex-start;
                         line-height: 1.3; min-height: 2.75rem; }
@media (max-width: 480px) { #choice-buttons button { flex-basis: 100%; } }
"""
# After a Clear step (once its buttons are shown or hidden), the focus goes where the patient goes next.
FOCUS_AFTER = """() => {{ requestAnimationFrame(() => document.querySelector('{target}')?.focus()); }}"""
# A choice picked from the keyboard leaves the focus in the question box (its button is gone); a tap on a
# phone doesn't, so the on-screen keyboard doesn't cover the answer.
KEEP_FOCUS = """(title) => {
  if (document.activeElement?.matches?.(":focus-visible")) document.querySelector("#message textarea")?.focus();
  return title;
}"""

STATIC = Path(__file__).resolve().parent / "static"
CHAT_CSS = (STATIC / "chat.css").read_text(encoding="utf-8")  # replies, alert card, typing, Clear
CHAT_JS = (STATIC / "chat.js").read_text(encoding="utf-8")  # a new reply scrolls to its own start
Message = dict[str, Any]


def launch_options(settings: Settings | None = None) -> dict[str, Any]:
    """Options for ``launch()`` (Gradio 6 takes the theme and css there): the clinic's theme (``chatbot.web.theme``)
    and the route serving its font files, no Gradio footer, no run history in the browser, no monitoring pages and
    no OpenAPI document of Gradio's routes (the API's own is ``/api/v1/openapi.json``)."""
    brand = (settings or Settings()).brand
    return {"theme": build_theme(brand), "css": brand_css(brand) + PATIENT_CSS + CSS + CHAT_CSS, "footer_links": [],
            "run_history": False, "app_kwargs": {"routes": font_routes(), "openapi_url": None},
            "enable_monitoring": False}


def reply_id_at(ids: list[str], index: Any) -> str | None:
    """The reply id of the chat message at ``index`` (a LikeData index), if it is an assistant reply."""
    position = index[0] if isinstance(index, list | tuple) and index else index
    if isinstance(position, int) and 0 <= position < len(ids):
        return ids[position] or None
    return None


def choice_updates(choices: Sequence[str]) -> list[Any]:
    """The choices box and its buttons for the latest reply: its choices as buttons, or all hidden.
    Button text is shown as text, never as HTML, so titles need no escaping here."""
    shown = list(choices)[:MAX_CHOICES]
    buttons = [gr.Button(value=shown[i], visible=True) if i < len(shown) else gr.Button(visible=False)
               for i in range(MAX_CHOICES)]
    return [gr.Column(visible=bool(shown)), *buttons]


def build_app(settings: Settings, assistant: Assistant) -> gr.Blocks:
    clinic = assistant.clinic.current()  # the settings with the staff-edited clinic.yaml laid over them
    logo = logo_src(settings.brand.logo)

    def contact_line(clinic: ClinicProfile) -> str:
        return header_html(clinic, logo)

    def respond(
        message: str, history: list[Message] | None, session: str, ids: list[str] | None, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        """The patient's message and a typing indicator at once (the question box emptied, old choices gone),
        then the reply as it streams. The box is left alone after that: the patient may already be typing.
        An empty box sends nothing (no empty bubble, no reply)."""
        if not (message or "").strip():
            yield (gr.skip(),) * (4 + 1 + MAX_CHOICES)
            return
        shown = [*(history or []), {"role": "user", "content": escape_text(message)}]
        known = [*(ids or []), ""]
        offer_booking = not booking_offered(history or [])
        yield ([*shown, {"role": "assistant", "content": TYPING}], session, [*known, ""], "", *choice_updates(()))
        replies = assistant.stream(message, session or None, client=client_host(request))
        for reply in carry_request_id(request_id_of(request), replies):
            content = format_reply(reply, assistant.clinic.current(), offer_booking=offer_booking)
            rateable = "" if reply.route in SAFETY_ROUTES else reply.reply_id
            yield ([*shown, {"role": "assistant", "content": content}], reply.session, [*known, rateable],
                   gr.skip(), *choice_updates(reply.choices))

    def pick_choice(title: str) -> tuple[str, Any]:
        return title, gr.Column(visible=False)

    def page_facts() -> tuple[str, Any, str, Any]:
        now = assistant.clinic.current()
        return (contact_line(now), gr.Button(link=now.booking_url), disclaimer_html(now), gr.HTML(**form_props(now)))

    def starter(question: str) -> tuple[str, Any]:
        return question, gr.Row(visible=False)

    def rate(ids: list[str] | None, liked: gr.LikeData) -> None:
        reply_id = reply_id_at(ids or [], liked.index)
        if reply_id is not None and isinstance(liked.liked, bool):  # "" means the rating was taken back
            assistant.feedback(reply_id, liked.liked)

    def ask(message: str, session_id: str = "", request: gr.Request | None = None) -> dict[str, Any]:
        """Ask one question. Empty session_id starts a new conversation; pass back the returned `session` to
        continue it. Returns {answer, route, sources: [{id, title, url}], session}, all plain text, plus
        `choices` (article titles to ask about next) when the route is `clarify`."""
        with bound_request_id(request_id_of(request)):
            return assistant.reply(message, session_id or None, client=client_host(request)).to_json()

    with gr.Blocks(title=f"{clinic.name} Assistant", analytics_enabled=False) as app:
        session = gr.State("")
        reply_ids = gr.State([])
        with gr.Row(elem_id="clinic-header", equal_height=True):
            contact_header = gr.HTML(contact_line(clinic), elem_id="clinic-contact", padding=False)
            book = gr.Button("Book an evaluation", link=clinic.booking_url, link_target="_blank", variant="primary",
                             elem_id="book-evaluation", scale=0, min_width=0)
        disclaimer = gr.HTML(disclaimer_html(clinic), elem_id="disclaimer", padding=False)
        # The chat's label is for screen readers only (a floating label covered the first message); its
        # height comes from static/patient.css, so the question box is on screen on arrival on a phone.
        chat = gr.Chatbot(
            label=f"Chat with {clinic.name}'s assistant", show_label=False, elem_id="chat",
            height="var(--chat-height)", min_height="var(--chat-min-height)",
            placeholder=escape_text(f"Ask a question about pain, an injury, movement or exercise. "
                                    f"Answers come from {clinic.name}'s articles, with links to them."),
            buttons=["copy"], feedback_options=("Like", "Dislike"),
            sanitize_html=True, render_markdown=True, allow_tags=False, latex_delimiters=[], layout="bubble",
            autoscroll=False,  # static/chat.js scrolls a new reply to its start instead of to the bottom
        )
        with gr.Column(visible=False, elem_id="choices") as choice_box:
            gr.Markdown("Pick a topic, or type your own question below.", elem_id="choices-prompt")
            with gr.Row(elem_id="choice-buttons"):
                choice_buttons = [gr.Button(visible=False, size="md", elem_id=f"choice-{i}", elem_classes="choice",
                                            min_width=0) for i in range(MAX_CHOICES)]
        with gr.Row(elem_id="starters") as starter_box:  # until the first question
            starter_buttons = [gr.Button(q, size="md", elem_classes="starter", min_width=0) for q in STARTERS]
        with gr.Row(equal_height=True, elem_id="ask-row"):
            message = gr.Textbox(label="Your question", placeholder="Type your question here",
                                 elem_id="message", scale=4, min_width=200, max_lines=6,
                                 max_length=settings.max_message_chars)
            send = gr.Button("Send", variant="primary", elem_id="send", scale=1, min_width=100)
        with gr.Row(elem_id="chat-tools"):
            clear = gr.Button("Clear conversation", elem_id="clear-chat", size="md", scale=0, min_width=200)
        with gr.Row(visible=False, elem_id="clear-confirm") as confirm_box:
            gr.Markdown("Clear this conversation? It disappears from this page and can't be brought back.")
            clear_yes = gr.Button("Yes, clear it", variant="stop", elem_id="clear-yes", scale=0, min_width=140)
            clear_no = gr.Button("Keep it", elem_id="clear-no", scale=0, min_width=120)
        contact = contact_form(assistant, session)

        turn: dict[str, Any] = {
            "fn": respond, "inputs": [message, chat, session, reply_ids],
            "outputs": [chat, session, reply_ids, message, choice_box, *choice_buttons], "concurrency_id": ASSISTANT,
            "show_progress": "minimal",
        }
        gr.on([message.submit, send.click], **turn, api_name="respond", api_visibility="undocumented")
        for button in starter_buttons:  # a starter is sent like a typed question; the starters then go
            button.click(starter, button, [message, starter_box], queue=False, api_visibility="private").then(
                **turn, api_visibility="private")
        gr.on([message.submit, send.click], lambda: gr.Row(visible=False), None, starter_box, queue=False,
              api_visibility="private")
        for button in choice_buttons:  # the title goes in the question box, then the same turn as typing it
            button.click(pick_choice, button, [message, choice_box], queue=False, js=KEEP_FOCUS,
                         api_visibility="private").then(**turn, api_visibility="private")
        chat.like(rate, reply_ids, None, api_name="rate", api_visibility="undocumented", queue=False)
        # Clear asks first; "Keep it" puts the focus back on Clear, "Yes" on the question box.
        private: dict[str, Any] = {"queue": False, "api_visibility": "private"}
        clear.click(lambda: gr.Row(visible=True), None, confirm_box, **private).then(
            None, js=FOCUS_AFTER.format(target="#clear-no"), **private)
        clear_no.click(lambda: gr.Row(visible=False), None, confirm_box, **private).then(
            None, js=FOCUS_AFTER.format(target="#clear-chat"), **private)
        clear_yes.click(lambda: ([], "", [], gr.Column(visible=False), gr.Row(visible=False)), None,
                        [chat, session, reply_ids, choice_box, confirm_box], **private).then(
            None, js=FOCUS_AFTER.format(target="#message textarea"), **private)
        app.load(page_facts, None, [contact_header, book, disclaimer, contact], queue=False,
                 api_visibility="private")
        app.load(None, None, None, js=CHAT_JS, queue=False, api_visibility="private")
        app.load(None, None, None, js=PATIENT_JS, queue=False, api_visibility="private")
        clear_yes.click(lambda: gr.Row(visible=True), None, starter_box, queue=False, api_visibility="private")
        gr.api(ask, api_name="ask", concurrency_id=ASSISTANT)
    return app.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE, api_open=False)
