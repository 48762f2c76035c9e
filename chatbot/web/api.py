"""The plain HTTP API beside the Gradio one: ``POST /api/v1/ask`` and ``POST /api/v1/contact``, in OpenAPI at
``/api/v1/openapi.json``.

A thin FastAPI app over the same :class:`~chatbot.assistant.Assistant` the chat calls, so the guardrails, the
limits (per session, per client address, booking requests per hour) and the storage are the chat's own. ``ask``
returns exactly what ``uplifted ask --json`` prints (``Reply.to_json``); a rate-limited request gets HTTP 429
with ``Retry-After``. Only the sites in ``UPLIFTED_EMBED_ORIGINS`` may call it from a browser (CORS).
"""

from __future__ import annotations

import re
import threading
from typing import Any

import fastapi
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from chatbot.assistant import Assistant, new_session
from chatbot.web.clients import client_host
from chatbot.web.contact_form import contact_outcome

API_PATH = "/api/v1"
MAX_BODY_BYTES = 2_000_000  # a request body over this is refused unread (413); messages over 2,000 characters
# still reach the assistant, which refuses them itself after its safety check.


class AskRequest(BaseModel):
    message: str = Field(description="The patient's message (over UPLIFTED_MAX_MESSAGE_CHARS gets a kind refusal, "
                                     "after the red-flag check).")
    session: str = Field(default="", description="Empty starts a conversation; send back the `session` returned "
                                                 "to continue it.")


class SourceOut(BaseModel):
    id: str
    title: str
    url: str


class AskReply(BaseModel):
    """What ``uplifted ask --json`` prints."""

    answer: str = Field(description="Plain text: escape it before putting it into a web page.")
    route: str = Field(description="answer, emergency, urgent, crisis, scope_redirect, off_topic, no_match, blocked, "
                                   "small_talk, clinic_info, clarify or other_language")
    sources: list[SourceOut]
    session: str
    choices: list[str] | None = Field(default=None, description="For `clarify`: article titles; send one back "
                                                                "as the next message. Absent otherwise.")


class ContactRequest(BaseModel):
    name: str
    phone: str = Field(description="7 to 15 digits; spaces, +, -, dots and brackets are fine.")
    consent: bool = Field(description="Must be true: the patient agrees the clinic keeps the name and number.")
    note: str = Field(default="", description="Best time to call (optional).")
    session: str = Field(default="", description="The chat's session, if any, so staff see the conversation.")


class ContactReply(BaseModel):
    ok: bool
    errors: dict[str, str] = Field(description="Each wrong field and what to do about it.")
    status: str = Field(description="A sentence for the patient; ends with 'call us at' when `phone` follows.")
    phone: str | None = None
    tel: str | None = None
    retry_after_s: int | None = None
    session: str


def _limited(body: dict[str, Any], seconds: int) -> JSONResponse:
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(seconds)})


def _origin_pattern(origins: list[str]) -> str | None:
    """CORS's regex for the wildcard origins (``https://*.clinic.example``), as frame-ancestors reads them."""
    wild = [re.escape(o).replace(r"\*\.", r"[a-z0-9-]+(\.[a-z0-9-]+)*\.") for o in origins if "*" in o]
    return "|".join(wild) or None


def build_api(assistant: Assistant, *, origins: list[str], title: str, concurrency: int = 4) -> fastapi.FastAPI:
    """The API app, to mount at ``API_PATH``; ``concurrency``: replies worked on at once (the chat's own number)."""
    api = fastapi.FastAPI(title=f"{title} API", version="1", openapi_url="/openapi.json", docs_url=None,
                          redoc_url=None, description=__doc__)
    api.add_middleware(CORSMiddleware, allow_origins=[o for o in origins if "*" not in o],
                       allow_origin_regex=_origin_pattern(origins), allow_methods=["POST"],
                       allow_headers=["Content-Type"], expose_headers=["Retry-After"], max_age=600)
    working = threading.BoundedSemaphore(concurrency)

    async def small_body(request: fastapi.Request) -> None:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            raise fastapi.HTTPException(413, f"The request body is over {MAX_BODY_BYTES} bytes.")

    responses: dict[int | str, dict[str, Any]] = {
        413: {"description": "The request body is too large."},
        429: {"description": "Too many requests from this session or client: wait the `Retry-After` seconds."},
    }

    @api.post("/ask", response_model=AskReply, response_model_exclude_none=True, responses=responses,
              dependencies=[fastapi.Depends(small_body)])
    def ask(body: AskRequest, request: fastapi.Request) -> Any:
        """Ask one question; the reply exactly as `uplifted ask --json` prints it."""
        with working:
            reply = assistant.reply(body.message, body.session or None, client=client_host(request))
        if reply.retry_after_s:
            return _limited(reply.to_json(), reply.retry_after_s)
        return reply.to_json()

    @api.post("/contact", response_model=ContactReply, response_model_exclude_none=True,
              responses={**responses, 422: {"description": "A field is wrong (`errors` names each); nothing stored."}},
              dependencies=[fastapi.Depends(small_body)])
    def contact(body: ContactRequest, request: fastapi.Request) -> Any:
        """Ask the clinic to call back (a booking request), as the chat's "Ask us to call you" form does."""
        session = body.session or new_session()
        outcome = contact_outcome(assistant, session, body.name, body.phone, body.consent, body.note,
                                  client=client_host(request)) | {"session": session}
        if outcome.get("retry_after_s"):
            return _limited(outcome, outcome["retry_after_s"])
        return outcome if outcome["ok"] else JSONResponse(outcome, status_code=422)

    return api
