"""The patient page: the chat, its sources and feedback, the clinic's contacts and a contact form.

Callbacks are thin adapters over the ``Assistant``; all escaping lives in ``chatbot.web.format``.
Per browser session, ``gr.State`` keeps the assistant's session id (from the first reply) and the
reply id of every chat message (``""`` for the patient's own), so a thumbs up/down maps to a reply.

When the assistant asks back (route ``clarify``), the reply's choices (article titles) are buttons under
the chat; a click puts the title in the question box and sends it like a typed question, in the same session.
The clinic's contacts on the page come from the live clinic profile, so a staff edit shows at the next visit.

Public API: ``/ask`` only. The UI's own handlers are ``undocumented`` (hidden from the API page,
callable like the browser calls them) or ``private``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import gradio as gr

from chatbot.assistant import Assistant, new_session
from chatbot.replies import Replies
from chatbot.settings import ClinicProfile, Settings
from chatbot.web.format import booking_message, escape_text, format_reply, tel_link

STARTERS = (
    "Why does hip mobility matter for my back?",
    "Should I use heat or ice?",
    "Why does my heel hurt in the morning?",
)
# One concurrency group for everything that runs the assistant (chat, starters, /ask).
ASSISTANT = "assistant"
QUEUE_CONCURRENCY = 4
QUEUE_MAX_SIZE = 64
MAX_CHOICES = 4  # a clarify reply offers 2 to 4 articles

CSS = """
#clinic-header { position: sticky; top: 0; z-index: 10; background: var(--background-fill-primary);
                 padding: 0.25rem 0; align-items: center; }
#clinic-header h1 { margin: 0; font-size: 1.4rem; }
#clinic-header a, #disclaimer a { text-decoration: underline; }
#book-evaluation { min-width: 11rem; }
#choices { gap: 0.4rem; }
#choices-prompt p { margin: 0; }
#choice-buttons { flex-wrap: wrap; gap: 0.5rem; }
#choice-buttons button { flex: 1 1 14rem; white-space: normal; text-align: left; justify-content: flex-start;
                         line-height: 1.3; min-height: 2.75rem; }
