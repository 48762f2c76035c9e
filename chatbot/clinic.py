"""The clinic's own facts (hours, address, parking, insurance...), from a profile staff edit.

The profile is ``$UPLIFTED_DATA_DIR/clinic.yaml`` (``uplifted clinic show`` / ``uplifted clinic edit``), laid
over the ``UPLIFTED_CLINIC_*`` settings. A question about a fact the profile doesn't hold is never guessed:
the reply says so and gives the phone number.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from chatbot.settings import ClinicProfile

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


def update_profile(base: ClinicProfile, data_dir: Path, updates: dict[str, str | None]) -> ClinicProfile:
    """Set (or, with None, remove) fields in ``clinic.yaml`` and return the resulting profile. Only the fields
    staff set are written, so a setting changed later in the environment still shows for the others.
    The file is replaced atomically: a half-written profile is never read."""
    path = profile_path(data_dir)
    current = load_profile(base, data_dir)  # validates what is there
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    data = {k: v for k, v in {**(raw or {}), **updates}.items() if v is not None}
    profile = current.model_copy(update=updates)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".clinic-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        yaml.safe_dump(data, handle, allow_unicode=True, sort_keys=False, width=100)
    os.replace(tmp, path)
    return profile


class ClinicInfo:
    """``ClinicInfo(profile).answer(question) -> ClinicAnswer``."""

    def __init__(self, profile: ClinicProfile) -> None:
        self.profile = profile

    def topic(self, question: str) -> str | None:
        text = question.lower()
        return next((name for name, pattern in TOPICS if pattern.search(text)), None)

    def answer(self, question: str) -> ClinicAnswer:
        topic = self.topic(question)
        if topic is None:
            return ClinicAnswer(None, None)
        if topic == "booking":  # the booking link and phone are always known: the reply gives them
            return ClinicAnswer(topic, None)
        value = getattr(self.profile, topic, None)
        return ClinicAnswer(topic, str(value) if value else None)
