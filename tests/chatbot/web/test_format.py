"""What the chat page shows: patient and article text as text, links only to web, tel: and sms: addresses,
safety replies as alert cards, the booking call to action as a button once per conversation."""

from __future__ import annotations

import re

import pytest

from chatbot.replies import Replies
from chatbot.reply import Reply, Route, Source
from chatbot.settings import ClinicProfile
from chatbot.web.format import (
    BOOKING_CLASS,
    booking_offered,
    dial,
    escape_text,
    format_reply,
    format_source,
    message_text,
    safe_url,
    tel_link,
)

HIP = Source("hip", "Why Does Hip Mobility Matter?", "https://uplifted.example/articles/hip")
CLINIC = ClinicProfile(name="Test Clinic", phone="(555) 010-1234", booking_url="https://clinic.example/book",
                       emergency_number="911", crisis_line="988")
SAY = Replies(CLINIC)


def answer(*paragraphs: str, sources: tuple[Source, ...] = (HIP,), route: Route = Route.ANSWER,
           lang: str = "en") -> Reply:
    return Reply("\n\n".join(paragraphs), route, "s1", sources=sources, reply_id="r1", lang=lang)


def hrefs(shown: str) -> list[str]:
    """Every link target in shown text: Markdown ``](target)`` and HTML ``href="target"``."""
    return re.findall(r"\]\(([^)\s]+)\)", shown) + re.findall(r'href="([^"]+)"', shown)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("[click](javascript:alert(1))", "&#91;click&#93;(javascript:alert(1))"),
        ("![x](https://tracker.example/p.png)", "!&#91;x&#93;(https://tracker.example/p.png)"),
        ("a & b, **bold**, `code`, $$x$$", "a &amp; b, &#42;&#42;bold&#42;&#42;, &#96;code&#96;, &#36;&#36;x&#36;&#36;"),
        ("&lt;already&gt;", "&amp;lt;already&amp;gt;"),
        ("Don't \"worry\"", "Don't \"worry\""),
        ("", ""),
    ],
)
def test_escape_text_leaves_no_markup(text: str, shown: str) -> None:
    assert escape_text(text) == shown


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://uplifted.example/articles/hip", "https://uplifted.example/articles/hip"),
        ("http://uplifted.example/a?b=1&c=2#top", "http://uplifted.example/a?b=1&c=2#top"),
        ("https://uplifted.example/a)(b\"c'<d>", "https://uplifted.example/a%29%28b%22c%27%3Cd%3E"),
        ("javascript:alert(1)", None),
        ("JavaScript://uplifted.example/%0aalert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("/articles/hip", None),
        ("https://", None),
        ("https://uplifted.example/a b", None),
        ("https://uplifted.example/a\nb", None),
        ("", None),
    ],
)
def test_safe_url_allows_only_web_addresses(url: str, safe: str | None) -> None:
    assert safe_url(url) == safe


def test_format_source_escapes_the_title_and_drops_unsafe_links() -> None:
    assert format_source(HIP) == "[Why Does Hip Mobility Matter?](https://uplifted.example/articles/hip)"
    bad = Source("x", "Heel <script>alert(1)</script> [pain]", "javascript:alert(1)")
    assert format_source(bad) == "Heel &lt;script&gt;alert(1)&lt;/script&gt; &#91;pain&#93;"
    assert format_source(Source("x", "", "")) == "x"


def test_tel_link_and_dial() -> None:
    assert tel_link("(555) 010-0000") == "[(555) 010-0000](tel:5550100000)"
    assert tel_link("+1 555 010 0000") == "[+1 555 010 0000](tel:+15550100000)"
    assert tel_link("ask <b>us</b>") == "ask &lt;b&gt;us&lt;/b&gt;"
    assert dial("988") == "988" and dial("call us") is None


# --- answers -----------------------------------------------------------------------------------
def test_sources_are_links_under_the_answer_each_article_once() -> None:
    heel = Source("heel", "Heel <b>Pain</b>", "https://uplifted.example/articles/heel")
    shown = format_reply(answer("Hips <b>matter</b>.", sources=(HIP, heel, HIP)), CLINIC)
    assert shown == (
        "Hips &lt;b&gt;matter&lt;/b&gt;.\n\n**Sources:**\n"
        "- [Why Does Hip Mobility Matter?](https://uplifted.example/articles/hip)\n"
        "- [Heel &lt;b&gt;Pain&lt;/b&gt;](https://uplifted.example/articles/heel)"
    )


def test_the_first_answer_ends_with_the_booking_button_not_the_address() -> None:
    cta = SAY.say("call_to_action")
    assert CLINIC.booking_url in cta  # the assistant's text carries the raw address...
    shown = format_reply(answer("From our article:", "Move your hips.", cta), CLINIC, offer_booking=True)
    body, sources_and_cta = shown.split("**Sources:**")
    assert "Move your hips." in body and CLINIC.booking_url not in body
    assert sources_and_cta.index("Why Does Hip Mobility Matter?") < sources_and_cta.index(BOOKING_CLASS)
    # ...the page shows it once, as a button named for what it does, after the call to action without the address
    assert shown.count(CLINIC.booking_url) == 1
    assert f'<p class="{BOOKING_CLASS}"><a class="booking-button" href="{CLINIC.booking_url}">Book an evaluation</a></p>' \
        in shown
    assert "book an evaluation or call us at [(555) 010-1234](tel:5550101234)." in shown
    assert booking_offered([{"role": "assistant", "content": shown}])


