"""Deterministic physical-therapy articles for the benchmarks (seeded, no network).

Each article is Markdown with YAML front matter (``id``, ``title``, ``url``, ``tags``,
``reviewed_on``, ``review_due``) and 300-600 words of body text composed from sentence
templates and word lists, so that no two chunks read the same.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from pathlib import Path

BASE_URL = "https://uplifted.example/articles/"
MIN_WORDS = 300
MAX_WORDS = 600

PARTS = [
    "knee", "hip", "lower back", "neck", "shoulder", "ankle", "heel", "elbow", "wrist", "upper back",
    "hamstring", "calf", "foot", "thumb", "jaw", "groin", "shin", "mid back", "rotator cuff", "Achilles tendon",
]
ACTIVITIES = [
    "walking", "climbing stairs", "gardening", "running", "lifting groceries", "sitting at a desk",
    "playing tennis", "swimming", "cycling", "doing yoga", "carrying a toddler", "playing golf",
    "playing pickleball", "driving long distances", "hiking", "dancing", "lifting weights", "kneeling to clean",
    "reaching overhead", "typing", "getting out of a chair", "standing at work", "skiing", "rowing",
]
SYMPTOMS = [
    "a dull ache", "sharp pain", "stiffness first thing in the morning", "swelling", "a clicking sensation",
    "tingling", "weakness", "a pinching feeling", "soreness that lingers for a day", "a feeling of instability",
    "burning along the side", "pain that wakes you at night", "tightness after sitting", "throbbing after activity",
    "a catching feeling", "tenderness to the touch",
]
EXERCISES = [
    "heel raises", "glute bridges", "clamshells", "wall slides", "sit-to-stands", "step-ups", "band rows",
    "hamstring stretches", "calf stretches", "chin tucks", "side-lying leg lifts", "mini squats",
    "isometric holds", "single-leg balance", "bird dogs", "wrist curls", "towel scrunches", "hip hinges",
    "wall push-ups", "lunges to a chair", "banded external rotations", "cat-camel stretches",
]
PEOPLE = [
    "a teacher", "a retired carpenter", "a new parent", "a weekend hiker", "a nurse on twelve-hour shifts",
    "a high-school soccer player", "an office worker", "a grandmother who loves to garden", "a delivery driver",
    "a marathon beginner", "a chef", "a college swimmer", "a warehouse worker", "a violinist",
    "a golfer in his sixties",
]
WHEN = [
    "in the morning", "after a long day", "at night", "after sitting for an hour", "on the stairs",
    "during the first few minutes of activity", "the day after a workout", "when the weather turns cold",
    "after standing in line", "at the end of a shift",
]
CAUSES = [
    "doing too much too soon", "a sudden jump in training", "long hours in one position", "weak supporting muscles",
    "old injuries that never fully healed", "poor sleep and stress", "a change in shoes", "tight surrounding muscles",
    "limited motion in the joint above or below", "repeated small strains that add up",
]
TOOLS = ["an ice pack", "a heating pad", "a foam roller", "a resistance band", "a sturdy chair", "a rolled towel",
         "a step", "a small pillow", "a tennis ball", "a walking pole"]
HOOKS = ["What Helps", "What to Know", "A Practical Guide", "Common Questions", "Getting Back to It",
         "Myths and Facts", "First Steps", "When to Worry", "Easing Back In", "Building Strength"]
TOPICS = ["self-care", "exercise", "strength", "mobility", "pain", "recovery", "prevention", "posture", "sports"]

SENTENCES = [
    "Many people notice {symptom} in the {part} {when}, and it is usually not a sign of damage.",
    "{Person} we worked with felt {symptom} in the {part} while {activity}.",
    "A common cause is {cause}, which puts extra load on the {part}.",
    "Try {exercise} for {reps} slow repetitions, {sets} sets, about {days} days a week.",
    "If {exercise} feel easy after {weeks} weeks, add a little resistance with {tool}.",
    "Pain up to about {score} out of 10 during {exercise} is usually acceptable if it settles by the next morning.",
    "Rest alone rarely fixes {part} pain; gentle movement keeps the tissues healthy.",
    "Some people find {tool} helpful for {minutes} minutes when the {part} feels {feel}.",
    "Most {part} problems improve within {weeks} to {weeks2} weeks when the load is built up gradually.",
    "If {activity} brings on {symptom}, shorten the session rather than stopping altogether.",
    "Keep a short diary of how the {part} feels {when}; patterns are easier to spot on paper.",
    "Strong {muscle} muscles share the work, so the {part} does not have to do everything alone.",
    "Your physical therapist can watch you {activity} and suggest small changes that ease the {part}.",
    "See a doctor promptly if you have {red_flag} along with {part} pain.",
    "Imaging is rarely needed for {part} pain unless it follows a fall or comes with {red_flag}.",
    "Break up {activity} with a {minutes}-minute change of position every hour or so.",
    "Warming up for {minutes} minutes before {activity} often makes the first part of the session easier.",
    "{Person} returned to {activity} after {weeks} weeks of {exercise} and steady walking.",
    "It is normal for {symptom} to come and go while you build strength.",
    "Good sleep, regular meals and staying active all help the {part} recover.",
    "Shoes with a little cushioning can make {activity} kinder to the {part}.",
    "Do {exercise} near {tool} so you can steady yourself if needed.",
    "A flare-up after {activity} does not mean you are back at the start; ease off for a day or two.",
    "Hold each stretch for about {hold} seconds and breathe slowly throughout.",
    "Progress one thing at a time: distance, speed or weight, but not all three in the same week.",
    "Tell your therapist if {symptom} spreads to the {part2} or gets steadily worse.",
    "Many patients aged {age} and older regain full use of the {part} with a simple home program.",
    "Pacing matters: {activity} for {minutes} minutes on good days and on harder days alike.",
    "Compare how the {part} feels {when} each week rather than day to day.",
    "Moving the {part2} well can take pressure off the {part}.",
]
MUSCLES = ["hip", "thigh", "calf", "core", "shoulder blade", "forearm", "glute", "foot", "neck", "upper back"]
FEELS = ["stiff", "achy", "tight", "sore", "tired", "puffy", "warm"]
RED_FLAGS = ["fever", "numbness that keeps spreading", "loss of bladder control", "a hot, red, swollen joint",
             "unexplained weight loss", "chest pain", "severe pain at night that rest does not ease"]
HEADINGS = [
    "Why does my {part} hurt when {activity}?", "What can I do at home?", "When should I see a physical therapist?",
    "How long will it take?", "Which exercises help the {part}?", "Is it safe to keep {activity}?",
    "What makes {part} pain worse?", "Getting back to {activity}",
]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _sentence(rng: random.Random, part: str, activity: str) -> str:
    values = {
        "part": part if rng.random() < 0.7 else rng.choice(PARTS),
        "part2": rng.choice([p for p in PARTS if p != part]),
        "activity": activity if rng.random() < 0.6 else rng.choice(ACTIVITIES),
        "symptom": rng.choice(SYMPTOMS), "when": rng.choice(WHEN), "cause": rng.choice(CAUSES),
        "exercise": rng.choice(EXERCISES), "tool": rng.choice(TOOLS), "muscle": rng.choice(MUSCLES),
        "feel": rng.choice(FEELS), "red_flag": rng.choice(RED_FLAGS),
        "reps": rng.randint(6, 15), "sets": rng.randint(2, 4), "days": rng.randint(2, 5),
        "weeks": rng.randint(2, 6), "weeks2": rng.randint(7, 14), "minutes": rng.randint(5, 30),
        "score": rng.randint(3, 5), "hold": rng.choice([20, 30, 45, 60]), "age": rng.choice([40, 50, 60, 70, 80]),
    }
    person = rng.choice(PEOPLE)
    values["Person"] = person[0].upper() + person[1:]
    return rng.choice(SENTENCES).format(**values)


def _words(text: str) -> int:
    return len(text.split())


def make_article(rng: random.Random, index: int) -> tuple[str, str]:
    """One article as (file name, Markdown text)."""
    part, activity = rng.choice(PARTS), rng.choice(ACTIVITIES)
    title = f"{part[0].upper() + part[1:]} Pain and {activity[0].upper() + activity[1:]}: {rng.choice(HOOKS)}"
    article_id = f"gen-{index:04d}-{slug(part)}-{slug(activity)}"
    reviewed = date(2024, 1, 1) + timedelta(days=rng.randint(0, 800))
    due = reviewed + timedelta(days=rng.randint(180, 540))
    tags = [slug(part), slug(activity), *rng.sample(TOPICS, 2)]
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    blocks: list[str] = []
    count = 0
    while count < target:
        heading = rng.choice(HEADINGS).format(part=part, activity=activity)
        if blocks and rng.random() < 0.4 and count + _words(heading) + 40 <= target:
            blocks.append(f"## {heading}")
            count += _words(heading)
        paragraph: list[str] = []
        for _ in range(rng.randint(3, 6)):
            sentence = _sentence(rng, part, activity)
            if count + _words(sentence) > MAX_WORDS:
                break
            paragraph.append(sentence)
            count += _words(sentence)
            if count >= target:
                break
        if not paragraph:
            break
        blocks.append(" ".join(paragraph))
    front = "\n".join([
        "---",
        f"id: {article_id}",
        f'title: "{title}"',
        f"url: {BASE_URL}{article_id}",
        f"tags: [{', '.join(tags)}]",
        f"reviewed_on: {reviewed.isoformat()}",
        f"review_due: {due.isoformat()}",
        "---",
    ])
    return f"{article_id}.md", front + "\n\n" + "\n\n".join(blocks) + "\n"


def generate_articles(folder: Path, count: int = 1000, seed: int = 42) -> list[Path]:
    """Write ``count`` articles into ``folder`` (created if needed); same seed, same bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for index in range(count):
        name, text = make_article(rng, index)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
