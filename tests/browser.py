"""What every browser test shares: Debian's Chromium, the page sizes, screenshots and axe-core.

Chromium is Debian's (`make test` installs it); Playwright drives it with ``executable_path``, so nothing is
downloaded. ``CHROMIUM``, ``FLAGS`` and ``launch_chromium`` come from ``bench/browser.py``, which the benchmarks
use too (they never import the tests). axe-core comes from npm: `make test` installs it under ``.venv/npm``
(git-ignored); it is injected into the page by the test and never fetched by the page itself. The ``browser``
fixture lives in ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize

from bench.browser import CHROMIUM, FLAGS, launch_chromium  # noqa: F401  (the tests' names for them)

REPO = Path(__file__).resolve().parent.parent
SIZES: dict[str, ViewportSize] = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
TIMEOUT = 60_000
# Screenshots go to a temporary folder, so `make test` leaves the tree clean; UPDATE_SCREENSHOTS=1 refreshes
# the committed copies in docs/screenshots/ (linked from the README).
SHOTS = (REPO / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS") == "1"
         else Path(tempfile.mkdtemp(prefix="uplifted-screenshots-")))

AXE = Path(os.environ.get("UPLIFTED_TEST_AXE", REPO / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"))
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"critical", "serious"}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every WCAG 2.1 A/AA violation axe-core finds on the page as it is now (all impacts)."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: `make test` installs it (make axe)")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
                           "['violations']})", WCAG_AA)
    return list(result["violations"])


def axe_rules(page: Page, rules: list[str]) -> list[dict[str, Any]]:
    """Violations of the named axe rules only (best-practice ones such as ``page-has-heading-one`` too)."""
    axe_violations(page)  # injects axe-core once
    result = page.evaluate("(rules) => axe.run(document, {runOnly: {type: 'rule', values: rules}})", rules)
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = "; ".join(" ".join(map(str, n["target"])) + ": " + n.get("failureSummary", "").replace("\n", " ")
                            for n in v["nodes"][:4])
        lines.append(f"[{v['impact']}] {v['id']} ({len(v['nodes'])} nodes): {v['help']} -> {targets}")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str) -> None:
    """Fail on any critical or serious WCAG 2.1 AA violation, naming each rule and the elements it hit."""
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING]
    assert not blocking, f"axe-core on {where}:\n{describe(blocking)}"
