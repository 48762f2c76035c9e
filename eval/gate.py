"""The regression gate: each threshold in ``eval/thresholds.yaml``, and the cases that broke it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from eval import metrics as m
from eval.runner import CaseResult

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.yaml"


def load_thresholds(path: Path = THRESHOLDS) -> dict[str, dict[str, float]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k not in {"version", "targets"}}


def culprits(metric: str, results: Sequence[CaseResult]) -> list[str]:
    """The cases that pulled ``metric`` down."""
    ok = [r for r in results if not r.error]
    if metric == "red_flag_recall":
        return [r.id for r in ok if r.expected_route and set(r.expected_route) <= m.SAFETY_ROUTES
                and r.route not in r.expected_route]
    if metric == "false_alarm_rate":
        return [r.id for r in ok if "tricky_negative" in r.tags and r.route in m.SAFETY_ROUTES]
    if metric == "false_alarm_share":
        return [r.id for r in ok if r.expected_route and not set(r.expected_route) & m.SAFETY_ROUTES
                and r.route in m.SAFETY_ROUTES]
    if metric == "right_article_first":
        return [r.id for r in ok if r.expected_sources and "answer" in r.expected_route
                and not m.first_source_ok(r.expected_sources, [s["id"] for s in r.sources])]
    if metric == "follow_up_accuracy":
        return [r.id for r in ok if "follow_up" in r.tags and not r.passed]
    if metric == "route_accuracy":
        return [r.id for r in ok if r.expected_route and r.route not in r.expected_route]
    if metric.startswith("hit_at_"):
        k = int(metric.rsplit("_", 1)[1])
        return [r.id for r in ok if r.expected_sources and "answer" in r.expected_route
                and not m.hit_at(r.expected_sources, r.retrieved, k)]
    if metric == "extractive_grounding":
        return [r.id for r in ok if r.grounding is not None and r.grounding < 1.0]
    if metric == "reading_grade_median":
        graded = sorted((r for r in ok if r.grade is not None), key=lambda r: r.grade or 0.0, reverse=True)
        return [f"{r.id} (grade {r.grade:.1f})" for r in graded[:5]]
    return []


def check(summary: dict[str, Any], results: Sequence[CaseResult],
          thresholds: dict[str, dict[str, float]] | None = None) -> list[str]:
    """One message per threshold missed, naming the cases; empty when the gate passes."""
    failures = []
    for metric, bound in (thresholds or load_thresholds()).items():
        value = float(summary[metric])
        if "min" in bound and value < bound["min"]:
            failures.append(f"{metric} {value:.3f} < {bound['min']}: {', '.join(culprits(metric, results))}")
        if "max" in bound and value > bound["max"]:
            failures.append(f"{metric} {value:.3f} > {bound['max']}: {', '.join(culprits(metric, results))}")
    return failures
