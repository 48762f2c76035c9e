"""The frozen test sets (eval/frozen/round-N: written apart from the code, never tuned on) against their gates.

Each round's floors (eval/thresholds-frozen-N.yaml) hold what the assistant does today, so any change that
makes it worse on messages nobody tuned for fails `make test`; the issue's targets sit beside them in the
same file and in the README, which says plainly which are not met yet.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chatbot.settings import Settings
from eval.run import run_eval
from tests.conftest import REPO, SAMPLE_ARTICLES

FROZEN = REPO / "eval" / "frozen"
ROUNDS = [1, 2]


def thresholds(round_: int) -> Path:
    return REPO / "eval" / f"thresholds-frozen-{round_}.yaml"


@pytest.mark.parametrize("round_", ROUNDS)
def test_frozen_set_holds_its_floors(round_: int, tmp_path: Path) -> None:
    result = run_eval(Settings(data_dir=tmp_path / "data"), FROZEN / f"round-{round_}", tmp_path / "out",
                      kb_folder=SAMPLE_ARTICLES, thresholds=thresholds(round_))
    assert result.summary["cases"] >= 400 and result.summary["crashed"] == 0
    assert result.gate_failures == [], "\n".join(result.gate_failures)


def test_every_round_has_a_gate() -> None:
    assert sorted(p.name for p in FROZEN.iterdir() if p.is_dir()) == [f"round-{n}" for n in ROUNDS]


@pytest.mark.parametrize("round_", ROUNDS)
def test_floors_never_exceed_the_targets(round_: int) -> None:
    data = yaml.safe_load(thresholds(round_).read_text(encoding="utf-8"))
    for metric, target in data["targets"].items():
        floor = data[metric]
        assert ("min" in floor and floor["min"] <= target["min"]) or ("max" in floor and floor["max"] >= target["max"])
