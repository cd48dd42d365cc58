"""Running a gold set through an answering function and aggregating the results."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from retrieval.errors import ConfigError, UnknownNameError
from retrieval.evaluation.gold import QUESTION_TYPES, GoldQuestion
from retrieval.evaluation.scoring import QuestionResult, Supports, default_supports, score_question
from retrieval.models import Answer, Passage

logger = logging.getLogger(__name__)

#: The metrics a minimum can be set for (``chipbot eval --min-<name>``).
METRIC_NAMES: tuple[str, ...] = (
    "hit_at_k",
    "mrr",
    "correctness",
    "citation_precision",
    "citation_recall",
    "abstention_precision",
    "abstention_recall",
)

# Columns of the plain-text table: (heading, key in the aggregate dict).
_COLUMNS: tuple[tuple[str, str], ...] = (
    ("n", "n"),
    ("hit@k", "hit_at_k"),
    ("all@k", "all_gold_hit_at_k"),
    ("MRR", "mrr"),
    ("correct", "correctness"),
    ("cit.P", "citation_precision"),
    ("cit.R", "citation_recall"),
    ("abst.P", "abstention_precision"),
    ("abst.R", "abstention_recall"),
    ("newest", "newest_first"),
)
_DIGITS = 6


@dataclass
class EvalReport:
    """Per-question results with overall and per-type aggregates."""

    results: list[QuestionResult]
    k: int = 5

    def overall(self) -> dict[str, float]:
        """Aggregates over every question (metrics that cannot be measured are left out)."""
        return aggregate(self.results, self.k)

    def by_type(self) -> dict[str, dict[str, float]]:
        """Aggregates per question type, in :data:`QUESTION_TYPES` order."""
        types = [t for t in QUESTION_TYPES if any(r.question.type == t for r in self.results)]
        return {
            t: aggregate([r for r in self.results if r.question.type == t], self.k) for t in types
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"overall", "by_type", "questions"}`` (floats rounded)."""
        return {
            "overall": _rounded(self.overall()),
            "by_type": {t: _rounded(m) for t, m in self.by_type().items()},
            "questions": [
                {
                    "id": r.question.id,
                    "type": r.question.type,
                    "hit": r.hit,
                    "all_gold_hit": r.all_gold_hit,
                    "rr": None if r.rr is None else round(r.rr, _DIGITS),
                    "correct": r.correct,
                    "abstained": r.abstained,
                    "citation_precision": _round_opt(r.citation_precision),
                    "citation_recall": _round_opt(r.citation_recall),
                    "newest_first": r.newest_first,
                }
                for r in self.results
            ],
        }

    def check(self, minimums: Mapping[str, float]) -> list[str]:
        """One message per overall metric below its minimum (or not measurable at all).

        An unknown metric name raises :class:`~retrieval.errors.UnknownNameError`.
        """
        overall = self.overall()
        failures: list[str] = []
        for name, minimum in minimums.items():
            if name not in METRIC_NAMES:
                raise UnknownNameError("metric", name, list(METRIC_NAMES))
            value = overall.get(name)
            if value is None:
                failures.append(f"{name} was not measured (minimum {minimum:.3f})")
            elif value < minimum - 1e-9:
                failures.append(f"{name} {value:.3f} is below the minimum {minimum:.3f}")
        return failures


