"""The clinic's own facts (hours, address, parking, insurance...), from a profile staff edit.

The profile is ``$UPLIFTED_DATA_DIR/clinic.yaml`` (``uplifted clinic show`` / ``uplifted clinic edit``, or the
staff console's "Clinic profile" tab), laid over the ``UPLIFTED_CLINIC_*`` settings. A question about a fact the
profile doesn't hold is never guessed: the reply says so and gives the phone number.

A running server follows the file: :meth:`ClinicInfo.current` re-reads it when it changes, so a saved edit
reaches the chat at the next question, without a restart.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import yaml
from pydantic import ValidationError

from chatbot.settings import ClinicProfile

log = logging.getLogger(__name__)

# What a patient asks about -> the profile field that answers it (English and Spanish wordings).
TOPICS: list[tuple[str, re.Pattern[str]]] = [
    ("cancellation", re.compile(r"\b(cancel\w*|reschedul\w*|no[- ]show|running late|late for|cancelar|"
                                r"reprogramar|cambiar (la|mi) cita)\b")),
    ("first_visit", re.compile(r"\b(first (visit|appointment|session|time|eval\w*)|bring|wear|what to expect|"
                               r"how long (is|does) (the|an|my) (visit|appointment|session|eval\w*)|"
                               r"primera (cita|visita|vez)|llevar|ropa)\b")),
    ("insurance", re.compile(r"\b(insurance|insur\w*|medicare|medicaid|in[- ]network|copays?|deductible|aetna|"
                             r"cigna|humana|kaiser|tricare|blue ?cross|bcbs|united ?health\w*|hsa|fsa|workers comp|"
                             r"seguro|aseguranza|aceptan)\b")),
    ("prices", re.compile(r"\b(cost|costs|price|prices|pricing|how much|fees?|charge|self[- ]pay|cash|pay|"
                          r"payment|cuesta|cuanto cobran|precio|pagar)\b")),
    ("parking", re.compile(r"\b(park|parking|garage|bus|transit|train|estacionamiento|estacionar)\b")),
    ("hours", re.compile(r"\b(hours|open|opening|close|closed|closing|weekends?|saturdays?|sundays?|evenings?|"
                         r"holidays?|horario|abren|cierran|sabado|domingo)\b")),
    ("address", re.compile(r"\b(address|located|location|locations|where are you|where is (the|your) (clinic|"
                           r"office)|directions|how do i get|find you|direccion|donde (estan|queda)|ubicacion)\b")),
    ("referral", re.compile(r"\b(referral|refer|prescription from|doctors? (note|order)|direct access|"
                            r"need (a|to see a) doctor first|referencia|orden medica)\b")),
    ("accessibility", re.compile(r"\b(wheelchair|accessib\w*|elevator|ramp|walker|silla de ruedas)\b")),
    ("languages", re.compile(r"\b(speak spanish|spanish[- ]speaking|interpreter|translator|habla\w* espanol|"
                             r"interprete)\b")),
    ("booking", re.compile(r"\b(book|booking|appointment|schedule|sign up|make an? (appt|appointment)|"
                           r"evaluation|cita|reservar|agendar)\b")),
]
FIELDS = [name for name, _ in TOPICS if name != "booking"]
# Fields that can't be empty (their default is a value), and the numbers among them.
REQUIRED = [name for name, info in ClinicProfile.model_fields.items() if info.default is not None]
NUMBERS = ("phone", "emergency_number", "crisis_line")
MAX_CHARS = {"name": 100, "phone": 40, "booking_url": 500, "privacy_url": 500, "emergency_number": 20,
             "crisis_line": 60}
MAX_FACT_CHARS = 1000  # a fact is said to a patient in one reply: an address, opening hours, a short paragraph
# The audit log (catalog.sqlite, `uplifted kb log`) names what changed; ':' is never in an article id.
AUDIT_ID = "clinic:profile"


@dataclass(frozen=True)
class ClinicAnswer:
    topic: str | None  # the profile field asked about, None when no topic was recognised
    text: str | None  # the profile's answer, None when the profile doesn't say


class ProfileError(ValueError):
    """A clinic.yaml that can't be used, with the file and the reason."""


def profile_path(data_dir: Path) -> Path:
    return data_dir / "clinic.yaml"


def load_profile(base: ClinicProfile, data_dir: Path) -> ClinicProfile:
    """``base`` (from settings) with the staff-edited ``clinic.yaml`` laid over it."""
    path = profile_path(data_dir)
    if not path.exists():
        return base
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: must be a mapping of field: text")
    unknown = sorted(set(data) - set(ClinicProfile.model_fields))
    if unknown:
        raise ProfileError(f"{path}: unknown field {unknown[0]!r} (known: {', '.join(ClinicProfile.model_fields)})")
    try:
        return base.model_copy(update={k: (str(v).strip() or None) if v is not None else None
                                       for k, v in data.items()})
    except ValidationError as exc:
        raise ProfileError(f"{path}: {exc.errors()[0]['msg']}") from exc


