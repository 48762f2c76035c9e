"""Turn a file (Markdown, plain text, HTML, PDF) into an :class:`Article`, or explain why not."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from bs4 import BeautifulSoup, Tag

from knowledge_base.article import Article, ArticleError, paragraphs_of, validate_id
from knowledge_base.language import UnknownLanguage, parse_lang

SUPPORTED = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".html": "html",
             ".htm": "html", ".pdf": "pdf"}
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)


def load_article(path: Path, *, max_bytes: int = 5_000_000, base_url: str | None = None) -> Article:
    """Read one article file. Raises :class:`ArticleError` naming the file and the reason."""
    path = Path(path)
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        allowed = ", ".join(sorted({s for s in SUPPORTED if s != ".markdown"}))
        raise ArticleError(path, f"unsupported file type {path.suffix or '(none)'!r} (use {allowed})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ArticleError(path, f"cannot be read ({exc.strerror or exc})") from exc
    if size > max_bytes:
        raise ArticleError(path, f"is {_human(size)}, over the {_human(max_bytes)} limit")
    data = path.read_bytes()
    return parse_article(str(path), data, kind=kind, base_url=base_url)


def _human(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1_000_000 else f"{n / 1e3:.1f} KB"


def parse_article(name: str, data: bytes, *, kind: str, base_url: str | None = None) -> Article:
    if not data.strip():
        raise ArticleError(name, "is empty")
    parser = _PARSERS[kind]
    fields = parser(name, data)
    text = "\n\n".join(fields.pop("paragraphs"))
    if not text.strip():
        raise ArticleError(name, "has no article text")
    article_id = validate_id(str(fields.pop("id", None) or Path(name).stem), name)
    url = fields.pop("url", None) or (base_url + article_id if base_url else None)
    return Article(
        id=article_id,
        title=fields.pop("title", None) or article_id,
        text=text,
        paragraphs=paragraphs_of(text),
        source=Path(name).name,
        source_hash=hashlib.sha256(data).hexdigest(),
        url=url,
        **fields,
    )


def _decode(name: str, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ArticleError(name, "looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(name, f"is not UTF-8 text (bad byte at position {exc.start})") from exc


def _parse_text(name: str, data: bytes) -> dict[str, Any]:
    lines = [line.strip() for line in _decode(name, data).splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ArticleError(name, "has no article text")
    # The seed article's shape: first line is the title, each further line a paragraph.
    return {"title": lines[0], "paragraphs": lines[1:]}


def _as_date(name: str, key: str, value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ArticleError(name, f"front matter {key!r} is not a date (YYYY-MM-DD): {value!r}") from exc


def _as_lang(name: str, what: str, value: Any) -> str:
    try:
        return parse_lang(value, what=what)
    except UnknownLanguage as exc:
        raise ArticleError(name, str(exc)) from exc


_MD_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])[*_](\S.*?)[*_](?![\w*])"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
]


def _parse_markdown(name: str, data: bytes) -> dict[str, Any]:
    text = _decode(name, data)
    meta: dict[str, Any] = {}
    match = FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise ArticleError(name, f"front matter is not valid YAML ({exc.__class__.__name__})") from exc
        if not isinstance(loaded, dict):
            raise ArticleError(name, "front matter must be a mapping of keys to values")
        meta = loaded
        text = text[match.end():]
    blocks: list[str] = []
    title = str(meta["title"]).strip() if meta.get("title") else None
    for block in re.split(r"\n\s*\n", text):
        lines: list[str] = []
        for line in block.splitlines():
            heading = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
            if heading:
                if title is None:
                    title = heading.group(1)
                    continue
                if heading.group(1) == title and not blocks and not lines:
                    continue
                if lines:
                    blocks.append(" ".join(lines))
                    lines = []
                blocks.append(heading.group(1))
                continue
            line = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line)
            line = re.sub(r"^\s*>\s?", "", line)
            for pattern, repl in _MD_INLINE:
                line = pattern.sub(repl, line)
            if line.strip() and not re.fullmatch(r"\s*([-*_]\s*){3,}", line):
                lines.append(line.strip())
        if lines:
            blocks.append(" ".join(lines))
    tags = meta.get("tags") or ()
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",")]
    return {
        "id": meta.get("id"),
        "title": title,
        "url": str(meta["url"]).strip() if meta.get("url") else None,
        "tags": tuple(str(t) for t in tags if str(t).strip()),
        "reviewed_on": _as_date(name, "reviewed_on", meta.get("reviewed_on")),
        "review_due": _as_date(name, "review_due", meta.get("review_due")),
        "lang": _as_lang(name, "front matter lang", meta.get("lang")),
        "paragraphs": blocks,
    }


_DROP_TAGS = ["script", "style", "noscript", "template", "nav", "footer", "header", "aside",
              "form", "iframe", "svg", "button", "input", "select", "textarea", "object", "embed"]
_BLOCK_TAGS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th",
               "div", "section", "article", "br", "dd", "dt", "figcaption"]
_HIDDEN_STYLE = re.compile(r"(display\s*:\s*none|visibility\s*:\s*hidden)", re.I)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def _hidden_selectors(soup: BeautifulSoup) -> list[str]:
    """Selectors that a page's own <style> blocks hide (simple rules only)."""
    selectors: list[str] = []
    for style in soup.find_all("style"):
        css = re.sub(r"/\*.*?\*/", "", style.get_text(), flags=re.S)
        for sel, body in _CSS_RULE.findall(css):
            if _HIDDEN_STYLE.search(body) and "@" not in sel:
                selectors.extend(s.strip() for s in sel.split(",") if s.strip())
    return selectors


