"""The contact form: an "Ask us to call you" button that opens a small form (name, phone, best time, consent).

It is one ``gr.HTML`` component, so the form is real HTML: labels tied to their fields, ``type="tel"`` and
``autocomplete`` for the browser's own filling, a message beside each wrong field (``aria-invalid`` and
``aria-describedby``), a one-line privacy note linking the clinic's privacy page (``UPLIFTED_CLINIC_PRIVACY_URL``)
and a status line in a live region, so a screen reader hears what happened. The browser sends the fields as
the component's value (JSON) with a ``submit`` event; the server checks every field
(``Assistant.request_booking``) and answers with a JSON result that the page applies: nothing typed is lost.
Everything the server says is put in the page as text, never as HTML.
"""

from __future__ import annotations

import json
from typing import Any

import gradio as gr

from chatbot.assistant import Assistant, new_session
from chatbot.contact import FIELDS, ContactRequestError
from chatbot.ratelimit import RateLimited
from chatbot.settings import ClinicProfile
from chatbot.web.clients import client_host
from chatbot.web.format import dial, escape_attr, safe_url

TEMPLATE = """
<div class="contact-call">
  <button type="button" class="contact-toggle" aria-expanded="false" aria-controls="contact-form">
    Ask us to call you</button>
  <form id="contact-form" class="contact-form" novalidate hidden aria-label="Ask us to call you">
    <p class="contact-intro">Leave your name and number and we'll call you to book an evaluation.</p>
    <div class="field">
      <label for="contact-name">Your name</label>
      <input id="contact-name" name="name" type="text" autocomplete="name" maxlength="100" required
             aria-describedby="contact-name-error">
      <p id="contact-name-error" class="field-error" hidden></p>
    </div>
    <div class="field">
      <label for="contact-phone">Phone number</label>
      <input id="contact-phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="30" required
             aria-describedby="contact-phone-error">
      <p id="contact-phone-error" class="field-error" hidden></p>
    </div>
    <div class="field">
      <label for="contact-note">Best time to call (optional)</label>
      <input id="contact-note" name="note" type="text" autocomplete="off" maxlength="500"
             aria-describedby="contact-note-error">
      <p id="contact-note-error" class="field-error" hidden></p>
    </div>
    <div class="field consent">
      <input id="contact-consent" name="consent" type="checkbox" aria-describedby="contact-consent-error">
      <label for="contact-consent">I agree that ${clinic_name} may store my name and phone number to contact me</label>
      <p id="contact-consent-error" class="field-error" hidden></p>
    </div>
    <p class="privacy-note">${privacy_note}</p>
    <button type="submit" class="contact-submit">Send my request</button>
  </form>
  <p id="contact-status" class="contact-status" role="status" aria-live="polite"></p>
</div>
"""

CSS = """
.contact-call { display: flex; flex-direction: column; gap: 0.5rem; }
button { min-height: 44px; padding: 0.5rem 1rem; border-radius: var(--button-large-radius, 8px); cursor: pointer;
         font: inherit; font-weight: 600; }
.contact-toggle { align-self: flex-start; background: var(--button-secondary-background-fill);
                  color: var(--button-secondary-text-color); border: 1px solid var(--button-secondary-border-color); }
.contact-submit { align-self: flex-start; background: var(--button-primary-background-fill);
                  color: var(--button-primary-text-color); border: 1px solid var(--button-primary-border-color); }
button:focus-visible, input:focus-visible { outline: 3px solid var(--color-accent, #1d4ed8); outline-offset: 2px; }
.contact-form { display: flex; flex-direction: column; gap: 0.75rem; padding: 1rem;
                border: 1px solid var(--border-color-primary); border-radius: var(--block-radius, 8px); }
.contact-form[hidden] { display: none; }
.contact-intro, .privacy-note, .contact-status { margin: 0; }
.field { display: flex; flex-direction: column; gap: 0.25rem; }
.field.consent { display: grid; grid-template-columns: auto 1fr; column-gap: 0.6rem; align-items: start; }
.field.consent .field-error { grid-column: 1 / -1; }
label { font-weight: 600; color: var(--body-text-color); }
.consent label { font-weight: 400; }
input[type=text], input[type=tel] { min-height: 44px; padding: 0.5rem 0.75rem; font: inherit;
    color: var(--body-text-color); background: var(--input-background-fill);
    border: 1px solid var(--input-border-color, #6b7280); border-radius: var(--input-radius, 6px); }
input[type=checkbox] { width: 24px; height: 24px; margin: 0.1rem 0 0; }
input[aria-invalid=true] { border: 2px solid #b42318; }
.field-error { margin: 0; color: #b42318; font-weight: 600; }
.field-error[hidden] { display: none; }
.contact-status:empty { display: none; }
.contact-status { font-weight: 600; }
.privacy-note a, .contact-status a { text-decoration: underline; }
"""

