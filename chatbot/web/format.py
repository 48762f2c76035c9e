"""Text for the chat page: everything from patients or articles is shown as text, never as HTML.

The Chatbot renders Markdown with HTML (sanitized in the browser: ``role`` and ``class`` survive, ``aria-*``
and scripts don't), so text is HTML-escaped and the Markdown characters that make links, images, code or
emphasis are turned into character references (they still read the same). The only links this module
writes go to http(s) addresses, ``tel:`` and ``sms:``; the only HTML it writes is its own fixed markup.

How a reply is shown:

- **Safety** (emergency, urgent, crisis): an alert card (``role="alert"``) with tap-to-call links (the
  emergency number, the crisis line to call and to text, the clinic) and no booking push. The page hides the
  thumbs and copy buttons under it (``.safety-alert`` in ``static/chat.css``).
- **Answers**: the text, then the sources as links, then, once per conversation, the booking call to action
  with a "Book an evaluation" button. The paragraph that carries the booking link is that call to action: it is
  not repeated under later answers, and its raw address is never shown.
- **Other replies** that give the booking link (no article, a redirect, goodbye) show it as a link, not an address.
- Phone numbers inside any reply (the clinic's, the emergency and crisis numbers, any number written like
  one) are ``tel:`` links.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from chatbot.reply import Reply, Route, Source
from chatbot.settings import ClinicProfile

_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_[]$|~"})
_UNSAFE_URL = re.compile(r"[\s\x00-\x1f\x7f]")
# Characters kept as they are in a link target; anything else (quotes, brackets, spaces) is %-encoded.
_URL_SAFE = "/:?#@!$&*+,;=%~-._"
# Written like a phone number: North American ((555) 010-0000, 555.010.0000, +1 555 010 0000) or
# international (+44 20 7946 0000). Dates and ranges (2019-2023, 10-15) are not.
_PHONE = (r"(?:\+1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}"
          r"|\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}")
SAFETY = (Route.EMERGENCY, Route.URGENT, Route.CRISIS)
BOOKING_CLASS = "booking-cta"  # marks the conversation's one booking call to action
TYPING = ('<p class="typing-indicator">Writing a reply<span class="typing-dots"><span>.</span><span>.</span>'
          '<span>.</span></span></p>')
Lang = Literal["en", "es"]
# Words of the page's own making, in the reply's language.
WORDS: dict[str, dict[str, str]] = {
    "en": {"book": "Book an evaluation", "booking_page": "our booking page", "call": "Call {number}",
           "text": "Text {number}", "call_clinic": "Call us: {number}", "sources": "Sources:"},
    "es": {"book": "Reservar una evaluación", "booking_page": "nuestra página de reservas",
           "call": "Llamar al {number}", "text": "Enviar un mensaje al {number}",
           "call_clinic": "Llamarnos: {number}", "sources": "Fuentes:"},
}


def escape_text(text: str) -> str:
    """``text`` as literal text in Markdown: no HTML tags, links, images, code or emphasis."""
    return html.escape(text or "", quote=False).translate(_MARKDOWN)


def escape_attr(text: str) -> str:
    """``text`` for an HTML attribute value in double quotes."""
    return html.escape(text or "", quote=True)


def safe_url(url: str) -> str | None:
    """``url`` ready for a Markdown link if it is an absolute http(s) address, else None."""
    if not url or _UNSAFE_URL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return quote(url, safe=_URL_SAFE)


def dial(number: str) -> str | None:
    """What follows ``tel:`` or ``sms:`` for a written number (digits and a leading +), None without digits."""
    digits = "".join(c for c in number if c.isdigit())
    if not digits:
        return None
    return f"+{digits}" if number.strip().startswith("+") else digits


def tel_link(phone: str) -> str:
    """The phone number as a Markdown ``tel:`` link (plain text if it has no digits)."""
    target = dial(phone)
    return f"[{escape_text(phone)}](tel:{target})" if target else escape_text(phone)


def format_source(source: Source) -> str:
    """``[Title](url)``, or the title alone when the url is not a safe web address."""
    title = escape_text(source.title) or escape_text(source.id) or "Article"
    url = safe_url(source.url)
    return f"[{title}]({url})" if url else title


# --- reading a reply ---------------------------------------------------------------------------
def reply_lang(reply: Reply) -> Lang:
    """The language the reply is written in (the assistant knows it), for the page's own words around it."""
    return "es" if reply.lang == "es" else "en"


def _numbers(clinic: ClinicProfile | None) -> list[str]:
    """The clinic's own numbers, longest first, as they are written in replies."""
    if clinic is None:
        return []
    found = {n.strip() for n in (clinic.phone, clinic.emergency_number, clinic.crisis_line) if dial(n)}
    return sorted(found, key=len, reverse=True)


def _segments(text: str, clinic: ClinicProfile | None) -> Iterator[tuple[str, str]]:
    """``text`` cut into ("text" | "phone" | "booking", piece): phone numbers and the booking link found. The
    clinic's own numbers count as they are (911 too); any other number needs 7 to 15 digits."""
    edge = r"(?<![\w+])(?:{})(?!\w)"
    groups = [f"(?P<booking>{re.escape(clinic.booking_url)})"] if clinic is not None and clinic.booking_url else []
    known = "|".join(map(re.escape, _numbers(clinic)))
    groups += [f"(?P<known>{edge.format(known)})"] if known else []
    groups.append(f"(?P<phone>{edge.format(_PHONE)})")
    at = 0
    for match in re.finditer("|".join(groups), text):
        kind = match.lastgroup or "text"
        if kind == "phone" and not 7 <= sum(c.isdigit() for c in match.group()) <= 15:
            continue
        yield "text", text[at:match.start()]
        yield "booking" if kind == "booking" else "phone", match.group()
        at = match.end()
    yield "text", text[at:]