def aggregate(results: Sequence[QuestionResult], k: int) -> dict[str, float]:
    """The metrics of :mod:`retrieval.evaluation` over ``results``.

    Keys whose metric has nothing to average over (e.g. ``hit_at_k`` without answerable
    questions) are omitted rather than reported as 0.
    """
    answerable = [r for r in results if r.question.answerable]
    out: dict[str, float] = {
        "n": len(results),
        "n_answerable": len(answerable),
        "n_unanswerable": len(results) - len(answerable),
        "k": k,
    }
    if answerable:
        out["hit_at_k"] = _mean([float(bool(r.hit)) for r in answerable])
        out["all_gold_hit_at_k"] = _mean([float(bool(r.all_gold_hit)) for r in answerable])
        out["mrr"] = _mean([r.rr or 0.0 for r in answerable])
        out["correctness"] = _mean([float(bool(r.correct)) for r in answerable])
        out["citation_recall"] = _mean([r.citation_recall or 0.0 for r in answerable])
    temporal = [r.newest_first for r in answerable if r.newest_first is not None]
    if temporal:
        out["newest_first"] = _mean([float(v) for v in temporal])
    pairs = sum(r.n_citation_pairs for r in results)
    if pairs:
        out["citation_precision"] = sum(r.n_precise for r in results) / pairs
    if results:
        out.update(_abstention(results))
    times = [t for t in (r.total_ms for r in results) if t is not None]
    if times:
        out["mean_total_ms"] = _mean(times)
    out["removed_citations"] = sum(r.answer.removed_citations for r in results)
    out["unsupported"] = sum(len(r.answer.unsupported) for r in results)
    return out


def _abstention(results: Sequence[QuestionResult]) -> dict[str, float]:
    """Precision/recall of abstaining, with "unanswerable" as the positive class.

    Nothing predicted: precision is 1.0 if there was nothing to find, else 0.0.
    Nothing to find: recall is 1.0 (nothing was missed).
    """
    tp = sum(1 for r in results if r.abstained and not r.question.answerable)
    fp = sum(1 for r in results if r.abstained and r.question.answerable)
    fn = sum(1 for r in results if not r.abstained and not r.question.answerable)
    nothing_predicted = 1.0 if fn == 0 else 0.0
    precision = tp / (tp + fp) if tp + fp else nothing_predicted
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"abstention_precision": precision, "abstention_recall": recall}


def run_evaluation(
    questions: Sequence[GoldQuestion],
    ask: Callable[[GoldQuestion], tuple[Answer, list[Passage]]],
    k: int = 5,
    supports: Supports | None = None,
) -> EvalReport:
    """Ask every question through ``ask`` (returning the answer and the ranked passages
    it was generated from) and score it; ``supports`` defaults to token containment.
    """
    if k < 1:
        raise ConfigError(f"k must be at least 1, not {k}")
    judge = supports or default_supports
    results: list[QuestionResult] = []
    for i, question in enumerate(questions, start=1):
        answer, passages = ask(question)
        results.append(score_question(question, answer, passages, k, judge))
        logger.info("evaluated %d/%d: %s", i, len(questions), question.id)
    return EvalReport(results, k)


def format_report(report: EvalReport) -> str:
    """A plain-text table: one row overall, one per question type, then totals."""
    rows = [("overall", report.overall()), *report.by_type().items()]
    name_width = max(len(name) for name, _ in rows)
    header = "type".ljust(name_width) + "".join(f"{h:>8}" for h, _ in _COLUMNS)
    lines = [header, "-" * len(header)]
    for name, metrics in rows:
        cells = "".join(f"{_cell(key, metrics.get(key)):>8}" for _, key in _COLUMNS)
        lines.append(name.ljust(name_width) + cells)
    overall = rows[0][1]
    footer = [f"k={report.k}"]
    if "mean_total_ms" in overall:
        footer.append(f"mean total time {overall['mean_total_ms']:.0f} ms")
    footer.append(f"removed citations {int(overall['removed_citations'])}")
    footer.append(f"unsupported sentences {int(overall['unsupported'])}")
    lines.append("")
    lines.append("; ".join(footer))
    return "\n".join(lines)


def _cell(key: str, value: float | None) -> str:
    if value is None:
        return "-"
    if key == "n":
        return str(int(value))
    return f"{value:.3f}"


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _round_opt(value: float | None) -> float | None:
    return None if value is None else round(value, _DIGITS)


def _rounded(metrics: Mapping[str, float]) -> dict[str, float]:
    return {k: round(v, _DIGITS) if isinstance(v, float) else v for k, v in metrics.items()}
