"""Numbers that identify a person to an insurer or a bank: SSN, member and claim IDs, Medicare, cards.

Written here rather than taken from Presidio's recognizers: those expect tidy ``123-45-6789``
numbers and English cue words, whereas patients type ``ssn.. 390.47.2216``, ``id is wqt 5512 7789``
and Spanish cues; the one piece of arithmetic, the Luhn check, comes from ``python-stdnum``.
Numbers with a cue ("member id", "medicaid #", "card") are taken whatever their shape; without
one only shapes nothing else has are taken: an MBI, an SSN with separators, a 9-digit run, a
Luhn-valid card number, a code mixing letters and five or more digits.
"""

from __future__ import annotations

import re

from stdnum import luhn

from chatbot.privacy.base import Kind, Scrubber

_GAP = (
    r"(?i:[\s:#=.\-]*(?:is|are|was|es|as|of|the|my|on(?:\s+(?:my|the))?\s+card|card|says|number|num|no|nr|n[uú]mero"
    r"|id|\#|la|el|de|mi|su|en|bic|cin|mbi|ssn)\b[\s:#=.\-]*|[\s:#=.\-]+){1,5}"
)
_GROUP = r"[A-Za-z0-9]*\d[A-Za-z0-9]*"
_ID = rf"(?:[A-Za-z]{{2,4}}[ \-](?=\d))?{_GROUP}(?:[ \-](?:{_GROUP}|[A-Za-z](?![\w])))*"
_END = r"(?![\w])"


def _cued(cues: str) -> re.Pattern[str]:
    return re.compile(rf"(?i:\b(?:{cues})){_GAP}(?P<id>{_ID}){_END}")


