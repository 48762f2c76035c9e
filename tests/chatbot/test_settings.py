from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatbot.cli.main import app
from chatbot.settings import Settings


def test_settings_come_from_uplifted_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("UPLIFTED_DATA_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("UPLIFTED_CHROMA_HOST", "chroma.internal")
    monkeypatch.setenv("UPLIFTED_CHROMA_PORT", "9000")
    monkeypatch.setenv("UPLIFTED_CLINIC_NAME", "Uplifted Downtown")
    monkeypatch.setenv("UPLIFTED_CLINIC_CRISIS_LINE", "13 11 14")
    monkeypatch.setenv("UPLIFTED_ARTICLES_BASE_URL", "https://clinic.example/blog")
    s = Settings()
    assert s.catalog_path == tmp_path / "state" / "catalog.sqlite"
    assert s.knowledge_base_config().chroma_dir == tmp_path / "state" / "chroma"
    assert (s.chroma_host, s.chroma_port) == ("chroma.internal", 9000)
    assert (s.clinic.name, s.clinic.crisis_line, s.clinic.emergency_number) == ("Uplifted Downtown", "13 11 14", "911")
    assert s.articles_base_url == "https://clinic.example/blog/"


def test_invalid_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPLIFTED_CHROMA_PORT", "not-a-port")
    result = CliRunner().invoke(app, ["kb", "list"])
    assert result.exit_code == 1
    assert "setting UPLIFTED_CHROMA_PORT is invalid" in result.stderr
