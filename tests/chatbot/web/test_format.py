"""What the chat page shows: patient and article text as text, links only to web addresses."""

from __future__ import annotations

import pytest

from chatbot.reply import Reply, Route, Source
from chatbot.web.format import booking_message, escape_text, format_reply, format_source, safe_url, tel_link

HIP = Source("hip", "Why Does Hip Mobility Matter?", "https://uplifted.example/articles/hip")


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


def test_format_reply_lists_each_source_once_under_the_answer() -> None:
    heel = Source("heel", "Heel <b>Pain</b>", "https://uplifted.example/articles/heel")
    reply = Reply("Hips <b>matter</b>.\n\nBook an evaluation.", Route.ANSWER, "s1", sources=(HIP, heel, HIP))
    assert format_reply(reply) == (
        "Hips &lt;b&gt;matter&lt;/b&gt;.\n\nBook an evaluation.\n\n**Sources:**\n"
        "- [Why Does Hip Mobility Matter?](https://uplifted.example/articles/hip)\n"
        "- [Heel &lt;b&gt;Pain&lt;/b&gt;](https://uplifted.example/articles/heel)"
    )


def test_format_reply_without_sources_is_the_answer_alone() -> None:
    reply = Reply("Please call 911 <now>.", Route.EMERGENCY, "s1")
    assert format_reply(reply) == "Please call 911 &lt;now&gt;."


def test_tel_link() -> None:
    assert tel_link("(555) 010-0000") == "[(555) 010-0000](tel:5550100000)"
    assert tel_link("+1 555 010 0000") == "[+1 555 010 0000](tel:+15550100000)"
    assert tel_link("ask <b>us</b>") == "ask &lt;b&gt;us&lt;/b&gt;"


def test_booking_message_confirms_or_says_why_nothing_was_stored() -> None:
    assert booking_message(None, "(555) 010-0000").startswith("**Thank you, we have your request.**")
    assert "[(555) 010-0000](tel:5550100000)" in booking_message(None, "(555) 010-0000")
    assert booking_message("consent is required to store contact details", "x") == (
        "**Your request was not sent.** Consent is required to store contact details. Nothing was stored."
    )
    assert "&lt;b&gt;" in booking_message("name <b>bad</b>", "x")
