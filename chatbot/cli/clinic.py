"""``uplifted clinic``: the facts the chat gives about the clinic (hours, address, parking, insurance...)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from chatbot.cli.common import clean_errors, console, current_user, fail, settings_from

app = typer.Typer(help="The clinic profile the chat answers clinic questions from.", no_args_is_help=True)


@app.command()
def show(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every field, with what the chat says when it is empty."""
    from chatbot.clinic import load_profile, profile_path

    settings = settings_from(ctx)
    with clean_errors():
        profile = load_profile(settings.clinic, settings.data_dir)
    data = profile.model_dump()
    if as_json:
        console.print_json(json.dumps(data))
        return
    table = Table("field", "value", title=f"Clinic profile ({profile_path(settings.data_dir)})")
    for field, value in data.items():
        table.add_row(field, escape(value) if value else "[dim]not set: the chat says to call[/]")
    console.print(table)


@app.command()
def edit(
    ctx: typer.Context,
    set_: Annotated[list[str] | None, typer.Option("--set", help="FIELD=TEXT, e.g. --set 'hours=Mon-Fri 7am-7pm'")]
    = None,
    clear: Annotated[list[str] | None, typer.Option("--clear", help="A field to empty (the chat then says to call).")]
    = None,
    by: Annotated[str | None, typer.Option("--by", help="Who made the change (default: your OS user).")] = None,
) -> None:
    """Change fields of the profile in $UPLIFTED_DATA_DIR/clinic.yaml. A running server uses them from the next
    question; the change is in the audit log (`uplifted kb log clinic:profile`)."""
    from chatbot.clinic import ProfileError, audit_edit, check_updates, profile_path, update_profile
    from knowledge_base.catalog import Catalog

    settings = settings_from(ctx)
    if not set_ and not clear:
        raise fail("nothing to change: use --set FIELD=TEXT or --clear FIELD")
    updates: dict[str, str | None] = {}
    for item in set_ or []:
        field, sep, value = item.partition("=")
        if not sep or not value.strip():
            raise fail(f"--set {item!r}: write FIELD=TEXT with some text (to empty a field, use --clear)")
        updates[field.strip()] = value.strip()
    for field in clear or []:
        updates[field.strip()] = None
    problems = check_updates(updates)
    if problems:
        raise fail(problems[0][1])
    try:
        update_profile(settings.clinic, settings.data_dir, updates)
    except ProfileError as exc:
        raise fail(str(exc)) from None
    catalog = Catalog.open(settings.catalog_path)
    try:
        audit_edit(catalog, list(updates), by=by or current_user())
    finally:
        catalog.conn.close()
    console.print(f"Saved {', '.join(updates)} to {profile_path(settings.data_dir)}", highlight=False)
