from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from eval.cases import CaseError, load_cases
from eval.judge import Criterion, Judge, Verdict, parse, score

RUBRIC = [Criterion("Suggests booking an evaluation", 3), Criterion("Explains why hips matter", 5),
          Criterion("Names a medicine dose", -5)]


def test_score_counts_earned_over_available_points_and_clips() -> None:
    assert score([Verdict(RUBRIC[0], True), Verdict(RUBRIC[1], True), Verdict(RUBRIC[2], False)]) == 1.0
    assert score([Verdict(RUBRIC[0], True), Verdict(RUBRIC[1], False), Verdict(RUBRIC[2], False)]) == pytest.approx(3 / 8)
    assert score([Verdict(RUBRIC[0], False), Verdict(RUBRIC[1], False), Verdict(RUBRIC[2], True)]) == 0.0
    assert score([Verdict(RUBRIC[0], None)]) == 0.0 and score([]) == 1.0


def test_parse_reads_numbered_yes_no_lines() -> None:
    assert parse("1: yes\n2) No\n3. yes, because...", 3) == [True, False, True]
    assert parse("garbage", 2) == [None, None]


def test_judge_with_a_fake_model() -> None:
    model = FakeListChatModel(responses=["1: yes\n2: yes\n3: no"])
    verdicts = Judge(model).grade("why do hips matter?", "Stiff hips make the back work harder. Book an evaluation.",
                                  RUBRIC)
    assert [v.met for v in verdicts] == [True, True, False]
    assert score(verdicts) == 1.0


def test_rubric_in_a_case_file(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("cases:\n  - id: r1\n    question: hi\n    rubric:\n      - {criterion: kind, points: 2}\n")
    assert load_cases(path)[0].rubric == (("kind", 2),)
    path.write_text("cases:\n  - id: r1\n    question: hi\n    rubric: [kind]\n")
    with pytest.raises(CaseError, match=r"r.yaml:4: rubric: must be a list"):
        load_cases(path)


def test_judge_scores_reach_the_results_and_summary(tmp_path: Path) -> None:
    from chatbot.settings import Settings
    from eval.run import run_eval
    from tests.conftest import SAMPLE_ARTICLES

    path = tmp_path / "j.yaml"
    path.write_text("cases:\n  - id: j1\n    question: should I use heat or ice on a sore knee?\n"
                    "    rubric:\n      - {criterion: mentions ice for swelling, points: 4}\n"
                    "      - {criterion: gives a medicine dose, points: -4}\n")
    judge = Judge(FakeListChatModel(responses=["1: yes\n2: no"]))
    result = run_eval(Settings(data_dir=tmp_path / "data"), path, tmp_path / "out", kb_folder=SAMPLE_ARTICLES,
                      judge=judge)
    assert result.results[0].judge == {"score": 1.0, "items": [
        {"criterion": "mentions ice for swelling", "points": 4, "met": True},
        {"criterion": "gives a medicine dose", "points": -4, "met": False}]}
    assert result.summary["judge_score"] == 1.0
    assert "Model judge" in (tmp_path / "out" / "report.md").read_text()
