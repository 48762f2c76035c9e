"""``uplifted eval``: run the answer-quality suites and read the report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress

from chatbot.cli.common import clean_errors, console, err_console, settings_from

app = typer.Typer(help="Answer-quality evals: run suites, get a report, hold the gate.", no_args_is_help=True)


@app.command()
def run(
    ctx: typer.Context,
    cases: Annotated[Path, typer.Option("--cases", help="A case file or a folder of them.")] = Path("eval/suites"),
    out: Annotated[Path | None, typer.Option("--out", help="Folder for results and the report.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="extractive or llm")] = "extractive",
    kb: Annotated[Path | None, typer.Option("--kb", help="Sync this folder into a fresh, temporary KB first.")] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="An earlier results.jsonl.")] = None,
    thresholds: Annotated[Path | None, typer.Option(
        "--thresholds", help="The gate's minimums (default eval/thresholds.yaml; eval/thresholds-frozen-1.yaml "
        "and -2.yaml for the frozen rounds).")] = None,
    judge: Annotated[str | None, typer.Option("--judge", help="Grade rubric items with this chat model.")] = None,
) -> None:
    """Run eval cases through the assistant; exits 1 when a threshold in eval/thresholds.yaml is missed."""
    from eval.cases import CaseError
    from eval.run import run_eval

    if engine not in {"extractive", "llm"}:
        raise typer.BadParameter("use extractive or llm", param_hint="--engine")
    settings = settings_from(ctx)
    out = out or settings.data_dir / "eval" / "latest"
    judge_model = None
    if judge:
        from chatbot.engines.llm import build_chat_model
        from eval.judge import Judge

        with clean_errors():
            model = build_chat_model(settings.model_copy(update={"llm": judge}))
        judge_model = Judge(model) if model is not None else None
    with clean_errors(), Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("Running cases", total=None)
        try:
            result = run_eval(settings, cases, out, engine=engine, kb_folder=kb, baseline=baseline, judge=judge_model,
                              thresholds=thresholds,
                              on_cases=lambda cs: progress.update(task, total=len(cs)),
                              on_result=lambda r: progress.advance(task))
        except CaseError as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(1) from None
    s = result.summary
    console.print(f"{s['passed']} of {s['cases']} cases passed ({s['crashed']} crashed); "
                  f"route accuracy {s['route_accuracy']:.2f}, red-flag recall {s['red_flag_recall']:.2f}, "
                  f"false alarms {s['false_alarm_rate']:.2f} (of every non-safety case {s['false_alarm_share']:.3f}), "
                  f"right article first {s['right_article_first']:.2f}, follow-ups {s['follow_up_accuracy']:.2f}, "
                  f"hit@3 {s['hit_at_3']:.2f}, "
                  f"reading grade {s['reading_grade_median']:.1f}, p95 {s['latency_p95_ms']:.0f} ms", highlight=False)
    if result.comparison:
        for d in result.comparison["dropped_metrics"]:
            console.print(f"[yellow]dropped:[/] {d['metric']} {d['before']:.3f} -> {d['now']:.3f}")
        for w in result.comparison["worse_cases"]:
            console.print(f"[yellow]worse:[/] {escape(w['id'])}: {w['before']} -> {w['now']} {escape(w['why'])}")
    if s.get("judge_score") is not None:
        console.print(f"judge: mean rubric score {s['judge_score']:.2f}", highlight=False)
    console.print(f"report: {out / 'report.html'}", highlight=False)
    if result.gate_failures:
        for failure in result.gate_failures:
            err_console.print(f"[bold red]gate:[/] {escape(failure)}", highlight=False)
        raise typer.Exit(1)
