"""The console's "Clinic profile" tab through gradio_client against the launched server, and the running chat
that must answer from what staff saved (or what `uplifted clinic edit` wrote) without a restart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from gradio_client import Client

from chatbot.clinic import AUDIT_ID, profile_path
from chatbot.staff.clinic_tab import EDITABLE
from chatbot.web.contact_form import form_props
from tests.chatbot.cli.test_kb_cli import uplifted
from tests.chatbot.staff.conftest import CLINIC, STAFF, Live

PARKING_Q = "is there parking at the clinic?"
HOURS = "Monday to Friday, 7 am to 7 pm; Saturday 8 am to noon"
SKIPPED = {"__type__": "update"}  # what the client gets for a box the handler left alone


def plain(html_text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_text)).strip()


class Tab:
    """One staff member's "Clinic profile" tab: what it shows, and the values it loaded (sent back on save)."""

    def __init__(self, staff: Client) -> None:
        self.staff = staff
        self.loaded: dict[str, str] = {}

    def open(self, typed: dict[str, str] | None = None) -> tuple[str, str, dict[str, Any], list[Any]]:
        """Open the tab (with ``typed`` in the boxes): status, history, the editable fields, the fixed numbers."""
        shown = self.staff.predict(self.loaded, *[(typed or {}).get(f, "") for f in EDITABLE],
                                   api_name="/clinic_profile")
        return self._read(shown)

    def save(self, values: dict[str, str]) -> tuple[str, str, dict[str, Any], list[Any]]:
        return self._read(self.staff.predict(self.loaded, *[values[f] for f in EDITABLE], api_name="/save_clinic"))

    def _read(self, shown: Any) -> tuple[str, str, dict[str, Any], list[Any]]:
        status, history, *boxes, loaded = shown
        if isinstance(loaded, dict) and loaded != SKIPPED:
            self.loaded = loaded
        fields = dict(zip(EDITABLE, boxes[:len(EDITABLE)], strict=True))
        return status, history, fields, boxes[len(EDITABLE):]


def ask(live: Live, question: str) -> dict[str, Any]:
    return dict(live.patient().predict(question, "", api_name="/ask"))


def clinic_audit(live: Live) -> list[tuple[str, str, str | None]]:
    return [(e.action, e.by, e.detail) for e in live.server.kb.audit_log(AUDIT_ID)]


@pytest.fixture
def profile_kept(live: Live) -> Iterator[Path]:
    """The shared server's clinic.yaml as it was before the test, afterwards."""
    path = profile_path(live.settings.data_dir)
    before = path.read_text(encoding="utf-8") if path.exists() else None
    yield path
    if before is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(before, encoding="utf-8")
    live.server.assistant.clinic.reload()


def test_staff_see_every_field_and_a_saved_change_is_what_the_chat_answers_next(live: Live, profile_kept: Path) -> None:
    tab = Tab(live.staff())
    status, _, fields, fixed = tab.open()
    assert status == ""
    assert (fields["name"], fields["phone"], fields["booking_url"]) == (CLINIC.name, CLINIC.phone, CLINIC.booking_url)
    assert fields["privacy_url"] == CLINIC.privacy_url
    assert set(EDITABLE) >= {"hours", "address", "parking", "insurance", "prices", "first_visit", "cancellation",
                             "referral", "accessibility", "languages"}
    assert fixed == ["911", "988"]  # shown, set where the server runs
    before = ask(live, "what are your hours?")
    assert before["route"] == "clinic_info" and "don't have that information" in before["answer"]

    status, history, saved, _ = tab.save({**fields, "hours": f"  {HOURS} "})
    assert plain(status) == "Done Saved: Opening hours. The chat uses it from the next question."
    assert f"by **{STAFF}**" in history and saved["hours"] == HOURS and tab.loaded["hours"] == HOURS
    reply = ask(live, "what are your hours?")
    assert reply["route"] == "clinic_info" and HOURS in reply["answer"]
    assert clinic_audit(live)[-1] == ("edit", STAFF, "hours")
    assert HOURS in profile_kept.read_text(encoding="utf-8")


def test_bad_input_gets_a_clear_message_and_loses_nothing(live: Live, profile_kept: Path) -> None:
    tab = Tab(live.staff())
    _, _, fields, _ = tab.open()
    audited = clinic_audit(live)
    before = profile_kept.read_text(encoding="utf-8") if profile_kept.exists() else None
    typed = {**fields, "phone": "call the front desk", "booking_url": "www.uplifted.example/book",
             "hours": "open " * 300, "parking": "Free lot behind the building"}
    status, history, kept, fixed = tab.save(typed)
    text = plain(status)
    assert text.startswith("Not saved Nothing was changed. Please fix:")
    assert "Phone number must be a number to call" in text
    assert "Booking link must be a web address starting with https://" in text
    assert "Opening hours is 1,499 characters long; at most 1,000 fit" in text
    assert "Parking" not in text  # only what is wrong is listed
    assert [history, *kept.values(), *fixed] == [SKIPPED] * (1 + len(EDITABLE) + 2)  # every box keeps its text
    assert (profile_kept.read_text(encoding="utf-8") if profile_kept.exists() else None) == before
    assert clinic_audit(live) == audited
    assert "Free lot" not in ask(live, PARKING_Q)["answer"]

    status, _, kept, _ = tab.open(typed)  # leaving the tab and coming back keeps the typing too
    assert "not saved yet" in plain(status) and kept == dict.fromkeys(EDITABLE, SKIPPED)


