"""``uplifted synonyms``: check the staff-edited list of patients' words (prompts/synonyms.yaml)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from chatbot.cli.common import console, fail

app = typer.Typer(help="Patients' words -> the articles' words (prompts/synonyms.yaml).", no_args_is_help=True)


@app.command()
def check(
    message: Annotated[list[str] | None, typer.Argument(help="Messages to show translated, e.g. 'TKR 6 wks ago'.")]
    = None,
) -> None:
    """Load the list (a malformed entry is named) and show what each message is searched as."""
    from chatbot.synonyms import SynonymError, Synonyms

    try:
        synonyms = Synonyms.load()
    except (SynonymError, OSError, ValueError) as exc:
        raise fail(f"prompts/synonyms.yaml: {exc}") from None
    console.print(f"prompts/synonyms.yaml is valid: {len(synonyms.meaning)} terms")
    for text in message or []:
        found = synonyms.expand(text)
        terms = ", ".join(found.matched) or "no listed term"
        console.print(f"{escape(text)}\n  searched as: {escape(found.search)}\n  terms: {escape(terms)}")
