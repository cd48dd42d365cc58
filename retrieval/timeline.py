"""Timelines: the dated, cited statements on a topic, in date order.

:func:`build_timeline` takes the passages retrieved for a topic, groups them by article,
picks the one or two sentences of each article that matter most for the topic, and
orders them by the article's date (undated articles last). Every entry is a verbatim
:class:`~retrieval.models.Citation`, so ``chipbot show N`` opens it like an answer's.

Which sentences matter is decided by a :data:`SentenceScorer`, a parameter so that a
better reader can replace the default :class:`DenseLexicalScorer` without touching the
rest. Candidates are the sentences of the retrieved passages (so each is near text the
search found relevant) that end like sentences (titles, headings and datelines do not).
An article's second sentence, when it has one, is the best of its other sentences that
names a date (stated in full or relative, see :mod:`retrieval.reldates`): a timeline is
made of dated statements. A topic naming countries ("Dutch export controls") keeps
the articles that name one of them and, of those, the sentences not about other
countries only. Statements of the same day are ordered by the newest day they
name (one made on 30 June about "1 September" comes after one about "today"); an
article's statements stay together.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from retrieval.answer.actors import country_match
from retrieval.countries import countries
from retrieval.models import Citation, Passage, SearchFilter
from retrieval.reldates import annotate, dates_in
from retrieval.text import is_heading_like, split_sentences, tokenize

if TYPE_CHECKING:
    from retrieval.embedding import Embedder

log = logging.getLogger(__name__)

#: ``scorer(topic, sentences)`` -> one relevance score per sentence, higher is better.
SentenceScorer = Callable[[str, Sequence[str]], Sequence[float]]

DEFAULT_PASSAGES = 30


class DenseLexicalScorer:
    """Cosine of the topic and sentence vectors plus the share of the topic's terms the
    sentence holds (both 0-1, added unweighted). Sentence vectors come from the
    embedder given (the engine passes the one backed by the sentence-vector cache, which
    is thread-safe and filled at ingest)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def _embed(self, sentences: Sequence[str]) -> np.ndarray:
        return np.asarray(self.embedder.embed_documents(list(sentences)))

    def __call__(self, topic: str, sentences: Sequence[str]) -> list[float]:
        """One score per sentence for ``topic``."""
        if not sentences:
            return []
        cosine = self._embed(sentences) @ self.embedder.embed_query(topic)
        terms = set(tokenize(topic))
        coverage = [len(terms & set(tokenize(s))) / len(terms) if terms else 0.0 for s in sentences]
        return [float(c) + v for c, v in zip(cosine, coverage, strict=True)]


@dataclass(frozen=True)
class TimelineEntry:
    """One statement of a timeline: a verbatim sentence of a dated (or undated) article."""

    citation: Citation
    score: float
    event_date: dt.date | None = None  # the newest day the sentence itself names
    # Who says it ("Q", "Mao Ning"), when a transcript's turn does and the quote, being
    # further into the turn, does not show it.
    label: str = ""

    @property
    def date(self) -> dt.date | None:
        """The article's date: when the statement was made."""
        return self.citation.date

    @property
    def annotated(self) -> str:
        """The quote with its relative dates resolved, for display (never for citing)."""
        return annotate(self.citation.quote, self.citation.date)

    def to_dict(self) -> dict[str, Any]:
        """The citation's JSON form plus the score, event date and annotated quote."""
        return {
            **self.citation.to_dict(),
            "score": round(self.score, 6),
            "event_date": self.event_date.isoformat() if self.event_date else None,
            "annotated": self.annotated,
            "label": self.label,
        }


