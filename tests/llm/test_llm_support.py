"""The support check: is a sentence backed by the passage it cites?"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.answer.support import (
    CALIBRATION_FILE,
    SupportChecker,
    SupportRule,
    calibrated_rule,
    context_terms,
    numbers_supported,
    term_overlap,
)
from retrieval.text import tokenize

CALIBRATION = Path(__file__).resolve().parents[2] / "retrieval" / "answer" / CALIBRATION_FILE


def test_the_shipped_calibration_is_the_rule_in_use() -> None:
    data = json.loads(CALIBRATION.read_text("utf-8"))
    rule = calibrated_rule()
    assert (rule.weight, rule.threshold) == (data["rule"]["weight"], data["rule"]["threshold"])
    assert data["generated_by"] == "benchmarks/calibrate_support.py"


def test_the_calibration_records_how_well_it_separates() -> None:
    metrics = json.loads(CALIBRATION.read_text("utf-8"))["metrics"]
    assert metrics["balanced_accuracy_cv5"] > 0.8


def test_the_rule_combines_cosine_and_overlap_by_its_weight() -> None:
    rule = SupportRule(weight=0.25, threshold=0.5)
    assert rule.score(1.0, 0.0) == 0.25
    assert rule.supports(0.5, 0.5)
    assert not rule.supports(0.9, 0.9, numbers_ok=False)


def test_overlap_is_the_share_of_claim_terms_in_the_context() -> None:
    context = set(tokenize("Japan hesitated over the export controls"))
    assert term_overlap(tokenize("Japan hesitated over rules"), context) == pytest.approx(2 / 3)


def test_a_number_the_context_never_mentions_is_not_supported() -> None:
    context = set(tokenize("Japanese companies hold 27 per cent of the market"))
    assert numbers_supported(tokenize("they hold 27 per cent"), context)
    assert not numbers_supported(tokenize("they hold 72 per cent"), context)


def test_the_article_date_counts_as_context(pick) -> None:
    (passage,) = pick("Tokyo Electron")
    terms = context_terms(passage)
    assert set(tokenize("13 January 2023")) <= terms
    assert set(tokenize("13 Jan 2023")) <= terms


@pytest.mark.slow
class TestSupportChecker:
    """The calibrated check with the real embedding model."""

    def test_a_verbatim_claim_is_supported(self, pick, checker: SupportChecker) -> None:
        passages = pick("Tokyo Electron")
        claim = "Tokyo Electron relies on China for about a quarter of its revenue."
        assert checker.supported_many([(claim, passages)]) == [True]

    def test_a_close_paraphrase_is_supported(self, pick, checker: SupportChecker) -> None:
        passages = pick("Tokyo Electron")
        claim = "About a quarter of Tokyo Electron's revenue comes from China."
        assert checker.supported_many([(claim, passages)]) == [True]

    def test_a_claim_about_another_passage_is_not_supported(self, pick, checker) -> None:
        passages = pick("Rutte")
        claim = "Tokyo Electron relies on China for about a quarter of its revenue."
        assert checker.supported_many([(claim, passages)]) == [False]

    def test_a_wrong_figure_is_not_supported(self, pick, checker: SupportChecker) -> None:
        passages = pick("27 per cent")
        claim = "Japanese companies hold 72 per cent of global market share."
        (score,) = checker.score_many([(claim, passages)])
        assert not score.numbers_ok
        assert not score.supported

    def test_a_dated_claim_can_use_the_article_date(self, pick, checker) -> None:
        passages = pick("Tokyo Electron")
        claim = "As of 13 Jan 2023, Tokyo Electron relied on China for a quarter of its revenue."
        assert checker.supported_many([(claim, passages)]) == [True]

    def test_any_cited_passage_may_support_the_claim(self, pick, checker) -> None:
        passages = pick("Rutte", "Tokyo Electron")
        claim = "Tokyo Electron relies on China for about a quarter of its revenue."
        assert checker.supported_many([(claim, passages)]) == [True]
