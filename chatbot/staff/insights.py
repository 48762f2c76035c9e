"""What patients ask, for the staff console: activity per day, common questions, the unanswered backlog, CSVs.

Reads the conversation store's SQLite connection directly (read-only; every query holds the connection's
lock so it never sees another thread's half-done transaction). Text is shown exactly as stored, which is
already redacted: nothing here un-redacts or rewrites it.

What the question lists leave out, so they are not cluttered:

- every ``blocked`` reply (empty messages, rate-limited repeats, over-long pastes, abuse, injection
  attempts): none is a question the knowledge base could answer;
- messages with no words once placeholders and punctuation are gone ("[PHONE]", "??"), and messages that
  are only greetings, thanks or yes/no ("hi", "ok thanks") - see :func:`chatbot.staff.grouping.is_chatter`.

The CSV exports leave nothing out. Days are calendar days in ``tz`` (UTC unless the clinic passes its own).
"""

from __future__ import annotations

import csv
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from chatbot.reply import Route
from chatbot.staff.grouping import (
    DEFAULT_THRESHOLD,
    Asked,
    QuestionGroup,
    csv_row,
    group_questions,
    is_chatter,
    normalise,
)
from chatbot.storage.conversations import ConversationStore, stamp

__all__ = [
    "BACKLOG_REASONS",
    "CONVERSATION_COLUMNS",
    "ROUTE_COLOURS",
    "Activity",
    "PatientInsights",
    "QuestionGroup",
    "activity_figure",
    "write_groups_csv",
]

Clock = Callable[[], datetime]

# Backlog reasons: no article matched; the reply failed with an error (stored as no_match, detail "error");
# the patient gave the reply a thumbs down (any other route). Each question counts under exactly one.
BACKLOG_REASONS = ("no_match", "thumbs_down", "error")
CONVERSATION_COLUMNS = ("time", "session", "role", "route", "text", "sources", "rating")

# One colour per route, the same in every plot (colour-blind friendly Okabe-Ito palette).
ROUTE_COLOURS: dict[str, str] = {
    Route.ANSWER.value: "#009E73",
    Route.SCOPE_REDIRECT.value: "#56B4E9",
    Route.NO_MATCH.value: "#E69F00",
    Route.OFF_TOPIC.value: "#999999",
    Route.URGENT.value: "#F0E442",
    Route.EMERGENCY.value: "#D55E00",
    Route.CRISIS.value: "#CC79A7",
    Route.BLOCKED.value: "#000000",
    Route.SMALL_TALK.value: "#0072B2",
    Route.CLINIC_INFO.value: "#004D40",
    Route.CLARIFY.value: "#B39DDB",
    Route.OTHER_LANGUAGE.value: "#795548",
}
_OTHER_COLOUR = "#BBBBBB"


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Activity:
    """Replies per day, oldest day first; every day of the window is there, zeros included.

    ``replies`` has every :class:`Route` (in the enum's order), then any other route found in the store.
    """

    days: tuple[date, ...]
    conversations: tuple[int, ...]  # distinct sessions with at least one reply that day
    replies: dict[str, tuple[int, ...]]  # route value -> replies per day

    @property
    def total_replies(self) -> int:
        return sum(sum(counts) for counts in self.replies.values())

    @property
    def empty(self) -> bool:
        return self.total_replies == 0


