"""The reader: per-sentence signals, the fitted model, and its reproduction from data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval.answer.extractive import ExtractiveConfig, ExtractiveGenerator
from retrieval.answer.reader import (
    FEATURES,
    MODEL_FILE,
    Reader,
    Sentence,
    features,
    shipped_model,
)
from retrieval.errors import ConfigError
from retrieval.text import starts_with_reference
from tests.fitting import refit_matches

ROOT = Path(__file__).resolve().parent.parent
SELQA = ROOT.parent / "shared" / "benchmarks" / "selqa"


def column(rows: np.ndarray, name: str) -> list[float]:
    return rows[:, FEATURES.index(name)].tolist()


def test_there_is_one_row_per_sentence_and_one_column_per_feature() -> None:
    sentences = [Sentence("Japan hesitates."), Sentence("The Dutch consult allies.")]
    rows = features("Why does Japan hesitate?", sentences, [0.5, 0.2], [0.0, 0.5])
    assert rows.shape == (2, len(FEATURES))


def test_rare_question_words_weigh_more_in_coverage() -> None:
    sentences = [
        Sentence("Japan and Tokyo Electron talk."),
        Sentence("Japan talks."),
        Sentence("Japan waits."),
    ]
    rows = features("What did Japan and Tokyo Electron say?", sentences, [0.3] * 3, [0.0] * 3)
    coverage = column(rows, "coverage")
    assert coverage[0] > coverage[1] == coverage[2] > 0


def test_a_sentence_pointing_back_is_marked_only_when_it_has_a_predecessor() -> None:
    sentences = [
        Sentence("He said talks progressed."),
        Sentence("He said so.", previous="Rutte met Biden."),
    ]
    rows = features("What did Rutte say?", sentences, [0.4, 0.4], [0.0, 0.6])
    assert column(rows, "pronoun_start") == [0.0, 1.0]
    assert column(rows, "pronoun_prev_cos") == [0.0, pytest.approx(0.6)]


def test_the_answer_type_column_is_set_for_the_kind_asked() -> None:
    sentences = [Sentence("The talks happened on Friday."), Sentence("The talks happened.")]
    rows = features("When did the talks happen?", sentences, [0.5, 0.5], [0.0, 0.0])
    assert column(rows, "fit_date") == [1.0, 0.0]
    assert column(rows, "fit_number") == [0.0, 0.0]


def test_a_sentence_about_another_country_is_marked_as_a_conflict() -> None:
    sentences = [Sentence("Japan’s minister spoke."), Sentence("The Dutch official spoke.")]
    rows = features("What did the Dutch trade minister say?", sentences, [0.5, 0.5], [0.0, 0.0])
    assert column(rows, "country_conflict") == [1.0, 0.0]
    assert column(rows, "country_share") == [0.0, 1.0]


def test_a_sentence_opening_with_the_asked_country_is_marked() -> None:
    question = "How did China react to the Dutch measures?"
    sentences = [
        Sentence("The Chinese side firmly opposes the Dutch measures."),
        Sentence("The Dutch government published the measures on Friday."),
    ]
    rows = features(question, sentences, [0.5, 0.5], [0.0, 0.0])
    assert column(rows, "subject_same") == [1.0, 0.0]
    assert column(rows, "subject_other") == [0.0, 1.0]


def test_a_sentence_in_its_speakers_first_person_is_about_the_speakers_country() -> None:
    sentences = [Sentence("We disapprove of the Dutch side’s interference.", voice="china")]
    rows = features("How did China react to the Dutch plans?", sentences, [0.5], [0.0])
    assert column(rows, "subject_same") == [1.0]


def test_starts_with_reference_reads_pronouns_and_this() -> None:
    assert starts_with_reference("He said that talks were making progress.")
    assert starts_with_reference("“This is a threat,” she said.")
    assert not starts_with_reference("Herbert said so.")


def test_the_shipped_model_loads_with_the_current_features() -> None:
    assert shipped_model().features == FEATURES


def test_a_model_fitted_on_other_features_is_a_clear_error() -> None:
    from retrieval.answer.logistic import LogisticModel

    data = shipped_model().to_dict() | {"features": ["cos"]}
    with pytest.raises(ConfigError, match="fit_reader"):
        LogisticModel.from_dict(data, FEATURES, "`python -m retrieval.answer.fit_reader`")


def test_the_reader_scores_every_sentence_with_a_probability(embedder) -> None:  # type: ignore[no-untyped-def]
    reader = Reader(embedder)
    sentences = [
        Sentence("Tokyo Electron relies on China for about a quarter of its revenue."),
        Sentence("Rutte will travel to Washington on Jan 17."),
    ]
    scores = reader.score("How much of Tokyo Electron's revenue comes from China?", sentences)
    assert scores.shape == (2,)
    assert ((scores > 0) & (scores < 1)).all()
    assert scores[0] > scores[1]


def test_the_model_file_records_its_held_out_figures() -> None:
    stored = json.loads((ROOT / "retrieval" / "answer" / MODEL_FILE).read_text("utf-8"))
    assert stored["selqa_cv_map"] > stored["selqa_plain_cosine_map"]
    assert set(stored["gold_held_out_top1"]) <= {"seeds", "export-controls"}


@pytest.mark.slow
@pytest.mark.skipif(not SELQA.is_dir(), reason=f"SelQA not found at {SELQA}")
def test_the_fitting_script_reproduces_the_shipped_reader_and_decline_rule() -> None:
    reproduced, output = refit_matches("retrieval.answer.fit_reader")
    assert reproduced, output


def _refitting(*_: object) -> None:
    raise ConfigError("a shipped model was fitted on other features")


def test_the_shipped_model_is_loaded_only_when_first_needed(
    embedder,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # While fit_reader refits on new features, the engine still builds its generator.
    monkeypatch.setattr("retrieval.answer.reader.shipped_model", _refitting)
    reader = Reader(embedder)
    with pytest.raises(ConfigError):
        _ = reader.model


def test_the_calibrated_rule_is_loaded_only_when_first_needed(
    embedder,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("retrieval.answer.extractive.calibrated_rule", _refitting)
    generator = ExtractiveGenerator(embedder=embedder)
    assert generator.pool == ExtractiveConfig().max_passages
    with pytest.raises(ConfigError):
        _ = generator.rule
