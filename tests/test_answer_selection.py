"""Answer-sentence-selection benchmarks: WikiQA/SelQA loading, metrics, and the runners."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.answer_selection import (
    average_precision,
    best_triggering,
    load_selqa,
    load_wikiqa,
    reciprocal_rank,
    triggering,
)

ROOT = Path(__file__).resolve().parent.parent
HEADER = "QuestionID\tQuestion\tDocumentID\tDocumentTitle\tSentenceID\tSentence\tLabel\n"
Q1 = "Which company relies on China for a quarter of its revenue?"
Q2 = "Who is Japan's ambassador to the US?"
Q3 = "When will Rutte meet Biden?"
ROWS = [
    ("Q1", Q1, "Tokyo Electron relies on China for about a quarter of its revenue.", 1),
    ("Q1", Q1, "Rutte will travel to Washington on Jan 17.", 0),
    ("Q2", Q2, "The talks were productive.", 0),
    ("Q2", Q2, 'The weather was "cold" that day.', 0),
    ("Q3", Q3, "Rutte will meet Biden on Jan 17.", 1),
    ("Q3", Q3, "Rutte will meet Biden.", 1),
]


def write_wikiqa(folder: Path, split: str) -> None:
    """A tiny WikiQA-format split: Q1 ranked, Q2 unanswerable, Q3 all right (not ranked)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [HEADER] + [
        f"{qid}\t{q}\tD{qid}\tTitle\tD{qid}-{n}\t{s}\t{label}\n"
        for n, (qid, q, s, label) in enumerate(ROWS)
    ]
    (folder / f"WikiQA-{split}.tsv").write_text("".join(lines), encoding="utf-8")
    (folder / f"WikiQA-{split}-filtered.ref").write_text("1 0 0 1\n1 0 1 0\n", encoding="utf-8")


def test_the_filtered_reference_numbers_questions_from_one(tmp_path: Path) -> None:
    write_wikiqa(tmp_path, "dev")
    questions, ranked = load_wikiqa(tmp_path, "dev")
    assert [q.id for q in questions] == ["Q1", "Q2", "Q3"]
    assert ranked == {"Q1"}


def test_quotes_in_sentences_are_read_verbatim(tmp_path: Path) -> None:
    write_wikiqa(tmp_path, "dev")
    questions, _ = load_wikiqa(tmp_path, "dev")
    assert questions[1].candidates[1] == 'The weather was "cold" that day.'


def test_selqa_labels_are_the_answer_indices(tmp_path: Path) -> None:
    path = tmp_path / "selqa-ass-dev.json"
    path.write_text(json.dumps([{"question": "q?", "candidates": ["a", "b", "c"], "answers": [2]}]))
    assert load_selqa(path)[0].labels == (0, 0, 1)


def test_average_precision_and_reciprocal_rank() -> None:
    assert average_precision([0.9, 0.8, 0.1], [0, 1, 1]) == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert reciprocal_rank([0.9, 0.8, 0.1], [0, 1, 1]) == 0.5


def test_triggering_counts_only_answered_questions_whose_top_is_right() -> None:
    tops = [(0.9, True, True), (0.8, False, True), (0.2, False, False), (0.1, True, True)]
    t = triggering(tops, 0.5)
    assert (t.precision, t.recall) == (0.5, pytest.approx(1 / 3))


def test_the_best_threshold_lies_between_the_scores_it_separates() -> None:
    tops = [(0.9, True, True), (0.5, False, True), (0.3, False, False)]
    best = best_triggering(tops)
    assert best.f1 == pytest.approx(triggering(tops, 0.9).f1)
    assert best.threshold == pytest.approx(0.7)


@pytest.mark.slow
def test_the_wikiqa_runner_runs_unchanged_on_a_test_split(tmp_path: Path) -> None:
    data = tmp_path / "wikiqa"
    write_wikiqa(data, "dev")
    write_wikiqa(data, "test")
    thresholds = tmp_path / "thresholds.json"
    runner = [sys.executable, str(ROOT / "benchmarks" / "wikiqa.py"), "--data", str(data)]
    common = ["--json", "--no-readme", "--thresholds", str(thresholds)]
    dev = subprocess.run([*runner, "--split", "dev", *common], capture_output=True, text=True)
    assert dev.returncode == 0, dev.stderr
    test = subprocess.run([*runner, "--split", "test", *common], capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    last = json.loads(test.stdout.strip().splitlines()[-1])
    assert set(last) == {"split", "n_questions", "n_ranked", "map", "mrr", "triggering"}
    assert (last["split"], last["n_questions"], last["n_ranked"]) == ("test", 3, 1)
    assert set(last["triggering"]) == {"precision", "recall", "f1", "threshold"}
    stored = json.loads(thresholds.read_text())["reader"]
    assert last["triggering"]["threshold"] == pytest.approx(stored, abs=1e-4)
