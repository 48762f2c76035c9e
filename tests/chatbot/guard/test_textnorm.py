"""Text is made readable to the checks whatever form it came in; markup goes only when it is real HTML."""

from __future__ import annotations

import pytest

from chatbot.guard.textnorm import clean, split_words, strip_markup

VOCABULARY = frozenset({"chest", "pain", "i", "want", "to", "die", "kill", "myself"})


@pytest.mark.parametrize(
    ("raw", "readable"),
    [
        ("сhеst раin", "chest pain"),  # Cyrillic с, е, р, а
        ("i want to k\u200bill mys\u00adelf", "i want to kill myself"),  # zero-width space, soft hyphen
        ("c h e s t  p a i n", "chest pain"),  # a double space between words
        ("c h e s t p a i n", "chest pain"),  # one run, split by known words
        ("s.u.i.c.i.d.e", "suicide"),
        ("k1ll mys3lf", "kill myself"),
        ("ＣＨＥＳＴ ＰＡＩＮ", "CHEST PAIN"),  # full-width letters (NFKC)
        ("my back 😭😭 hurts", "my back hurts"),
        ("wakes me at 3am, pain 8/10", "wakes me at 3am, pain 8/10"),  # digits that are not letters stay
        ("y a la vez me duele", "y a la vez me duele"),  # Spanish one-letter words are not spaced letters
        ("Мне больно, спина", "Мне больно, спина"),  # a Russian message stays Russian
    ],
)
def test_clean_makes_disguised_text_readable(raw: str, readable: str) -> None:
    assert clean(raw, VOCABULARY) == readable


def test_split_words_uses_the_fewest_known_words_and_keeps_unknown_runs() -> None:
    assert split_words("iwanttodie", VOCABULARY) == "i want to die"
    assert split_words("xqzt", VOCABULARY) == "xqzt"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("pain <3 I want to kill myself >8", "pain <3 I want to kill myself >8"),
        ("pain <kill myself> now", "pain <kill myself> now"),  # not an HTML element: kept
        ("a < b and c > d", "a < b and c > d"),
        ('<img src=x onerror="alert(1)">my knee hurts', "my knee hurts"),
        ("<script>alert('hi')</script>does ice help?", "does ice help?"),
        ("<b>chest</b> pain", "chest pain"),
        ("knee &amp; hip", "knee & hip"),
        ("it hurts <", "it hurts <"),
    ],
)
def test_strip_markup_removes_only_real_tags(raw: str, text: str) -> None:
    assert strip_markup(raw) == text