def test_the_privacy_link_is_saved_alone_and_reaches_the_contact_form(live: Live, profile_kept: Path) -> None:
    tab = Tab(live.staff())
    _, _, fields, _ = tab.open()
    before = yaml.safe_load(profile_kept.read_text(encoding="utf-8")) if profile_kept.exists() else {}
    link = "https://uplifted.example/legal/privacy-test#contact"
    status, _, saved, _ = tab.save({**fields, "privacy_url": f" {link} "})
    assert plain(status) == "Done Saved: Privacy policy link. The chat uses it from the next question."
    assert saved["privacy_url"] == link and clinic_audit(live)[-1] == ("edit", STAFF, "privacy_url")
    assert link in form_props(live.server.assistant.clinic.current())["privacy_note"]  # the patient page's form
    assert yaml.safe_load(profile_kept.read_text(encoding="utf-8")) == {**before, "privacy_url": link}  # only it


@pytest.mark.parametrize("link", ["uplifted.example/privacy", "javascript:alert(1)", "https://", ""])
def test_a_privacy_link_that_is_not_a_web_address_is_refused_and_kept_in_its_box(
    live: Live, profile_kept: Path, link: str
) -> None:
    tab = Tab(live.staff())
    _, _, fields, _ = tab.open()
    audited = clinic_audit(live)
    typed = {**fields, "privacy_url": link, "parking": "Free lot behind the building"}
    status, _, kept, _ = tab.save(typed)
    wanted = ("Privacy policy link can&#x27;t be empty: set it to the clinic&#x27;s own value instead" if not link
              else "Privacy policy link must be a web address starting with https:// (or http://)")
    assert plain(status) == f"Not saved Nothing was changed. Please fix: {wanted}"
    assert kept == dict.fromkeys(EDITABLE, SKIPPED)  # the typing stays in the boxes
    assert live.server.assistant.clinic.current().privacy_url == CLINIC.privacy_url and clinic_audit(live) == audited


def test_a_blank_fact_is_cleared_and_the_chat_says_to_call(live: Live, profile_kept: Path) -> None:
    tab = Tab(live.staff())
    _, _, fields, _ = tab.open()
    tab.save({**fields, "parking": "Free lot behind the building"})
    assert "Free lot behind the building" in ask(live, PARKING_Q)["answer"]
    status, _, saved, _ = tab.save({**fields, "parking": "   "})
    assert "Saved: Parking and getting here" in plain(status) and saved["parking"] == ""
    reply = ask(live, PARKING_Q)
    assert "Free lot" not in reply["answer"] and "call us" in reply["answer"]
    assert clinic_audit(live)[-2:] == [("edit", STAFF, "parking")] * 2


def test_nothing_changed_saves_nothing(live: Live, profile_kept: Path) -> None:
    tab = Tab(live.staff())
    _, _, fields, _ = tab.open()
    audited = clinic_audit(live)
    status, history, kept, _ = tab.save(fields)
    assert plain(status) == "Done No change." and history == SKIPPED and kept == dict.fromkeys(EDITABLE, SKIPPED)
    assert clinic_audit(live) == audited


def test_two_staff_editing_different_fields_keep_both_changes(live: Live, profile_kept: Path) -> None:
    first, second = Tab(live.staff()), Tab(live.staff())
    _, _, seen_first, _ = first.open()
    _, _, seen_second, _ = second.open()
    second.save({**seen_second, "parking": "Free lot behind the building"})
    first.save({**seen_first, "hours": HOURS})  # the first still shows the old (empty) parking
    assert HOURS in ask(live, "what are your hours?")["answer"]
    assert "Free lot behind the building" in ask(live, PARKING_Q)["answer"]


def test_a_cli_edit_reaches_the_running_chat_and_the_console(live: Live, profile_kept: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPLIFTED_DATA_DIR", str(live.settings.data_dir))
    code, _, _ = uplifted("clinic", "edit", "--set", f"hours={HOURS}", "--by", "office-manager")
    assert code == 0
    assert HOURS in ask(live, "what are your hours?")["answer"]
    _, history, fields, _ = Tab(live.staff()).open()
    assert fields["hours"] == HOURS and "by **office-manager**" in history
    assert clinic_audit(live)[-1] == ("edit", "office-manager", "hours")


def test_a_new_phone_number_is_in_the_chat_s_fixed_replies(live: Live, profile_kept: Path) -> None:
    tab = Tab(live.staff())
    _, _, fields, _ = tab.open()
    tab.save({**fields, "phone": "(555) 010-4242"})
    assert "(555) 010-4242" in ask(live, "do you take my insurance?")["answer"]
