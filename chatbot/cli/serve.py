"""``uplifted serve``: the patient chat at / and the staff console at /staff on one local port."""

from __future__ import annotations

from typing import Annotated

import typer

from chatbot.cli.common import clean_errors, console, err_console, settings_from


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
) -> None:
    """Serve the patient chat (with the /ask API) and, when a staff login is set, the staff console."""
    import torch
    import uvicorn

    from chatbot.web.server import STAFF_PATH, build_server

    settings = settings_from(ctx)
    # Several patients at once share two cores: one thread per encode avoids threads stalling each other.
    torch.set_num_threads(settings.serve_torch_threads)
    with clean_errors():
        console.print("Loading models and articles...", highlight=False)
        server = build_server(settings)
        server.assistant.warm_up()
    base = f"http://{host}:{port}"
    console.print(f"Patient chat:  {base}/", highlight=False)
    if server.console_off:
        err_console.print(f"[yellow]warning:[/] {server.console_off}", highlight=False, markup=True)
    else:
        console.print(f"Staff console: {base}{STAFF_PATH}/", highlight=False)
    uvicorn.run(server.app, host=host, port=port, log_level="warning")
