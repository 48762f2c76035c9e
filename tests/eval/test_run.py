"""The shipped suites against the sample articles, the gate, the report, and a deliberately broken run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatbot.cli.main import app
from chatbot.settings import Settings
from eval.cases import Case
from eval.run import EvalRun, run_eval
from eval.runner import run_cases
from tests.conftest import REPO, SAMPLE_ARTICLES

SUITES = REPO / "eval" / "suites"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> EvalRun:
    root = tmp_path_factory.mktemp("eval")
    return run_eval(Settings(data_dir=root / "data"), SUITES, root / "out", kb_folder=SAMPLE_ARTICLES)


def test_shipped_suites_pass_the_gate(shipped: EvalRun) -> None:
    assert shipped.summary["cases"] >= 120
    assert shipped.gate_failures == [], "\n".join(shipped.gate_failures)
    assert shipped.summary["crashed"] == 0


def test_results_and_report_are_written(shipped: EvalRun) -> None:
    rows = [json.loads(line) for line in (shipped.out / "results.jsonl").read_text().splitlines()]
    assert len(rows) == shipped.summary["cases"]
    first = rows[0]
    assert {"id", "answer", "route", "sources", "latency_ms", "checks", "passed"} <= set(first)
    assert all({"name", "passed", "why"} <= set(c) for c in first["checks"])
    summary = json.loads((shipped.out / "summary.json").read_text())
    assert summary["red_flag_recall"] == 1.0 and "confusion" in summary
    report = (shipped.out / "report.md").read_text()
    for plot in ["pass_rate_by_theme.png", "route_confusion.png", "latency_histogram.png", "retrieval_hit_rate.png"]:
        assert (shipped.out / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert plot in report and plot in (shipped.out / "report.html").read_text()


def test_removed_articles_fail_the_gate_naming_cases_and_shows_what_got_worse(
    shipped: EvalRun, tmp_path: Path
) -> None:
    broken = tmp_path / "articles"
    shutil.copytree(SAMPLE_ARTICLES, broken)
    for gone in ["heat-or-ice.md", "plantar-fasciitis.md"]:  # a bad sync that lost two articles
        (broken / gone).unlink()
    result = run_eval(Settings(data_dir=tmp_path / "data"), SUITES / "answerable.yaml", tmp_path / "out",
                      kb_folder=broken, baseline=shipped.out / "results.jsonl")
    failing = "\n".join(result.gate_failures)
    heat_cases = [r.id for r in result.results if {"heat-or-ice", "plantar-fasciitis"} & set(r.expected_sources)]
    assert heat_cases and "hit_at_3" in failing
    assert all(case in failing for case in heat_cases)
    assert result.comparison is not None
    assert {w["id"] for w in result.comparison["worse_cases"]} >= set(heat_cases)
    assert "hit_at_3" in {d["metric"] for d in result.comparison["dropped_metrics"]}


def test_a_crashing_case_is_recorded_and_the_run_goes_on() -> None:
    class Flaky:
        def reply(self, message: str, session: str | None = None) -> object:
            raise RuntimeError("store is down")

    cases = [Case(id="c1", question="heat or ice?"), Case(id="c2", question="why do my hips hurt?")]
    results = run_cases(Flaky(), cases, known_ids=set(), clinic=Settings().clinic)  # type: ignore[arg-type]
    assert [r.id for r in results] == ["c1", "c2"]
    assert all(not r.passed and r.error and "store is down" in r.error for r in results)


def test_cli_run_and_a_bad_case_file(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "bad.yaml"
    bad.write_text("cases:\n  - id: x\n    question: hi\n    route: answr\n")
    result = runner.invoke(app, ["eval", "run", "--cases", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and f"{bad}:4: route: 'answr' is not a route" in result.stderr
    good = tmp_path / "good.yaml"
    good.write_text("cases:\n  - id: g1\n    question: should I use heat or ice on a sore knee?\n    route: answer\n"
                    "    sources: [heat-or-ice]\n")
    result = runner.invoke(app, ["eval", "run", "--cases", str(good), "--kb", str(SAMPLE_ARTICLES),
                                 "--out", str(tmp_path / "o")])
    assert "1 of 1 cases passed" in result.stdout
    assert (tmp_path / "o" / "report.html").exists()


def test_llm_engine_run_reports_the_grounding_proxy(tmp_path: Path) -> None:
    from tests.chatbot.fakes import QuotingModel

    path = tmp_path / "l.yaml"
    path.write_text("cases:\n  - id: l1\n    question: should I use heat or ice on a sore knee?\n    route: answer\n")
    result = run_eval(Settings(data_dir=tmp_path / "data"), path, tmp_path / "out", kb_folder=SAMPLE_ARTICLES,
                      engine="llm", llm=QuotingModel())
    assert result.results[0].engine == "llm"
    proxy = result.summary["llm_grounding_proxy"]
    assert proxy is not None and 0.9 <= proxy <= 1.0001  # the fake quotes its passages
    assert "LLM grounding proxy" in (tmp_path / "out" / "report.md").read_text()


def test_run_on_the_current_kb_leaves_staff_conversations_alone(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    from knowledge_base.factory import build_knowledge_base

    build_knowledge_base(settings).sync(SAMPLE_ARTICLES, by="staff")
    path = tmp_path / "c.yaml"
    path.write_text("cases:\n  - id: c1\n    question: should I use heat or ice on a sore knee?\n    route: answer\n")
    result = run_eval(settings, path, tmp_path / "out")
    assert result.results[0].route == "answer" and result.results[0].sources[0]["id"] == "heat-or-ice"
    assert not settings.conversations_path.exists()


def test_run_on_the_current_kb_answers_with_the_settings_clinic_profile(tmp_path: Path) -> None:
    """The suites are written for the clinic profile in settings: a staff-edited clinic.yaml (another booking link
    and phone number) changes neither the replies nor their call-to-action check."""
    from chatbot.clinic import update_profile
    from knowledge_base.factory import build_knowledge_base

    settings = Settings(data_dir=tmp_path / "data")
    build_knowledge_base(settings).sync(SAMPLE_ARTICLES, by="staff")
    update_profile(settings.clinic, settings.data_dir,
                   {"phone": "(555) 010-7777", "booking_url": "https://elsewhere.example/book"})
    path = tmp_path / "c.yaml"
    path.write_text("cases:\n  - id: c1\n    question: should I use heat or ice on a sore knee?\n    route: answer\n")
    result = run_eval(settings, path, tmp_path / "out")
    assert result.results[0].passed, result.results[0].checks
    answer = result.results[0].answer
    assert "010-7777" not in answer and "elsewhere.example" not in answer
