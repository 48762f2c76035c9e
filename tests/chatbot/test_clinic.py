"""The clinic profile: staff-edited facts laid over settings, answers only from them, never guessed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatbot.clinic import (
    AUDIT_ID,
    ClinicInfo,
    ProfileError,
    check_updates,
    load_profile,
    profile_path,
    update_profile,
)
from chatbot.settings import ClinicProfile, Settings
from knowledge_base.catalog import Catalog
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


@pytest.mark.parametrize(
    ("updates", "problem"),
    [({"phone": "call the front desk"}, "phone must be a number to call"),
     ({"booking_url": "ftp://clinic.example/book"}, "booking_url must be a web address starting with https://"),
     ({"booking_url": "clinic.example/book"}, "booking_url must be a web address"),
     ({"privacy_url": "www.clinic.example/privacy"}, "privacy_url must be a web address starting with https://"),
     ({"privacy_url": "javascript:alert(1)"}, "privacy_url must be a web address"),
     ({"privacy_url": "https://"}, "privacy_url must be a web address"),
     ({"privacy_url": "https://clinic.example/our privacy"}, "privacy_url must be a web address"),
     ({"privacy_url": "https://clinic.example/" + "p" * 480}, "privacy_url is 503 characters long; at most 500 fit"),
     ({"privacy_url": None}, "privacy_url can't be empty"),
     ({"hours": "x" * 1001}, "hours is 1,001 characters long; at most 1,000 fit"),
     ({"name": "  "}, "name can't be empty"), ({"phone": None}, "phone can't be empty"),
     ({"opening": "9am"}, "unknown field 'opening'")],
)
def test_bad_values_are_refused_with_the_reason_and_nothing_is_written(
    tmp_path: Path, updates: dict[str, str | None], problem: str
) -> None:
    update_profile(BASE, tmp_path, {"hours": "Mon-Fri 7am-7pm"})
    before = profile_path(tmp_path).read_text()
    with pytest.raises(ProfileError, match=problem):
        update_profile(BASE, tmp_path, {**updates, "parking": "Free lot"})
    assert profile_path(tmp_path).read_text() == before


def test_good_values_pass_the_checks_and_names_can_be_labels() -> None:
    assert check_updates({"phone": "+1 (555) 010-1234", "booking_url": "https://clinic.example/book?x=1",
                          "privacy_url": "http://clinic.example/privacy#contact-form",
                          "hours": "x" * 1000, "parking": None, "address": ""}) == []
    assert check_updates({"privacy_url": "clinic.example/privacy"}, names={"privacy_url": "Privacy policy link"}) == [
        ("privacy_url", "Privacy policy link must be a web address starting with https:// (or http://)")]
    assert check_updates({"phone": "none"}, names={"phone": "Phone number"}) == [
        ("phone", "Phone number must be a number to call, with its digits, like (555) 010-0000")]


def test_cli_edit_sets_the_privacy_link_and_refuses_one_that_is_not_a_web_address(settings: Settings) -> None:
    code, out, _ = uplifted("clinic", "edit", "--set", "privacy_url=https://clinic.example/privacy")
    assert code == 0 and "Saved privacy_url" in out
    assert load_profile(settings.clinic, settings.data_dir).privacy_url == "https://clinic.example/privacy"
    for args, message in [(["--set", "privacy_url=clinic.example/privacy"], "privacy_url must be a web address"),
                          (["--clear", "privacy_url"], "privacy_url can't be empty")]:
        code, _, err = uplifted("clinic", "edit", *args)
        assert code == 1 and message in err
    assert json.loads(uplifted("clinic", "show", "--json")[1])["privacy_url"] == "https://clinic.example/privacy"


def test_a_fact_emptied_by_staff_stays_empty_even_when_settings_set_it(tmp_path: Path) -> None:
    base = BASE.model_copy(update={"parking": "Street parking (from settings)"})
    assert update_profile(base, tmp_path, {"parking": ""}).parking is None
    assert load_profile(base, tmp_path).parking is None
    assert update_profile(base, tmp_path, {"parking": "Free lot"}).parking == "Free lot"


def test_a_watching_clinic_info_follows_the_file_and_keeps_the_last_good_profile(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    info = ClinicInfo.watching(BASE, tmp_path)
    assert info.answer("when are you open?").text is None
    update_profile(BASE, tmp_path, {"hours": "Mon-Fri 7am-7pm"})  # e.g. `uplifted clinic edit` in another process
    assert info.answer("when are you open?").text == "Mon-Fri 7am-7pm"
    assert info.current() is info.current()  # unchanged file: not read again
    update_profile(BASE, tmp_path, {"hours": "Mon-Sat 8am-6pm"})  # same size, right after the last write
    assert info.answer("when are you open?").text == "Mon-Sat 8am-6pm"
    profile_path(tmp_path).write_text("hours: [unclosed")
    assert info.current().hours == "Mon-Sat 8am-6pm" and "not valid YAML" in caplog.text  # the chat goes on
    with pytest.raises(ProfileError):
        info.reload()
    profile_path(tmp_path).unlink()
    assert info.current() == BASE
    assert ClinicInfo(BASE).current() is BASE  # a fixed profile never reads a file


def test_cli_edit_is_audited_and_reaches_a_running_chat(settings: Settings) -> None:
    info = ClinicInfo.watching(settings.clinic, settings.data_dir)  # as the running server holds it
    code, out, _ = uplifted("clinic", "edit", "--set", "hours=Mon-Fri 7am-7pm", "--by", "front-desk")
    assert code == 0 and "Saved hours" in out and info.answer("what are your hours?").text == "Mon-Fri 7am-7pm"
    code, _, err = uplifted("clinic", "edit", "--set", "phone=ask at the desk")
    assert code == 1 and "phone must be a number to call" in err
    catalog = Catalog.open(settings.catalog_path)
    entries = catalog.audit_log(AUDIT_ID)
    catalog.conn.close()
    assert [(e.action, e.by, e.detail) for e in entries] == [("edit", "front-desk", "hours")]
