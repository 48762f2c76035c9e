"""``uplifted ask``: one message to the assistant, as a patient would send it."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from chatbot.cli.common import clean_errors, console, settings_from


def ask(
    ctx: typer.Context,
    message: Annotated[str, typer.Argument(help="The patient's message.")],
    session: Annotated[str | None, typer.Option("--session", help="Continue this conversation.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Ask the assistant a question; prints the reply (and its session id, to continue)."""
    from chatbot.build import build_application

    with clean_errors():
        assistant = build_application(settings_from(ctx), rate_limit=False).assistant
        reply = assistant.reply(message, session)
    if as_json:
        typer.echo(json.dumps(reply.to_json(), ensure_ascii=False))
        return
    console.print(escape(reply.answer), highlight=False)
    if reply.sources:
        console.print("\nSources:")
        for source in reply.sources:
            console.print(f"  - {escape(source.title)}: {escape(source.url)}", highlight=False)
    console.print(f"\n[dim]route: {reply.route.value} · session: {reply.session}[/]")
