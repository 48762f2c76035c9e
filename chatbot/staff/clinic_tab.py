"""The console's "Clinic profile" tab: staff see every field of the clinic profile, edit it and save it.

The profile is the same ``$UPLIFTED_DATA_DIR/clinic.yaml`` that ``uplifted clinic edit`` writes. Only the
fields a staff member changed since the tab was loaded are saved (so two people editing different fields
don't undo each other), after the same checks as the CLI (:func:`chatbot.clinic.check_updates`); a rejected
save changes nothing on the page, so nothing typed is lost. A save is in the audit log under the staff
member's name with the fields changed, and the running chat uses it from the next question
(``ClinicInfo.reload``). The emergency and crisis numbers are shown but set only where the server runs.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from chatbot.assistant import Assistant
from chatbot.clinic import AUDIT_ID, ProfileError, audit_edit, check_updates, load_profile, update_profile
from chatbot.settings import ClinicProfile, Settings
from chatbot.staff import render
from chatbot.staff.access import staff_name, staff_only
from chatbot.staff.auth import StaffAuth
from knowledge_base.service import KnowledgeBase

# (field, label, help) in the order the tab shows them.
CONTACT = [
    ("name", "Clinic name", "Shown on the chat page and in replies."),
    ("phone", "Phone number", "Every reply that says to call us gives this number."),
    ("booking_url", "Booking link", "Where \"Book an evaluation\" goes; a web address starting with https://."),
    ("privacy_url", "Privacy policy link",
     "Linked from the chat's \"Ask us to call you\" form; a web address starting with https://."),
]
FACTS = [
    ("hours", "Opening hours", None),
    ("address", "Address", None),
    ("parking", "Parking and getting here", None),
    ("insurance", "Insurance", None),
    ("prices", "Prices and payment", None),
    ("first_visit", "First visit: what to bring and wear", None),
    ("cancellation", "Cancelling or rescheduling", None),
    ("referral", "Referrals", None),
    ("accessibility", "Accessibility", None),
    ("languages", "Languages spoken", None),
]
FIXED = [
    ("emergency_number", "Emergency number", "uplifted clinic edit --set emergency_number=..."),
    ("crisis_line", "Crisis line", "uplifted clinic edit --set crisis_line=..."),
]
EDITABLE = [field for field, _, _ in CONTACT + FACTS]
LABELS = {field: label for field, label, _ in CONTACT + FACTS + FIXED}


def profile_texts(profile: ClinicProfile) -> dict[str, str]:
    """Every field as the text its box shows ("" for a fact the profile doesn't hold)."""
    return {field: str(getattr(profile, field) or "") for field in LABELS}


def last_change(kb: KnowledgeBase) -> str:
    entries = kb.audit_log(AUDIT_ID)
    if not entries:
        return "No change saved yet (from here or with `uplifted clinic edit`)."
    last = entries[-1]
    return (f"Last change: {last.at:%Y-%m-%d %H:%M} UTC by **{render.esc(last.by)}** "
            f"({render.esc(', '.join(LABELS.get(f.strip(), f.strip()) for f in (last.detail or '').split(',')))}).")


def build_clinic_tab(settings: Settings, *, assistant: Assistant, kb: KnowledgeBase, auth: StaffAuth) -> gr.Tab:
    """Lay out the tab inside the console's ``gr.Tabs`` and wire its handlers (each checks the user itself)."""
    staff = staff_only(auth)
    keep_all = [gr.skip()] * (len(LABELS) + 1)  # every box and the loaded values, untouched

    def shown(profile: ClinicProfile) -> list[Any]:
        texts = profile_texts(profile)
        return [*(texts[field] for field in [*EDITABLE, *(f for f, _, _ in FIXED)]), texts]

    @staff
    def open_profile(request: gr.Request, loaded: dict[str, str] | None, *typed: str | None) -> tuple[Any, ...]:
        """The profile as saved now, unless the boxes hold changes not saved yet: those stay."""
        before = loaded if isinstance(loaded, dict) else {}
        if any((value or "").strip() != before.get(field, "") for field, value in zip(EDITABLE, typed, strict=True)):
            return render.status(False, "You have changes that are not saved yet.", "Not saved"), gr.skip(), *keep_all
        try:
            profile = load_profile(settings.clinic, settings.data_dir)
        except ProfileError as exc:
            note = f"{exc}. Fix or delete the file; until then the chat keeps the last profile it could read."
            return render.status(False, note, "Can't read the profile"), gr.skip(), *keep_all
        return "", last_change(kb), *shown(profile)

    @staff
    def save_profile(request: gr.Request, loaded: dict[str, str] | None, *typed: str | None) -> tuple[Any, ...]:
        user = staff_name(request, auth)
        before = loaded if isinstance(loaded, dict) and loaded else profile_texts(assistant.clinic.current())
        submitted = {field: (value or "").strip() for field, value in zip(EDITABLE, typed, strict=True)}
        changed = {field: value for field, value in submitted.items() if value != before.get(field, "")}
        if not changed:
            return render.status(True, "No change."), gr.skip(), *keep_all
        problems = check_updates(changed, names=LABELS)
        if problems:
            listed = "".join(f"<li>{render.esc(problem)}</li>" for _, problem in problems)
            return (f"<p><span class='badge error'>Not saved</span> Nothing was changed. Please fix:</p>"
                    f"<ul>{listed}</ul>"), gr.skip(), *keep_all
        try:
            update_profile(settings.clinic, settings.data_dir, {f: v or None for f, v in changed.items()})
        except ProfileError as exc:
            return render.status(False, f"{exc}. Nothing was changed."), gr.skip(), *keep_all
        audit_edit(kb, list(changed), by=user)
        profile = assistant.clinic.reload()  # the chat answers with the new profile from the next question
        names = ", ".join(LABELS[field] for field in changed)
        return (render.status(True, f"Saved: {names}. The chat uses it from the next question."),
                last_change(kb), *shown(profile))

    with gr.Tab("Clinic profile", id="clinic", elem_id="tab-clinic") as tab:
        gr.Markdown("The chat answers patients' questions about the clinic only from these fields, in your words. "
                    "A blank fact is never guessed: the chat says it doesn't know and gives the phone number. "
                    "Saved changes reach the chat at the next question.")
        history = gr.Markdown(elem_id="clinic-history")
        boxes: dict[str, gr.Textbox] = {}
        with gr.Group():
            for field, label, info in CONTACT:
                boxes[field] = gr.Textbox(label=label, info=info, elem_id=f"clinic-{field}")
        gr.Markdown("### What the chat answers about the clinic")
        for start in range(0, len(FACTS), 2):
            with gr.Row():
                for field, label, _ in FACTS[start:start + 2]:
                    boxes[field] = gr.Textbox(label=label, lines=2, max_lines=8, min_width=300,
                                              elem_id=f"clinic-{field}")
        with gr.Accordion("Emergency and crisis numbers", open=False):
            gr.Markdown("Safety replies give these numbers. They are set where the server runs, not here.")
            with gr.Row():
                for field, label, how in FIXED:
                    boxes[field] = gr.Textbox(label=label, info=how, interactive=False, min_width=200,
                                              elem_id=f"clinic-{field}")
        save = gr.Button("Save clinic profile", variant="primary", elem_id="save-clinic")
        status = gr.HTML(elem_id="clinic-status")
        # The values as loaded, to tell what this staff member changed. Not a gr.State: that would make every
        # console client hold a heartbeat stream open for nothing.
        loaded = gr.JSON({}, visible=False)

    editable = [boxes[field] for field in EDITABLE]
    outputs = [status, history, *editable, *(boxes[f] for f, _, _ in FIXED), loaded]
    tab.select(open_profile, [loaded, *editable], outputs, api_name="clinic_profile")
    save.click(save_profile, [loaded, *editable], outputs, api_name="save_clinic")
    return tab
