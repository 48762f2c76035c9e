"""Eval cases as data (YAML or JSONL), loaded with errors that name the file, line and field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from chatbot.reply import Route

ROUTES = {r.value for r in Route}
FIELDS = {"id", "question", "history", "route", "sources", "must_include", "must_not_include", "tags", "rubric"}


class CaseError(ValueError):
    """A case that can't be used: ``file:line: field: problem``."""

    def __init__(self, file: Path, line: int, field: str | None, problem: str) -> None:
        self.file, self.line, self.field = file, line, field
        where = f"{file}:{line}: " + (f"{field}: " if field else "")
        super().__init__(where + problem)


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    history: tuple[str, ...] = ()
    route: tuple[str, ...] = ()  # empty: any route is accepted (the reply is still recorded)
    sources: tuple[str, ...] = ()
    must_include: tuple[str, ...] = ()
    must_not_include: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    rubric: tuple[tuple[str, int], ...] = ()  # (criterion, points) for the optional model judge
    file: str = ""
    line: int = 0


def _strings(value: Any, file: Path, line: int, field: str, *, allow_single: bool = True) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) and allow_single:
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(value)
    raise CaseError(file, line, field, "must be a list of non-empty strings")


def _rubric(value: Any, file: Path, line: int) -> tuple[tuple[str, int], ...]:
    if value is None:
        return ()
    ok = isinstance(value, list) and all(
        isinstance(v, dict) and isinstance(v.get("criterion"), str) and isinstance(v.get("points"), int)
        for v in value
    )
    if not ok:
        raise CaseError(file, line, "rubric", "must be a list of {criterion: text, points: integer}")
    return tuple((v["criterion"], v["points"]) for v in value)


def make_case(raw: Any, file: Path, line: int, lines: dict[str, int] | None = None) -> Case:
    at = lines or {}
    if not isinstance(raw, dict):
        raise CaseError(file, line, None, "a case must be a mapping with at least `id` and `question`")
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        known = ", ".join(sorted(FIELDS))
        raise CaseError(file, at.get(unknown[0], line), unknown[0], f"unknown field (known: {known})")
    if not isinstance(raw.get("id"), str) or not raw["id"].strip():
        raise CaseError(file, at.get("id", line), "id", "is required and must be a non-empty string")
    # An empty question is a case too (what does the chat say to an empty message?).
    if not isinstance(raw.get("question"), str):
        raise CaseError(file, at.get("question", line), "question", "is required and must be a string")
    route = _strings(raw.get("route"), file, at.get("route", line), "route")
    bad = [r for r in route if r not in ROUTES]
    if bad:
        known = ", ".join(sorted(ROUTES))
        raise CaseError(file, at.get("route", line), "route", f"{bad[0]!r} is not a route ({known})")
    return Case(
        id=raw["id"].strip(), question=raw["question"],
        history=_strings(raw.get("history"), file, at.get("history", line), "history"),
        route=route,
        sources=_strings(raw.get("sources"), file, at.get("sources", line), "sources"),
        must_include=_strings(raw.get("must_include"), file, at.get("must_include", line), "must_include"),
        must_not_include=_strings(raw.get("must_not_include"), file, at.get("must_not_include", line),
                                  "must_not_include"),
        tags=_strings(raw.get("tags"), file, at.get("tags", line), "tags"),
        rubric=_rubric(raw.get("rubric"), file, at.get("rubric", line)),
        file=str(file), line=line,
    )


def _load_yaml(path: Path) -> list[Case]:
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 1) if mark else 1
        raise CaseError(path, line, None, f"not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list) or root is None:
        raise CaseError(path, 1, "cases", "the file must have a top-level `cases:` list")
    seq = next(v for k, v in root.value if k.value == "cases")
    cases = []
    for node, raw in zip(seq.value, data["cases"], strict=True):
        lines = {k.value: k.start_mark.line + 1 for k, _ in node.value} if isinstance(node, yaml.MappingNode) else {}
        cases.append(make_case(raw, path, node.start_mark.line + 1, lines))
    return cases


def _load_jsonl(path: Path) -> list[Case]:
    cases = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CaseError(path, number, None, f"not valid JSON ({exc.msg})") from exc
        cases.append(make_case(raw, path, number))
    return cases


def load_cases(path: Path) -> list[Case]:
    """Every case in a file, or in every .yaml/.yml/.jsonl file of a folder; ids must be unique."""
    path = Path(path)
    files = sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml", ".jsonl"}) if path.is_dir() else [path]
    if not files:
        raise CaseError(path, 1, None, "no .yaml, .yml or .jsonl case files here")
    cases: list[Case] = []
    seen: dict[str, Case] = {}
    for file in files:
        for case in _load_jsonl(file) if file.suffix == ".jsonl" else _load_yaml(file):
            if case.id in seen:
                first = seen[case.id]
                raise CaseError(file, case.line, "id", f"{case.id!r} is already used at {first.file}:{first.line}")
            seen[case.id] = case
            cases.append(case)
    return cases
