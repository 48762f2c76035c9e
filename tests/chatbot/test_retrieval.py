"""What retrieval reads of a message."""

from __future__ import annotations

import pytest

from chatbot.retrieval import without_identifiers


@pytest.mark.parametrize(("redacted", "read"), [
    ("I'm [NAME], my SSN is [SSN], my knee hurts on stairs", "my knee hurts on stairs"),
    ("my ankle is swollen, call me at [PHONE]", "my ankle is swollen"),
    ("[NAME] here. Is heat or ice better?", "here. Is heat or ice better?"),
    ("my back hurts when I sit", "my back hurts when I sit"),
])
def test_identifiers_and_the_words_introducing_them_are_not_read(redacted: str, read: str) -> None:
    assert without_identifiers(redacted) == read