def test_later_answers_leave_the_call_to_action_out() -> None:
    shown = format_reply(answer("From our article:", "Walk a little more each day.", SAY.say("call_to_action")),
                         CLINIC, offer_booking=False)
    assert CLINIC.booking_url not in shown and BOOKING_CLASS not in shown and "Every body is different" not in shown
    assert shown.startswith("From our article:\n\nWalk a little more each day.\n\n**Sources:**")


def test_a_spanish_answer_gets_a_spanish_button() -> None:
    shown = format_reply(answer("Según nuestro artículo:", "Camine.", SAY.say("call_to_action", lang="es"),
                                lang="es"), CLINIC, offer_booking=True)
    assert "Reservar una evaluación</a>" in shown and "**Fuentes:**" in shown
    assert "reserve una evaluación o llámenos al [(555) 010-1234](tel:5550101234)" in shown


@pytest.mark.parametrize("route", [Route.NO_MATCH, Route.SCOPE_REDIRECT, Route.SMALL_TALK, Route.OFF_TOPIC])
def test_other_replies_never_get_the_button_and_show_the_booking_link_as_a_link(route: Route) -> None:
    text = f"{SAY.say('no_match')} {SAY.say('redirect_call_to_action')}"
    shown = format_reply(answer(text, sources=(), route=route), CLINIC, offer_booking=True)
    assert BOOKING_CLASS not in shown
    assert "book an evaluation at [our booking page](https://clinic.example/book)" in shown
    assert f"at {CLINIC.booking_url}" not in shown  # no raw address


def test_phone_numbers_in_replies_are_tel_links_and_dates_are_not() -> None:
    text = ("Call (555) 010-1234 or +44 20 7946 0000; in an emergency call 911. Studies from 2019-2023 "
            "say 10-15 minutes, 3 times, +2 3 4.")
    shown = format_reply(answer(text, sources=()), CLINIC)
    assert hrefs(shown) == ["tel:5550101234", "tel:+442079460000", "tel:911"]
    assert "2019-2023" in shown and "10-15 minutes" in shown


def test_without_a_clinic_the_reply_is_still_escaped_text() -> None:
    """The staff console's preview formats replies without a clinic profile."""
    shown = format_reply(answer("Please call 911 <now>.", sources=(), route=Route.NO_MATCH))
    assert shown == "Please call 911 &lt;now&gt;."
    cta = SAY.say("call_to_action")
    assert format_reply(answer("Move.", cta)) == (f"Move.\n\n{escape_text(cta)}\n\n**Sources:**\n"
                                                 f"- {format_source(HIP)}")
    assert format_reply(answer("Call 911.", sources=(), route=Route.EMERGENCY)) == "Call 911."


# --- safety replies ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("route", "lang", "actions"),
    [
        (Route.EMERGENCY, "en", [("tel:911", "Call 911")]),
        (Route.URGENT, "en", [("tel:911", "Call 911"), ("tel:5550101234", "Call us: (555) 010-1234")]),
        (Route.CRISIS, "en", [("tel:988", "Call 988"), ("sms:988", "Text 988"), ("tel:911", "Call 911")]),
        (Route.CRISIS, "es", [("tel:988", "Llamar al 988"), ("sms:988", "Enviar un mensaje al 988"),
                              ("tel:911", "Llamar al 911")]),
    ],
)
def test_safety_replies_are_alert_cards_with_tap_to_call(route: Route, lang: str,
                                                          actions: list[tuple[str, str]]) -> None:
    reply = Reply(SAY.say(str(route), lang=lang), route, "s1", reply_id="r1", lang=lang)
    shown = format_reply(reply, CLINIC, offer_booking=True)
    assert shown.startswith(f'<div class="safety-alert safety-{route}" role="alert"><p>')
    assert "\n" not in shown  # one HTML block: Markdown never splits it
    found = re.findall(r'<a class="safety-action[^"]*" href="([^"]+)">([^<]+)</a>', shown)
    assert found == actions
    assert BOOKING_CLASS not in shown and CLINIC.booking_url not in shown  # no booking push
    assert "tel:911" in hrefs(shown.split('class="safety-actions"')[0])  # the number in the text is a link too


def test_the_alert_card_escapes_whatever_the_reply_says() -> None:
    reply = Reply("Call 911 <script>alert(1)</script> [x](javascript:alert(1))", Route.EMERGENCY, "s1")
    shown = format_reply(reply, CLINIC)
    assert "<script" not in shown and "javascript:" not in hrefs(shown)
    assert "&lt;script&gt;" in shown


def test_message_text_reads_both_shapes_gradio_hands_back() -> None:
    assert message_text({"role": "assistant", "content": "hi"}) == "hi"
    assert message_text({"role": "assistant", "content": [{"type": "text", "text": "a"}, {"type": "text",
                                                                                          "text": "b"}]}) == "ab"
    assert message_text({"role": "assistant", "content": None}) == ""
    assert not booking_offered([{"role": "user", "content": f'<p class="{BOOKING_CLASS}">'}])
