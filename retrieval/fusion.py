"""Pure ranking functions: rank fusion and maximal-marginal-relevance diversification."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

#: The customary RRF constant (Cormack et al., 2009); it damps the head of each list.
RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[K]],
    *,
    weights: Sequence[float] | None = None,
    k: int = RRF_K,
) -> list[tuple[K, float]]:
    """Fuse ranked lists: ``score(d) = sum_i w_i / (k + rank_i(d))`` (ranks from 1).

    Ties are broken by first appearance, so the result is deterministic.
    """
    weights = weights or [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[K, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    order = {key: i for i, key in enumerate(scores)}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))


def minmax(scores: Mapping[K, float]) -> dict[K, float]:
    """Scale scores to [0, 1]; a constant list maps to 1.0."""
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi - lo < 1e-12:
        return dict.fromkeys(scores, 1.0)
    return {key: (value - lo) / (hi - lo) for key, value in scores.items()}


def convex_fusion(
    dense: Mapping[K, float],
    lexical: Mapping[K, float],
    *,
    alpha: float = 0.5,
) -> list[tuple[K, float]]:
    """``alpha * dense + (1 - alpha) * lexical`` on min-max normalised scores.

    A document missing from one list scores 0 there. Sorted best first, ties by key order.
    """
    nd, nl = minmax(dense), minmax(lexical)
    keys = list(dict.fromkeys([*dense, *lexical]))
    fused = {key: alpha * nd.get(key, 0.0) + (1 - alpha) * nl.get(key, 0.0) for key in keys}
    order = {key: i for i, key in enumerate(keys)}
    return sorted(fused.items(), key=lambda item: (-item[1], order[item[0]]))


def mmr(
    candidates: Sequence[K],
    relevance: Mapping[K, float],
    similarity: Callable[[K, K], float],
    *,
    k: int,
    lambda_: float = 0.7,
) -> list[K]:
    """Maximal marginal relevance (Carbonell & Goldstein, 1998).

    Greedily picks ``argmax lambda * rel(d) - (1 - lambda) * max_{s in picked} sim(d, s)``
    so that near-duplicates and one crowding article give way to other evidence.
    ``relevance`` should be on a [0, 1] scale comparable to ``similarity``.
    """
    remaining = list(candidates)
    picked: list[K] = []
    while remaining and len(picked) < k:
        best_key: K | None = None
        best_value = float("-inf")
        for key in remaining:
            redundancy = max((similarity(key, other) for other in picked), default=0.0)
            value = lambda_ * relevance.get(key, 0.0) - (1 - lambda_) * redundancy
            if value > best_value:
                best_key, best_value = key, value
        assert best_key is not None
        picked.append(best_key)
        remaining.remove(best_key)
    return picked
