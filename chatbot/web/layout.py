"""The patient page's frame: the clinic header, the one-line disclaimer and the starter questions.

Pure functions that write HTML from the clinic profile; every value is escaped. The page's look is the
theme's (``chatbot.web.theme``) and ``static/patient.css``'s; ``static/patient.js`` holds the few fixes the
page needs in the browser (names of chat messages for screen readers).
"""

from __future__ import annotations

import html
from pathlib import Path

from chatbot.replies import Replies
from chatbot.settings import ClinicProfile
from chatbot.web.format import dial

STATIC = Path(__file__).resolve().parent / "static"
PATIENT_CSS = (STATIC / "patient.css").read_text(encoding="utf-8")
PATIENT_JS = (STATIC / "patient.js").read_text(encoding="utf-8")
STARTERS = (
    "Why does hip mobility matter for my back?",
    "Should I use heat or ice?",
    "Why does my heel hurt in the morning?",
)


def _esc(text: str) -> str:
    return html.escape(text or "", quote=True)


def header_html(clinic: ClinicProfile, logo: str | None = None) -> str:
    """The clinic's logo (if any), its name as the page's h1 and its phone number as a tap-to-call link."""
    image = f'<img class="clinic-logo" src="{_esc(logo)}" alt="{_esc(clinic.name)} logo">' if logo else ""
    target = dial(clinic.phone)
    phone = (f'<a class="clinic-phone" href="tel:{_esc(target)}">Call us: {_esc(clinic.phone)}</a>' if target
             else f'<span class="clinic-phone">Call us: {_esc(clinic.phone)}</span>')
    return f'<div class="clinic-id">{image}<div class="clinic-text"><h1>{_esc(clinic.name)}</h1>{phone}</div></div>'


def disclaimer_html(clinic: ClinicProfile) -> str:
    """One line (emergency number first) with "more" to open the whole disclaimer."""
    replies = Replies(clinic)
    return (f'<details class="disclaimer"><summary><span class="disclaimer-line">'
            f"{_esc(replies.say('disclaimer_short'))}</span>"
            f'<span class="disclaimer-more"><span class="when-closed">more</span><span class="when-open">less</span>'
            f"</span></summary>"
            f"<p>{_esc(replies.say('disclaimer'))}</p></details>")
