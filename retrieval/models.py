"""Plain data objects passed between the library's modules.

Offsets (``start``/``end``) are always character offsets into the article's text: for a
local text file its decoded text (header and front matter included), so that
``open(path, encoding="utf-8").read()[start:end]`` gives back the quoted text; for a web
page, an HTML or a PDF file (``snapshot=True``) the extracted text stored as a snapshot
(:mod:`retrieval.web.snapshots`), found by the article's content hash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from retrieval.turns import opens_turn


def format_date(date: dt.date | None) -> str:
    """A human date such as ``13 Jan 2023``, or ``undated``."""
    if date is None:
        return "undated"
    return f"{date.day} {date.strftime('%b %Y')}"


@dataclass(frozen=True)
class Article:
    """One parsed article file."""

    id: str
    title: str
    date: dt.date | None
    path: str
    content_hash: str
    text: str
    body_start: int = 0
    source: str | None = None
    url: str | None = None
    # True when ``text`` is an extracted snapshot (web page, HTML, PDF), not the file's text.
    snapshot: bool = False


@dataclass(frozen=True)
class Chunk:
    """A span of an article that is embedded and indexed as one unit."""

    article_id: str
    chunk_no: int
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        """The stable id ``article_id:chunk_no`` used in every store."""
        return chunk_id(self.article_id, self.chunk_no)


def chunk_id(article_id: str, chunk_no: int) -> str:
    """The stable id of chunk ``chunk_no`` of ``article_id``."""
    return f"{article_id}:{chunk_no}"


@dataclass(frozen=True)
class ChunkRecord:
    """A chunk as stored in the index, with its article's metadata denormalised onto it.

    ``content_hash`` and ``n_chunks`` describe the article version the chunk belongs
    to; chunk 0 is written last during ingest, so its hash is the article's commit marker.
    """

    article_id: str
    chunk_no: int
    start: int
    end: int
    text: str
    title: str
    date: dt.date | None
    path: str
    content_hash: str
    n_chunks: int
    source: str | None = None
    url: str | None = None
    snapshot: bool = False

    @property
    def id(self) -> str:
        """The stable chunk id ``article_id:chunk_no``."""
        return chunk_id(self.article_id, self.chunk_no)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its article's metadata and its scores."""

    article_id: str
    chunk_no: int
    start: int
    end: int
    text: str
    title: str
    date: dt.date | None
    path: str
    source: str | None = None
    url: str | None = None
    score: float = 0.0
    dense_score: float | None = None
    lexical_score: float | None = None
    # Who says what in a transcript: ``(start, end, speaker, label)`` of each turn that
    # overlaps the passage, in article offsets (see :mod:`retrieval.turns`).
    speakers: tuple[tuple[int, int, str, str], ...] = ()
    # The countries its article names anywhere, when its article was read (see
    # :func:`retrieval.context.with_countries`); ``None`` when unknown.
    article_countries: frozenset[str] | None = None

    @property
    def id(self) -> str:
        """The stable chunk id ``article_id:chunk_no``."""
        return chunk_id(self.article_id, self.chunk_no)

    def turn_of(self, start: int, end: int) -> tuple[int, int, str, str] | None:
        """The transcript turn ``(start, end, speaker, label)`` holding the article's
        ``[start, end)``, if one does."""
        return next((t for t in self.speakers if t[0] <= start and end <= t[1]), None)

    def speaker_of(self, start: int, end: int) -> str:
        """Who says the article's ``[start, end)``, when a transcript turn holds it."""
        turn = self.turn_of(start, end)
        return turn[2] if turn else ""

    def unlabelled_turn(self, start: int, end: int) -> str:
        """The label of the transcript turn holding the article's ``[start, end)`` ("Q",
        "Mao Ning") when the span does not open the turn, so does not show it; ""
        otherwise."""
        turn = self.turn_of(start, end)
        return turn[3] if turn and not opens_turn(start, turn[0]) else ""

    @classmethod
    def from_record(
        cls,
        record: ChunkRecord,
        score: float = 0.0,
        dense_score: float | None = None,
        lexical_score: float | None = None,
    ) -> Passage:
        """A passage for ``record`` with the given scores."""
        return cls(
            article_id=record.article_id,
            chunk_no=record.chunk_no,
            start=record.start,
            end=record.end,
            text=record.text,
            title=record.title,
            date=record.date,
            path=record.path,
            source=record.source,
            url=record.url,
            score=score,
            dense_score=dense_score,
            lexical_score=lexical_score,
        )


@dataclass(frozen=True)
class Citation:
    """A numbered, verifiable reference from an answer to a verbatim article span."""

    n: int
    article_id: str
    title: str
    date: dt.date | None
    path: str
    start: int
    end: int
    quote: str

    @property
    def ref(self) -> str:
        """The ``ARTICLE_ID:START-END`` form accepted by ``chipbot show``."""
        return f"{self.article_id}:{self.start}-{self.end}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates as ISO strings)."""
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


@dataclass
class Answer:
    """What a generator returns: the text with ``[n]`` markers and its citations."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    standalone_question: str | None = None  # the follow-up rewritten, when it was
    passages: list[Passage] = field(default_factory=list)
    generator: str = "extractive"
    prompt_version: str | None = None
    unsupported: list[str] = field(default_factory=list)
    removed_citations: int = 0
    notes: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    # What the question (or --as-of) said about time: see retrieval.temporal.TemporalIntent.
    as_of: dt.date | None = None
    temporal: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape of an answer (see docs/cli.md, "JSON output")."""
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "nearest": [
                {
                    "article_id": p.article_id,
                    "title": p.title,
                    "date": p.date.isoformat() if p.date else None,
                    "path": p.path,
                    "start": p.start,
                    "end": p.end,
                    "score": round(p.score, 6),
                }
                for p in self.passages
            ],
            "generator": self.generator,
            "prompt_version": self.prompt_version,
            "unsupported": list(self.unsupported),
            "removed_citations": self.removed_citations,
            "notes": list(self.notes),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "temporal": dict(self.temporal),
            "timings_ms": {k: round(v, 3) for k, v in self.timings_ms.items()},
        }


@dataclass(frozen=True)
class SearchFilter:
    """Restrictions applied to both dense and lexical search (all optional)."""

    since: dt.date | None = None
    until: dt.date | None = None
    source: str | None = None

    @property
    def empty(self) -> bool:
        """True when the filter restricts nothing."""
        return self.since is None and self.until is None and self.source is None


@dataclass(frozen=True)
class ArticleInfo:
    """An indexed article as listed by ``chipbot docs`` (no text)."""

    id: str
    title: str
    date: dt.date | None
    path: str
    content_hash: str
    n_chunks: int
    source: str | None = None
    url: str | None = None
    snapshot: bool = False