@dataclass
class Timeline:
    """The statements on ``topic`` in date order (what ``chipbot timeline`` prints)."""

    topic: str
    entries: list[TimelineEntry]
    filter: SearchFilter | None = None
    n_passages: int = 0
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def citations(self) -> list[Citation]:
        """The entries' citations, numbered 1..N in timeline order."""
        return [e.citation for e in self.entries]

    def numbered_from(self, first: int) -> Timeline:
        """The same timeline with its entries numbered ``first``, ``first + 1``, … (after
        an answer's own citations, when it follows one)."""
        entries = [
            dataclasses.replace(e, citation=dataclasses.replace(e.citation, n=first + i))
            for i, e in enumerate(self.entries)
        ]
        return dataclasses.replace(self, entries=entries)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``entries`` hold the citation fields, so ``show N`` finds them."""
        flt = self.filter
        return {
            "topic": self.topic,
            "since": flt.since.isoformat() if flt and flt.since else None,
            "until": flt.until.isoformat() if flt and flt.until else None,
            "source": flt.source if flt else None,
            "n_passages": self.n_passages,
            "n_articles": len({e.citation.article_id for e in self.entries}),
            "entries": [e.to_dict() for e in self.entries],
            "timings_ms": {k: round(v, 3) for k, v in self.timings_ms.items()},
        }


@dataclass
class _Candidate:
    passage: Passage
    start: int
    end: int
    quote: str
    score: float = 0.0
    label: str = ""


def _candidates(
    passages: Sequence[Passage], read: Callable[[str], str]
) -> dict[str, list[_Candidate]]:
    """article id -> the sentences of its retrieved passages, checked against the file."""
    by_article: dict[str, list[_Candidate]] = {}
    seen: set[tuple[str, int, int]] = set()
    texts: dict[str, str | None] = {}
    for passage in passages:
        if passage.path not in texts:
            try:
                texts[passage.path] = read(passage.path)
            except Exception as exc:  # an unreadable file costs its entries, not the timeline
                log.warning("skipping %s in the timeline: %s", passage.path, exc)
                texts[passage.path] = None
        text = texts[passage.path]
        if text is None:
            continue
        if text[passage.start : passage.end] != passage.text:
            log.warning("%s changed since it was indexed; skipping it", passage.path)
            continue
        for start, end in split_sentences(text, passage.start, passage.end):
            quote = text[start:end]
            key = (passage.article_id, start, end)
            if key in seen or not _is_statement(quote):
                continue
            seen.add(key)
            by_article.setdefault(passage.article_id, []).append(
                _Candidate(passage, start, end, quote, label=passage.unlabelled_turn(start, end))
            )
    return by_article


_CLOSERS = "”’\"')]»"


def _is_statement(sentence: str) -> bool:
    """A sentence that ends like one: titles, headings and datelines state nothing."""
    return not is_heading_like(sentence) and sentence.rstrip(_CLOSERS)[-1:] in ".!?…"


def _about_countries(
    topic: str, by_article: dict[str, list[_Candidate]], read: Callable[[str], str]
) -> dict[str, list[_Candidate]]:
    """``by_article`` kept to what is about the countries ``topic`` names, if it names
    any: articles that name one of them, and of those the sentences that do not speak
    of other countries only. A timeline of "Dutch export controls" is not the US rules'
    or Japan's story, though their words are alike."""
    asked = countries(topic)
    if not asked:
        return by_article
    kept: dict[str, list[_Candidate]] = {}
    for article, group in by_article.items():
        if not asked & countries(read(group[0].passage.path)):
            continue
        on_topic = [c for c in group if not country_match(topic, c.quote)[1]]
        if on_topic:
            kept[article] = on_topic
    return kept


def _pick(candidates: list[_Candidate], per_document: int) -> list[_Candidate]:
    """The best sentence, then the best ones that name a date."""
    ranked = sorted(candidates, key=lambda c: (-c.score, c.start))
    chosen = ranked[:1]
    date = ranked[0].passage.date
    for candidate in ranked[1:]:
        if len(chosen) >= per_document:
            break
        if dates_in(candidate.quote, date):
            chosen.append(candidate)
    return chosen


def build_timeline(
    topic: str,
    passages: Sequence[Passage],
    scorer: SentenceScorer,
    read: Callable[[str], str],
    *,
    per_document: int = 2,
    min_score: float | None = None,
) -> list[TimelineEntry]:
    """The timeline entries for ``topic`` from its retrieved ``passages``.

    A passage marked with its transcript's turns (:func:`retrieval.context.with_speakers`)
    names who says a statement its quote does not show the label of (``label``).
    ``read(path)`` gives an article file's text (quotes are cut from it, verbatim);
    ``min_score`` drops articles whose best sentence scores below it (default: keep
    every article the retrieval found).
    """
    by_article = _about_countries(topic, _candidates(passages, read), read)
    flat = [c for group in by_article.values() for c in group]
    for candidate, score in zip(flat, scorer(topic, [c.quote for c in flat]), strict=True):
        candidate.score = float(score)
    chosen: list[tuple[_Candidate, dt.date | None]] = []
    for group in by_article.values():
        if min_score is not None and max(c.score for c in group) < min_score:
            continue
        for candidate in _pick(group, per_document):
            days = dates_in(candidate.quote, candidate.passage.date)
            chosen.append((candidate, max(days) if days else None))

    def named(item: tuple[_Candidate, dt.date | None]) -> dt.date:
        return item[1] or item[0].passage.date or dt.date.min

    # An article's statements stay together; articles of one day go by the first day
    # their statements name (the article's date when they name none).
    first_named: dict[str, dt.date] = {}
    for candidate, event in chosen:
        if event is not None:
            article = candidate.passage.article_id
            first_named[article] = min(first_named.get(article, dt.date.max), event)
    for candidate, _ in chosen:
        first_named.setdefault(candidate.passage.article_id, candidate.passage.date or dt.date.min)

    def order(item: tuple[_Candidate, dt.date | None]) -> tuple[Any, ...]:
        candidate = item[0]
        date, article = candidate.passage.date, candidate.passage.article_id
        return (
            date is None,
            date or dt.date.min,
            first_named[article],
            article,
            named(item),
            candidate.start,
        )

    entries: list[TimelineEntry] = []
    for n, (candidate, event) in enumerate(sorted(chosen, key=order), start=1):
        p = candidate.passage
        citation = Citation(
            n=n,
            article_id=p.article_id,
            title=p.title,
            date=p.date,
            path=p.path,
            start=candidate.start,
            end=candidate.end,
            quote=candidate.quote,
        )
        entries.append(TimelineEntry(citation, candidate.score, event, candidate.label))
    return entries
