"""Parts of the body in patients' words, for the answerability model ("my wrist" answered from a knee article)
and for reading a follow-up with its conversation (the part of the body is often named a message earlier)."""

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
    lower = text.lower()
    return {name for name, pattern in _REGIONS.items() if pattern.search(lower)}
