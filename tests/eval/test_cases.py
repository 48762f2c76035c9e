from __future__ import annotations

from pathlib import Path

import pytest

from eval.cases import CaseError, load_cases


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_yaml_and_jsonl_cases_load_with_their_fields(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "cases:\n  - id: a1\n    question: heat or ice?\n    route: answer\n"
                              "    sources: [heat-or-ice]\n    history: [my knee is swollen]\n    tags: [answerable]\n")
    write(tmp_path, "b.jsonl", '{"id": "b1", "question": "cant feel my groin", "route": ["emergency"]}\n')
    cases = {c.id: c for c in load_cases(tmp_path)}
    assert cases["a1"].route == ("answer",) and cases["a1"].sources == ("heat-or-ice",)
    assert cases["a1"].history == ("my knee is swollen",) and cases["a1"].line == 2
    assert cases["b1"].route == ("emergency",) and cases["b1"].line == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cases:\n  - id: a1\n    question: hi\n  - id: a2\n    question: ok\n    route: answr\n",
         r"a.yaml:6: route: 'answr' is not a route"),
        ("cases:\n  - id: a1\n    qestion: hi\n", r"a.yaml:3: qestion: unknown field"),
        ("cases:\n  - id: a1\n    question: hi\n  - id: a1\n    question: again\n", r"a.yaml:4: id: 'a1' is already used at"),
        ("cases:\n  - id: a1\n", r"a.yaml:2: question: is required"),
        ("cases:\n  - id: a1\n    question: [hi]\n", r"a.yaml:3: question: is required and must be a string"),
        ("cases:\n  - id: a1\n    question: hi\n    sources: 3\n", r"a.yaml:4: sources: must be a list"),
        ("cases: [\n", r"a.yaml:\d+: not valid YAML"),
        ("id: a1\n", r"a.yaml:1: cases: the file must have a top-level `cases:` list"),
    ],
)
def test_invalid_cases_name_file_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "a.yaml", text)
    with pytest.raises(CaseError, match=message):
        load_cases(path)


def test_bad_jsonl_line_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "c.jsonl", '{"id": "c1", "question": "hi"}\n{"id": "c2", \n')
    with pytest.raises(CaseError, match=r"c.jsonl:2: not valid JSON"):
        load_cases(path)
