"""What the answer generator reads for a question.

The passages found for it within the dates it names (each period's best in turn when it
names several), widened to whole thoughts (see :mod:`retrieval.context`); for a
latest-state question, the newest on-topic articles read whole first (see
:mod:`retrieval.newest`), and nothing from articles dated after them.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from retrieval.errors import ChipbotError
from retrieval.models import Passage, SearchFilter
from retrieval.temporal import TemporalIntent, strip_temporal

if TYPE_CHECKING:
    from retrieval.index import Index
    from retrieval.retriever import HybridRetriever

#: How much wider than the pool the search for the newest on-topic article looks.
WIDE_FACTOR = 3
#: An article of at most this many chunks is read whole as the newest on its topic (a
#: press release, a statement); of a longer one, its head and best chunks.
MAX_WHOLE_CHUNKS = 16
MAX_NEWEST_CHUNKS = 4
#: Whether the date phrases a question's bounds came from are left out of the search
#: query. Measured by benchmarks/temporal.py on the 21 export-controls gold questions
#: with a date phrase (seeds + corpus, k=5): within the bounds, hit@5 18/21 either way,
#: MRR 0.736 with the whole question and 0.738 stripped: no gain, so it stays whole.
STRIP_DATE_PHRASES = False

#: Reads an article file's text (offsets count into it).
ReadText = Callable[[str], str]


class PassageReading:
    """Finds and widens what is read for a question, over one index and its retriever."""

    def __init__(self, index: Index, retriever: HybridRetriever) -> None:
        self.index = index
        self.retriever = retriever

    def read(
        self,
        question: str,
        intent: TemporalIntent,
        flt: SearchFilter | None,
        pool: int,
        read: ReadText,
    ) -> tuple[list[Passage], list[Passage]]:
        """``(ranked, read)``: the ``pool`` best passages for ``question`` within the
        intent's bounds, and what the generator reads of them in context."""
        ranked = self.search(question, intent, flt, pool)
        if intent.wants_newest:
            newest = self.newest(question, intent, flt, ranked, pool, read)
            return ranked, self.with_context(newest_first(newest), read)
        return ranked, self.with_context(ranked, read)

    def with_context(self, passages: list[Passage], read: ReadText | None = None) -> list[Passage]:
        """``passages``, each that opens by pointing back ("From that point on…") widened
        to the sentence it points to, each that cuts a long sentence widened to the whole
        of it, each that ends with a reporter's question widened to the first sentence of
        the reply, each that ends a line taking its line break (a headline alone in a
        chunk is a headline), each of a transcript marked with who speaks, and each
        marked with the countries its article names. ``read``
        reads an article file (by default each file once per call)."""
        from retrieval.context import (
            with_antecedents,
            with_countries,
            with_line_ends,
            with_replies,
            with_speakers,
            with_whole_sentences,
        )

        read = read or functools.cache(read_article_text)
        widened = with_whole_sentences(with_antecedents(passages, self.index.get, read), read)
        marked = with_speakers(with_line_ends(with_replies(widened, read), read), read)
        return with_countries(marked, read)

    def search(
        self, question: str, intent: TemporalIntent, flt: SearchFilter | None, k: int
    ) -> list[Passage]:
        """The ``k`` best passages for ``question`` within the intent's bounds; when it
        asks about several periods ("in March and again in June"), each period's best in
        turn, so that the answer can speak of each."""
        query = search_query(question, intent)
        if len(intent.periods) < 2:
            return self.retriever.search(query, k=k, flt=intent.search_filter(flt), mode="hybrid")
        share = -(-k // len(intent.periods))
        per_period = [
            self.retriever.search(
                query,
                k=share,
                flt=dataclasses.replace(intent, since=first, until=last).search_filter(flt),
                mode="hybrid",
            )
            for first, last in intent.periods
        ]
        merged = {p.id: p for row in itertools.zip_longest(*per_period) for p in row if p}
        return list(merged.values())[:k]

    def newest(
        self,
        question: str,
        intent: TemporalIntent,
        flt: SearchFilter | None,
        ranked: list[Passage],
        pool: int,
        read: ReadText,
    ) -> list[Passage]:
        """What a latest-state question reads: the newest on-topic articles whole, found
        in a search ``WIDE_FACTOR`` times wider than ``ranked``, beside the rest of
        ``ranked``, and nothing from articles dated after them."""
        from retrieval.newest import newest_on_topic

        wide = self.retriever.search(
            search_query(question, intent),
            k=WIDE_FACTOR * pool,
            flt=intent.search_filter(flt),
            diverse=False,
        )
        newest, ids = newest_on_topic(question, wide, read)
        if newest is None:
            return ranked
        # An article dated after the newest on-topic one is about something else.
        kept = [p for p in ranked if p.date is None or p.date <= newest]
        reading = [p for a in ids for p in self.article(a, wide, read)]
        taken = {p.article_id for p in reading}
        return reading + [p for p in kept if p.article_id not in taken]

    def article(self, article_id: str, found: Sequence[Passage], read: ReadText) -> list[Passage]:
        """What is read of an article: one passage holding its whole body (its chunks
        joined) when it is short; otherwise, or when its chunks cannot be joined
        verbatim, its head and the chunks of it ``found`` ranks first."""
        from retrieval.context import merged

        chunks = self.index.chunks_of(article_id)
        if not chunks:
            return []
        if len(chunks) <= MAX_WHOLE_CHUNKS:
            whole = Passage.from_record(chunks[-1])
            for record in reversed(chunks[:-1]):
                widened = merged(record, whole, read)
                if widened is None:
                    break
                whole = widened
            else:
                return [dataclasses.replace(whole, chunk_no=0)]
        best = [p for p in found if p.article_id == article_id][:MAX_NEWEST_CHUNKS]
        head = Passage.from_record(chunks[0])
        return best if any(p.id == head.id for p in best) else [head, *best]


def search_query(question: str, intent: TemporalIntent) -> str:
    """What is searched for ``question``: without its date phrases when they are
    stripped (they bound the search already)."""
    return strip_temporal(question, intent) if STRIP_DATE_PHRASES else question


def newest_first(passages: Sequence[Passage]) -> list[Passage]:
    """``passages`` with newer articles first (undated last), in retrieval order otherwise.

    Only the retrieved passages are reordered: each is relevant already, and among them
    the newest state of things should be read first.
    """
    return sorted(passages, key=lambda p: (p.date is None, -(p.date.toordinal() if p.date else 0)))


def read_article_text(path: str) -> str:
    """The article file's text exactly as offsets count it."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ChipbotError(f"cannot read article file {path}: {exc}") from None
