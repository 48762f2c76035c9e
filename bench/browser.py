"""Debian's headless Chromium through Playwright, shared by the benchmarks (``bench.page``) and the browser tests
(``tests/browser.py`` re-exports it; the ``browser`` fixture in ``tests/conftest.py`` launches it).

Playwright drives Debian's ``chromium`` package with ``executable_path`` (`make browser` installs it), so no
browser is ever downloaded. The benchmarks never import the test package.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MISSING = "Chromium is missing: `make browser` installs Debian's chromium package (apt-get install chromium)"


def chromium_installed() -> bool:
    return Path(CHROMIUM).exists()


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless; a FileNotFoundError saying how to install it when it is missing."""
    if not chromium_installed():
        raise FileNotFoundError(MISSING)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
