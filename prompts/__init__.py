"""Every text the assistant says or sends to a model, as versioned data with pure rendering."""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PROMPTS_DIR = Path(__file__).resolve().parent


class PromptError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


@lru_cache(maxsize=16)
def load(name: str) -> dict[str, Any]:
    """The YAML file ``prompts/<name>.yaml``; it must carry a ``version``."""
    path = PROMPTS_DIR / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "version" not in data:
        raise PromptError(f"{path} must be a mapping with a version")
    return data


def render(template: str, values: Mapping[str, object]) -> str:
    """Fill ``{name}`` placeholders; a missing value is an error, never an empty string."""
    names = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    missing = names - set(values)
    if missing:
        raise PromptError(f"no value for {', '.join(sorted(missing))} in {template[:60]!r}")
    return template.format_map(dict(values))
