"""The guard every console handler wears: the user is checked first, failures are explained."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr
import pytest

from chatbot.staff.access import NotStaff, staff_only
from chatbot.staff.auth import StaffAuth

AUTH = StaffAuth({"maria": "scrypt$16384$8$1$AAAA$AAAA"})
guard = staff_only(AUTH)


def test_a_handler_without_a_request_cannot_be_guarded() -> None:
    with pytest.raises(TypeError, match="request"):
        guard(lambda text: text)


def test_plain_and_streaming_handlers_run_only_for_staff() -> None:
    calls: list[str] = []

    @guard
    def plain(text: str, request: gr.Request) -> str:
        calls.append(text)
        return text.upper()

    @guard
    def stream(text: str, request: gr.Request) -> Iterator[str]:
        calls.append(text)
        yield from text

    assert plain("hi", gr.Request(username="maria")) == "HI"
    assert list(stream("ab", request=gr.Request(username="maria"))) == ["a", "b"]
    for who in [None, "", "mallory"]:
        with pytest.raises(NotStaff):
            plain("no", gr.Request(username=who))
        with pytest.raises(NotStaff):
            next(stream("no", request=gr.Request(username=who)))
    with pytest.raises(NotStaff):
        plain("no", None)  # type: ignore[arg-type]
    assert calls == ["hi", "ab"]


def test_an_unexpected_failure_becomes_a_message_staff_can_read() -> None:
    @guard
    def broken(request: gr.Request) -> None:
        raise RuntimeError("database is locked")

    with pytest.raises(gr.Error, match="database is locked") as raised:
        broken(gr.Request(username="maria"))
    assert not isinstance(raised.value, NotStaff)
