"""Redact personal details from patient text before it is stored or sent to a model.

Pure, rule-based and fast (no model call per message). Each kind lives in its own module:
``contact`` (emails, phones), ``numbers`` (SSN, member/claim IDs, Medicare and Medicaid numbers,
cards), ``dates`` (dates of birth), ``address``, ``names`` (cued) and ``people`` (uncued names, from
the word lists in ``lexicon``). They run in an order that lets the more specific shape win: an MBI
or card number before a phone, a date of birth before a phone, a street ("45-17 Broadway", a ZIP+4)
before an uncued ID, names last. Each is replaced by its placeholder (``[SSN]``, ``[MEMBER_ID]``, ``[NAME]``, ...).
Ordinary clinic talk ("3x10", "L4-L5", "130/85", "ibuprofen 400mg", "surgery on 1/15/2024",
"I hope", "Achilles") is left alone; ``eval/privacy`` measures both sides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from chatbot.privacy.address import redact_address
from chatbot.privacy.base import Kind, Redaction, Scrubber
from chatbot.privacy.contact import PHONES, redact_email, redact_phone
from chatbot.privacy.dates import redact_dob
from chatbot.privacy.names import COMMON_WORDS, redact_names
from chatbot.privacy.numbers import redact_cued, redact_uncued

__all__ = ["COMMON_WORDS", "Kind", "Redaction", "Redactor", "redact"]

_PASSES = (redact_email, redact_cued, redact_dob, redact_phone, redact_address, redact_uncued, redact_names)


class Redactor:
    """Replace personal details with placeholders. ``keep`` lists strings never redacted (the clinic's phone)."""

    def __init__(self, keep: Iterable[str] = ()) -> None:
        self._keep = {k.strip().lower() for k in keep if k.strip()}
        self._keep_digits = {d for d in (re.sub(r"\D", "", k) for k in self._keep) if len(d) >= 7}

    def redact(self, text: str) -> Redaction:
        scrubber = Scrubber(kept=self._kept)
        text, kept = self._protect(text)
        for redact_pass in _PASSES:
            text = redact_pass(text, scrubber)
        for n, value in enumerate(kept):
            text = text.replace(_marker(n), value)
        return Redaction(text=text, kinds=tuple(scrubber.found))

    def _protect(self, text: str) -> tuple[str, list[str]]:
        """Swap kept values (and phones with a kept number's digits) for markers no rule matches."""
        kept: list[str] = []

        def swap(m: re.Match[str]) -> str:
            if not self._kept(m.group()):
                return m.group()
            kept.append(m.group())
            return _marker(len(kept) - 1)

        for value in sorted(self._keep, key=len, reverse=True):
            text = re.sub(re.escape(value), swap, text, flags=re.IGNORECASE)
        if self._keep_digits:
            for pattern in PHONES:
                text = pattern.sub(swap, text)
        return text, kept

    def _kept(self, value: str) -> bool:
        digits = re.sub(r"\D", "", value)
        return value.strip().lower() in self._keep or (len(digits) >= 7 and digits in self._keep_digits)


def _marker(n: int) -> str:
    """A placeholder of private-use characters, which are neither word characters nor digits."""
    return "\ue000" + "".join(chr(0xE001 + int(d)) for d in str(n)) + "\ue000"


def redact(text: str) -> Redaction:
    """Redact with the default rules."""
    return Redactor().redact(text)
