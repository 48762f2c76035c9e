"""Text for the chat page: everything from patients or articles is shown as text, never as HTML.

The Chatbot renders Markdown with HTML, so text is HTML-escaped and the Markdown characters that
make links, images, code or emphasis are turned into character references (they still read the
same). Source links are the only Markdown this module writes, and only to http(s) addresses.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

from chatbot.reply import Reply, Source

_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_[]$|~"})
_UNSAFE_URL = re.compile(r"[\s\x00-\x1f\x7f]")
# Characters kept as they are in a link target; anything else (quotes, brackets, spaces) is %-encoded.
_URL_SAFE = "/:?#@!$&*+,;=%~-._"


def escape_text(text: str) -> str:
    """``text`` as literal text in Markdown: no HTML tags, links, images, code or emphasis."""
    return html.escape(text or "", quote=False).translate(_MARKDOWN)


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


def format_source(source: Source) -> str:
    """``[Title](url)``, or the title alone when the url is not a safe web address."""
    title = escape_text(source.title) or escape_text(source.id) or "Article"
    url = safe_url(source.url)
    return f"[{title}]({url})" if url else title


def format_reply(reply: Reply) -> str:
    """The answer as escaped text, then a "Sources:" list of links (each article once)."""
    text = escape_text(reply.answer)
    seen: set[tuple[str, str]] = set()
    links: list[str] = []
    for source in reply.sources:
        if (source.id, source.url) not in seen:
            seen.add((source.id, source.url))
            links.append(f"- {format_source(source)}")
    if links:
        text += "\n\n**Sources:**\n" + "\n".join(links)
    return text


def tel_link(phone: str) -> str:
    """The phone number as a Markdown ``tel:`` link (plain text if it has no digits)."""
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    return f"[{escape_text(phone)}](tel:{digits})" if any(c.isdigit() for c in digits) else escape_text(phone)


def booking_message(error: str | None, phone: str) -> str:
    """What the contact form says back: a confirmation, or why nothing was stored."""
    if error is None:
        return (
            "**Thank you, we have your request.** Someone from the clinic will call you soon. "
            f"If you'd rather not wait, call us at {tel_link(phone)}."
        )
    reason = escape_text(error[:1].upper() + error[1:]).rstrip(".")
    return f"**Your request was not sent.** {reason}. Nothing was stored."
