"""``uplifted kb``: staff commands to keep the knowledge base current."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from chatbot.cli.common import clean_errors, console, current_user, err_console, settings_from
from knowledge_base.catalog import ArticleRecord, AuditEntry
from knowledge_base.editing import UNSET, Unset, parse_date
from knowledge_base.service import KnowledgeBase, SyncReport

app = typer.Typer(help="Add, replace, remove, edit, list, show and search the clinic's articles.",
                  no_args_is_help=True)

By = Annotated[str | None, typer.Option("--by", help="Who made the change (default: your OS user).")]


def _open(ctx: typer.Context, progress: Progress | None = None) -> KnowledgeBase:
    from chatbot.build import build_application

    task = progress.add_task("Embedding articles", total=None) if progress else None

    def on_progress(done: int, total: int) -> None:
        if progress is not None and task is not None:
            progress.update(task, completed=done, total=total)

    return build_application(settings_from(ctx), on_progress=on_progress if progress else None).kb


def _print_report(report: SyncReport) -> None:
    for label, ids in [("added", report.added), ("replaced", report.replaced),
                       ("unchanged", report.unchanged), ("removed", report.removed)]:
        shown = ", ".join(sorted(ids)) if ids else "-"
        console.print(f"{label:>10}: {len(ids):3d}  {escape(shown)}", highlight=False)
    if report.edited:  # e.g. a language read from a file published before articles had one
        shown = ", ".join(f"{a} ({', '.join(fields)})" for a, fields in sorted(report.edited.items()))
        console.print(f"{'edited':>10}: {len(report.edited):3d}  {escape(shown)}", highlight=False)
    for article_id, passages in report.flagged.items():
        for passage in passages:
            err_console.print(
                f"[yellow]warning:[/] {escape(article_id)}: passage reads like instructions to an AI "
                f"and will never be quoted: {escape(passage[:160])!r}", highlight=False,
            )
    if report.repaired:
        console.print(f"  repaired: {', '.join(report.repaired)} (left over from an interrupted change)")
    for error in report.errors:
        err_console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)


def _finish(report: SyncReport) -> None:
    _print_report(report)
    if not report.ok:
        err_console.print(f"{len(report.errors)} file(s) failed; the others were applied.")
        raise typer.Exit(1)


@app.command()
def sync(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Folder of articles (.md, .txt, .html, .pdf).")],
    by: By = None,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Only sync into an empty knowledge base (used by `make run`).")
    ] = False,
) -> None:
    """Make the knowledge base equal to FOLDER: add, replace and remove articles."""
    with clean_errors(), Progress(console=err_console, transient=True) as progress:
        kb = _open(ctx, progress)
        if if_empty and kb.articles():
            console.print(f"The knowledge base already has {len(kb.articles())} articles; leaving it as it is.")
            return
        report = kb.sync(folder, by=by or current_user())
    _finish(report)


@app.command()
def add(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Article files to add or replace.")],
    by: By = None,
) -> None:
    """Add articles, or replace those with the same id."""
    with clean_errors(), Progress(console=err_console, transient=True) as progress:
        report = _open(ctx, progress).add(files, by=by or current_user())
    _finish(report)


@app.command()
def remove(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(help="Article ids to remove (see `uplifted kb list`).")],
    by: By = None,
) -> None:
    """Remove articles: they are never retrieved again."""
    with clean_errors():
        report = _open(ctx).remove(ids, by=by or current_user())
    _finish(report)


def _record_json(r: ArticleRecord, today: date) -> dict[str, object]:
    return {"id": r.id, "title": r.title, "url": r.url, "lang": r.lang, "chunks": r.chunk_count, "version": r.version,
            "tags": list(r.tags), "updated_at": r.updated_at.isoformat(), "updated_by": r.updated_by,
            "reviewed_on": r.reviewed_on.isoformat() if r.reviewed_on else None,
            "review_due": r.review_due.isoformat() if r.review_due else None,
            "review_overdue": r.review_overdue(today), "flagged_passages": len(r.flagged)}


def _entry_json(e: AuditEntry) -> dict[str, object]:
    return {"at": e.at.isoformat(), "action": e.action, "article_id": e.article_id, "version": e.version,
            "by": e.by, "detail": e.detail}


@app.command("list")
def list_(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every article: id, title, link, language, chunks, version, last change, review due."""
    with clean_errors():
        records = _open(ctx).articles()
    today = date.today()
    if as_json:
        rows = [_record_json(r, today) for r in records]
        typer.echo(json.dumps(rows, indent=2))
        return
    if not records:
        console.print("The knowledge base is empty. Add articles with `uplifted kb sync FOLDER`.")
        return
    table = Table(title=f"{len(records)} articles")
    for col in ["id", "title", "url", "lang", "chunks", "version", "last change", "review due"]:
        table.add_column(col, overflow="fold")
    for r in records:
        due = r.review_due.isoformat() if r.review_due else "-"
        if r.review_overdue(today):
            due = f"[bold red]{due} OVERDUE[/]"
        table.add_row(escape(r.id), escape(r.title), escape(r.url or "-"), r.lang, str(r.chunk_count), r.version[:12],
                      f"{r.updated_at:%Y-%m-%d %H:%M} by {escape(r.updated_by)}", due)
    console.print(table)


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="A patient's question.")],
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="How many passages.")] = 4,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Only articles in this language (a code such as en or es).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The passages the chat would see for TEXT, best first, with scores."""
    with clean_errors():
        passages = _open(ctx).search(text, k=k, lang=lang)
    if as_json:
        typer.echo(json.dumps([
            {"rank": i, "score": round(p.score, 4), "article_id": p.article_id, "title": p.title, "url": p.url,
             "position": p.position, "flagged": p.flagged, "lang": p.lang, "text": p.text}
            for i, p in enumerate(passages, 1)
        ], indent=2))
        return
    if not passages:
        console.print("No passages found. Is the knowledge base empty? Try `uplifted kb list`.")
    for i, p in enumerate(passages, 1):
        flag = " [yellow](flagged: never quoted)[/]" if p.flagged else ""
        console.print(f"[bold]{i}. {p.score:.3f}  {escape(p.title)}[/] ({escape(p.article_id)} #{p.position}){flag}")
        console.print(f"   {escape(p.text)}\n", highlight=False)


@app.command()
def log(
    ctx: typer.Context,
    article_id: Annotated[str | None, typer.Argument(help="Only this article.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The audit log: every add, replace, edit and remove, with when, which version and by whom."""
    with clean_errors():
        entries = _open(ctx).audit_log(article_id)
    if as_json:
        typer.echo(json.dumps([_entry_json(e) for e in entries], indent=2))
        return
    for e in entries:
        console.print(f"{e.at:%Y-%m-%d %H:%M:%S}  {e.action:<8} {escape(e.article_id):<36} "
                      f"{(e.version or '')[:12]:<12}  by {escape(e.by)}", highlight=False)