def check_updates(updates: Mapping[str, str | None], names: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """What is wrong with new values, as (field, message) pairs; empty when they can be saved. None (or blank)
    empties a field, which only the optional facts allow. Messages call a field by ``names[field]`` if given."""
    problems: list[tuple[str, str]] = []
    for field, value in updates.items():
        name = (names or {}).get(field, field)
        text = (value or "").strip()
        limit = MAX_CHARS.get(field, MAX_FACT_CHARS)
        if field not in ClinicProfile.model_fields:
            problem = f"unknown field {field!r} (known: {', '.join(ClinicProfile.model_fields)})"
        elif not text:
            problem = f"{name} can't be empty: set it to the clinic's own value instead" if field in REQUIRED else ""
        elif len(text) > limit:
            problem = f"{name} is {len(text):,} characters long; at most {limit:,} fit"
        elif field in NUMBERS and sum(c.isdigit() for c in text) < 3:
            problem = f"{name} must be a number to call, with its digits, like (555) 010-0000"
        elif field in ("booking_url", "privacy_url") and not _web_address(text):
            problem = f"{name} must be a web address starting with https:// (or http://)"
        else:
            problem = ""
        if problem:
            problems.append((field, problem))
    return problems


def _web_address(text: str) -> bool:
    if re.search(r"[\s\x00-\x1f\x7f]", text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """One writer at a time, across threads and processes (the console and `uplifted clinic edit`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(".clinic.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def update_profile(base: ClinicProfile, data_dir: Path, updates: Mapping[str, str | None]) -> ClinicProfile:
    """Set (or, with None or blank text, empty) fields in ``clinic.yaml`` and return the resulting profile.

    Only the fields staff set are written, so a setting changed later in the environment still shows for the
    others; an emptied field whose setting has a value is written as empty, so the chat really stops saying it.
    Raises :class:`ProfileError` naming every problem (see :func:`check_updates`) and writes nothing then.
    The file is replaced atomically: a half-written profile is never read."""
    problems = check_updates(updates)
    if problems:
        raise ProfileError("; ".join(problem for _, problem in problems))
    clean = {k: (v or "").strip() or None for k, v in updates.items()}
    path = profile_path(data_dir)
    with _writing(path):
        load_profile(base, data_dir)  # validates what is there
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
        data = {**(raw or {}), **clean}
        data = {k: v for k, v in data.items() if v is not None or getattr(base, k) is not None}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".clinic-", suffix=".yaml")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                yaml.safe_dump(data, handle, allow_unicode=True, sort_keys=False, width=100)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return load_profile(base, data_dir)


class Auditor(Protocol):
    """Where staff changes are audited: the knowledge base (or its catalog), beside the articles' changes."""

    def audit(self, action: str, subject: str, *, by: str, detail: str | None = None) -> None: ...


def audit_edit(auditor: Auditor, fields: Sequence[str], *, by: str) -> None:
    """Write "edit clinic:profile by NAME (fields)" to the audit log beside the articles' edits."""
    auditor.audit("edit", AUDIT_ID, by=by, detail=", ".join(fields))


def _signature(path: Path) -> tuple[int, ...] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino


class ClinicInfo:
    """``ClinicInfo(profile).answer(question) -> ClinicAnswer`` from a fixed profile, or
    ``ClinicInfo.watching(settings.clinic, settings.data_dir)``: the settings with ``clinic.yaml`` laid over them,
    re-read whenever the file changes (a console save, ``uplifted clinic edit`` from another process)."""

    def __init__(self, profile: ClinicProfile, *, data_dir: Path | None = None) -> None:
        self.base = profile
        self.path = profile_path(data_dir) if data_dir is not None else None
        self._profile = profile
        self._seen: tuple[int, ...] | None = None
        self._lock = threading.Lock()
        if self.path is not None:
            self.reload()

    @classmethod
    def watching(cls, base: ClinicProfile, data_dir: Path) -> ClinicInfo:
        """Follow ``data_dir/clinic.yaml``; raises :class:`ProfileError` if it can't be read now."""
        return cls(base, data_dir=data_dir)

    @property
    def profile(self) -> ClinicProfile:
        return self.current()

    def current(self) -> ClinicProfile:
        """The profile now: the file is re-read when it changed (one ``stat`` otherwise). A file that has
        become unreadable is logged and the last good profile kept, so the chat goes on."""
        if self.path is None or _signature(self.path) == self._seen:
            return self._profile
        try:
            return self.reload()
        except ProfileError as exc:
            log.error("clinic profile not reloaded, the chat keeps the last good one: %s", exc)
            return self._profile

    def reload(self) -> ClinicProfile:
        """Read the profile file again now; raises :class:`ProfileError` (keeping the last good profile)."""
        if self.path is None:
            return self._profile
        with self._lock:
            signature = _signature(self.path)  # before reading: a change made meanwhile is read next time
            try:
                self._profile = load_profile(self.base, self.path.parent)
            finally:
                self._seen = signature
        return self._profile

    def topic(self, question: str) -> str | None:
        text = question.lower()
        return next((name for name, pattern in TOPICS if pattern.search(text)), None)

    def answer(self, question: str) -> ClinicAnswer:
        topic = self.topic(question)
        if topic is None:
            return ClinicAnswer(None, None)
        if topic == "booking":  # the booking link and phone are always known: the reply gives them
            return ClinicAnswer(topic, None)
        value = getattr(self.current(), topic, None)
        return ClinicAnswer(topic, str(value) if value else None)
