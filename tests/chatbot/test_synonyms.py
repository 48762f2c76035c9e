"""The staff-edited list of patients' words (prompts/synonyms.yaml) and what it does to a message."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from chatbot.cli.main import app
from chatbot.synonyms import SynonymError, Synonyms
from prompts import load


def test_abbreviations_and_idioms_get_the_articles_words() -> None:
    synonyms = Synonyms.load()
    tkr = synonyms.expand("TKR 4 wks ago, still stiff")
    assert tkr.search.startswith("TKR (knee replacement") and tkr.matched == ("TKR",)
    assert "TKR" not in tkr.replaced and "knee replacement" in tkr.replaced
    out = synonyms.expand("Threw my back out on Tuesday, back’s shot")
    assert out.search.count("(sudden low back pain)") == 1 and len(out.matched) == 2
    assert synonyms.expand("my hammies and quads").matched == ("hammies", "quads")


def test_terms_match_whole_words_only() -> None:
    synonyms = Synonyms.load()
    assert synonyms.expand("I'm optimistic about my recovery").matched == ()  # "pt" inside a word
    assert synonyms.expand("surfing and opting out").matched == ()


def test_every_listed_term_is_found_in_a_sentence() -> None:
    synonyms = Synonyms.load()
    for entry in load("synonyms")["synonyms"]:
        for term in entry["terms"]:
            found = synonyms.expand(f"well, {term} is why I ask.")
            assert found.matched, term
            assert entry["means"] in found.replaced, term


@pytest.mark.parametrize(("entries", "message"), [
    ([{"terms": ["TKR"]}], "`means` must be a non-empty text"),
    ([{"terms": [], "means": "knee"}], "`terms` must be a list"),
    ([{"terms": ["PF"], "means": "heel"}, {"terms": ["pf"], "means": "foot"}], "'pf' already means 'heel'"),
])
def test_a_malformed_entry_is_named(entries: list[dict[str, object]], message: str) -> None:
    with pytest.raises(SynonymError, match=message):
        Synonyms(entries)


def test_the_cli_checks_the_list_and_shows_a_message_translated() -> None:
    result = CliRunner().invoke(app, ["synonyms", "check", "my PF is back"])
    assert result.exit_code == 0, result.output
    assert "is valid" in result.output and "my PF (plantar fasciitis heel pain) is back" in result.output
