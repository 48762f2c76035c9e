"""``uplifted serve``: the patient app on a local port."""

from __future__ import annotations

from typing import Annotated

import typer

from chatbot.cli.common import clean_errors, settings_from


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
) -> None:
    """Serve the patient app (Gradio)."""
    from chatbot.web.app import build_app
    from knowledge_base.factory import build_knowledge_base

    settings = settings_from(ctx)
    with clean_errors():
        kb = build_knowledge_base(settings)
    build_app(settings, kb).queue(default_concurrency_limit=4, max_size=64).launch(
        server_name=host, server_port=port, show_error=False
    )
