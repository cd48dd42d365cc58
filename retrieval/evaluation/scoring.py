"""Scoring one answered question against its gold spans and key facts."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from retrieval.evaluation.gold import AS_OF, LATEST, GoldQuestion, GoldSpan, facts_present
from retrieval.models import Answer, Citation, Passage

#: Share of a sentence's content words that must appear in a quote for it to be supported.
SUPPORT_THRESHOLD = 0.6

Supports = Callable[[str, str], bool]

_MARKER_RE = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_LEADING_MARKERS_RE = re.compile(r"^(?:\s*\[\d+(?:\s*,\s*\d+)*\])+")
# "According to a 13 Jan 2023 article:" names a source; it is not a claim to support.
_ATTRIBUTION_RE = re.compile(r"^\s*according to [^:\[\]\n]{0,80}:\s*", re.IGNORECASE)


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """True when the half-open spans ``[a_start, a_end)`` and ``[b_start, b_end)`` share a char."""
    return a_start < a_end and b_start < b_end and a_start < b_end and b_start < a_end


def hits_span(article_id: str, start: int, end: int, span: GoldSpan) -> bool:
    """True when ``article_id[start:end]`` overlaps the gold ``span``."""
    return article_id == span.article_id and overlaps(start, end, span.start, span.end)


def hits_any(article_id: str, start: int, end: int, gold: Sequence[GoldSpan]) -> bool:
    """True when ``article_id[start:end]`` overlaps any of the ``gold`` spans."""
    return any(hits_span(article_id, start, end, span) for span in gold)


@dataclass(frozen=True)
class CitedSentence:
    """One sentence of an answer: its claim text (markers removed) and the numbers it cites."""

    claim: str
    numbers: tuple[int, ...]


def cited_sentences(answer_text: str) -> list[CitedSentence]:
    """The answer's sentences with the ``[n]`` markers each contains.

    Lines are split first, then sentences (``retrieval.text.split_sentences``). Markers
    that open a sentence (``"... revenue. [1] The next ..."``) belong to the sentence
    before it. A leading attribution such as ``"According to a 13 Jan 2023 article:"``
    is dropped from the claim.
    """
    from retrieval.text import split_sentences

    pieces: list[str] = []
    for line in answer_text.splitlines():
        for start, end in split_sentences(line):
            piece = line[start:end]
            lead = _LEADING_MARKERS_RE.match(piece)
            if lead and pieces:
                pieces[-1] += " " + lead.group().strip()
                piece = piece[lead.end() :].strip()
            if piece:
                pieces.append(piece)
    sentences: list[CitedSentence] = []
    for piece in pieces:
        numbers: list[int] = []
        for match in _MARKER_RE.finditer(piece):
            for part in match.group(1).split(","):
                if int(part) not in numbers:
                    numbers.append(int(part))
        claim = " ".join(_ATTRIBUTION_RE.sub("", _MARKER_RE.sub(" ", piece)).split())
        sentences.append(CitedSentence(claim, tuple(numbers)))
    return sentences


def token_support(sentence: str, quote: str, threshold: float = SUPPORT_THRESHOLD) -> bool:
    """True when at least ``threshold`` of the sentence's content words occur in ``quote``.

    Content words are ``retrieval.text.tokenize`` tokens (stemmed, stopwords removed),
    compared as sets. A sentence without content words is not supported.
    """
    from retrieval.text import tokenize

    words = set(tokenize(sentence))
    if not words:
        return False
    return len(words & set(tokenize(quote))) / len(words) >= threshold


def default_supports(sentence: str, quote: str) -> bool:
    """The default support judge: :func:`token_support` at :data:`SUPPORT_THRESHOLD`."""
    return token_support(sentence, quote)


@dataclass
class QuestionResult:
    """One question's answer, its ranked passages and its per-question metrics.

    Metrics that do not apply are ``None``: retrieval and correctness metrics for
    unanswerable questions, citation precision when the answer abstained or made no
    citing sentence.
    """

    question: GoldQuestion
    answer: Answer
    retrieved: list[Passage]
    k: int
    hit: bool | None
    all_gold_hit: bool | None
    rr: float | None
    correct: bool | None
    abstained: bool
    citation_precision: float | None
    citation_recall: float | None
    n_citation_pairs: int
    n_precise: int
    # Latest-state and "as of" questions: right, and the first article cited is the
    # newest one cited (issue 11: "the newest relevant document cited first").
    newest_first: bool | None = None

    @property
    def total_ms(self) -> float | None:
        """``answer.timings_ms["total"]`` when the engine recorded it."""
        return self.answer.timings_ms.get("total")


def score_question(
    q: GoldQuestion,
    answer: Answer,
    retrieved: Sequence[Passage],
    k: int,
    supports: Supports,
) -> QuestionResult:
    """Score ``answer`` (and the ``retrieved`` ranking behind it) against ``q``.

    See :mod:`retrieval.evaluation` for the metric definitions.
    """
    ranked = list(retrieved)
    hit: bool | None = None
    all_gold_hit: bool | None = None
    rr: float | None = None
    correct: bool | None = None
    recall: float | None = None
    if q.answerable:
        first = next(
            (i for i, p in enumerate(ranked, 1) if hits_any(p.article_id, p.start, p.end, q.gold)),
            None,
        )
        hit = first is not None and first <= k
        rr = 1.0 / first if first is not None else 0.0
        top = ranked[:k]
        all_gold_hit = all(
            any(hits_span(p.article_id, p.start, p.end, span) for p in top) for span in q.gold
        )
        correct = not answer.abstained and facts_present(answer.answer, q.key_facts)
        recall = 0.0 if answer.abstained else _citation_recall(answer.citations, q.gold)
    newest_first: bool | None = None
    if q.answerable and q.type in (LATEST, AS_OF):
        newest_first = bool(correct) and leads_with_newest(answer.citations)
    pairs, precise = (0, 0) if answer.abstained else _citation_pairs(answer, q.gold, supports)
    return QuestionResult(
        question=q,
        answer=answer,
        retrieved=ranked,
        k=k,
        hit=hit,
        all_gold_hit=all_gold_hit,
        rr=rr,
        correct=correct,
        abstained=answer.abstained,
        citation_precision=precise / pairs if pairs else None,
        citation_recall=recall,
        n_citation_pairs=pairs,
        n_precise=precise,
        newest_first=newest_first,
    )


def leads_with_newest(citations: Sequence[Citation]) -> bool:
    """Whether the first citation's article is dated and no cited article is newer."""
    dates = [c.date for c in citations]
    if not dates or dates[0] is None:
        return False
    return all(d is None or d <= dates[0] for d in dates)


def _citation_recall(citations: Sequence[Citation], gold: Sequence[GoldSpan]) -> float:
    covered = sum(
        1 for span in gold if any(hits_span(c.article_id, c.start, c.end, span) for c in citations)
    )
    return covered / len(gold)


def _citation_pairs(
    answer: Answer, gold: Sequence[GoldSpan], supports: Supports
) -> tuple[int, int]:
    """``(pairs, precise)`` over every (sentence, cited number) pair of the answer."""
    by_number = {c.n: c for c in answer.citations}
    pairs = precise = 0
    for sentence in cited_sentences(answer.answer):
        for n in sentence.numbers:
            pairs += 1
            citation = by_number.get(n)
            if citation is None:
                continue  # a marker that resolves to nothing is never precise
            if hits_any(citation.article_id, citation.start, citation.end, gold) or supports(
                sentence.claim, citation.quote
            ):
                precise += 1
    return pairs, precise
