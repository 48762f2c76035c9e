"""``uplifted kb show`` and ``uplifted kb edit``, run as staff would: real model, real Chroma under tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

from tests.chatbot.cli.test_kb_cli import uplifted
from tests.conftest import ArticleWriter

HEEL = "Plantar fasciitis makes the heel hurt with the first steps in the morning.\n\nCalf stretches often help."


def test_edit_then_show_metadata_text_and_history(write_article: ArticleWriter, articles_dir: Path) -> None:
    write_article("heel", "Heel Pain", HEEL, tags="[foot]", reviewed_on="2026-01-10", review_due="2026-07-01")
    assert uplifted("kb", "sync", str(articles_dir), "--by", "setup")[0] == 0

    code, out, _ = uplifted("kb", "edit", "heel", "--title", "Heel pain in the morning", "--tag", "Plantar",
                            "--tag", "foot", "--review-due", "none", "--url", "https://clinic.example/heel",
                            "--by", "dr-lee")
    assert code == 0 and "edited heel: title, url, tags, review_due" in out

    shown = json.loads(uplifted("kb", "show", "heel", "--json")[1])
    assert (shown["title"], shown["url"], shown["tags"], shown["reviewed_on"], shown["review_due"]) == (
        "Heel pain in the morning", "https://clinic.example/heel", ["plantar", "foot"], "2026-01-10", None)
    assert shown["text"] == HEEL and shown["source"] == "heel.md"
    assert [(e["action"], e["by"], e["detail"]) for e in shown["history"]] == [
        ("add", "setup", "heel.md"), ("edit", "dr-lee", "title, url, tags, review_due")]

    code, out, _ = uplifted("kb", "show", "heel")
    assert code == 0
    for line in ["Heel pain in the morning (heel)", "link         https://clinic.example/heel",
                 "tags         plantar, foot", "review due   -", "file         heel.md",
                 "Calf stretches often help.", "History", "edit", "by dr-lee  (title, url, tags, review_due)"]:
        assert line in out, line

    code, out, _ = uplifted("kb", "search", "first steps in the morning heel", "--json", "-k", "1")
    assert json.loads(out)[0]["title"] == "Heel pain in the morning"

    code, out, _ = uplifted("kb", "edit", "heel", "--title", "Heel pain in the morning")
    assert code == 0 and "unchanged: heel already has these values" in out
    code, out, _ = uplifted("kb", "edit", "heel", "--no-tags", "--reviewed-on", "2026-02-01")
    assert code == 0 and "edited heel: tags, reviewed_on" in out
    assert json.loads(uplifted("kb", "list", "--json")[1])[0]["tags"] == []


def test_edit_refuses_bad_input_in_one_line_and_changes_nothing(write_article: ArticleWriter, articles_dir: Path) -> None:
    write_article("heel", "Heel Pain", HEEL, reviewed_on="2026-01-10")
    uplifted("kb", "sync", str(articles_dir))
    before = uplifted("kb", "show", "heel", "--json")[1]
    for args, message in [
        (["--review-due", "next week"], "error: --review-due: 'next week' is not a date: use YYYY-MM-DD"),
        (["--review-due", "2025-12-31"], "can't be before the reviewed-on date (2026-01-10)"),
        (["--url", "www.clinic.example"], "error: The link must start with http:// or https://"),
        (["--title", " "], "error: The title can't be empty."),
        (["--tag", "knee", "--no-tags"], "error: use --tag or --no-tags, not both"),
        ([], "error: nothing to change"),
    ]:
        code, _, err = uplifted("kb", "edit", "heel", *args)
        assert code == 1 and message in err and "Traceback" not in err, (args, err)
    assert uplifted("kb", "show", "heel", "--json")[1] == before


def test_show_and_edit_unknown_id() -> None:
    for args in [("show", "nope"), ("edit", "nope", "--title", "Nope")]:
        code, _, err = uplifted("kb", *args)
        assert code == 1 and "unknown article id 'nope'" in err
