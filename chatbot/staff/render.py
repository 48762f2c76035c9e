"""HTML and table rows for the console. Pure functions; every value from a file or a patient is escaped.

Article text, titles and patient questions are untrusted (an uploaded HTML page may carry a
script), so nothing here ever writes them unescaped, and links are written only for http(s).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from chatbot.reply import Reply
from chatbot.web.format import safe_url
from knowledge_base.catalog import ArticleRecord, AuditEntry

CSS = """
.staff-table { width: 100%; border-collapse: collapse; font-size: 0.92rem; }
.staff-table th, .staff-table td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid #ddd;
                                   vertical-align: top; }
.staff-table tr.overdue td { background: #fff1f0; }
.badge { display: inline-block; padding: 0 0.45rem; border-radius: 0.6rem; font-size: 0.8rem; font-weight: 600; }
.badge.overdue, .badge.error, .badge.flag { background: #b42318; color: #fff; }
.badge.ok, .badge.new { background: #067647; color: #fff; }
.badge.replace, .badge.route { background: #175cd3; color: #fff; }
.badge.unchanged { background: #667085; color: #fff; }
.staged, .group { border: 1px solid #ddd; border-radius: 0.5rem; padding: 0.6rem 0.8rem; margin: 0.5rem 0; }
.flagged { background: #fffaeb; border-left: 4px solid #dc6803; padding: 0.3rem 0.5rem; margin: 0.3rem 0; }
.article-text p { margin: 0.4rem 0; }
.table-scroll { overflow-x: auto; }
#console-header h1 { margin: 0; font-size: 1.6rem; }
#user-line { text-align: right; }
#user-box { gap: 0.25rem; }
/* Gradio's "add more files" button holds a second upload button inside it (nested controls a screen reader can't
   use): hidden; Clear and choose again to change the files. */
.icon-button-wrapper button[aria-label="common.upload"] { display: none !important; }
@media (max-width: 640px) {
  .staff-table .wide { display: none; }
  #console-header { flex-wrap: wrap; }
  #console-header h1 { font-size: 1.25rem; }
  #user-line { text-align: left; }
}
"""


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def link(title: str, url: str | None) -> str:
    safe = safe_url(url or "")
    return f'<a href="{esc(safe)}" target="_blank" rel="noopener">{esc(title)}</a>' if safe else esc(title)


def status(ok: bool, text: str, failed: str = "Not saved") -> str:
    """A "Done" (or ``failed``) badge and the message, for a console action's status line."""
    text = text[:1].upper() + text[1:]  # messages from the knowledge base start lower-case
    return f"<p><span class='badge {'ok' if ok else 'error'}'>{'Done' if ok else failed}</span> {esc(text)}</p>"


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "-"
    return value.strftime("%Y-%m-%d") if isinstance(value, datetime) else value.isoformat()


def _table(head: Sequence[str], rows: Sequence[str], wide: Sequence[int] = ()) -> str:
    cells = "".join(f'<th class="wide">{esc(h)}</th>' if i in wide else f"<th>{esc(h)}</th>"
                    for i, h in enumerate(head))
    return f'<div class="table-scroll"><table class="staff-table"><thead><tr>{cells}</tr></thead>' \
           f'<tbody>{"".join(rows)}</tbody></table></div>'


# --- articles -------------------------------------------------------------------------------------
def articles_table(records: Sequence[ArticleRecord], today: date | None = None) -> str:
    if not records:
        return "<p>No articles yet. Add some on the <b>Add articles</b> tab.</p>"
    overdue = sum(r.review_overdue(today) for r in records)
    summary = f"<p>{len(records)} articles" + (
        f', <span class="badge overdue">{overdue} review overdue</span>' if overdue else ", all reviews on time"
    ) + ".</p>"
    rows = []
    for r in records:
        late = r.review_overdue(today)
        due = _day(r.review_due) + (' <span class="badge overdue">Overdue</span>' if late else "")
        rows.append(
            f'<tr class="{"overdue" if late else ""}"><td>{link(r.title, r.url)}</td><td>{esc(r.id)}</td>'
            f'<td class="wide"><code>{esc(r.version[:8])}</code></td>'
            f'<td class="wide">{_day(r.updated_at)} by {esc(r.updated_by)}</td>'
            f"<td>{_day(r.reviewed_on)}</td><td>{due}</td></tr>"
        )
    head = ["Title", "ID", "Version", "Last change", "Reviewed", "Review due"]
    return summary + _table(head, rows, wide=(2, 3))


def article_choices(records: Sequence[ArticleRecord]) -> list[tuple[str, str]]:
    """(label, id) pairs for a dropdown: the title, then the id so two similar titles differ."""
    return [(f"{r.title} ({r.id})", r.id) for r in records]


def article_detail(record: ArticleRecord, text: str, history: Sequence[AuditEntry], today: date | None = None) -> str:
    late = record.review_overdue(today)
    meta = [
        ("ID", esc(record.id)), ("Link", link(record.url or "-", record.url)),
        ("Tags", esc(", ".join(record.tags) or "-")), ("Version", f"<code>{esc(record.version[:12])}</code>"),
        ("Source file", esc(record.source)), ("Passages", str(record.chunk_count)),
        ("Reviewed", _day(record.reviewed_on)),
        ("Review due", _day(record.review_due) + (' <span class="badge overdue">Overdue</span>' if late else "")),
        ("Last change", f"{_day(record.updated_at)} by {esc(record.updated_by)}"),
    ]
    rows = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in meta)
    flagged = "".join(f'<div class="flagged"><span class="badge flag">Never quoted</span> {esc(p)}</div>'
                      for p in record.flagged)
    paragraphs = "".join(f"<p>{esc(p)}</p>" for p in text.split("\n\n") if p.strip())
    log = [f"<tr><td>{esc(e.at.strftime('%Y-%m-%d %H:%M'))} UTC</td><td>{esc(e.action)}</td><td>{esc(e.by)}</td>"
           f"<td><code>{esc((e.version or '')[:8])}</code></td><td>{esc(e.detail or '')}</td></tr>"
           for e in reversed(history)]
    return (f"<h3>{esc(record.title)}</h3><table class='staff-table'>{rows}</table>"
            + (f"<h4>Passages flagged as instructions to an AI</h4>{flagged}" if flagged else "")
            + f"<h4>Text</h4><div class='article-text'>{paragraphs}</div>"
            + "<h4>History</h4>" + _table(["When", "Change", "By", "Version", "Detail"], log))


# --- uploads --------------------------------------------------------------------------------------
CHANGE_LABELS = {"new": "New article", "replace": "Replaces the live version", "unchanged": "Same as live version",
                 "error": "Cannot be added"}


def staged_report(staged: Sequence[Any]) -> str:
    """One card per uploaded file: what it will become, how it was split, and flagged passages."""
    if not staged:
        return "<p>Choose one or more files (Markdown, text, HTML or PDF), then press <b>Check files</b>.</p>"
    cards = []
    for item in staged:
        change = item.change
        head = f'<b>{esc(item.source)}</b> <span class="badge {esc(change)}">{esc(CHANGE_LABELS[change])}</span>'
        if item.article is None:
            cards.append(f'<div class="staged">{head}<p>{esc(item.error)}</p></div>')
            continue
        article = item.article
        flagged = set(item.flagged)
        chunks = "".join(
            f'<li class="flagged"><span class="badge flag">Flagged: reads like instructions to an AI, '
            f"will never be quoted</span> {esc(c)}</li>" if c in flagged else f"<li>{esc(c)}</li>"
            for c in item.chunks
        )
        warn = (f'<p><span class="badge flag">{len(flagged)} flagged passage{"s" if len(flagged) > 1 else ""}'
                "</span> Check the file: it has text that tries to give orders to an AI.</p>") if flagged else ""
        cards.append(
            f'<div class="staged">{head}<p>{link(article.title, article.url)} &middot; id <code>{esc(article.id)}'
            f"</code> &middot; {len(item.chunks)} passage{'s' if len(item.chunks) != 1 else ''}</p>{warn}"
            f"<details{' open' if flagged or len(staged) <= 3 else ''}><summary>How it was split</summary>"
            f"<ol>{chunks}</ol></details>"
            "</div>"
        )
    ok = sum(1 for s in staged if s.article is not None)
    bad = len(staged) - ok
    intro = f"<p>{ok} file{'s' if ok != 1 else ''} ready to publish" + (
        f", {bad} with errors (they will be skipped)" if bad else "") + ".</p>"
    return intro + "".join(cards)


def publish_summary(report: Any) -> str:
    parts = [f"{label}: {', '.join(ids)}" for label, ids in
             (("Added", report.added), ("Replaced", report.replaced), ("Unchanged", report.unchanged),
              ("Removed", report.removed)) if ids]
    lines = [f"<p><span class='badge ok'>Done</span> {esc(p)}</p>" for p in parts]
    # The file's own name: the upload's path on the server means nothing to staff.
    lines += [f"<p><span class='badge error'>Not added</span> {esc(Path(e.source).name)}: {esc(e.reason)}</p>"
              for e in report.errors]
    return "".join(lines) or "<p>Nothing to publish.</p>"


# --- preview --------------------------------------------------------------------------------------
def passage_rows(reply: Reply) -> list[list[Any]]:
    return [[i + 1, round(p.score, 3), f"{p.title} ({p.article_id})", p.text, "yes" if p.flagged else ""]
            for i, p in enumerate(reply.passages)]


def route_line(reply: Reply) -> str:
    detail = f" &middot; why: {esc(reply.detail)}" if reply.detail else ""
    return f'<p>Route <span class="badge route">{esc(reply.route.value)}</span> &middot; engine ' \
           f"{esc(reply.engine)}{detail}</p>"


# --- what patients ask ----------------------------------------------------------------------------
REASON_LABELS = {"no_match": "no article", "thumbs_down": "thumbs down", "error": "reply failed"}


def question_groups(groups: Sequence[Any], *, backlog: bool) -> str:
    if not groups:
        return "<p>Nothing yet.</p>" if not backlog else "<p>No unanswered questions. Nothing to write for now.</p>"
    cards = []
    for g in groups:
        ranked = sorted(g.reasons.items(), key=lambda kv: -kv[1])
        reasons = ", ".join(f"{n} {REASON_LABELS.get(k, k)}" for k, n in ranked if n)
        noun = "question" if g.count == 1 else "questions"
        title = f"{g.count} {noun} about <b>{esc(g.label)}</b>" + (", no good answer" if backlog else "")
        examples = "".join(f"<li>{esc(e)}</li>" for e in g.examples)
        cards.append(f'<div class="group">{title} <small>({esc(reasons)}; last {_day(g.last_asked)})</small>'
                     f"<ul>{examples}</ul></div>")
    return "".join(cards)


def booking_rows(requests: Sequence[Any]) -> list[list[Any]]:
    return [[b.id, b.created_at.strftime("%Y-%m-%d %H:%M"), b.name, b.phone, b.note,
             _handled(b)] for b in requests]


def _handled(booking: Any) -> str:
    if booking.handled_at is None:
        return "not yet"
    when = booking.handled_at.strftime("%Y-%m-%d %H:%M")
    return f"{when} by {booking.handled_by}" if booking.handled_by else when


REFUSED = {"rate_limited": ("message", "sent faster than the limit allows"),
           "too_long": ("message", "too long to answer"),
           "booking_rate_limited": ("booking request", "over the hourly limit")}


def refusals(counts: dict[str, int], since: datetime) -> str:
    """What the chat turned away, counted (never stored), since this server started."""
    parts = [f"{n} {noun if n == 1 else noun + 's'} {why}" for reason, (noun, why) in REFUSED.items()
             for n in [counts.get(reason, 0)]]
    return (f"**Turned away since this server started** ({since:%Y-%m-%d %H:%M} UTC; counted, never stored; "
            f"each server counts its own): {'; '.join(parts)}.")
