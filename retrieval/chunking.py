"""Sentence-aware chunking of an article body into overlapping, verbatim spans."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from retrieval.models import Article, Chunk, ChunkRecord
from retrieval.text import is_heading_like, split_sentences

logger = logging.getLogger(__name__)

CHUNKER_VERSION = "sentences-v1"


@dataclass(frozen=True)
class _Unit:
    """A sentence, or a word-boundary piece of a sentence longer than the chunk limit."""

    start: int
    end: int
    heading: bool


def chunk_params(max_chars: int, overlap: int) -> dict[str, int | str]:
    """What an index must record to notice it was built with other chunking settings."""
    return {"chunker": CHUNKER_VERSION, "max_chars": max_chars, "overlap": overlap}


def _pieces(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut at whitespace into trimmed pieces of at most ``max_chars``."""
    pieces: list[tuple[int, int]] = []
    pos = start
    while end - pos > max_chars:
        limit = pos + max_chars
        cut = limit
        # Prefer the last whitespace that keeps the piece within the limit.
        for i in range(limit, pos, -1):
            if text[i].isspace():
                cut = i
                break
        piece_end = cut
        while piece_end > pos and text[piece_end - 1].isspace():
            piece_end -= 1
        pieces.append((pos, piece_end))
        pos = cut
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        pieces.append((pos, end))
    return pieces


def _units(article: Article, max_chars: int) -> list[_Unit]:
    text = article.text
    units: list[_Unit] = []
    for start, end in split_sentences(text, article.body_start):
        if end - start <= max_chars:
            units.append(_Unit(start, end, is_heading_like(text[start:end])))
        else:
            units.extend(_Unit(s, e, False) for s, e in _pieces(text, start, end, max_chars))
    return units


def chunk_article(article: Article, *, max_chars: int = 700, overlap: int = 1) -> list[Chunk]:
    """Overlapping sentence-aligned chunks of the article body, offsets into ``article.text``.

    Sentences are packed greedily while the chunk span stays within ``max_chars``; each
    chunk starts with the previous chunk's last ``overlap`` sentences (as far as they fit)
    and adds at least one new sentence. A heading never ends a chunk when text follows it,
    and a sentence longer than ``max_chars`` is cut at word boundaries.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    if overlap < 0:
        raise ValueError(f"overlap must not be negative, got {overlap}")
    units = _units(article, max_chars)
    n = len(units)
    chunks: list[Chunk] = []
    first = 0
    last_done = -1  # index of the last unit already placed in a chunk
    while first < n:
        last = first
        while last + 1 < n and units[last + 1].end - units[first].start <= max_chars:
            last += 1
        # Leave trailing headings to the next chunk, keeping at least one new unit here.
        while last + 1 < n and last > max(first, last_done + 1) and units[last].heading:
            last -= 1
        start, end = units[first].start, units[last].end
        chunks.append(
            Chunk(
                article_id=article.id,
                chunk_no=len(chunks),
                start=start,
                end=end,
                text=article.text[start:end],
            )
        )
        if last == n - 1:
            break
        last_done = last
        first = max(last + 1 - overlap, first + 1)
        # Drop overlap that would leave no room for the next new unit.
        while first <= last and units[last + 1].end - units[first].start > max_chars:
            first += 1
    logger.debug("chunked %s into %d chunks", article.id, len(chunks))
    return chunks


def chunk_records(article: Article, *, max_chars: int = 700, overlap: int = 1) -> list[ChunkRecord]:
    """The chunks of ``article`` as index records, its metadata carried on each."""
    chunks = chunk_article(article, max_chars=max_chars, overlap=overlap)
    return [
        ChunkRecord(
            article_id=article.id,
            chunk_no=c.chunk_no,
            start=c.start,
            end=c.end,
            text=c.text,
            title=article.title,
            date=article.date,
            path=article.path,
            content_hash=article.content_hash,
            n_chunks=len(chunks),
            source=article.source,
            url=article.url,
            snapshot=article.snapshot,
        )
        for c in chunks
    ]