def _digits(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _enough_digits(m: re.Match[str]) -> bool:
    return _digits(m.group("id")) >= 4


_MEDICARE_CUED = _cued(r"medicare|medicaid|medi-cal|mbi|hicn|cin|bic|railroad\s+retirement")
_MBI = re.compile(
    r"(?<![\w\-])[1-9][A-Za-z][A-Za-z0-9]\d[ \-]?[A-Za-z][A-Za-z0-9]\d[ \-]?[A-Za-z]{2}\d{2}(?![\w\-])"
)
_HICN = re.compile(r"(?<![\w\-])\d{3}[ .\-]?\d{2}[ .\-]?\d{4}[ \-]?[A-Za-z]\d?(?![\w\-])")

_MEMBER_CUED = _cued(
    r"member(?:ship)?|subscriber|group|grp|grupo|policy|p[oó]liza|claim|mrn|medical\s+record|account|acct"
    r"|chart|id|auth(?:orization)?|dbn|afiliado|reference|ref|case|plan"
)
_LETTERS_AND_DIGITS = re.compile(r"(?<![\w\-])(?=[A-Za-z0-9\-]*[A-Za-z])(?:[A-Za-z0-9]+-)*[A-Za-z0-9]+(?![\w\-])")
_DIGIT_GROUPS = re.compile(r"(?<![\w.\-/])\d+(?:-\d+)+(?:-[A-Za-z])?(?![\w]|[.\-/]\d)")
_PREFIXED = re.compile(r"(?<![\w\-])[A-Z]{2,4}[ \-]\d[\d \-]*\d(?![\w\-])")

_SSN_CUE = r"ssn|ss\s*\#|ss|social(?:\s+security)?(?:\s+(?:number|no|\#))?|seguro\s+social"
_SSN_CUED = re.compile(rf"(?i:\b(?:{_SSN_CUE})){_GAP}(?P<id>\d(?:[ .\-]*\d){{8}}){_END}")
_SSN = re.compile(r"(?<![\w.\-/])\d{3}[ .\-]\d{2}[ .\-]\d{4}(?![\w]|[.\-/]\d)")
_NINE = re.compile(r"(?<![\w.\-/])\d{9}(?![\w]|[.\-/]\d)")
_SSN_MENTION = re.compile(rf"(?i)\b(?:{_SSN_CUE})\b")
_LAST_FOUR = re.compile(
    r"(?i)\b(?:last\s*(?:4|four)|ending|ends?\s+in)\b[^\d\n]{0,30}?(?P<id>\d{4})(?![\w])"
    r"(?:[^\d\n]{1,8}?(?P<other>\d{4})(?![\w]))?"
)

_CARD_CUE = re.compile(
    r"(?i)\b(?:card|visa|master\s*card|amex|american\s+express|discover|cc|credit|debit|tarjeta|hsa|fsa|cvv|cvc)\b"
)
_CARD = re.compile(
    r"(?<![\w.\-/])(?:\d{4}([ \-]?)\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|\d{4}[ \-]?\d{6}[ \-]?\d{4,5}"
    r"|\d{6}[ \-]\d{6}[ \-]\d{3,4}|\d{13,19})(?![\w]|[.\-/]\d)"
)
_EXPIRY = re.compile(
    r"(?i)\b(?:exp(?:ires?|iry|iration|ired)?|vence|valid\s+thru)\b\W{0,4}(?:(?:on|in|date|is)\W{1,3})?"
    r"(?P<id>\d{1,2}\s*/\s*\d{2,4}|\d{4})(?![\w/])"
)
_AFTER_CARD = re.compile(
    r"\[CARD\][,;\s]+(?P<id>(?:0?[1-9]|1[0-2])/?\d{2})(?![\w/])(?:[,;\s]+(?P<cvv>\d{3,4})(?![\w/]))?"
)
_CVV = re.compile(
    r"(?i)\b(?:cvv2?|cvc|csc|cid|security\s+code|c[oó]digo(?:\s+de\s+seguridad)?)\b\W{0,4}(?P<id>\d{3,4})\b"
)


def _card_ok(m: re.Match[str], cued: bool) -> bool:
    digits = re.sub(r"\D", "", m.group())
    return cued or luhn.is_valid(digits)


def redact_cued(text: str, s: Scrubber) -> str:
    """Identifiers with a cue, and the shapes no other detail has; run before phones and dates."""
    text = s.sub(_MBI, Kind.MEDICARE, text)
    text = s.sub(_HICN, Kind.MEDICARE, text)
    text = s.sub(_MEDICARE_CUED, Kind.MEDICARE, text, group="id", accept=_enough_digits)
    cued = _CARD_CUE.search(text) is not None
    text = s.sub(_CARD, Kind.CARD, text, accept=lambda m: _card_ok(m, cued))
    if cued or Kind.CARD in s.found:
        text = s.sub(_EXPIRY, Kind.CARD, text, group="id")
        text = s.sub(_CVV, Kind.CARD, text, group="id")
        text = s.sub(_AFTER_CARD, Kind.CARD, text, group="cvv")
        text = s.sub(_AFTER_CARD, Kind.CARD, text, group="id")
    text = s.sub(_SSN_CUED, Kind.SSN, text, group="id")
    text = s.sub(_SSN, Kind.SSN, text)
    if _SSN_MENTION.search(text) or cued:
        kind = Kind.SSN if _SSN_MENTION.search(text) else Kind.CARD
        text = s.sub(_LAST_FOUR, kind, text, group="other")
        text = s.sub(_LAST_FOUR, kind, text, group="id")
    text = s.sub(_MEMBER_CUED, Kind.MEMBER_ID, text, group="id", accept=_enough_digits)
    return text


def _mixed_code(m: re.Match[str]) -> bool:
    return _digits(m.group()) >= 5 and len(m.group()) >= 7


def _long_groups(m: re.Match[str]) -> bool:
    value = m.group()
    if re.fullmatch(r"(?:19|20)\d\d-(?:19|20)?\d\d", value):  # a span of years: 2019-2020
        return False
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{2,4}", value):  # a date
        return False
    return _digits(value) >= 7


def redact_uncued(text: str, s: Scrubber) -> str:
    """ID-like codes without a cue; run after phones and dates have taken theirs."""
    text = s.sub(_NINE, Kind.SSN, text)
    text = s.sub(_LETTERS_AND_DIGITS, Kind.MEMBER_ID, text, accept=_mixed_code)
    text = s.sub(_PREFIXED, Kind.MEMBER_ID, text, accept=lambda m: _digits(m.group()) >= 6)
    text = s.sub(_DIGIT_GROUPS, Kind.MEMBER_ID, text, accept=_long_groups)
    return text
