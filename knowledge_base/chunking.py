"""Split an article into chunks of whole sentences, each carrying its article's metadata."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from knowledge_base.article import Article
from knowledge_base.injection import find_instruction_like

# Paragraphs first, then lines, then sentence ends: a chunk never cuts a sentence in two.
SENTENCE_SEPARATORS = [r"\n\n", r"\n", r"(?<=[.!?][\"'\u201d\u2019)])\s+", r"(?<=[.!?])\s+"]


@dataclass(frozen=True)
class Chunker:
    chunk_size: int = 700
    chunk_overlap: int = 0

    def __post_init__(self) -> None:
        if self.chunk_size < 100:
            raise ValueError("chunk_size must be at least 100 characters")
        if not 0 <= self.chunk_overlap < self.chunk_size:
            raise ValueError("chunk_overlap must be between 0 and chunk_size")

    def _splitter(self) -> RecursiveCharacterTextSplitter:
        return RecursiveCharacterTextSplitter(
            separators=SENTENCE_SEPARATORS,
            is_separator_regex=True,
            keep_separator=True,
            chunk_size=self.chunk_size,
            chunk_overlap=self.chunk_overlap,
            strip_whitespace=True,
        )

    def split(self, article: Article) -> list[Document]:
        """Chunks in reading order. A sentence that reads like an order to an AI becomes a
        chunk of its own, marked ``flagged``, so the text around it stays quotable."""
        pieces: list[tuple[str, str]] = []  # (text, flag reason or "")
        buffer: list[str] = []

        def flush() -> None:
            if buffer:
                pieces.extend((t, "") for t in self._splitter().split_text("\n\n".join(buffer)))
                buffer.clear()

        for paragraph in article.paragraphs:
            flags = find_instruction_like(paragraph)
            if not flags:
                buffer.append(paragraph)
                continue
            rest = paragraph
            for flag in flags:
                before, _, rest = rest.partition(flag.passage)
                if before.strip():
                    buffer.append(before.strip())
                flush()
                pieces.append((flag.passage, flag.reason))
            if rest.strip():
                buffer.append(rest.strip())
        flush()
        return [
            Document(
                page_content=text,
                metadata={
                    "article_id": article.id,
                    "title": article.title,
                    "url": article.url or "",
                    "position": position,
                    "version": article.version,
                    "lang": article.lang,
                    "flagged": bool(reason),
                    "flag_reason": reason,
                },
            )
            for position, (text, reason) in enumerate(pieces)
        ]
