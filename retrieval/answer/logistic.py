"""A fitted logistic model over named, standardised features, stored as JSON.

The reader and the decline rule are both such models: fitted by scikit-learn in their
fitting scripts, applied here with numpy alone (no scikit-learn import when answering).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.errors import ConfigError

FloatMatrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LogisticModel:
    """``P(y=1 | x) = sigmoid(((x - mean) / scale) · coef + intercept)``."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probabilities(self, x: FloatMatrix) -> FloatMatrix:
        """``P(y=1)`` for each row of ``x`` (columns as :attr:`features`)."""
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = z @ np.asarray(self.coef) + self.intercept
        result: FloatMatrix = 1.0 / (1.0 + np.exp(-logits))
        return result

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "features": list(self.features),
            "mean": [round(v, 8) for v in self.mean],
            "scale": [round(v, 8) for v in self.scale],
            "coef": [round(v, 8) for v in self.coef],
            "intercept": round(self.intercept, 8),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], expected: Sequence[str], refit: str) -> LogisticModel:
        """The stored model; :class:`ConfigError` naming ``refit`` if its features differ."""
        names = tuple(str(n) for n in data["features"])
        if names != tuple(expected):
            raise ConfigError(
                f"a shipped model was fitted on other features; refit it with {refit}"
            )
        return cls(
            features=names,
            mean=tuple(float(v) for v in data["mean"]),
            scale=tuple(float(v) for v in data["scale"]),
            coef=tuple(float(v) for v in data["coef"]),
            intercept=float(data["intercept"]),
        )


def fit_logistic(
    features: Sequence[str],
    x: FloatMatrix,
    y: npt.NDArray[Any],
    c: float,
    weights: npt.NDArray[np.float64] | None = None,
) -> LogisticModel:
    """An L2-regularised logistic regression (scikit-learn, lbfgs) on standardised ``x``."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000, solver="lbfgs")
    model.fit((x - mean) / scale, y, sample_weight=weights)
    return LogisticModel(
        features=tuple(features),
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        coef=tuple(float(v) for v in model.coef_[0]),
        intercept=float(model.intercept_[0]),
    )
