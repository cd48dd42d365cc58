"""The gold question sets as fitting data: each question's read sentences, labelled.

For the reader, a candidate sentence of a gold question is a positive when it overlaps
one of the question's gold quotes. The candidates are exactly what the generator sees:
the sentences of the passages ``chipbot ask`` reads for the question (under its date
bounds; :meth:`retrieval.engine.Chipbot.passages_for`) from an index of the set's corpus.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from retrieval.answer.extractive import Candidate, candidates_of, reader_sentences
from retrieval.answer.reader import feature_rows
from retrieval.evaluation.gold import GoldQuestion, normalise
from retrieval.models import Passage

if TYPE_CHECKING:
    from retrieval.encoders.base import Embedder
    from retrieval.engine import Chipbot
    from retrieval.temporal import TemporalIntent

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SHARED_CORPUS = ROOT.parent / "shared" / "corpora" / "export-controls"
#: name -> (gold file, folders to index)
GOLD_SETS: dict[str, tuple[Path, tuple[Path, ...]]] = {
    "seeds": (ROOT / "eval" / "seeds_gold.jsonl", (ROOT / "seeds",)),
    "export-controls": (
        ROOT / "eval" / "export_controls_gold.jsonl",
        (ROOT / "seeds", SHARED_CORPUS),
    ),
}


@dataclass
class GoldCase:
    """One gold question with its retrieved passages and labelled candidate sentences."""

    question: GoldQuestion
    passages: list[Passage]
    candidates: list[Candidate]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.int64]
    # What the question says about time, as ask reads it (orders the answer's articles).
    intent: TemporalIntent | None = None


def available() -> list[str]:
    """The gold sets whose files and corpora are present."""
    return [
        name
        for name, (gold, corpora) in GOLD_SETS.items()
        if gold.is_file() and all(c.is_dir() for c in corpora)
    ]


def label(candidates: Sequence[Candidate], q: GoldQuestion) -> npt.NDArray[np.int64]:
    """1 for each candidate that overlaps a gold quote of ``q``, and for each that says
    word for word what one of those says in another article (a minister repeating
    himself at two press conferences answers twice)."""
    gold = [
        any(
            c.passage.article_id == g.article_id and c.start < g.end and g.start < c.end
            for g in q.gold
        )
        for c in candidates
    ]
    said = {normalise(c.text) for c, hit in zip(candidates, gold, strict=True) if hit}
    return np.array(
        [int(hit or normalise(c.text) in said) for c, hit in zip(candidates, gold, strict=True)],
        dtype=np.int64,
    )


@contextmanager
def gold_index(name: str) -> Iterator[tuple[Chipbot, list[GoldQuestion]]]:
    """Gold set ``name``'s corpus indexed in a temporary data dir, and its questions."""
    from retrieval.engine import Chipbot
    from retrieval.evaluation import load_gold
    from retrieval.reading import read_article_text
    from retrieval.settings import Settings

    gold, corpora = GOLD_SETS[name]
    with tempfile.TemporaryDirectory() as tmp:
        bot = Chipbot(Settings(data_dir=Path(tmp), seeds_dir=corpora[0]))
        # Article files only: a corpus folder also holds its README and source list.
        bot.ingest([f for folder in corpora for f in sorted(folder.glob("*.txt"))])
        texts = {a.id: read_article_text(a.path) for a in bot.articles()}
        try:
            yield bot, load_gold(gold, texts)
        finally:
            bot.index.close()


def build_cases(name: str, max_passages: int) -> list[GoldCase]:
    """Index the set's corpus in a temporary data dir and build every question's case."""
    with gold_index(name) as (bot, questions):
        embedder = bot.cached_embedder()
        return [case_of(bot, embedder, q, max_passages) for q in questions]


def case_of(bot: Chipbot, embedder: Embedder, q: GoldQuestion, max_passages: int) -> GoldCase:
    """``q``'s case on ``bot``'s index: what ``chipbot ask`` reads for it, as the reader
    (through ``embedder``) sees it."""
    passages = bot.passages_for(q.question, k=max_passages, flt=q.search_filter())
    cands = candidates_of(passages[:max_passages])
    x = feature_rows(embedder, q.question, reader_sentences(cands)) if cands else np.zeros((0, 0))
    return GoldCase(q, passages, cands, x, label(cands, q), bot.temporal_intent(q.question))
