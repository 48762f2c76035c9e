"""The clinic profile: staff-edited facts laid over settings, answers only from them, never guessed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatbot.clinic import ClinicInfo, ProfileError, load_profile, profile_path, update_profile
from chatbot.settings import ClinicProfile, Settings
from tests.chatbot.cli.test_kb_cli import uplifted

BASE = ClinicProfile(name="Test Clinic", phone="(555) 010-1234", booking_url="https://clinic.example/book")


def test_updates_are_laid_over_settings_and_only_staffs_fields_are_written(tmp_path: Path) -> None:
    profile = update_profile(BASE, tmp_path, {"hours": "Mon-Fri 7am-7pm", "parking": "Free lot behind us"})
    assert (profile.hours, profile.parking, profile.phone) == ("Mon-Fri 7am-7pm", "Free lot behind us", "(555) 010-1234")
    assert "phone" not in profile_path(tmp_path).read_text()  # a later change in settings still shows
    assert load_profile(BASE.model_copy(update={"phone": "(555) 010-9999"}), tmp_path).phone == "(555) 010-9999"
    profile = update_profile(BASE, tmp_path, {"parking": None})
    assert profile.parking is None and load_profile(BASE, tmp_path).hours == "Mon-Fri 7am-7pm"


@pytest.mark.parametrize(("text", "problem"), [("hours: [unclosed", "not valid YAML"), ("- a list", "mapping"),
                                              ("opening: 9am", "unknown field 'opening'")])
def test_a_bad_profile_file_names_the_file_and_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    profile_path(tmp_path).write_text(text)
    with pytest.raises(ProfileError, match=problem) as caught:
        load_profile(BASE, tmp_path)
    assert str(profile_path(tmp_path)) in str(caught.value)


@pytest.mark.parametrize(
    ("question", "topic"),
    [("what are your hours on saturday?", "hours"), ("where do I park", "parking"), ("do you take Medicare?", "insurance"),
     ("what should I wear to my first visit?", "first_visit"), ("I need to cancel tomorrow", "cancellation"),
     ("do I need a referral from my doctor?", "referral"), ("how much does a session cost", "prices"),
     ("what's your address", "address"), ("¿A qué hora abren?", "hours"), ("how do I make an appointment", "booking")],
)
def test_questions_find_their_field(question: str, topic: str) -> None:
    assert ClinicInfo(BASE).topic(question) == topic


def test_a_fact_the_profile_lacks_is_never_invented() -> None:
    info = ClinicInfo(BASE.model_copy(update={"hours": "Mon-Fri 7am-7pm"}))
    assert info.answer("when are you open?").text == "Mon-Fri 7am-7pm"
    assert info.answer("is there parking?").text is None


def test_cli_show_and_edit_and_bad_input(settings: Settings) -> None:
    code, out, _ = uplifted("clinic", "edit", "--set", "hours=Mon-Fri 7am-7pm", "--set", "insurance=Medicare, Aetna")
    assert code == 0 and "Saved hours, insurance" in out
    shown = json.loads(uplifted("clinic", "show", "--json")[1])
    assert shown["hours"] == "Mon-Fri 7am-7pm" and shown["insurance"] == "Medicare, Aetna" and shown["parking"] is None
    assert "not set: the chat says to call" in uplifted("clinic", "show")[1]
    for args, message in [(["--set", "opening=9"], "unknown field 'opening'"), (["--set", "hours"], "FIELD=TEXT"),
                          (["--clear", "phone"], "phone can't be empty"), ([], "nothing to change")]:
        code, _, err = uplifted("clinic", "edit", *args)
        assert code == 1 and message in err
    assert json.loads(uplifted("clinic", "show", "--json")[1])["hours"] == "Mon-Fri 7am-7pm"  # nothing lost
