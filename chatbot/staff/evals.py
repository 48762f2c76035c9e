"""Eval runs from the console: a shipped suite (or an uploaded one) on the live knowledge base.

Each choice keeps its own folder under ``settings.evals_dir``, so a run is compared with the
previous run of the same suite. Only one console eval runs at a time (the caller's queue).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import eval as eval_package
from chatbot.settings import Settings
from eval.cases import CaseError
from eval.report import METRICS
from eval.run import EvalRun, run_eval
from eval.runner import CaseResult
from knowledge_base.service import KnowledgeBase

SUITES_DIR = Path(eval_package.__file__).resolve().parent / "suites"
ALL = "all shipped suites"
UPLOADED = "uploaded suite"
MAX_SUITE_BYTES = 1_000_000
VIEW_FILE = "console-view.json"


def shipped_suites() -> list[str]:
    return [ALL, *sorted(p.stem for p in SUITES_DIR.glob("*.y*ml"))]


@dataclass(frozen=True)
class EvalView:
    summary: str  # Markdown
    plots: list[str]  # PNG paths
    failed: list[list[Any]]
    comparison: str  # Markdown


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "suite"


def out_dir(choice: str, settings: Settings) -> Path:
    return settings.evals_dir / ("all" if choice == ALL else _slug(choice))


def last_view(settings: Settings, choice: str) -> EvalView | None:
    """The last console run of a shipped suite, as it was shown then (None before the first run)."""
    if choice == UPLOADED:
        return None
    try:
        data = json.loads((out_dir(choice, settings) / VIEW_FILE).read_text(encoding="utf-8"))
        return EvalView(**data)
    except (OSError, ValueError, TypeError):
        return None


def resolve(choice: str, uploaded: str | None, settings: Settings) -> tuple[Path, Path]:
    """The cases to run and the folder for this choice's runs; ValueError with a clear message if neither."""
    if uploaded:
        path = Path(uploaded)
        if path.suffix.lower() not in {".yaml", ".yml"}:
            raise ValueError(f"{path.name}: an eval suite is a .yaml file (see eval/suites/ for the format)")
        if path.stat().st_size > MAX_SUITE_BYTES:
            raise ValueError(f"{path.name}: over the {MAX_SUITE_BYTES // 1000} KB limit for a suite")
        out = settings.evals_dir / f"uploaded-{_slug(path.stem)}"
        out.mkdir(parents=True, exist_ok=True)
        kept = out / path.name  # kept beside its results, so staff can see what ran
        shutil.copyfile(path, kept)
        return kept, out
    if choice == ALL:
        return SUITES_DIR, out_dir(choice, settings)
    suite = next((p for p in SUITES_DIR.glob("*.y*ml") if p.stem == choice), None)
    if suite is None:
        raise ValueError(f"unknown suite {choice!r}; pick one of: {', '.join(shipped_suites())}")
    return suite, out_dir(choice, settings)


def _failure_why(result: CaseResult) -> str:
    if result.error:
        return result.error.splitlines()[0]
    return "; ".join(f"{c.name}: {c.why}" for c in result.checks if not c.passed)


def view(run: EvalRun, by: str) -> EvalView:
    s = run.summary
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"**{s['passed']} of {s['cases']} cases passed** ({s['crashed']} crashed). Run {when} by {by} "
             "with the extractive engine.", "",
             "| metric | value |", "| --- | --- |"]
    lines += [f"| {label} | {s[key]:.3f} |" for key, label in METRICS]
    lines += ["", "**Gate:** " + ("all thresholds met." if not run.gate_failures else "")]
    lines += [f"- missed: {g}" for g in run.gate_failures]
    if run.comparison is None:
        comparison = "First run of this suite: nothing to compare with yet."
    else:
        worse = [f"- metric dropped: {d['metric']} {d['before']:.3f} → {d['now']:.3f}"
                 for d in run.comparison["dropped_metrics"]]
        worse += [f"- worse: `{w['id']}` {w['before']} → {w['now']} ({w['why']})"
                  for w in run.comparison["worse_cases"]]
        comparison = "**Compared with the previous run:**\n\n" + ("\n".join(worse) or "Nothing got worse.")
    plots = sorted(str(p) for p in run.out.glob("*.png"))
    failed = [[r.id, ", ".join(r.tags), r.question[:200], " or ".join(r.expected_route) or "-", r.route,
               _failure_why(r)] for r in run.results if not r.passed]
    return EvalView("\n".join(lines), plots, failed, comparison)


def run_console_eval(
    settings: Settings, kb: KnowledgeBase, choice: str, uploaded: str | None, *, by: str,
    on_progress: Callable[[int, int], None] | None = None,
) -> EvalView:
    cases, out = resolve(choice, uploaded, settings)
    total = [0]
    done = [0]

    def on_cases(found: list[Any]) -> None:
        total[0] = len(found)
        if on_progress:
            on_progress(0, total[0])

    def on_result(_: CaseResult) -> None:
        done[0] += 1
        if on_progress:
            on_progress(done[0], total[0])

    try:
        run = run_eval(settings, cases, out, kb=kb, on_cases=on_cases, on_result=on_result)
    except CaseError as exc:  # name the file as staff know it, not the folder it was copied to
        raise ValueError(str(exc).replace(f"{cases.parent}/", "")) from None
    shown = view(run, by)
    (out / VIEW_FILE).write_text(json.dumps(asdict(shown)), encoding="utf-8")
    return shown
