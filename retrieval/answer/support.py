"""Does a cited passage support a sentence of the model's answer?

Two signals, each blind where the other sees:

- ``cosine``: the best embedding similarity between the sentence and the cited span
  (each of its sentences, and the whole span) -- catches paraphrase;
- ``overlap``: the share of the sentence's key terms (``retrieval.text.tokenize``: stemmed,
  stopword-free) found in the cited span, its title or its date -- catches a sentence
  that talks about the same topic but claims things the span never mentions.

The rule is ``weight * cosine + (1 - weight) * overlap >= threshold``, fitted on the gold
set (``benchmarks/calibrate_support.py`` writes ``support_calibration.json``). On top, a
sentence stating a number the cited passages (text, title, date) never mention is
unsupported whatever its score: embeddings hardly tell 27 per cent from 72 per cent, and a
wrong figure is the most damaging thing a fluent answer can invent.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Protocol

from retrieval.models import Passage
from retrieval.text import split_sentences, tokenize

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)

CALIBRATION_FILE = "support_calibration.json"


class DocumentEmbedder(Protocol):
    """The part of :class:`retrieval.embedding.Embedder` the check uses."""

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


@dataclass(frozen=True)
class SupportRule:
    """Supported when ``weight * cosine + (1 - weight) * overlap >= threshold``."""

    weight: float = 0.5
    threshold: float = 0.5
    check_numbers: bool = True

    def score(self, cosine: float, overlap: float) -> float:
        """The combined score the threshold applies to."""
        return self.weight * cosine + (1 - self.weight) * overlap

    def supports(self, cosine: float, overlap: float, numbers_ok: bool = True) -> bool:
        """The verdict for these signals."""
        if self.check_numbers and not numbers_ok:
            return False
        return self.score(cosine, overlap) >= self.threshold


@lru_cache(maxsize=1)
def calibrated_rule() -> SupportRule:
    """The rule fitted on the gold set, or the default when no calibration file ships."""
    try:
        raw = resources.files("retrieval.answer").joinpath(CALIBRATION_FILE).read_text("utf-8")
    except FileNotFoundError:
        logger.warning("no %s; using the default support rule", CALIBRATION_FILE)
        return SupportRule()
    data = json.loads(raw)["rule"]
    return SupportRule(
        weight=float(data["weight"]),
        threshold=float(data["threshold"]),
        check_numbers=bool(data.get("check_numbers", True)),
    )


@dataclass(frozen=True)
class SupportScore:
    """The signals measured for one sentence against its cited passages."""

    cosine: float
    overlap: float
    numbers_ok: bool
    supported: bool


def context_terms(passage: Passage) -> set[str]:
    """Key terms a sentence may draw from ``passage``: its text, title and date."""
    terms = set(tokenize(passage.text)) | set(tokenize(passage.title))
    if passage.date is not None:
        d = passage.date
        terms |= set(tokenize(f"{d.day} {d:%B %b %Y} {d.isoformat()}"))
    return terms


def _is_number(term: str) -> bool:
    return term[:1].isdigit()


def term_overlap(claim_terms: Sequence[str], context: set[str]) -> float:
    """Share of the distinct ``claim_terms`` found in ``context`` (1.0 for no terms)."""
    distinct = set(claim_terms)
    if not distinct:
        return 1.0
    return len(distinct & context) / len(distinct)


def numbers_supported(claim_terms: Sequence[str], context: set[str]) -> bool:
    """True when every number in the claim appears in the context."""
    return all(t in context for t in claim_terms if _is_number(t))


def passage_units(passage: Passage) -> list[str]:
    """The texts a claim's embedding is compared with: each sentence, then the whole span."""
    units = [passage.text[s:e] for s, e in split_sentences(passage.text)]
    if len(units) != 1:
        units.append(passage.text)
    return [u for u in units if u.strip()]


class SupportChecker:
    """Judges (sentence, cited passages) pairs with a :class:`SupportRule`."""

    def __init__(self, embedder: DocumentEmbedder, rule: SupportRule | None = None) -> None:
        self.embedder = embedder
        self.rule = rule or calibrated_rule()

    def score_many(self, items: Sequence[tuple[str, Sequence[Passage]]]) -> list[SupportScore]:
        """Measure every (claim, cited passages) pair, embedding all texts in one batch."""
        if not items:
            return []
        texts: dict[str, int] = {}
        for claim, cited in items:
            texts.setdefault(claim, len(texts))
            for p in cited:
                for unit in passage_units(p):
                    texts.setdefault(unit, len(texts))
        vectors = self.embedder.embed_documents(list(texts))
        scores: list[SupportScore] = []
        for claim, cited in items:
            claim_vec = vectors[texts[claim]]
            unit_rows = [texts[u] for p in cited for u in passage_units(p)]
            cosine = float((vectors[unit_rows] @ claim_vec).max()) if unit_rows else 0.0
            context: set[str] = set().union(*(context_terms(p) for p in cited))
            claim_terms = tokenize(claim)
            overlap = term_overlap(claim_terms, context)
            numbers_ok = numbers_supported(claim_terms, context)
            scores.append(
                SupportScore(
                    cosine=cosine,
                    overlap=overlap,
                    numbers_ok=numbers_ok,
                    supported=self.rule.supports(cosine, overlap, numbers_ok),
                )
            )
        return scores

    def supported_many(self, items: Sequence[tuple[str, Sequence[Passage]]]) -> list[bool]:
        """One verdict per (claim, cited passages) pair (the :class:`SupportJudge` protocol)."""
        return [s.supported for s in self.score_many(items)]
