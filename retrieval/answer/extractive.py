"""The default, offline answer generator: grounded extraction with citations.

It splits the best passages into sentences, scores each against the question, picks a
few that answer it without repeating one another, orders them by article date and
position, and cites every one by its exact span in the article. When the evidence is
weak it abstains instead. Deterministic: same inputs, same answer.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from retrieval.answer.base import generators
from retrieval.answer.followup import condense_offline
from retrieval.models import Answer, Citation, Passage, format_date
from retrieval.text import split_sentences, tokenize

CALIBRATION_FILE = "calibration.json"


@dataclass(frozen=True)
class AbstentionRule:
    """Abstain when ``weight * top_dense + (1 - weight) * best_coverage < threshold``.

    With ``entity_veto``, also abstain when the question names something (a capitalised
    word or a number) that no retrieved passage mentions: "Has South Korea agreed…?"
    over articles that never name South Korea.
    """

    weight: float = 0.5
    threshold: float = 0.45
    entity_veto: bool = False

    def evidence(self, top_dense: float, best_coverage: float) -> float:
        """The combined evidence score the threshold applies to."""
        return self.weight * top_dense + (1 - self.weight) * best_coverage

    def abstains(self, top_dense: float, best_coverage: float, missing: int = 0) -> bool:
        """Whether this evidence is too weak to answer from."""
        if self.entity_veto and missing:
            return True
        return self.evidence(top_dense, best_coverage) < self.threshold


@lru_cache(maxsize=1)
def calibrated_rule() -> AbstentionRule:
    """The abstention rule fitted on the gold set (see ``benchmarks/calibrate_abstention.py``)."""
    try:
        raw = resources.files("retrieval.answer").joinpath(CALIBRATION_FILE).read_text("utf-8")
    except FileNotFoundError:
        return AbstentionRule()
    data = json.loads(raw)
    return AbstentionRule(
        weight=float(data["weight"]),
        threshold=float(data["threshold"]),
        entity_veto=bool(data.get("entity_veto", False)),
    )


@dataclass(frozen=True)
class ExtractiveConfig:
    """Knobs of the extractive generator."""

    max_sentences: int = 3
    max_passages: int = 5  # sentences come from the best passages only
    relative_floor: float = 0.55  # a further sentence must score this share of the best
    duplicate_jaccard: float = 0.6  # above this term overlap a sentence repeats another
    # Tuned on eval/seeds_gold.jsonl (see README, "Quality"): lexical coverage of the
    # question's rarer terms separates sentences within a passage; the passage's dense
    # score and rank break ties between passages.
    coverage_weight: float = 0.8
    dense_weight: float = 0.3
    rank_weight: float = 0.1
    rule: AbstentionRule | None = None  # None: the calibrated rule


@dataclass
class Candidate:
    """A sentence of a retrieved passage, with what it is scored on."""

    passage: Passage
    start: int  # absolute offsets in the article text
    end: int
    text: str
    rank: int
    dense: float
    terms: frozenset[str] = field(default_factory=frozenset)
    coverage: float = 0.0
    score: float = 0.0


@dataclass(frozen=True)
class Evidence:
    """What the abstention decision looked at (exposed for calibration and eval)."""

    top_dense: float
    best_coverage: float
    missing_entities: tuple[str, ...] = ()


class ExtractiveGenerator:
    """Answers with verbatim sentences from the passages, each cited."""

    name = "extractive"

    def __init__(
        self,
        config: ExtractiveConfig | None = None,
        idf: Callable[[str], float] | None = None,
    ) -> None:
        self.config = config or ExtractiveConfig()
        self.rule = self.config.rule or calibrated_rule()
        self._idf = idf

    def generate(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[str] = (),
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Extract a short cited answer, or abstain with the nearest passages."""
        candidates, evidence = self.analyse(question, passages)
        if not candidates or self.rule.abstains(
            evidence.top_dense, evidence.best_coverage, len(evidence.missing_entities)
        ):
            answer = self._abstain(question, passages, evidence)
        else:
            answer = self._compose(question, self._select(candidates), passages)
        if on_token is not None:
            on_token(answer.answer)
        return answer

    def condense(self, question: str, history: Sequence[str]) -> str:
        """Offline follow-up rewriting (see :func:`condense_offline`)."""
        return condense_offline(question, history)

    def analyse(
        self, question: str, passages: Sequence[Passage]
    ) -> tuple[list[Candidate], Evidence]:
        """Score every sentence of the best passages; report the evidence strength."""
        q_terms = list(dict.fromkeys(tokenize(question)))
        candidates = self._candidates(passages[: self.config.max_passages])
        top_dense = max((p.dense_score or 0.0 for p in passages), default=0.0)
        missing = missing_entities(question, passages)
        if not candidates:
            return [], Evidence(top_dense, 0.0, missing)
        weights = self._weights(q_terms, candidates)
        total = sum(weights.values())
        for c in candidates:
            c.coverage = (
                sum(w for t, w in weights.items() if t in c.terms) / total if total else 0.0
            )
            c.score = (
                self.config.coverage_weight * c.coverage
                + self.config.dense_weight * max(c.dense, 0.0)
                + self.config.rank_weight / (1 + c.rank)
            )
        best_coverage = max(c.coverage for c in candidates)
        return candidates, Evidence(top_dense, best_coverage, missing)

    def _candidates(self, passages: Sequence[Passage]) -> list[Candidate]:
        seen: dict[tuple[str, int, int], Candidate] = {}
        for rank, passage in enumerate(passages):
            dense = passage.dense_score or 0.0
            for s, e in split_sentences(passage.text):
                key = (passage.article_id, passage.start + s, passage.start + e)
                if key in seen:
                    seen[key].dense = max(seen[key].dense, dense)
                    continue
                text = passage.text[s:e]
                seen[key] = Candidate(
                    passage=passage,
                    start=key[1],
                    end=key[2],
                    text=text,
                    rank=rank,
                    dense=dense,
                    terms=frozenset(tokenize(text)),
                )
        return list(seen.values())

    def _weights(self, q_terms: list[str], candidates: list[Candidate]) -> dict[str, float]:
        if self._idf is not None:
            return {t: self._idf(t) for t in q_terms}
        # Without corpus statistics, rarity among the candidate sentences stands in.
        n = len(candidates)
        return {
            t: math.log(1 + (n + 1) / (1 + sum(t in c.terms for c in candidates))) for t in q_terms
        }

    def _select(self, candidates: list[Candidate]) -> list[Candidate]:
        ranked = sorted(candidates, key=lambda c: (-c.score, c.rank, c.start))
        best = ranked[0]
        chosen = [best]
        covered = set(best.terms)
        for c in ranked[1:]:
            if len(chosen) >= self.config.max_sentences:
                break
            if c.score < self.config.relative_floor * best.score or c.coverage == 0.0:
                continue
            if any(_jaccard(c.terms, o.terms) > self.config.duplicate_jaccard for o in chosen):
                continue
            if any(c.passage.article_id == o.passage.article_id and _overlap(c, o) for o in chosen):
                continue
            # A further sentence must bring a question term the answer lacks, or come
            # from another article (a second source for the same fact).
            new_terms = c.terms - covered
            other_article = all(c.passage.article_id != o.passage.article_id for o in chosen)
            if not new_terms and not other_article:
                continue
            chosen.append(c)
            covered |= c.terms
        return chosen

    def _compose(
        self, question: str, chosen: list[Candidate], passages: Sequence[Passage]
    ) -> Answer:
        # Chronological, then in reading order: positions in negotiations move over time.
        ordered = sorted(
            chosen,
            key=lambda c: (c.passage.date is None, c.passage.date, c.passage.article_id, c.start),
        )
        citations: list[Citation] = []
        parts: list[str] = []
        current: str | None = None
        for n, c in enumerate(ordered, start=1):
            p = c.passage
            citations.append(
                Citation(
                    n=n,
                    article_id=p.article_id,
                    title=p.title,
                    date=p.date,
                    path=p.path,
                    start=c.start,
                    end=c.end,
                    quote=c.text,
                )
            )
            if p.article_id != current:
                current = p.article_id
                lead = (
                    f"According to a {format_date(p.date)} article"
                    if p.date
                    else "According to an undated article"
                )
                parts.append(("\n" if parts else "") + f"{lead}: ")
            else:
                parts.append(" ")
            parts.append(f"{_one_line(c.text)} [{n}]")
        return Answer(
            question=question,
            answer="".join(parts),
            abstained=False,
            citations=citations,
            passages=list(passages),
            generator=self.name,
        )

    def _abstain(self, question: str, passages: Sequence[Passage], evidence: Evidence) -> Answer:
        shown = f"“{_one_line(question)}”"
        if not passages:
            text = f"The indexed articles don't say anything about {shown}."
        else:
            text = f"The indexed articles don't say enough to answer {shown}."
            if evidence.missing_entities and self.rule.entity_veto:
                names = ", ".join(f"“{name}”" for name in evidence.missing_entities)
                text += f" The closest passages never mention {names}."
            text += " The nearest passages are listed below for you to judge."
        return Answer(
            question=question,
            answer=text,
            abstained=True,
            citations=[],
            passages=list(passages),
            generator=self.name,
        )


_NAME = re.compile(r"[A-Za-z0-9][\w’'-]*")


def missing_entities(question: str, passages: Sequence[Passage]) -> tuple[str, ...]:
    """Names and numbers in ``question`` that none of ``passages`` mentions.

    A name is a capitalised word that does not open the question; a number is any word
    with a digit. Matching is on analysed terms, so "Japan’s" matches "Japan".
    """
    words = _NAME.findall(question)
    named = [w for i, w in enumerate(words) if (i > 0 and w[0].isupper()) or _has_digit(w)]
    if not named:
        return ()
    seen: set[str] = set()
    for p in passages:
        seen.update(tokenize(p.text))
    missing = []
    for word in named:
        terms = tokenize(word)
        if terms and not any(t in seen for t in terms):
            missing.append(word)
    return tuple(dict.fromkeys(missing))


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _overlap(a: Candidate, b: Candidate) -> bool:
    return a.start < b.end and b.start < a.end


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _factory(**kwargs: Any) -> ExtractiveGenerator:
    return ExtractiveGenerator(idf=kwargs.get("idf"))


generators.register("extractive", _factory)
