"""``uplifted``: the one console script."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import typer
from pydantic import ValidationError

from chatbot.cli import ask, clinic, evals, kb, purge, serve, staff, synonyms, train
from chatbot.cli.common import fail
from chatbot.settings import Settings

app = typer.Typer(help="Uplifted Assistant: the clinic's patient-education chatbot.", no_args_is_help=True)
app.add_typer(kb.app, name="kb")
app.add_typer(evals.app, name="eval")
app.add_typer(staff.app, name="staff")
app.add_typer(train.app, name="train")
app.add_typer(clinic.app, name="clinic")
app.add_typer(synonyms.app, name="synonyms")
app.command("serve")(serve.serve)
app.command("ask")(ask.ask)
app.command("purge")(purge.purge)


@app.callback()
def main(ctx: typer.Context) -> None:
    """Settings come from UPLIFTED_* environment variables (see README)."""
    if isinstance(ctx.obj, Settings):
        return
    try:
        ctx.obj = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "_".join(str(p) for p in first["loc"]).upper()
        raise fail(f"setting UPLIFTED_{field} is invalid: {first['msg'].removeprefix('Value error, ')}") from None


if __name__ == "__main__":
    app()
