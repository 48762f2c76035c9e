"""``uplifted serve``: the patient chat at / and the staff console at /staff on one local port."""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from chatbot.cli.common import clean_errors, console, err_console, settings_from

if TYPE_CHECKING:
    import uvicorn


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _uvicorn(config: uvicorn.Config, on_stop: Callable[[], None]) -> uvicorn.Server:
    """A uvicorn server that calls ``on_stop`` as soon as it starts shutting down."""
    import uvicorn

    class Server(uvicorn.Server):
        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            on_stop()
            await super().shutdown(sockets=sockets)

    return Server(config)


def uvicorn_config(app: Any, host: str, port: int, *, shutdown_timeout_s: int = 5,
                   log_format: str = "text") -> uvicorn.Config:
    """How ``uplifted serve`` runs the app. uvicorn's own proxy handling is off: it believes X-Forwarded-For from
    loopback by default, so anyone on the machine could name any client; the app reads it only from
    ``UPLIFTED_TRUSTED_PROXIES`` (``chatbot.web.clients``). With JSON logs uvicorn gets no logging config of its
    own, so its lines go through the root logger's JSON handler (``chatbot.logs``)."""
    import uvicorn

    extra: dict[str, Any] = {"log_config": None} if log_format == "json" else {}
    return uvicorn.Config(app, host=host, port=port, log_level="warning", proxy_headers=False,
                          timeout_graceful_shutdown=shutdown_timeout_s, **extra)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
) -> None:
    """Serve the patient chat (with the /ask API) and, when a staff login is set, the staff console.

    Ctrl+C or SIGTERM stops it with status 0: open chat pages are let go at once, and any other request still
    open after UPLIFTED_SERVE_SHUTDOWN_TIMEOUT_S (5 s) is closed."""
    import torch

    from chatbot.logs import configure_logging
    from chatbot.web.server import STAFF_PATH, build_server

    settings = settings_from(ctx)
    configure_logging(settings.log_format)
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
    config = uvicorn_config(server.app, host, port, shutdown_timeout_s=settings.serve_shutdown_timeout_s,
                            log_format=settings.log_format)
    web = _uvicorn(config, on_stop=server.end_streams)
    # uvicorn stops gracefully on SIGINT and SIGTERM, then raises the signal again with the handlers it found:
    # SIGTERM then reads as Ctrl+C, so both end here with status 0, not with a traceback or death by signal.
    signal.signal(signal.SIGTERM, _stop)
    with contextlib.suppress(KeyboardInterrupt):
        web.run()
    if not web.started:
        raise typer.Exit(1)  # uvicorn has said why (the port is taken, ...)
    console.print("Stopped.", highlight=False)
