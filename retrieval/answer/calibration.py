"""Fitting the extractive generator's abstention rule on a gold question set.

For every gold question we record the evidence the rule sees (the best passage's dense
similarity and the best sentence's coverage of the question's terms), whether it is
answerable, and whether the answer given *without* abstaining would be correct. A rule
is scored by the share of questions it ends well: answerable ones answered correctly,
unanswerable ones declined. The grid is small on purpose (two parameters) so that 58
questions can fit it without memorising them; :func:`leave_one_out` says how well the
fitted rule generalises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.answer.extractive import AbstentionRule

WEIGHTS = tuple(round(0.05 * i, 2) for i in range(21))
THRESHOLDS = tuple(round(0.01 * i, 2) for i in range(20, 81))


@dataclass(frozen=True)
class Observation:
    """What one gold question tells the calibration."""

    top_dense: float
    best_coverage: float
    answerable: bool
    correct_if_answered: bool
    missing_entities: int = 0


def outcome(rule: AbstentionRule, obs: Observation) -> bool:
    """Whether ``rule`` ends this question well."""
    abstains = rule.abstains(obs.top_dense, obs.best_coverage, obs.missing_entities)
    return abstains if not obs.answerable else (not abstains and obs.correct_if_answered)


def score(rule: AbstentionRule, observations: Sequence[Observation]) -> float:
    """The share of questions ``rule`` ends well."""
    return sum(outcome(rule, o) for o in observations) / len(observations)


def fit(observations: Sequence[Observation]) -> tuple[AbstentionRule, float]:
    """The best rule on the grid and its score.

    Among equally good rules the one with the largest margin wins (the threshold in
    the middle of the best run), so a small change in the data moves it least.
    """
    if not observations:
        raise ValueError("no observations to calibrate on")
    best: tuple[float, float, AbstentionRule] | None = None
    for veto, weight in [(v, w) for v in (False, True) for w in WEIGHTS]:
        scores = [score(AbstentionRule(weight, t, veto), observations) for t in THRESHOLDS]
        top = max(scores)
        run = [i for i, s in enumerate(scores) if s == top]
        # The middle of the longest run of top-scoring thresholds.
        runs: list[list[int]] = []
        for i in run:
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        longest = max(runs, key=len)
        middle = longest[len(longest) // 2]
        candidate = (top, float(len(longest)), AbstentionRule(weight, THRESHOLDS[middle], veto))
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    assert best is not None
    return best[2], best[0]


def leave_one_out(observations: Sequence[Observation]) -> float:
    """Held-out accuracy: fit on all questions but one, judge the one left out."""
    hits = 0
    for i, held in enumerate(observations):
        rule, _ = fit([o for j, o in enumerate(observations) if j != i])
        hits += outcome(rule, held)
    return hits / len(observations)
