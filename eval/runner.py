"""Run eval cases through the real assistant and check each reply; a crash fails one case, not the run."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from chatbot.assistant import Assistant
from chatbot.reply import Reply
from chatbot.settings import ClinicProfile
from eval import metrics as m
from eval.cases import Case
from eval.judge import Criterion, Judge, score

ANSWER_ROUTES = {"answer"}


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    why: str = ""


@dataclass
class CaseResult:
    id: str
    question: str
    tags: list[str]
    expected_route: list[str]
    expected_sources: list[str]
    answer: str = ""
    route: str = ""
    sources: list[dict[str, str]] = field(default_factory=list)
    session: str = ""
    latency_ms: float = 0.0
    retrieved: list[str] = field(default_factory=list)
    engine: str = ""
    grade: float | None = None
    grounding: float | None = None
    checks: list[Check] = field(default_factory=list)
    error: str | None = None
    judge: dict[str, Any] | None = None  # the optional model judge's rubric score and items

    @property
    def passed(self) -> bool:
        return self.error is None and all(c.passed for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        return data


def check_reply(case: Case, reply: Reply, *, known_ids: set[str], clinic: ClinicProfile) -> list[Check]:
    """Every deterministic check that applies to this case and reply."""
    cited = [s.id for s in reply.sources]
    retrieved = list(dict.fromkeys(p.article_id for p in reply.passages))
    checks = []
    if case.route:
        checks.append(Check("route", m.route_ok(case.route, reply.route.value),
                            f"expected {'/'.join(case.route)}, got {reply.route.value}"))
    if case.sources:
        missing = [s for s in case.sources if s not in cited]
        checks.append(Check("sources", not missing, f"not cited: {', '.join(missing)}" if missing else ""))
    if case.must_include:
        missing = m.includes(reply.answer, case.must_include)
        checks.append(Check("must_include", not missing, f"missing: {missing}" if missing else ""))
    if case.must_not_include:
        present = m.excludes(reply.answer, case.must_not_include)
        checks.append(Check("must_not_include", not present, f"present: {present}" if present else ""))
    if cited:
        checks.append(Check("citations_valid", m.citations_valid(cited, retrieved, known_ids),
                            f"cited {cited}, retrieved {retrieved}"))
    if reply.route.value in ANSWER_ROUTES:
        checks.append(Check("call_to_action", m.has_call_to_action(reply.answer, clinic.booking_url, clinic.phone),
                            "no booking link or phone number"))
    quoted = [p.text for p in reply.passages if p.article_id in cited]
    doses = m.dose_numbers_outside(reply.answer, quoted)
    checks.append(Check("no_dose_numbers", not doses, f"dose-like numbers: {doses}" if doses else ""))
    return checks


def run_case(assistant: Assistant, case: Case, *, known_ids: set[str], clinic: ClinicProfile,
             judge: Judge | None = None) -> CaseResult:
    """One case: replay its history in one session, ask, time the reply, run every check."""
    result = CaseResult(case.id, case.question, list(case.tags), list(case.route), list(case.sources))
    try:
        session = None
        for earlier in case.history:
            session = assistant.reply(earlier, session).session
        start = time.perf_counter()
        reply = assistant.reply(case.question, session)
        result.latency_ms = (time.perf_counter() - start) * 1000
        data = reply.to_json()
        result.answer, result.route, result.sources, result.session = (
            data["answer"], data["route"], data["sources"], data["session"])
        result.retrieved = list(dict.fromkeys(p.article_id for p in reply.passages))
        result.engine = reply.engine
        if reply.body:
            result.grade = m.reading_grade(reply.body)
            cited = {s.id for s in reply.sources}
            quoted = [p.text for p in reply.passages if p.article_id in cited]
            if reply.engine == "extractive":
                result.grounding = m.extractive_grounding(reply.body, quoted)
            else:  # generated text: a similarity proxy (see metrics.similarity_grounding's blind spot)
                embed = assistant.guard.safety.embeddings
                result.grounding = m.similarity_grounding(
                    embed.embed_documents(m.sentences(reply.body)),
                    embed.embed_documents([s for q in quoted for s in m.sentences(q)]))
        result.checks = check_reply(case, reply, known_ids=known_ids, clinic=clinic)
        if reply.engine == "extractive" and result.grounding is not None:
            result.checks.append(Check("grounding", result.grounding == 1.0,
                                       f"{result.grounding:.2f} of sentences found in cited passages"))
    except Exception as exc:  # recorded as a failed case; the run goes on
        result.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
        return result
    if judge is not None and case.rubric:
        try:
            verdicts = judge.grade(case.question, result.answer, [Criterion(t, p) for t, p in case.rubric])
            result.judge = {"score": score(verdicts), "items": [
                {"criterion": v.criterion.text, "points": v.criterion.points, "met": v.met} for v in verdicts]}
        except Exception as exc:  # a judge failure is reported, it doesn't fail the case
            result.judge = {"error": f"{type(exc).__name__}: {exc}"}
    return result


def run_cases(
    assistant: Assistant,
    cases: Sequence[Case],
    *,
    known_ids: set[str],
    clinic: ClinicProfile,
    on_result: Callable[[CaseResult], None] | None = None,
    judge: Judge | None = None,
) -> list[CaseResult]:
    results = []
    for case in cases:
        result = run_case(assistant, case, known_ids=known_ids, clinic=clinic, judge=judge)
        results.append(result)
        if on_result:
            on_result(result)
    return results
