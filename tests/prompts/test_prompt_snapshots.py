"""Every patient-facing sentence and model prompt, rendered with a fixed clinic, against a
reviewed snapshot: a wording change shows up in review as a diff of ``snapshots/*.txt``.
Run ``UPDATE_SNAPSHOTS=1 pytest tests/prompts`` after an intended change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chatbot.question_kind import KINDS
from chatbot.replies import Replies
from chatbot.settings import ClinicProfile
from prompts import PromptError, load, render

SNAPSHOTS = Path(__file__).parent / "snapshots"
CLINIC = ClinicProfile(name="Uplifted Test Clinic", booking_url="https://clinic.example/book", phone="(555) 010-1234",
                       emergency_number="911", crisis_line="988")


def rendered_replies(lang: str = "en") -> str:
    replies = Replies(CLINIC)
    name = "replies_es" if lang == "es" else "replies"
    data = load(name)
    lines = [f"# {name}.yaml version {data['version']}"]
    for key, value in data.items():
        if key == "version":
            continue
        if key == "scope_redirect":
            lines += [f"## scope_redirect.{kind}\n{replies.scope(kind, lang=lang)}" for kind in value]
        elif key == "small_talk":
            lines += [f"## small_talk.{kind}\n{replies.small_talk(kind, lang=lang)}" for kind in value]
        elif key == "lead_ins":
            lines += [f"## lead_ins.{kind}\n{render(t, {'title': 'Heat or Ice'})}" for kind, ts in value.items() for t in ts]
        else:
            lines.append(f"## {key}\n{replies.say(key, lang=lang, length=2500, limit=2000, seconds=30, answer='[from profile]')}")
    return "\n\n".join(lines) + "\n"


def rendered_spanish_replies() -> str:
    return rendered_replies("es")


def rendered_llm_prompt() -> str:
    data = load("llm_answer")
    return f"# llm_answer.yaml version {data['version']}\n\n## system\n{data['system']}\n\n## user\n{data['user']}\n"


def rendered_judge_prompt() -> str:
    data = load("judge")
    return f"# judge.yaml version {data['version']}\n\n## system\n{data['system']}\n\n## user\n{data['user']}\n"


@pytest.mark.parametrize(("name", "text"), [("replies", rendered_replies), ("replies_es", rendered_spanish_replies),
                                            ("llm_answer", rendered_llm_prompt), ("judge", rendered_judge_prompt)])
def test_prompt_matches_reviewed_snapshot(name: str, text: object) -> None:
    current = text()  # type: ignore[operator]
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(current, encoding="utf-8")
    assert path.exists(), f"no snapshot yet: run UPDATE_SNAPSHOTS=1 pytest {__file__}"
    assert current == path.read_text(encoding="utf-8"), f"{name} changed: review, bump its version, update the snapshot"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_replies_use_the_clinic_settings_and_never_leave_a_placeholder(lang: str) -> None:
    text = rendered_replies(lang)
    assert "(555) 010-1234" in text and "https://clinic.example/book" in text and "988" in text
    assert "{" not in text and "}" not in text


def test_every_english_reply_has_a_spanish_version() -> None:
    english, spanish = load("replies"), load("replies_es")
    assert set(english) <= set(spanish)
    assert set(english["lead_ins"]) == set(spanish["lead_ins"])
    assert set(english["scope_redirect"]) == set(spanish["scope_redirect"])
    assert set(english["small_talk"]) == set(spanish["small_talk"])


def test_missing_value_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(PromptError, match="no value for phone"):
        render("Call us at {phone}.", {})


def test_every_kind_of_question_has_a_lead_in_in_both_languages() -> None:
    kinds = {name for name, _ in KINDS} | {"more", "other"}
    for name in ("replies", "replies_es"):
        assert set(load(name)["lead_ins"]) == kinds, name
