"""Parts of the body named in a message, in patients' words."""

from __future__ import annotations

import re

# Parts of the body in patients' words. A question that names one the best article never mentions is rarely
# answered by it. A general anatomical list, not tuned on any question; synonyms ("TKR") are already translated.
REGIONS = {
    "neck": r"neck|cervical|whiplash", "shoulder": r"shoulders?|rotator|collarbone", "elbow": r"elbows?",
    "wrist": r"wrists?|carpal", "hand": r"hands?|fingers?|thumbs?|knuckles?", "jaw": r"jaw|tmj",
    "head": r"head|headaches?|migraines?|concussion", "chest": r"chest|ribs?|breastbone",
    "back": r"back|spine|spinal|lumbar|tailbone|sciatica|sciatic", "hip": r"hips?|groin|pelvis|pelvic",
    "knee": r"knees?|kneecaps?|acl|mcl|meniscus|patell\w*", "ankle": r"ankles?|achilles",
    "foot": r"foot|feet|heels?|toes?|arch(?:es)?|plantar|bunions?", "thigh": r"thighs?|hamstrings?|quads?",
    "lower leg": r"calf|calves|shins?", "arm": r"arms?|biceps?|triceps?|forearms?",
}
_REGIONS = {name: re.compile(rf"\b(?:{words})\b") for name, words in REGIONS.items()}


def regions(text: str) -> set[str]:
    """The parts of the body ``text`` names ("my heel and calf" -> foot, lower leg)."""
    lower = text.lower()
    return {name for name, pattern in _REGIONS.items() if pattern.search(lower)}
