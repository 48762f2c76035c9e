"""Changes staff make one article at a time: replace it with a file, edit its metadata.

The :class:`~knowledge_base.service.KnowledgeBase` methods of the same names delegate here; every
write goes through the service's crash-safe write path, like a sync.

Metadata edits and ``uplifted kb sync``: an edit keeps the article's ``source`` and ``source_hash``,
so syncing a folder whose file for that article is unchanged leaves the edit alone (the file counts
as unchanged). Changing the file, or adding it again with ``kb add``, brings the file's metadata back.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from knowledge_base.article import Article, ArticleError, paragraphs_of
from knowledge_base.catalog import ArticleRecord
from knowledge_base.language import DEFAULT_LANG, parse_lang
from knowledge_base.loaders import load_article
from knowledge_base.report import SyncReport

if TYPE_CHECKING:
    from knowledge_base.service import KnowledgeBase


class Unset(enum.Enum):
    """The type of :data:`UNSET`: "leave this field as it is" where None means "clear it"."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET

MAX_TITLE_CHARS = 200
MAX_URL_CHARS = 2000
FIELDS = ("title", "url", "tags", "reviewed_on", "review_due", "lang")


@dataclass(frozen=True)
class MetadataEdit:
    """New metadata for one article. None (UNSET for the dates) leaves a field as it is.

    - ``title``: whitespace is collapsed; must not be empty; at most 200 characters.
    - ``url``: an http(s) link with a host. The empty string removes the article's own link: it
      then gets the default one (``UPLIFTED_ARTICLES_BASE_URL`` + id), as a file without a url does.
    - ``tags``: the new list, replacing the old one; each trimmed and lowercased, blanks dropped,
      duplicates removed (first kept). ``[]`` clears the tags.
    - ``reviewed_on`` / ``review_due``: a date, or None to clear it. When either changes, the
      review due date must not be before the reviewed-on date (new or kept).
    - ``lang``: the article's language, a code such as ``es`` (see :func:`~knowledge_base.language.parse_lang`).

    A title or tags equal to the stored ones once cleaned up count as unchanged.
    """

    title: str | None = None
    url: str | None = None
    tags: Sequence[str] | None = None
    reviewed_on: date | Unset | None = UNSET
    review_due: date | Unset | None = UNSET
    lang: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.tags, str):
            raise TypeError("tags must be a list of tags, not one string")
        if self.tags is not None:
            object.__setattr__(self, "tags", tuple(self.tags))

    def changes(self, record: ArticleRecord, *, base_url: str | None = None) -> dict[str, Any]:
        """The fields this edit changes on ``record`` (in :data:`FIELDS` order) with their new,
        cleaned-up values. Raises ValueError, with a message for staff, for an invalid value."""
        new: dict[str, Any] = {}
        if self.title is not None:
            new["title"] = clean_title(self.title)
        if self.url is not None:
            new["url"] = clean_url(self.url) or (base_url + record.id if base_url else None)
        if self.tags is not None:
            new["tags"] = clean_tags(self.tags)
        for name in ("reviewed_on", "review_due"):
            value = getattr(self, name)
            if value is not UNSET:
                new[name] = _as_date(name, value)
        if "reviewed_on" in new or "review_due" in new:
            reviewed = new.get("reviewed_on", record.reviewed_on)
            due = new.get("review_due", record.review_due)
            if reviewed is not None and due is not None and due < reviewed:
                raise ValueError(
                    f"The review due date ({due.isoformat()}) can't be before the reviewed-on date "
                    f"({reviewed.isoformat()})."
                )
        if self.lang is not None:
            new["lang"] = parse_lang(self.lang, what="The language")
        # A value that only differs from the stored one by the clean-up (a file's "Foot" tag, a double
        # space in its title) is no change: a form sent back as it was shown changes nothing.
        current = {"title": " ".join(record.title.split()), "url": record.url, "tags": clean_tags(record.tags),
                   "reviewed_on": record.reviewed_on, "review_due": record.review_due, "lang": record.lang}
        return {name: value for name, value in new.items() if value != current[name]}


def clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise ValueError("The title can't be empty.")
    if len(cleaned) > MAX_TITLE_CHARS:
        raise ValueError(f"The title is {len(cleaned)} characters long; keep it to {MAX_TITLE_CHARS} or fewer.")
    return cleaned


