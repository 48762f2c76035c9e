"""The knowledge base stands on its own: no module under ``knowledge_base/`` imports ``chatbot`` (or ``eval``).

``chatbot`` builds the knowledge base's config from its settings and hands it over; the other direction would let
the application's settings, migrations or types leak back in."""

from __future__ import annotations

import ast
from pathlib import Path

import knowledge_base

PACKAGE = Path(knowledge_base.__file__).resolve().parent
FORBIDDEN = ("chatbot", "eval", "bench")


def imported_modules(source: str) -> list[tuple[int, str]]:
    """Every module ``source`` imports, anywhere (inside functions and ``TYPE_CHECKING`` blocks too), with its line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def forbidden_imports(source: str) -> list[tuple[int, str]]:
    return [(line, name) for line, name in imported_modules(source) if name.split(".")[0] in FORBIDDEN]


def test_the_check_sees_every_shape_of_import() -> None:
    source = (
        "import os\nimport chatbot.settings\nfrom chatbot import reply\nfrom typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from chatbot.settings import Settings\n"
        "def f():\n    import eval.run as r\n    from .catalog import Catalog\n"
        "import chatbotlike\n"
    )
    assert forbidden_imports(source) == [(2, "chatbot.settings"), (3, "chatbot"), (6, "chatbot.settings"),
                                         (8, "eval.run")]


def test_no_knowledge_base_module_imports_the_application() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 10  # the walk found the package
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
                 for path in files for line, name in forbidden_imports(path.read_text(encoding="utf-8"))]
    assert offenders == []
