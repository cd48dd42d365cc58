"""Answer sentence selection data (WikiQA, SelQA) and its metrics (MAP, MRR, triggering).

Shared by ``benchmarks/wikiqa.py`` and ``benchmarks/selqa.py``. A question comes with
its candidate sentences, in document order, each labelled 1 (answers) or 0.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

Scores = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SelectionQuestion:
    """One question, its candidate sentences (document order) and their labels."""

    id: str
    question: str
    candidates: tuple[str, ...]
    labels: tuple[int, ...]
    title: str = ""

    @property
    def answerable(self) -> bool:
        """Whether some candidate answers the question."""
        return any(self.labels)


def load_wikiqa(data: Path, split: str) -> tuple[list[SelectionQuestion], set[str]]:
    """``WikiQA-<split>.tsv`` as questions, and the ids ``-filtered.ref`` keeps.

    The TSV is read with quoting off (as the corpus's README says); the filtered
    reference lists questions with at least one right and one wrong candidate, the ones
    MAP and MRR are computed on. Its question numbers count the questions from 1, in
    order of first appearance in the TSV.
    """
    tsv = data / f"WikiQA-{split}.tsv"
    ref = data / f"WikiQA-{split}-filtered.ref"
    if not tsv.is_file() or not ref.is_file():
        raise SystemExit(f"{data} has no WikiQA-{split}.tsv and WikiQA-{split}-filtered.ref")
    rows: dict[str, tuple[str, str, list[str], list[int]]] = {}
    with tsv.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for qid, question, _doc, title, _sid, sentence, label in reader:
            entry = rows.setdefault(qid, (question, title, [], []))
            entry[2].append(sentence)
            entry[3].append(int(label))
    questions = [
        SelectionQuestion(qid, q, tuple(cands), tuple(labels), title)
        for qid, (q, title, cands, labels) in rows.items()
    ]
    kept_numbers = {int(line.split()[0]) for line in ref.read_text().splitlines() if line.strip()}
    kept = {q.id for n, q in enumerate(questions, start=1) if n in kept_numbers}
    return questions, kept


def load_selqa(path: Path) -> list[SelectionQuestion]:
    """A SelQA answer-sentence-selection file (``selqa-ass-*.json``)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for n, item in enumerate(raw):
        answers = set(item["answers"])
        labels = tuple(int(i in answers) for i in range(len(item["candidates"])))
        out.append(
            SelectionQuestion(
                f"{path.stem}:{n}",
                item["question"],
                tuple(item["candidates"]),
                labels,
                item.get("article", ""),
            )
        )
    return out


def average_precision(scores: Sequence[float], labels: Sequence[int]) -> float:
    """AP of the ranking by ``scores`` (ties keep document order)."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    hits = 0
    total = 0.0
    for rank, i in enumerate(order, start=1):
        if labels[i]:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def reciprocal_rank(scores: Sequence[float], labels: Sequence[int]) -> float:
    """1/rank of the first right candidate (0 when none is right)."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    for rank, i in enumerate(order, start=1):
        if labels[i]:
            return 1.0 / rank
    return 0.0


@dataclass(frozen=True)
class Triggering:
    """Answer triggering at one threshold: answer when the top score clears it."""

    precision: float
    recall: float
    f1: float
    threshold: float


def triggering(tops: Sequence[tuple[float, bool, bool]], threshold: float) -> Triggering:
    """Precision/recall/F1 from ``(top score, top is right, question answerable)``."""
    answered = [right for score, right, _ in tops if score >= threshold]
    right = sum(answered)
    answerable = sum(has for _, _, has in tops)
    precision = right / len(answered) if answered else 0.0
    recall = right / answerable if answerable else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Triggering(precision, recall, f1, threshold)


def best_triggering(tops: Sequence[tuple[float, bool, bool]]) -> Triggering:
    """The threshold with the best F1 (the middle of the best run of thresholds)."""
    candidates = sorted({score for score, _, _ in tops})
    if not candidates:
        return Triggering(0.0, 0.0, 0.0, 1.0)
    results = [triggering(tops, t) for t in candidates]
    best = max(r.f1 for r in results)
    run = [i for i, r in enumerate(results) if r.f1 == best]
    i = run[len(run) // 2]
    # Halfway to the next lower score: the decision does not sit on a data point.
    lower = candidates[i - 1] if i > 0 else candidates[i]
    return triggering(tops, (candidates[i] + lower) / 2) if i > 0 else results[i]


@dataclass(frozen=True)
class SelectionReport:
    """MAP/MRR over the ranked questions, triggering over all of them."""

    n_questions: int
    n_ranked: int
    map: float
    mrr: float
    tops: tuple[tuple[float, bool, bool], ...]


def evaluate(
    questions: Sequence[SelectionQuestion],
    ranked_ids: set[str] | None,
    score: Callable[[SelectionQuestion], Sequence[float]],
    trigger: Callable[[SelectionQuestion, Sequence[float]], float] | None = None,
) -> SelectionReport:
    """Score every question; MAP/MRR over ``ranked_ids`` (all with a right and a wrong
    candidate when ``None``). Answer triggering uses the best candidate's score, or
    ``trigger(question, scores)`` when given (how sure the system is to answer at all)."""
    aps, rrs = [], []
    tops = []
    for q in questions:
        scores = list(score(q))
        best = int(np.argmax(scores))
        top = float(scores[best]) if trigger is None else trigger(q, scores)
        tops.append((top, bool(q.labels[best]), q.answerable))
        ranked = q.id in ranked_ids if ranked_ids is not None else 0 < sum(q.labels) < len(q.labels)
        if ranked:
            aps.append(average_precision(scores, q.labels))
            rrs.append(reciprocal_rank(scores, q.labels))
    return SelectionReport(
        n_questions=len(questions),
        n_ranked=len(aps),
        map=float(np.mean(aps)) if aps else 0.0,
        mrr=float(np.mean(rrs)) if rrs else 0.0,
        tops=tuple(tops),
    )