class PatientInsights:
    """Read-only analytics over a :class:`ConversationStore`.

    Grouping work is capped: questions are read newest first, at most ``max_rows`` rows from the window,
    and only the ``max_questions`` (default 2,000) most recently asked *distinct* questions (after
    normalising case, punctuation and whitespace) are embedded and grouped; every copy of those within
    the rows read is counted. Older questions beyond the cap are left out of the lists. Embeddings of the
    last ``2 * max_questions`` distinct questions are cached, so a refresh only embeds new questions.
    Safe to share between the console's worker threads.
    """

    def __init__(
        self,
        conversations: ConversationStore,
        embeddings: Embeddings,
        *,
        clock: Clock = _utc_now,
        tz: tzinfo = UTC,
        threshold: float = DEFAULT_THRESHOLD,
        max_questions: int = 2000,
        max_rows: int = 20_000,
        examples: int = 3,
    ) -> None:
        if not 0 < threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        if max_questions < 1 or max_rows < 1:
            raise ValueError("max_questions and max_rows must be positive")
        if not 1 <= examples <= 5:
            raise ValueError("examples must be 1 to 5")
        self.conversations = conversations
        self.embeddings = embeddings
        self.clock = clock
        self.tz = tz
        self.threshold = threshold
        self.max_questions = max_questions
        self.max_rows = max_rows
        self.examples = examples
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()  # float32: ~1.5 kB a question
        self._cache_size = 2 * max_questions
        self._lock = threading.Lock()

    # --- reading -----------------------------------------------------------------------------------------
    def _rows(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        conn = self.conversations.conn
        with getattr(conn, "lock", nullcontext()):
            return [tuple(r) for r in conn.execute(sql, tuple(params)).fetchall()]

    def _since(self, days: int) -> datetime:
        """The start of the window: midnight (in ``tz``) ``days - 1`` days before today."""
        if days < 1:
            raise ValueError("days must be at least 1")
        today = self.clock().astimezone(self.tz).date()
        return datetime.combine(today - timedelta(days=days - 1), time(), tzinfo=self.tz)

    # --- activity ----------------------------------------------------------------------------------------
    def activity(self, days: int = 30) -> Activity:
        """Replies per route and conversations per day for the last ``days`` days, today included."""
        start = self._since(days)
        first = start.date()
        end = datetime.combine(first + timedelta(days=days), time(), tzinfo=self.tz)
        rows = self._rows(
            "SELECT created_at, session, route FROM messages"
            " WHERE role = 'assistant' AND created_at >= ? AND created_at < ?",
            (stamp(start), stamp(end)),
        )
        day_list = tuple(first + timedelta(days=k) for k in range(days))
        replies: dict[str, list[int]] = {r.value: [0] * days for r in Route}
        sessions: list[set[str]] = [set() for _ in range(days)]
        for created_at, session, route in rows:
            k = (datetime.fromisoformat(created_at).astimezone(self.tz).date() - first).days
            if not 0 <= k < days:  # pragma: no cover - only if tz rules and the SQL window disagree
                continue
            replies.setdefault(route, [0] * days)[k] += 1
            sessions[k].add(session)
        known = [r.value for r in Route]
        order = known + sorted(set(replies) - set(known))
        return Activity(
            days=day_list,
            conversations=tuple(len(s) for s in sessions),
            replies={route: tuple(replies[route]) for route in order},
        )

    # --- questions ---------------------------------------------------------------------------------------
    def common_questions(self, limit: int = 15, days: int = 90) -> list[QuestionGroup]:
        """All patients' questions of the last ``days`` days, grouped by meaning, biggest group first.

        ``reasons`` counts each group's questions by the route of their reply.
        """
        _check_limit(limit)
        rows = self._questions(days, backlog=False)
        asked = [Asked(text, datetime.fromisoformat(at), session, route) for text, at, session, route, *_ in rows]
        return self._group(asked)[:limit]

    def backlog(self, limit: int = 30, days: int = 90) -> list[QuestionGroup]:
        """Questions the assistant did not answer well, grouped by meaning, biggest group first.

        A question is in the backlog when its reply was ``no_match`` or got a thumbs down (its latest
        rating is -1). ``reasons`` counts each question once: ``no_match`` (no article matched),
        ``error`` (the reply failed; stored as no_match with detail "error"), else ``thumbs_down``.
        Blocked replies are left out even when rated down (see the module docstring).
        """
        _check_limit(limit)
        asked = []
        for text, at, session, route, detail, _rating in self._questions(days, backlog=True):
            reason = "thumbs_down"
            if route == Route.NO_MATCH.value:
                reason = "error" if detail == "error" else "no_match"
            asked.append(Asked(text, datetime.fromisoformat(at), session, reason))
        return self._group(asked)[:limit]

    def _questions(self, days: int, *, backlog: bool) -> list[tuple[Any, ...]]:
        """Patient rows (text, created_at, session, route, reply detail, rating), newest first, capped."""
        sql = (
            "SELECT p.text, p.created_at, p.session, p.route, a.detail, f.rating FROM messages p"
            " LEFT JOIN messages a ON a.reply_id = p.reply_id AND a.role = 'assistant'"
            " LEFT JOIN feedback f ON f.reply_id = p.reply_id"
            " WHERE p.role = 'patient' AND p.created_at >= ? AND p.route != ?"
        )
        if backlog:
            sql += " AND (p.route = 'no_match' OR f.rating = -1)"
        sql += " ORDER BY p.created_at DESC, p.id DESC LIMIT ?"
        rows = self._rows(sql, (stamp(self._since(days)), Route.BLOCKED.value, self.max_rows))
        keys: set[str] = set()
        kept = []
        for row in rows:
            key = normalise(row[0])
            if is_chatter(key):
                continue
            if key not in keys:
                if len(keys) >= self.max_questions:
                    continue
                keys.add(key)
            kept.append(row)
        return kept

    def _group(self, asked: list[Asked]) -> list[QuestionGroup]:
        return group_questions(asked, self._embed, threshold=self.threshold, examples=self.examples)

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Embed with a bounded cache, so refreshing the console only embeds questions it has not seen."""
        with self._lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            vectors = self.embeddings.embed_documents(missing)
            known.update(zip(missing, (np.asarray(v, dtype=np.float32) for v in vectors), strict=True))
        with self._lock:
            for t in texts:
                self._cache[t] = known[t]
                self._cache.move_to_end(t)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return np.stack([known[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

    # --- CSV ---------------------------------------------------------------------------------------------
    def write_conversations_csv(self, path: Path, days: int = 90) -> int:
        """Every message of the last ``days`` days, oldest first; returns the number of rows (header not counted).

        Columns: ``time`` (UTC, ISO 8601), ``session``, ``role``, ``route``, ``text`` (as stored, redacted),
        ``sources`` (article ids, ``;``-separated, replies only), ``rating`` (``up``/``down`` on rated replies).
        """
        rows = self._rows(
            "SELECT m.created_at, m.session, m.role, m.route, m.text, m.sources, f.rating FROM messages m"
            " LEFT JOIN feedback f ON f.reply_id = m.reply_id AND m.role = 'assistant'"
            " WHERE m.created_at >= ? ORDER BY m.created_at, m.id",
            (stamp(self._since(days)),),
        )
        ratings = {1: "up", -1: "down"}
        out = (
            (
                datetime.fromisoformat(at).astimezone(UTC).isoformat(timespec="seconds"),
                session, role, route, text, "; ".join(_source_ids(sources)), ratings.get(rating, ""),
            )
            for at, session, role, route, text, sources, rating in rows
        )
        return _write_csv(path, CONVERSATION_COLUMNS, out)

    def write_backlog_csv(self, groups: list[QuestionGroup], path: Path) -> int:
        """The backlog as a spreadsheet, one row per group; returns the number of rows (header not counted).

        Columns: ``label``, ``questions``, ``patients``, ``no_match``, ``thumbs_down`` (then ``error`` or
        any other reason the groups have), ``last_asked`` (UTC, ISO 8601), ``example_1`` ... ``example_N``.
        """
        return write_groups_csv(groups, path, reasons=("no_match", "thumbs_down"))


def write_groups_csv(groups: Sequence[QuestionGroup], path: Path, *, reasons: Sequence[str] = ()) -> int:
    """Groups (backlog or common questions) as CSV: a column per reason in ``reasons``, then per other reason found."""
    columns = list(reasons)
    for g in groups:
        columns += [r for r in g.reasons if r not in columns]
    width = max([3, *(len(g.examples) for g in groups)])
    header = ["label", "questions", "patients", *columns, "last_asked", *(f"example_{k + 1}" for k in range(width))]
    out = (
        [
            g.label, g.count, g.sessions, *(g.reasons.get(r, 0) for r in columns),
            g.last_asked.astimezone(UTC).isoformat(timespec="seconds"),
            *g.examples, *([""] * (width - len(g.examples))),
        ]
        for g in groups
    )
    return _write_csv(path, header, out)


def _check_limit(limit: int) -> None:
    if limit < 0:
        raise ValueError("limit must be zero or more")


def _source_ids(sources: str | None) -> list[str]:
    try:
        items = json.loads(sources or "[]")
    except ValueError:
        return []
    return [str(s["id"]) for s in items if isinstance(s, dict) and "id" in s] if isinstance(items, list) else []


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """UTF-8 CSV with a header, every cell made formula-safe; written to a temporary file, then moved."""
    path = Path(path)
    part = path.with_name(path.name + ".part")
    count = 0
    try:
        with part.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(csv_row(header))
            for row in rows:
                writer.writerow(csv_row(row))
                count += 1
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return count


# --- plot ----------------------------------------------------------------------------------------------------
def activity_figure(activity: Activity) -> Figure:
    """Stacked bars of replies per route per day, a line for conversations, a legend and a title.

    Built without pyplot, so a long-running server keeps no figures alive; show it in ``gr.Plot`` or save it
    with ``fig.savefig(...)``. With no replies at all it says "No conversations yet".
    """
    days = activity.days
    fig = Figure(figsize=(10, 4.5), layout="constrained")
    ax = fig.add_subplot()
    span = f"{days[0]:%d %b %Y} – {days[-1]:%d %b %Y}" if days else "no days"
    ax.set_title(f"Patient activity per day ({span})")
    ax.set_ylabel("replies (bars), conversations (line)")
    x = list(range(len(days)))
    if activity.empty:
        ax.text(0.5, 0.5, "No conversations yet", transform=ax.transAxes, ha="center", va="center",
                fontsize=14, color="#555555")
        ax.set_ylim(0, 1)
        ax.set_yticks([])
    else:
        bottom = [0] * len(days)
        bars = []
        for route, counts in activity.replies.items():
            if not any(counts):
                continue
            colour = ROUTE_COLOURS.get(route, _OTHER_COLOUR)
            bars.append(ax.bar(x, counts, bottom=bottom, color=colour, label=route.replace("_", " "), width=0.8,
                               edgecolor="white", linewidth=0.5))
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        line = ax.plot(x, activity.conversations, color="#0B3C5D", marker="o", markersize=3, linewidth=1.5,
                       label="conversations")
        # The legend reads like the stack: conversations, then routes from the top of the bars down.
        ax.legend(handles=[*line, *reversed(bars)], loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False,
                  fontsize=9)
        ax.set_ylim(0, max(max(bottom), *activity.conversations) * 1.1 + 0.5)  # headroom above the tallest bar
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
    step = max(1, len(days) // 12)  # about a dozen date labels at most, always the latest day
    ticks = x[::-1][::step][::-1]
    ax.set_xticks(ticks, [f"{days[k]:%d %b}" for k in ticks], rotation=45, ha="right")
    if days:
        ax.set_xlim(-0.6, len(days) - 0.4)
    return fig
