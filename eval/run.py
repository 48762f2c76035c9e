"""One eval run: cases in, results.jsonl + summary.json + report.md/html + plots out, gate checked."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from langchain_core.language_models import BaseChatModel

from chatbot.build import build_application
from chatbot.clinic import ClinicInfo
from chatbot.settings import Settings
from eval import gate, report
from eval.cases import Case, load_cases
from eval.judge import Judge
from eval.runner import CaseResult, run_cases
from eval.summary import compare, summarize
from knowledge_base.factory import build_knowledge_base
from knowledge_base.service import KnowledgeBase


@dataclass
class EvalRun:
    out: Path
    results: list[CaseResult]
    summary: dict[str, Any]
    gate_failures: list[str]
    comparison: dict[str, list[dict[str, Any]]] | None


def extra_kb_files(cases_path: Path) -> list[Path]:
    """Fixture articles a suite asks for (``kb_extra:`` at the top of a suite file)."""
    files = sorted(cases_path.rglob("*.y*ml")) if cases_path.is_dir() else [cases_path]
    extra: list[Path] = []
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        extra += [Path(p) for p in (data.get("kb_extra") or [])] if isinstance(data, dict) else []
    return extra


def run_eval(
    settings: Settings,
    cases_path: Path,
    out: Path,
    *,
    engine: str = "extractive",
    kb_folder: Path | None = None,
    baseline: Path | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
    on_cases: Callable[[list[Case]], None] | None = None,
    judge: Judge | None = None,
    llm: BaseChatModel | None = None,
    kb: KnowledgeBase | None = None,
    thresholds: Path | None = None,
) -> EvalRun:
    """Run ``cases_path`` on a copy of ``kb_folder``, or else on the live knowledge base (``kb``, if the
    caller has it open already, as the staff console does)."""
    cases = load_cases(cases_path)
    if on_cases:
        on_cases(cases)
    if engine == "extractive":
        settings = settings.model_copy(update={"llm": None})
    elif engine == "llm" and not settings.llm and llm is None:
        raise ValueError("--engine llm needs UPLIFTED_LLM (and UPLIFTED_LLM_BASE_URL for an OpenAI-compatible server)")
    out.mkdir(parents=True, exist_ok=True)
    previous = baseline or (out / "results.jsonl" if (out / "results.jsonl").exists() else None)
    before: tuple[list[dict[str, Any]], dict[str, Any]] | None = None
    if previous is not None:
        rows = [json.loads(line) for line in previous.read_text(encoding="utf-8").splitlines() if line.strip()]
        summary_file = previous.parent / "summary.json"
        before = (rows, json.loads(summary_file.read_text()) if summary_file.exists() else {})
    with tempfile.TemporaryDirectory(prefix="uplifted-eval-") as tmp:
        scratch = Path(tmp)
        if kb_folder is not None:  # a throwaway knowledge base of its own, in the embedded store
            articles = scratch / "articles"
            shutil.copytree(kb_folder, articles)
            for extra in extra_kb_files(cases_path):
                shutil.copy(extra, articles / extra.name)
            config = replace(settings.knowledge_base_config(), data_dir=scratch / "data", chroma_host=None)
            kb = build_knowledge_base(config)
            kb.sync(articles, by="eval")
        # Else the current knowledge base. Either way the eval's conversations go to the scratch folder, not staff's,
        # and the clinic profile is the settings' own (not clinic.yaml), which the suites' cases are written for.
        assistant = build_application(
            settings, kb=kb, conversations=scratch / "conversations.sqlite", clinic=ClinicInfo(settings.clinic),
            rate_limit=False, llm=llm if engine == "llm" else None,
        ).assistant
        known = {r.id for r in assistant.retriever.kb.articles()}
        results = run_cases(assistant, cases, known_ids=known, clinic=settings.clinic, on_result=on_result,
                            judge=judge)
        assistant.conversations.close()
    summary = summarize(results)
    failures = gate.check(summary, results, gate.load_thresholds(thresholds) if thresholds else None)
    comparison = compare(results, summary, before[0], before[1]) if before else None
    (out / "results.jsonl").write_text("".join(json.dumps(r.to_json()) + "\n" for r in results), encoding="utf-8")
    (out / "summary.json").write_text(json.dumps({**summary, "gate_failures": failures}, indent=2) + "\n")
    files = report.plots(summary, out)
    text = report.markdown(summary, results, files, comparison, failures)
    (out / "report.md").write_text(text, encoding="utf-8")
    (out / "report.html").write_text(report.to_html(text, files), encoding="utf-8")
    return EvalRun(out, results, summary, failures, comparison)