def clean_url(url: str) -> str:
    """The link, trimmed; "" for no link of the article's own. ValueError if it isn't an http(s) link."""
    cleaned = url.strip()
    if not cleaned:
        return ""
    example = "e.g. https://uplifted.example/articles/heel-pain"
    try:
        parts = urlsplit(cleaned)
        scheme, host = parts.scheme.lower(), parts.hostname
    except ValueError:  # e.g. a malformed IPv6 host or port
        scheme, host = "", None
    if scheme not in ("http", "https") or not host:
        raise ValueError(f"The link must start with http:// or https:// and name a website ({example}): {url!r}")
    if any(ch.isspace() for ch in cleaned):
        raise ValueError(f"The link can't contain spaces: {url!r}")
    if len(cleaned) > MAX_URL_CHARS:
        raise ValueError(f"The link is {len(cleaned)} characters long; keep it to {MAX_URL_CHARS} or fewer.")
    return cleaned


def clean_tags(tags: Sequence[str]) -> tuple[str, ...]:
    cleaned = (" ".join(str(tag).split()).lower() for tag in tags)
    return tuple(dict.fromkeys(tag for tag in cleaned if tag))


def parse_date(text: str) -> date | None:
    """A date typed by staff: YYYY-MM-DD, or "none" (or nothing) to clear it."""
    value = text.strip()
    if value.lower() in ("", "none"):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD (or none to clear it).") from None


def _as_date(name: str, value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"{name} must be a date or None, not {type(value).__name__} (see parse_date)")


# --- operations (KnowledgeBase delegates) ------------------------------------------------


def load_as(kb: KnowledgeBase, article_id: str, path: Path) -> Article:
    """Load ``path`` as the article ``article_id``, whatever id its name or front matter gives.

    A url the file states is kept; otherwise the default link is made for ``article_id``. A title the
    loader made up from the file's id (no title in the file) becomes ``article_id``."""
    loaded = load_article(path, max_bytes=kb.max_article_bytes, base_url=None)
    url = loaded.url or (kb.base_url + article_id if kb.base_url else None)
    title = article_id if loaded.title == loaded.id else loaded.title
    return dataclasses.replace(loaded, id=article_id, title=title, url=url)


def replace(kb: KnowledgeBase, article_id: str, path: Path, *, by: str) -> SyncReport:
    kb.require_article(article_id)
    report = SyncReport(repaired=kb.repair())
    try:
        article = load_as(kb, article_id, path)
    except ArticleError as err:
        report.errors.append(err)
        return report
    kb.write_articles([article], report, by=by)
    return report


def update_metadata(kb: KnowledgeBase, article_id: str, edit: MetadataEdit, *, by: str) -> SyncReport:
    record = kb.require_article(article_id)
    changes = edit.changes(record, base_url=kb.base_url)
    if not changes:
        return SyncReport(unchanged=[article_id])
    lang_unread = article_id in kb.catalog.langs_unread()
    report = SyncReport(repaired=kb.repair())
    text = kb.article_text(article_id)
    current = Article(
        id=record.id, title=record.title, text=text, paragraphs=paragraphs_of(text), source=record.source,
        source_hash=record.source_hash, url=record.url, tags=record.tags, reviewed_on=record.reviewed_on,
        review_due=record.review_due, lang=record.lang,
    )
    kb.write_articles([dataclasses.replace(current, **changes)], report, by=by, edited={article_id: list(changes)})
    if lang_unread and "lang" not in changes:
        kb.catalog.set_lang(article_id, None)  # its file's language is still to be read by the next sync
    return report


def read_file_langs(kb: KnowledgeBase, files: Sequence[tuple[str, Path]], report: SyncReport, *, by: str) -> None:
    """For articles published before articles had a language, whose files (id, path) are unchanged
    since: read the language each file states. English needs no new version; another language is
    published as a language edit, which keeps any metadata staff edited since. A file whose language
    is not one we support is reported in ``report.errors`` and its article stays as it is."""
    for article_id, path in files:
        try:
            lang = kb.load(path).lang
        except ArticleError as err:
            report.errors.append(err)
            continue
        if lang == DEFAULT_LANG:
            kb.catalog.set_lang(article_id, lang)
            continue
        edited = update_metadata(kb, article_id, MetadataEdit(lang=lang), by=by)
        report.unchanged.remove(article_id)
        report.edited.update(edited.edited)
        report.chunks_embedded += edited.chunks_embedded