def _markdown(text: str, clinic: ClinicProfile | None, lang: Lang) -> str:
    """One paragraph as Markdown: escaped text, phone numbers as ``tel:`` links, the booking link named."""
    parts: list[str] = []
    for kind, piece in _segments(text, clinic):
        url = safe_url(piece) if kind == "booking" else None
        if kind == "phone":
            parts.append(tel_link(piece))
        elif url:
            parts.append(f"[{WORDS[lang]['booking_page']}]({url})")
        else:
            parts.append(escape_text(piece))
    return "".join(parts)


def _html(text: str, clinic: ClinicProfile | None) -> str:
    """One paragraph as HTML (for the alert card, where Markdown is not read): phone numbers as links."""
    parts: list[str] = []
    for kind, piece in _segments(text, clinic):
        target = dial(piece) if kind == "phone" else None
        if target:
            parts.append(f'<a href="tel:{target}">{escape_text(piece)}</a>')
        else:
            parts.append(escape_text(piece))
    return "".join(parts)


def _without_booking_link(paragraph: str, url: str) -> str:
    """The call to action without its address: "book an evaluation at URL or call us" -> "book an evaluation or
    call us" (Spanish "en URL" too)."""
    text = re.sub(rf"(?:\s+(?:at|on|via|en))?\s*{re.escape(url)}", "", paragraph)
    return re.sub(r"\s+([.,;:!?])", r"\1", text).strip()


# --- rendering ---------------------------------------------------------------------------------
def safety_card(reply: Reply, clinic: ClinicProfile | None) -> str:
    """An emergency, urgent or crisis reply as an alert card: the reply, then tap-to-call (and text) links."""
    lang = reply_lang(reply)
    words = WORDS[lang]
    body = "".join(f"<p>{_html(p, clinic)}</p>" for p in re.split(r"\n\s*\n", reply.answer.strip()) if p.strip())
    actions: list[tuple[str, str]] = []  # (href, label)
    if clinic is not None:
        emergency, crisis, phone = dial(clinic.emergency_number), dial(clinic.crisis_line), dial(clinic.phone)
        if reply.route is Route.CRISIS and crisis:
            actions += [(f"tel:{crisis}", words["call"].format(number=clinic.crisis_line)),
                        (f"sms:{crisis}", words["text"].format(number=clinic.crisis_line))]
        if emergency:
            actions.append((f"tel:{emergency}", words["call"].format(number=clinic.emergency_number)))
        if reply.route is Route.URGENT and phone:
            actions.append((f"tel:{phone}", words["call_clinic"].format(number=clinic.phone)))
    links = "".join(f'<a class="safety-action{" safety-primary" if i == 0 else ""}" href="{escape_attr(href)}">'
                    f"{escape_text(label)}</a>" for i, (href, label) in enumerate(actions))
    route = escape_attr(str(reply.route))
    actions_html = f'<p class="safety-actions">{links}</p>' if links else ""
    return f'<div class="safety-alert safety-{route}" role="alert">{body}{actions_html}</div>'


def format_reply(reply: Reply, clinic: ClinicProfile | None = None, *, offer_booking: bool = False) -> str:
    """A reply as the chat shows it (see the module's doc). ``clinic`` gives the numbers to link and the booking
    link to recognise (without it, as the staff console previews a reply: the text escaped, then its sources);
    ``offer_booking`` says the conversation has not had its booking button yet."""
    lang = reply_lang(reply)
    shown: list[str] = []
    call_to_action: str | None = None
    if clinic is None:  # the staff console's preview: the reply's own text, escaped, then its sources
        shown.append(escape_text(reply.answer))
    elif reply.route in SAFETY:
        return safety_card(reply, clinic)
    else:
        for paragraph in re.split(r"\n\s*\n", reply.answer.strip()):
            if clinic.booking_url and clinic.booking_url in paragraph and reply.route is Route.ANSWER:
                if call_to_action is None:
                    call_to_action = _without_booking_link(paragraph, clinic.booking_url)
                continue
            if paragraph.strip():
                shown.append(_markdown(paragraph, clinic, lang))
    text = "\n\n".join(shown)
    first: dict[tuple[str, str], Source] = {}  # each article once, in the order cited
    for source in reply.sources:
        first.setdefault((source.id, source.url), source)
    links = [f"- {format_source(s)}" for s in first.values()]
    if links:
        text += f"\n\n**{WORDS[lang]['sources']}**\n" + "\n".join(links)
    url = safe_url(clinic.booking_url) if clinic is not None and offer_booking else None
    if url and call_to_action is not None:
        text += (f"\n\n{_markdown(call_to_action, clinic, lang)}\n\n"
                 f'<p class="{BOOKING_CLASS}"><a class="booking-button" href="{escape_attr(url)}">'
                 f"{escape_text(WORDS[lang]['book'])}</a></p>")
    return text


def message_text(message: Mapping[str, Any]) -> str:
    """The text of a chat message as Gradio hands it back: a string, or a list of parts with ``text``."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    return ""


def booking_offered(history: Iterable[Mapping[str, Any]]) -> bool:
    """Whether this conversation has already shown its booking button."""
    return any(m.get("role") == "assistant" and f'class="{BOOKING_CLASS}"' in message_text(m) for m in history)