JS = """
const form = () => element.querySelector('form.contact-form');
const toggle = () => element.querySelector('.contact-toggle');
const status = () => element.querySelector('.contact-status');
let sent = 0;
const open = (show) => {
  form().hidden = !show;
  toggle().setAttribute('aria-expanded', String(show));
  if (show) form().querySelector('input').focus();
};
element.addEventListener('click', (event) => {
  if (event.target.closest('.contact-toggle')) open(form().hidden);
});
element.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !form().hidden && form().contains(event.target)) {
    event.preventDefault();  // handled here: an embedded chat panel (/embed.js) stays open
    open(false);
    toggle().focus();
  }
});
element.addEventListener('submit', (event) => {
  event.preventDefault();
  const fields = form().elements;
  sent += 1;
  status().textContent = 'Sending your request...';
  props.value = JSON.stringify({
    name: fields.namedItem('name').value, phone: fields.namedItem('phone').value,
    note: fields.namedItem('note').value, consent: fields.namedItem('consent').checked, sent: sent,
  });
  trigger('submit');
});
watch('value', () => {
  let result;
  try { result = JSON.parse(props.value || '{}'); } catch (error) { return; }
  if (!result || !result.answered) return;
  const fields = form().elements;
  let first = null;
  for (const name of FIELDS) {
    const input = fields.namedItem(name);
    const message = element.querySelector('#contact-' + name + '-error');
    const problem = (result.errors || {})[name];
    if (problem) {
      input.setAttribute('aria-invalid', 'true');
      message.textContent = problem;
      message.hidden = false;
      first = first || input;
    } else {
      input.removeAttribute('aria-invalid');
      message.textContent = '';
      message.hidden = true;
    }
  }
  status().textContent = result.status;
  if (result.phone) {
    const call = document.createElement('a');
    call.href = result.tel;
    call.textContent = result.phone;
    status().append(' ', call, '.');
  }
  if (result.ok) form().reset();
  if (first) first.focus();
});
""".replace("FIELDS", json.dumps(list(FIELDS)))


def form_props(clinic: ClinicProfile) -> dict[str, Any]:
    """The clinic's name and privacy note for the form, escaped: the template puts them in as HTML."""
    privacy = safe_url(clinic.privacy_url)
    link = (f'<a href="{escape_attr(privacy)}" target="_blank" rel="noopener">Read our privacy policy</a>'
            if privacy else "")
    return {"clinic_name": escape_attr(clinic.name),
            "privacy_note": f"We keep your name and number only to call you back. {link}".strip()}


def read_request(value: Any) -> dict[str, Any]:
    """The form's fields from the page's JSON (anything unreadable reads as an empty form)."""
    try:
        data = json.loads(value) if isinstance(value, str) and value else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    fields: dict[str, Any] = {name: str(data.get(name) or "") for name in ("name", "phone", "note")}
    fields["consent"] = data.get("consent") is True
    fields["sent"] = data.get("sent") if isinstance(data.get("sent"), int) else 0
    return fields


def contact_outcome(assistant: Assistant, session: str, name: str, phone: str, consent: bool, note: str = "", *,
                    client: str | None = None) -> dict[str, Any]:
    """Store the request if every field is right and the client is within its limit; what happened, as the page
    and ``POST /api/v1/contact`` both give it: ``ok``, ``errors`` (field: message), ``status`` (a sentence for the
    patient), the clinic's ``phone`` and ``tel`` link to call instead, and ``retry_after_s`` when rate-limited."""
    result: dict[str, Any]
    try:
        assistant.request_booking(session, name, phone, consent, note, client=client)
    except ContactRequestError as exc:
        count = len(exc.problems)
        marked = "the field marked in the form" if count == 1 else f"the {count} fields marked in the form"
        return {"ok": False, "errors": exc.problems,
                "status": f"Your request was not sent: please check {marked}. Nothing was stored."}
    except RateLimited as exc:
        minutes = max(1, round(exc.retry_after_s / 60))
        result = {"ok": False, "errors": {}, "retry_after_s": exc.retry_after_s,
                  "status": f"We already have several requests from you. Please try again in about {minutes} "
                            f"minute{'s' if minutes != 1 else ''}, or call us at"}
    except ValueError as exc:  # the store's own last check
        return {"ok": False, "errors": {}, "status": f"Your request was not sent: {exc}. Nothing was stored."}
    else:
        result = {"ok": True, "errors": {},
                  "status": "Thank you, we have your request. Someone from the clinic will call you soon. "
                            "If you'd rather not wait, call us at"}
    clinic_phone = assistant.clinic.current().phone
    target = dial(clinic_phone)
    if target:
        result |= {"phone": clinic_phone, "tel": f"tel:{target}"}
    else:
        result["status"] = f"{result['status']} {clinic_phone}."
    return result


def contact_result(assistant: Assistant, value: Any, session: str, client: str | None = None) -> tuple[str, str]:
    """The page's JSON result for the form's fields (``value``) and the session."""
    fields = read_request(value)
    session = session or new_session()
    outcome = contact_outcome(assistant, session, fields["name"], fields["phone"], fields["consent"], fields["note"],
                              client=client)
    return json.dumps({"answered": True, "sent": fields["sent"], **outcome}), session


def contact_form(assistant: Assistant, session: gr.State) -> gr.HTML:
    """The "Ask us to call you" button and its form, wired to ``/request_contact`` (undocumented, like the
    browser calls it: the fields as JSON in, the result as JSON out, in the page's session)."""
    form = gr.HTML("", html_template=TEMPLATE, css_template=CSS, js_on_load=JS, elem_id="contact",
                   **form_props(assistant.clinic.current()))

    def submit(value: Any, current: str, request: gr.Request) -> tuple[str, str]:
        return contact_result(assistant, value, current, client_host(request))

    form.submit(submit, [form, session], [form, session], api_name="request_contact",
                api_visibility="undocumented")
    return form
