"""The parts of the body a message names."""

from __future__ import annotations

import pytest

from chatbot.regions import regions


@pytest.mark.parametrize(("text", "named"), [
    ("my knee hurts going down stairs", {"knee"}),
    ("Heel and calf ache after my run", {"foot", "lower leg"}),
    ("pain in my lower back and down the sciatic nerve", {"back"}),
    ("is heat or ice better?", set()),
    ("ACL rehab after surgery", {"knee"}),
])
def test_regions_named_in_patients_words(text: str, named: set[str]) -> None:
    assert regions(text) == named

