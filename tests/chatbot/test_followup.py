"""Reading a message against its conversation: follow-ups, and questions told from bare complaints."""

from __future__ import annotations

import pytest

from chatbot.followup import asks_question, is_follow_up, standalone


@pytest.mark.parametrize(("message", "expected"), [
    ("how long should I ice", True), ("is it ok to run", True), ("heel pain tips", True),
    ("my heel hurts when I stand up. should I stretch", True), ("my knee hurts", False), ("shoulder", False),
    ("back problems", False),
])
def test_a_question_is_told_from_a_bare_complaint(message: str, expected: bool) -> None:
    assert asks_question(message) is expected


def test_a_follow_up_gets_its_topic_in_front() -> None:
    assert is_follow_up("and how often?")
    assert standalone("and how often?", ["how do I stretch my calf"]) == "how do I stretch my calf and how often?"
    assert standalone("why does my heel hurt", ["how do I stretch my calf"]) == "why does my heel hurt"
