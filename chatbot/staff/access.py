"""Every console handler checks the logged-in user itself.

Gradio's login page guards the page, but each event handler is also an HTTP endpoint, and a
hidden button is no protection. :func:`staff_only` wraps a handler so it runs only for a request
whose user is a configured staff login; :func:`staff_name` gives that name to the audit log.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import gradio as gr

from chatbot.staff.auth import StaffAuth

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
NOT_LOGGED_IN = "Please log in to the staff console to do this."
STAFF_ONLY_MARK = "__uplifted_staff_only__"


class NotStaff(gr.Error):
    def __init__(self) -> None:
        super().__init__(NOT_LOGGED_IN, title="Not logged in")


def _request_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> gr.Request | None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, gr.Request):
            return value
    return None


def staff_name(request: gr.Request | None, auth: StaffAuth) -> str:
    """The staff user behind ``request``; raises :class:`NotStaff` for anyone else."""
    username = getattr(request, "username", None) if request is not None else None
    if not isinstance(username, str) or not auth.is_staff(username):
        raise NotStaff()
    return username


def _explained(fn_name: str, exc: Exception) -> gr.Error:
    """Staff see what went wrong (a Chroma server down, a locked database) instead of a bare "Error"."""
    log.exception("console handler %s failed", fn_name)
    reason = str(exc).strip() or type(exc).__name__
    return gr.Error(f"That did not work: {reason[:500]}. Nothing else was changed; the server log has details.",
                    title="Something went wrong")


def staff_only(auth: StaffAuth) -> Callable[[F], F]:
    """Decorate a handler that takes a ``gr.Request``: anonymous or unknown users get :class:`NotStaff`,
    and an unexpected failure becomes a message staff can read."""

    @contextmanager
    def guarded(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Iterator[None]:
        staff_name(_request_of(args, kwargs), auth)
        try:
            yield
        except gr.Error:
            raise
        except Exception as exc:
            raise _explained(fn.__name__, exc) from exc

    def wrap(fn: F) -> F:
        if "request" not in inspect.signature(fn).parameters:
            raise TypeError(f"{fn.__name__} must take `request: gr.Request` so it can check the user")
        if inspect.isgeneratorfunction(fn):  # Gradio streams only from a generator function
            @functools.wraps(fn)
            def stream(*args: Any, **kwargs: Any) -> Iterator[Any]:
                with guarded(fn, args, kwargs):
                    yield from fn(*args, **kwargs)

            handler: Callable[..., Any] = stream
        else:
            @functools.wraps(fn)
            def call(*args: Any, **kwargs: Any) -> Any:
                with guarded(fn, args, kwargs):
                    return fn(*args, **kwargs)

            handler = call
        setattr(handler, STAFF_ONLY_MARK, True)
        return cast(F, handler)

    return wrap
