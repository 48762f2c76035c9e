"""The report staff read: Markdown and HTML with plots, plus what got worse since the last run."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from eval.runner import CaseResult
from eval.summary import RANKS

ROUTE_ORDER = ["answer", "emergency", "urgent", "crisis", "scope_redirect", "off_topic", "no_match", "blocked"]


def plots(summary: dict[str, Any], out: Path) -> dict[str, str]:
    """Write the four plots as PNG files; returns name -> file name."""
    files = {}
    themes = summary["themes"]
    fig, ax = plt.subplots(figsize=(8, max(3, 0.35 * len(themes))))
    names = list(themes)
    ax.barh(names, [themes[t]["pass_rate"] for t in names], color="#2a7f62")
    ax.set_xlim(0, 1)
    ax.set_xlabel("pass rate")
    ax.set_title("Pass rate per theme")
    ax.invert_yaxis()
    files["themes"] = _save(fig, out / "pass_rate_by_theme.png")

    confusion = summary["confusion"]
    routes = [r for r in ROUTE_ORDER if r in confusion or any(r in row for row in confusion.values())]
    grid = [[confusion.get(e, {}).get(g, 0) for g in routes] for e in routes]
    fig, ax = plt.subplots(figsize=(7, 6))
    if not routes:  # no case said which route it expects
        routes, grid = ["(none)"], [[0]]
    ax.imshow(grid, cmap="Blues")
    ax.set_xticks(range(len(routes)), routes, rotation=45, ha="right")
    ax.set_yticks(range(len(routes)), routes)
    ax.set_xlabel("route given")
    ax.set_ylabel("route expected")
    top = max((max(row) for row in grid), default=0)
    for i, row in enumerate(grid):
        for j, n in enumerate(row):
            if n:
                ax.text(j, i, str(n), ha="center", va="center", color="black" if n < top / 2 else "white")
    ax.set_title("Route confusion matrix")
    files["confusion"] = _save(fig, out / "route_confusion.png")

    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist(summary["latencies_ms"] or [0], bins=30, color="#4a6fa5")
    ax.set_xlabel("reply latency (ms)")
    ax.set_ylabel("cases")
    ax.set_title(f"Latency: p50 {summary['latency_p50_ms']:.0f} ms, p95 {summary['latency_p95_ms']:.0f} ms")
    files["latency"] = _save(fig, out / "latency_histogram.png")

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(list(RANKS), [summary["hit_at"][str(k)] for k in RANKS], marker="o", color="#a55a4a")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(list(RANKS))
    ax.set_xlabel("rank k")
    ax.set_ylabel("hit rate (expected article in top k)")
    ax.set_title("Retrieval hit rate by rank")
    files["retrieval"] = _save(fig, out / "retrieval_hit_rate.png")
    return files


def _save(fig: Any, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path.name


METRICS = [("route_accuracy", "Route accuracy"), ("red_flag_recall", "Red-flag and crisis recall"),
           ("false_alarm_rate", "False alarms on tricky negatives"),
           ("false_alarm_share", "False alarms on every non-safety case"),
           ("right_article_first", "Right article cited first"), ("follow_up_accuracy", "Follow-ups right"),
           ("hit_at_1", "Retrieval hit@1"),
           ("hit_at_3", "Retrieval hit@3"), ("mrr", "Retrieval MRR"), ("citation_validity", "Citation validity"),
           ("extractive_grounding", "Extractive grounding (lowest case)"),
           ("reading_grade_median", "Reading grade, median of answers"), ("latency_p50_ms", "Latency p50 (ms)"),
           ("latency_p95_ms", "Latency p95 (ms)"), ("pass_rate", "Cases passed")]


def markdown(summary: dict[str, Any], results: list[CaseResult], files: dict[str, str],
             comparison: dict[str, list[dict[str, Any]]] | None, gate: list[str]) -> str:
    lines = ["# Uplifted eval report", "", f"{summary['passed']} of {summary['cases']} cases passed"
             f" ({summary['crashed']} crashed).", ""]
    lines += ["| metric | value |", "| --- | --- |"]
    lines += [f"| {label} | {summary[key]:.3f} |" for key, label in METRICS]
    if summary.get("llm_grounding_proxy") is not None:
        lines.append(f"| LLM grounding proxy (similarity; blind to contradictions) | "
                     f"{summary['llm_grounding_proxy']:.3f} |")
    if summary.get("judge_score") is not None:
        lines.append(f"| Model judge, mean rubric score (optional) | {summary['judge_score']:.3f} |")
    lines += ["", "## Gate", ""] + ([f"- FAILED: {g}" for g in gate] or ["All thresholds met."])
    if comparison is not None:
        lines += ["", "## Compared with the previous run", ""]
        lines += [f"- metric dropped: {d['metric']} {d['before']:.3f} -> {d['now']:.3f}"
                  for d in comparison["dropped_metrics"]]
        lines += [f"- worse: `{w['id']}` {w['question']!r}: {w['before']} -> {w['now']} ({w['why']})"
                  for w in comparison["worse_cases"]]
        if not comparison["dropped_metrics"] and not comparison["worse_cases"]:
            lines.append("Nothing got worse.")
    lines += ["", "## Plots", ""] + [f"![{name}]({file})" for name, file in files.items()]
    failed = [r for r in results if not r.passed]
    lines += ["", f"## Failed cases ({len(failed)})", ""]
    for r in failed:
        why = r.error.splitlines()[0] if r.error else "; ".join(f"{c.name}: {c.why}" for c in r.checks if not c.passed)
        lines.append(f"- `{r.id}` [{', '.join(r.tags)}] {r.question[:120]!r} -> {r.route}: {why}")
    return "\n".join(lines) + "\n"


def to_html(md_text: str, files: dict[str, str]) -> str:
    """A self-contained page: the Markdown as escaped preformatted text, then the plots."""
    images = "\n".join(f'<figure><img src="{html.escape(f)}" alt="{html.escape(n)} plot"></figure>'
                       for n, f in files.items())
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Uplifted eval report</title>"
            "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
            "pre{white-space:pre-wrap}img{max-width:100%}</style></head><body>"
            f"<pre>{html.escape(md_text)}</pre>{images}</body></html>\n")
