"""When to decline: a calibrated decision on how well the retrieved sentences answer.

The evidence is a short vector — the reader's best probability and its margin over the
runner-up, the best question↔sentence cosine, the best share of the question's words a
sentence covers, the best passage's dense score, whether a "who/when/how many"
question's best sentences hold no answer of that kind, and how many of the question's
names no passage mentions — and a logistic model fitted on the gold sets turns it into
the probability that the articles answer the question. Below the fitted threshold,
chipbot declines.
Both are fitted by ``python -m retrieval.answer.fit_reader`` (``calibration.json``), as
is a floor on the best cosine below which no gold question was answered right;
with the missing-name veto on, a question naming something no passage mentions is
declined whatever the rest says.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.answer.answer_types import AnswerType, question_type
from retrieval.answer.logistic import LogisticModel
from retrieval.answer.reader import FEATURES as READER_FEATURES
from retrieval.models import Passage

CALIBRATION_FILE = "calibration.json"
DECLINE_FEATURES: tuple[str, ...] = (
    "confidence",
    "margin",
    "max_cos",
    "max_coverage",
    "top_dense",
    "typed_without_fit",
    "missing_names",
)
_FIT_COLUMNS = [i for i, name in enumerate(READER_FEATURES) if name.startswith("fit_")]
_COS = READER_FEATURES.index("cos")
_COVERAGE = READER_FEATURES.index("coverage")


def evidence_vector(
    question: str,
    passages: Sequence[Passage],
    probabilities: npt.NDArray[np.float64],
    rows: npt.NDArray[np.float64],
    missing: int,
    top: int = 3,
) -> tuple[float, ...]:
    """The decline evidence (columns as :data:`DECLINE_FEATURES`)."""
    top_dense = max((p.dense_score or 0.0 for p in passages), default=0.0)
    if not len(probabilities):
        return (0.0, 0.0, 0.0, 0.0, top_dense, 0.0, float(missing))
    order = np.argsort(-probabilities, kind="stable")
    best = float(probabilities[order[0]])
    runner_up = float(probabilities[order[1]]) if len(order) > 1 else 0.0
    typed = question_type(question) is not AnswerType.OTHER
    fits = rows[order[:top]][:, _FIT_COLUMNS].max() if _FIT_COLUMNS else 0.0
    return (
        best,
        best - runner_up,
        float(rows[:, _COS].max()),
        float(rows[:, _COVERAGE].max()),
        top_dense,
        float(typed and fits == 0.0),
        float(missing),
    )


@dataclass(frozen=True)
class DeclineRule:
    """Decline when ``P(the articles answer the question)`` is below ``threshold``.

    Without a model, that probability is the reader's best probability itself.
    """

    threshold: float = 0.3
    entity_veto: bool = True
    model: LogisticModel | None = None
    # Below this best question↔sentence cosine no gold question was answered right: the
    # passages are off topic, whatever the model makes of the rest.
    min_cos: float = 0.0

    def probability(self, evidence: Sequence[float]) -> float:
        """How likely the articles answer the question, on this evidence."""
        if self.model is None:
            return float(evidence[0])
        return float(self.model.probabilities(np.asarray([evidence], dtype=np.float64))[0])

    def vetoes(self, evidence: Sequence[float]) -> bool:
        """Whether to decline on this evidence whatever the threshold: a name no passage
        mentions (with the veto on), or passages off topic."""
        if self.entity_veto and evidence[DECLINE_FEATURES.index("missing_names")] > 0:
            return True
        return evidence[DECLINE_FEATURES.index("max_cos")] < self.min_cos

    def declines(self, evidence: Sequence[float]) -> bool:
        """Whether to decline on this evidence."""
        return self.vetoes(evidence) or self.probability(evidence) < self.threshold

    @classmethod
    def never(cls) -> DeclineRule:
        """A rule that always answers (for measuring what answering would give)."""
        return cls(threshold=float("-inf"), entity_veto=False)


@lru_cache(maxsize=1)
def _calibration() -> dict[str, Any]:
    try:
        raw = resources.files("retrieval.answer").joinpath(CALIBRATION_FILE).read_text("utf-8")
    except FileNotFoundError:
        return {}
    data: dict[str, Any] = json.loads(raw)
    return data


def calibrated_rule() -> DeclineRule:
    """The decline rule fitted on the gold sets."""
    data = _calibration()
    if not data:
        return DeclineRule()
    model = LogisticModel.from_dict(
        data["model"], DECLINE_FEATURES, "`python -m retrieval.answer.fit_reader`"
    )
    return DeclineRule(
        threshold=float(data["threshold"]),
        entity_veto=bool(data.get("entity_veto", False)),
        model=model,
        min_cos=float(data.get("min_cos", 0.0)),
    )


def timeline_floor() -> float:
    """The cosine a timeline's statement must reach to count as on its topic."""
    return float(_calibration().get("timeline_min_cos", 0.0))


def calibrated_floor() -> float:
    """How likely a further sentence must be, relative to the best, to join the answer."""
    return float(_calibration().get("relative_floor", 0.5))
