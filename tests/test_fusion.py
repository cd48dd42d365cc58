"""Rank fusion and MMR: pure functions, exact expectations."""

import pytest

from retrieval.fusion import convex_fusion, minmax, mmr, reciprocal_rank_fusion


def test_rrf_rewards_documents_ranked_high_by_both_lists() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]])
    assert [key for key, _ in fused] == ["b", "a", "c"]


def test_rrf_score_is_the_sum_of_reciprocal_ranks() -> None:
    fused = dict(reciprocal_rank_fusion([["a"], ["x", "a"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)


def test_rrf_weights_scale_each_list() -> None:
    fused = reciprocal_rank_fusion([["a"], ["b"]], weights=[2.0, 1.0])
    assert fused[0][0] == "a"


def test_rrf_needs_one_weight_per_list() -> None:
    with pytest.raises(ValueError, match="one weight per ranking"):
        reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0])


def test_rrf_breaks_ties_by_first_appearance() -> None:
    assert [k for k, _ in reciprocal_rank_fusion([["a"], ["b"]])] == ["a", "b"]


def test_minmax_maps_to_unit_interval_and_constants_to_one() -> None:
    assert minmax({"a": 2.0, "b": 4.0, "c": 3.0}) == {"a": 0.0, "b": 1.0, "c": 0.5}
    assert minmax({"a": 5.0, "b": 5.0}) == {"a": 1.0, "b": 1.0}
    assert minmax({}) == {}


def test_convex_fusion_weighs_normalised_scores() -> None:
    fused = dict(convex_fusion({"a": 0.9, "b": 0.1}, {"b": 10.0, "c": 5.0}, alpha=0.5))
    assert fused == {"a": 0.5, "b": 0.5, "c": 0.0}


def test_mmr_prefers_relevance_when_nothing_is_redundant() -> None:
    picked = mmr(["a", "b", "c"], {"a": 1.0, "b": 0.8, "c": 0.5}, lambda x, y: 0.0, k=2)
    assert picked == ["a", "b"]


def test_mmr_skips_a_near_duplicate_for_a_different_document() -> None:
    def similarity(x: str, y: str) -> float:
        return 1.0 if {x, y} == {"a", "a2"} else 0.0

    picked = mmr(["a", "a2", "b"], {"a": 1.0, "a2": 0.95, "b": 0.7}, similarity, k=2)
    assert picked == ["a", "b"]


def test_mmr_returns_at_most_k_and_no_more_than_it_has() -> None:
    assert mmr(["a"], {"a": 1.0}, lambda x, y: 0.0, k=3) == ["a"]
    assert mmr([], {}, lambda x, y: 0.0, k=3) == []