def _is_hidden(el: Tag) -> bool:
    attrs = el.attrs or {}
    return (
        "hidden" in attrs
        or str(attrs.get("aria-hidden", "")).lower() == "true"
        or bool(_HIDDEN_STYLE.search(str(attrs.get("style", ""))))
    )


def _parse_html(name: str, data: bytes) -> dict[str, Any]:
    soup = BeautifulSoup(_decode(name, data), "html.parser")
    html = soup.find("html")
    lang = _as_lang(name, "the page's <html lang>", html.get("lang") if isinstance(html, Tag) else None)
    page_title = soup.title.get_text(" ", strip=True) if soup.title else None
    canonical = soup.find("link", rel="canonical") or soup.find("meta", property="og:url")
    url = None
    if isinstance(canonical, Tag):
        url = str(canonical.get("href") or canonical.get("content") or "").strip() or None
    hidden: list[Tag] = []
    for selector in _hidden_selectors(soup):
        try:
            hidden.extend(soup.select(selector))
        except Exception:
            continue
    hidden.extend(el for el in soup.find_all(True) if _is_hidden(el))
    for el in hidden:
        el.decompose()
    for el in soup.find_all(_DROP_TAGS):
        el.decompose()
    root = soup.find("article") or soup.find("main") or soup.find(None, {"role": "main"}) or soup.body or soup
    h1 = root.find("h1") if isinstance(root, Tag) else None
    title = h1.get_text(" ", strip=True) if isinstance(h1, Tag) else None
    if isinstance(h1, Tag):
        h1.decompose()
    if not title and page_title:
        title = re.split(r"\s+[|\u2013\u2014-]\s+", page_title)[0].strip() or None
    for el in root.find_all(_BLOCK_TAGS):
        el.insert_after("\n\n")
    return {"title": title, "url": url, "lang": lang, "paragraphs": list(paragraphs_of(root.get_text("")))}


def _parse_pdf(name: str, data: bytes) -> dict[str, Any]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip().startswith(b"%PDF"):
        raise ArticleError(name, "is not a PDF (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ArticleError(name, "is a password-protected PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = reader.metadata.title if reader.metadata else None
        pdf_lang = reader.root_object.get("/Lang")
    except ArticleError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, IndexError) as exc:
        raise ArticleError(name, f"is a corrupt or unreadable PDF ({exc.__class__.__name__})") from exc
    paragraphs: list[str] = []
    for page in pages:
        # PDF lines are layout, not paragraphs: join them, keep blank-line breaks.
        paragraphs.extend(paragraphs_of(page))
    title = str(meta_title).strip() if meta_title else None
    if not title and paragraphs:
        first = paragraphs[0].partition(". ")[0]
        title = first[:120] if len(first) <= 120 else None
    lang = _as_lang(name, "the PDF's language (/Lang)", str(pdf_lang) if pdf_lang is not None else None)
    return {"title": title, "lang": lang, "paragraphs": paragraphs}


_PARSERS: dict[str, Callable[[str, bytes], dict[str, Any]]] = {
    "markdown": _parse_markdown,
    "text": _parse_text,
    "html": _parse_html,
    "pdf": _parse_pdf,
}