@media (max-width: 480px) { #clinic-header h1 { font-size: 1.15rem; } #choice-buttons button { flex-basis: 100%; } }
"""
# A choice picked from the keyboard leaves the focus in the question box (its button is gone); a tap on a
# phone doesn't, so the on-screen keyboard doesn't cover the answer.
KEEP_FOCUS = """(title) => {
  if (document.activeElement?.matches?.(":focus-visible")) document.querySelector("#message textarea")?.focus();
  return title;
}"""

Message = dict[str, Any]


def launch_options() -> dict[str, Any]:
    """Options for ``launch()`` (Gradio 6 takes css there): no Gradio footer, no run history in the browser."""
    return {"css": CSS, "footer_links": [], "run_history": False}


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


def contact_line(clinic: ClinicProfile) -> str:
    return f"# {escape_text(clinic.name)}\nCall us: {tel_link(clinic.phone)}"


def build_app(settings: Settings, assistant: Assistant) -> gr.Blocks:
    clinic = assistant.clinic.current()  # the settings with the staff-edited clinic.yaml laid over them

    def respond(
        message: str, history: list[Message] | None, session: str, ids: list[str] | None
    ) -> Iterator[tuple[Any, ...]]:
        shown = [*(history or []), {"role": "user", "content": escape_text(message)}]
        known = [*(ids or []), ""]
        for reply in assistant.stream(message, session or None):
            yield ([*shown, {"role": "assistant", "content": format_reply(reply)}], reply.session,
                   [*known, reply.reply_id], "", *choice_updates(reply.choices))

    def pick_choice(title: str) -> tuple[str, Any]:
        return title, gr.Column(visible=False)

    def page_facts() -> tuple[str, Any, str]:
        now = assistant.clinic.current()
        return (contact_line(now), gr.Button(link=now.booking_url),
                f"**{escape_text(Replies(now).say('disclaimer'))}**")

    def starter(picked: gr.SelectData) -> str:
        return str(picked.value.get("text", "")) if isinstance(picked.value, dict) else str(picked.value)

    def rate(ids: list[str] | None, liked: gr.LikeData) -> None:
        reply_id = reply_id_at(ids or [], liked.index)
        if reply_id is not None and isinstance(liked.liked, bool):  # "" means the rating was taken back
            assistant.feedback(reply_id, liked.liked)

    def request_contact(
        name: str, phone: str, consent: bool, note: str, session: str
    ) -> tuple[str, str, Any, Any, Any, Any]:
        session = session or new_session()
        try:
            assistant.request_booking(session, name or "", phone or "", consent is True, note or "")
        except ValueError as exc:
            phone = assistant.clinic.current().phone
            return booking_message(str(exc), phone), session, gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return booking_message(None, assistant.clinic.current().phone), session, "", "", "", False

    def ask(message: str, session_id: str = "") -> dict[str, Any]:
        """Ask one question. Empty session_id starts a new conversation; pass back the returned `session` to
        continue it. Returns {answer, route, sources: [{id, title, url}], session}, all plain text, plus
        `choices` (article titles to ask about next) when the route is `clarify`."""
        return assistant.reply(message, session_id or None).to_json()

    with gr.Blocks(title=f"{clinic.name} Assistant", analytics_enabled=False) as app:
        session = gr.State("")
        reply_ids = gr.State([])
        with gr.Row(elem_id="clinic-header", equal_height=True):
            contact = gr.Markdown(contact_line(clinic), elem_id="clinic-contact")
            book = gr.Button("Book an evaluation", link=clinic.booking_url, link_target="_blank", variant="primary",
                             elem_id="book-evaluation", scale=0)
        disclaimer = gr.Markdown(f"**{escape_text(Replies(clinic).say('disclaimer'))}**", elem_id="disclaimer")
        chat = gr.Chatbot(
            label=f"Chat with {clinic.name}'s assistant", elem_id="chat", height="60vh", min_height=320,
            placeholder=escape_text(f"Ask a question about pain, an injury, movement or exercise. "
                                    f"Answers come from {clinic.name}'s articles, with links to them."),
            examples=[{"text": q} for q in STARTERS], buttons=["copy"], feedback_options=("Like", "Dislike"),
            sanitize_html=True, render_markdown=True, allow_tags=False, latex_delimiters=[], layout="bubble",
        )
        with gr.Column(visible=False, elem_id="choices") as choice_box:
            gr.Markdown("Pick a topic, or type your own question below.", elem_id="choices-prompt")
            with gr.Row(elem_id="choice-buttons"):
                choice_buttons = [gr.Button(visible=False, size="md", elem_id=f"choice-{i}", elem_classes="choice",
                                            min_width=0) for i in range(MAX_CHOICES)]
        with gr.Row(equal_height=True):
            message = gr.Textbox(label="Your question", placeholder="Type your question and press Enter",
                                 elem_id="message", scale=4, min_width=200, max_lines=6,
                                 max_length=settings.max_message_chars)
            send = gr.Button("Send", variant="primary", elem_id="send", scale=1, min_width=100)
        with gr.Accordion("Ask us to contact you", open=False, elem_id="contact"):
            gr.Markdown("Leave your name and number and we'll call you to book an evaluation.")
            name = gr.Textbox(label="Your name", elem_id="contact-name", max_length=100)
            phone = gr.Textbox(label="Phone number", elem_id="contact-phone", max_length=30)
            note = gr.Textbox(label="Best time to call (optional)", elem_id="contact-note", max_length=500)
            consent = gr.Checkbox(label=f"I agree that {clinic.name} may store my name and phone number to contact me",
                                  value=False, elem_id="contact-consent")
            submit = gr.Button("Send my request", elem_id="contact-submit")
            status = gr.Markdown(elem_id="contact-status")

        turn: dict[str, Any] = {
            "fn": respond, "inputs": [message, chat, session, reply_ids],
            "outputs": [chat, session, reply_ids, message, choice_box, *choice_buttons], "concurrency_id": ASSISTANT,
            "show_progress": "minimal",
        }
        gr.on([message.submit, send.click], **turn, api_name="respond", api_visibility="undocumented")
        chat.example_select(starter, None, message, queue=False, api_visibility="private").then(
            **turn, api_visibility="private"
        )
        for button in choice_buttons:  # the title goes in the question box, then the same turn as typing it
            button.click(pick_choice, button, [message, choice_box], queue=False, js=KEEP_FOCUS,
                         api_visibility="private").then(**turn, api_visibility="private")
        chat.like(rate, reply_ids, None, api_name="rate", api_visibility="undocumented", queue=False)
        chat.clear(lambda: ("", [], gr.Column(visible=False)), None, [session, reply_ids, choice_box], queue=False,
                   api_visibility="private")
        app.load(page_facts, None, [contact, book, disclaimer], queue=False, api_visibility="private")
        submit.click(request_contact, [name, phone, consent, note, session],
                     [status, session, name, phone, note, consent], api_name="request_contact",
                     api_visibility="undocumented")
        gr.api(ask, api_name="ask", concurrency_id=ASSISTANT)
    return app.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE, api_open=False)
