"""``uplifted serve``: the patient app on a local port."""

from __future__ import annotations

from typing import Annotated

import typer

from chatbot.cli.common import clean_errors, console, settings_from


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
) -> None:
    """Serve the patient app (Gradio): the chat, the contact form and the /ask API."""
    import torch

    from chatbot.build import build_assistant
    from chatbot.web.app import build_app, launch_options

    settings = settings_from(ctx)
    # Several patients at once share two cores: one thread per encode avoids threads stalling each other.
    torch.set_num_threads(settings.serve_torch_threads)
    with clean_errors():
        assistant = build_assistant(settings)
        console.print("Loading models and articles...", highlight=False)
        assistant.warm_up()
        app = build_app(settings, assistant)  # the queue (concurrency 4, at most 64 waiting) is set here
    app.launch(server_name=host, server_port=port, show_error=False, **launch_options())
