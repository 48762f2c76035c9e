"""The benchmarks stand on their own: nothing under bench/ imports the test package (the tests may use bench)."""

from __future__ import annotations

import ast
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def imported(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_no_benchmark_imports_the_tests() -> None:
    scripts = sorted(BENCH.rglob("*.py"))
    assert any(path.name == "page.py" for path in scripts)  # the one that drives Chromium, as the tests do
    offenders = [f"{path.relative_to(BENCH.parent)} imports {name}" for path in scripts
                 for name in imported(ast.parse(path.read_text(encoding="utf-8")))
                 if name == "tests" or name.startswith("tests.")]
    assert not offenders, offenders