@app.command()
def show(
    ctx: typer.Context,
    article_id: Annotated[str, typer.Argument(help="Article id (see `uplifted kb list`).")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One article: its metadata, its text and its history."""
    with clean_errors():
        kb = _open(ctx)
        text = kb.article_text(article_id)
        record = kb.require_article(article_id)
        history = kb.audit_log(article_id)
    today = date.today()
    if as_json:
        typer.echo(json.dumps({**_record_json(record, today), "source": record.source,
                               "flagged": list(record.flagged), "text": text,
                               "history": [_entry_json(e) for e in history]}, indent=2))
        return
    due = record.review_due.isoformat() if record.review_due else "-"
    if record.review_overdue(today):
        due = f"[bold red]{due} OVERDUE[/]"
    console.print(f"[bold]{escape(record.title)}[/] ({escape(record.id)})", highlight=False)
    for label, value in [
        ("link", escape(record.url or "-")), ("language", record.lang),
        ("tags", escape(", ".join(record.tags) or "-")),
        ("reviewed on", record.reviewed_on.isoformat() if record.reviewed_on else "-"), ("review due", due),
        ("version", f"{record.version[:12]}  ({_count(record.chunk_count, 'chunk')}, {len(record.flagged)} flagged)"),
        ("file", escape(record.source)),
        ("last change", f"{record.updated_at:%Y-%m-%d %H:%M} by {escape(record.updated_by)}"),
    ]:
        console.print(f"  {label:<12} {value}", highlight=False)
    console.print()
    console.print(escape(text), highlight=False)
    console.print("\n[bold]History[/]")
    for e in history:
        detail = f"  ({escape(e.detail)})" if e.detail else ""
        console.print(f"  {e.at:%Y-%m-%d %H:%M:%S}  {e.action:<8} {(e.version or '')[:12]:<12}  "
                      f"by {escape(e.by)}{detail}", highlight=False)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _date_option(option: str, value: str | None) -> date | Unset | None:
    if value is None:
        return UNSET
    try:
        return parse_date(value)
    except ValueError as exc:
        raise ValueError(f"{option}: {exc}") from None


@app.command()
def edit(
    ctx: typer.Context,
    article_id: Annotated[str, typer.Argument(help="Article id (see `uplifted kb list`).")],
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    url: Annotated[str | None, typer.Option(
        "--url", help='New link (http:// or https://); "" for the default link (base URL + id).')] = None,
    tags: Annotated[list[str] | None, typer.Option(
        "--tag", help="A tag; repeat for several. Replaces all the article's tags.")] = None,
    no_tags: Annotated[bool, typer.Option("--no-tags", help="Remove all tags.")] = False,
    reviewed_on: Annotated[str | None, typer.Option(
        "--reviewed-on", metavar="YYYY-MM-DD|none", help="When the article was last reviewed.")] = None,
    review_due: Annotated[str | None, typer.Option(
        "--review-due", metavar="YYYY-MM-DD|none", help="When it is next due for review.")] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="The article's language: a code such as en or es.")] = None,
    by: By = None,
) -> None:
    """Change an article's title, link, tags, review dates or language without uploading the file again."""
    with clean_errors():
        if tags and no_tags:
            raise ValueError("use --tag or --no-tags, not both")
        new_tags: list[str] | None = [] if no_tags else (tags or None)
        dates = _date_option("--reviewed-on", reviewed_on), _date_option("--review-due", review_due)
        if title is None and url is None and new_tags is None and dates == (UNSET, UNSET) and lang is None:
            raise ValueError("nothing to change: give --title, --url, --tag, --no-tags, --reviewed-on, "
                             "--review-due or --lang")
        report = _open(ctx).update_metadata(
            article_id, by=by or current_user(), title=title, url=url, tags=new_tags,
            reviewed_on=dates[0], review_due=dates[1], lang=lang,
        )
    if report.repaired:
        console.print(f"repaired: {', '.join(report.repaired)} (left over from an interrupted change)")
    if report.edited:
        console.print(f"edited {escape(article_id)}: {escape(', '.join(report.edited[article_id]))}", highlight=False)
    else:
        console.print(f"unchanged: {escape(article_id)} already has these values", highlight=False)
