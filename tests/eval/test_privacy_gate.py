"""The privacy gate: the real Redactor over the frozen corpus, read only in aggregate.

Floors are what the redactor honestly reaches on frozen.yaml, never above it (see README, Privacy):
the issue's 1.0 on SSN, PHONE, EMAIL, MEMBER_ID and MEDICARE is met; NAME (0.746) and DOB (0.957)
fall short of its 0.95, so their floors sit just under today's numbers to catch regressions, as does
ADDRESS (0.947).
"""

from __future__ import annotations

from eval.privacy.measure import Case, Identifier, appears, measure, over_redacted, score

FLOORS = {"SSN": 1.0, "PHONE": 1.0, "EMAIL": 1.0, "MEMBER_ID": 1.0, "MEDICARE": 1.0,
          "CARD": 0.97, "DOB": 0.95, "ADDRESS": 0.94, "NAME": 0.74}
FALSE_REDACTION_CEILING = 0.02  # share of the messages without identifiers that get any redaction


def test_frozen_recall_per_kind_and_false_redactions_hold_their_floors() -> None:
    summary = measure("frozen").summary()
    for kind, floor in FLOORS.items():
        assert summary["recall"][kind] >= floor, (kind, summary["recall"][kind])
    assert summary["false_redaction_rate"] <= FALSE_REDACTION_CEILING
    assert summary["negatives"] >= 200 and summary["positives"] >= 200


def test_a_value_counts_as_caught_only_when_no_whole_token_of_it_is_left() -> None:
    assert appears("ana", "its ana here") and not appears("ana", "a banana")
    cases = [Case("p", "im ana, 555-123-4567", (Identifier("NAME", "ana"), Identifier("PHONE", "555-123-4567"))),
             Case("n", "3x10 squats", ())]
    result = score(cases, lambda text: text.replace("555-123-4567", "[PHONE]"))
    assert result.recall("PHONE") == 1.0 and result.recall("NAME") == 0.0
    assert result.false_redaction_rate == 0.0
    assert score(cases, lambda text: "[NAME]").false_redaction_rate == 1.0


def test_over_redaction_counts_words_outside_the_identifiers() -> None:
    case = Case("p", "im ana and my knee hurts", (Identifier("NAME", "ana"),))
    assert not over_redacted(case, "im [NAME] and my knee hurts")
    assert over_redacted(case, "im [NAME] and my [NAME] hurts")
