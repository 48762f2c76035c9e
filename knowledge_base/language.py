"""The language an article is written in: the codes staff may use, how a file's value is read,
and the vector-store filter for one language.

Articles say their language in front matter (``lang: es``), in an HTML page's ``<html lang="es">``
or in a PDF's ``/Lang``; without one an article is English. Values are ISO 639-1 codes from
:data:`LANGUAGES`, in any case, optionally with a region (``es-MX`` is ``es``), or the language's
name in English or in the language itself (``Spanish``, ``español``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Final

DEFAULT_LANG: Final = "en"

# The languages an article may be in (ISO 639-1 code -> English name). The chat itself answers in
# English and Spanish; the others can be stored and listed, and are searched only when asked for.
LANGUAGES: Final[Mapping[str, str]] = {
    "en": "English", "es": "Spanish", "fr": "French", "pt": "Portuguese", "de": "German", "it": "Italian",
    "zh": "Chinese", "vi": "Vietnamese", "ko": "Korean", "ru": "Russian", "ar": "Arabic", "tl": "Tagalog",
}

_NATIVE_NAMES = {
    "es": ("espanol", "castellano"), "fr": ("francais",), "pt": ("portugues",), "de": ("deutsch",),
    "it": ("italiano",), "vi": ("tieng viet",), "tl": ("filipino",),
}
_NAMES: Final[Mapping[str, str]] = {
    **{name.lower(): code for code, name in LANGUAGES.items()},
    **{name: code for code, names in _NATIVE_NAMES.items() for name in names},
}
_CODE = re.compile(r"^([a-z]{2})(?:[-_][a-z0-9]{2,8})*$")


class UnknownLanguage(ValueError):
    """A language value that isn't one of :data:`LANGUAGES`; the message says what to use."""

    def __init__(self, value: object, what: str = "language") -> None:
        self.value = value
        codes = ", ".join(LANGUAGES)
        super().__init__(f"{what} {value!r} is not a language we support (use one of the codes {codes})")


def _fold(text: str) -> str:
    """Lower case without accents: "Español" -> "espanol"."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def parse_lang(value: object, *, what: str = "language") -> str:
    """The language code ``value`` names; :data:`DEFAULT_LANG` for None or blank.

    Raises :class:`UnknownLanguage` (a ValueError) for anything else, its message starting with
    ``what`` (e.g. "front matter lang")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_LANG
    if not isinstance(value, str):  # YAML reads `lang: no` as False, `lang: 1` as 1
        raise UnknownLanguage(value, what)
    folded = _fold(value)
    if folded in _NAMES:
        return _NAMES[folded]
    match = _CODE.match(folded)
    if match and match.group(1) in LANGUAGES:
        return match.group(1)
    raise UnknownLanguage(value, what)


def lang_where(lang: str) -> dict[str, Any]:
    """A Chroma ``where`` filter for the chunks of articles in ``lang`` (a code from LANGUAGES).

    Chunks stored before articles had a language have no ``lang`` key, and they are English.
    Chroma (since 0.5.12; checked on 1.5) skips records without the key for ``$eq``/``$in`` but
    matches them for ``$ne``/``$nin``, and has no ``$exists``. So English is "none of the other
    languages we support", which takes in the old chunks without re-indexing them (an English
    article keeps its version, so a sync never rewrites its chunks); any other language is a plain
    ``$eq``, as only chunks stored since then can carry it. The loaders accept only LANGUAGES'
    codes, so no stored chunk has a code outside the ``$nin`` list (and ``KnowledgeBase.search``
    checks each hit's language again).
    """
    if lang == DEFAULT_LANG:
        return {"lang": {"$nin": sorted(code for code in LANGUAGES if code != DEFAULT_LANG)}}
    return {"lang": lang}
