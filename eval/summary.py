"""Aggregate case results into the run's metrics, and compare a run with an earlier one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from eval import metrics as m
from eval.runner import CaseResult

RANKS = (1, 2, 3, 4, 5)
# Metrics where a lower value is better; every other numeric metric is better higher.
LOWER_IS_BETTER = {"false_alarm_rate", "false_alarm_share", "reading_grade_median", "latency_p50_ms",
                   "latency_p95_ms", "crashed"}


def summarize(results: Sequence[CaseResult]) -> dict[str, Any]:
    judged = [(r.expected_route, r.route) for r in results if not r.error]
    negatives = [r.route for r in results if "tricky_negative" in r.tags and not r.error]
    retrieval = [r for r in results if r.expected_sources and "answer" in r.expected_route and not r.error]
    answered = [r for r in results if r.route == "answer"]
    extractive = [r.grounding for r in answered if r.engine == "extractive" and r.grounding is not None]
    generated = [r.grounding for r in answered if r.engine == "llm" and r.grounding is not None]
    grades = [r.grade for r in answered if r.grade is not None]
    latencies = [r.latency_ms for r in results if not r.error]
    themes: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        for tag in r.tags or ["untagged"]:
            themes[tag].append(r.passed)
    checks: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        for c in r.checks:
            checks[c.name].append(c.passed)
    judge_scores = [float(r.judge["score"]) for r in results if r.judge and "score" in r.judge]
    return {
        "judge_score": _mean(judge_scores) if judge_scores else None,
        "cases": len(results),
        "passed": sum(r.passed for r in results),
        "pass_rate": sum(r.passed for r in results) / len(results) if results else 1.0,
        "crashed": sum(r.error is not None for r in results),
        "route_accuracy": m.route_accuracy(judged),
        "red_flag_recall": m.red_flag_recall(judged),
        "false_alarm_rate": m.false_alarm_rate(negatives),
        # Every case that must not escalate, not only the ones tagged as tricky.
        "false_alarm_share": m.false_alarm_share(judged),
        "right_article_first": _share(m.first_source_ok(r.expected_sources, [s["id"] for s in r.sources])
                                      for r in retrieval),
        "follow_up_accuracy": _share(r.passed for r in results if "follow_up" in r.tags),
        # A case that allows several routes counts on the diagonal when it got one of them.
        "confusion": m.confusion((r.route if r.route in r.expected_route else r.expected_route[0], r.route)
                                 for r in results if r.expected_route and not r.error),
        "hit_at": {str(k): _share(m.hit_at(r.expected_sources, r.retrieved, k) for r in retrieval) for k in RANKS},
        "hit_at_1": _share(m.hit_at(r.expected_sources, r.retrieved, 1) for r in retrieval),
        "hit_at_3": _share(m.hit_at(r.expected_sources, r.retrieved, 3) for r in retrieval),
        "mrr": _mean([m.reciprocal_rank(r.expected_sources, r.retrieved) for r in retrieval]),
        "citation_validity": _share(all(c.passed for c in r.checks if c.name == "citations_valid") for r in results),
        "extractive_grounding": min(extractive) if extractive else 1.0,
        # Proxy for LLM answers: mean best similarity of each sentence to the cited passages. It can't see
        # a contradiction ("never use ice" scores like "use ice"), so read the answers too.
        "llm_grounding_proxy": _mean(generated) if generated else None,
        "reading_grade_median": m.median(grades),
        "reading_grades": grades,
        "latency_p50_ms": m.percentile(latencies, 50),
        "latency_p95_ms": m.percentile(latencies, 95),
        "latencies_ms": latencies,
        "themes": {t: {"cases": len(v), "pass_rate": sum(v) / len(v)} for t, v in sorted(themes.items())},
        "checks": {c: {"cases": len(v), "pass_rate": sum(v) / len(v)} for c, v in sorted(checks.items())},
    }


def compare(current: Sequence[CaseResult], summary: dict[str, Any], baseline: Sequence[dict[str, Any]],
            baseline_summary: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Cases that passed before and fail now, and metrics that dropped."""
    before = {b["id"]: b for b in baseline}
    worse = [
        {"id": r.id, "question": r.question, "before": before[r.id].get("route"), "now": r.route,
         "why": "; ".join(c.why for c in r.checks if not c.passed) or (r.error or "")}
        for r in current if r.id in before and before[r.id].get("passed") and not r.passed
    ]
    dropped = []
    for name, value in summary.items():
        old = baseline_summary.get(name)
        if not isinstance(value, (int, float)) or not isinstance(old, (int, float)) or name in {"cases", "passed"}:
            continue
        got_worse = value > old if name in LOWER_IS_BETTER else value < old
        if got_worse and abs(value - old) > 1e-9:
            dropped.append({"metric": name, "before": old, "now": value})
    return {"worse_cases": worse, "dropped_metrics": dropped}


def _share(values: Any) -> float:
    items = list(values)
    return sum(bool(v) for v in items) / len(items) if items else 1.0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 1.0
