"""The offline extractive generator on hand-built passages taken from the seeds."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from retrieval.answer.extractive import (
    AbstentionRule,
    ExtractiveConfig,
    ExtractiveGenerator,
    calibrated_rule,
    missing_entities,
)
from retrieval.models import Passage

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
JAN13 = SEEDS / "000_35dad6a91730d5a0.txt"
JAN19 = SEEDS / "004_14cfe8a582b153d6.txt"


def passage(path: Path, needle: str, *, dense: float = 0.6, score: float = 0.03) -> Passage:
    """The paragraph of ``path`` containing ``needle``, as a retrieved passage."""
    text = open(path, encoding="utf-8").read()  # noqa: SIM115
    at = text.index(needle)
    start = text.rfind("\n\n", 0, at)
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", at)
    end = len(text) if end < 0 else end
    date = dt.date(2023, 1, 13) if path == JAN13 else dt.date(2023, 1, 19)
    return Passage(
        article_id=path.stem, chunk_no=0, start=start, end=end, text=text[start:end],
        title=path.stem, date=date, path=str(path), score=score, dense_score=dense,
    )  # fmt: skip


ANSWERING = ExtractiveGenerator(ExtractiveConfig(rule=AbstentionRule(0.5, 0.0)))


def test_the_answer_quotes_the_sentence_that_answers() -> None:
    passages = [passage(JAN13, "Tokyo Electron"), passage(JAN13, "Seeking a deal")]
    answer = ANSWERING.generate("Which company relies on China for a quarter of revenue?", passages)
    assert not answer.abstained
    assert "Tokyo Electron" in answer.answer


def test_every_citation_is_the_exact_text_of_its_span() -> None:
    passages = [passage(JAN13, "Tokyo Electron"), passage(JAN19, "Koji Tomita")]
    answer = ANSWERING.generate("What did Koji Tomita say about Tokyo Electron?", passages)
    for c in answer.citations:
        assert open(c.path, encoding="utf-8").read()[c.start : c.end] == c.quote  # noqa: SIM115


def test_every_sentence_of_the_answer_carries_a_marker_that_resolves() -> None:
    passages = [passage(JAN19, "Koji Tomita"), passage(JAN19, "Rutte stated")]
    answer = ANSWERING.generate("What did Tomita and Rutte say about progress?", passages)
    body = re.sub(r"According to an? [^:]*: ", "", answer.answer)
    sentences = [s for s in re.split(r"(?<=\])\s+", body) if s.strip()]
    assert all(re.search(r"\[\d+\]$", s.strip()) for s in sentences)
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)} == {
        c.n for c in answer.citations
    }


def test_sentences_from_two_articles_are_ordered_by_date_and_dated() -> None:
    passages = [passage(JAN19, "Rutte stated"), passage(JAN13, "Mark Rutte will travel")]
    answer = ANSWERING.generate("What did Mark Rutte say and plan?", passages)
    dates = [c.date for c in answer.citations]
    assert dates == sorted(d for d in dates if d)
    assert answer.answer.index("13 Jan 2023") < answer.answer.index("19 Jan 2023")


def test_no_sentence_is_cited_twice_when_passages_overlap() -> None:
    one = passage(JAN13, "Tokyo Electron")
    answer = ANSWERING.generate("Tokyo Electron revenue China", [one, one, one])
    spans = [(c.start, c.end) for c in answer.citations]
    assert len(spans) == len(set(spans))


def test_the_answer_stays_short() -> None:
    passages = [passage(JAN13, n) for n in ("Tokyo Electron", "Seeking a deal", "Rutte")]
    answer = ANSWERING.generate("Japan Netherlands chip tools export controls", passages)
    assert 1 <= len(answer.citations) <= 3


def test_the_same_input_gives_the_same_answer() -> None:
    passages = [passage(JAN13, "Tokyo Electron"), passage(JAN19, "Koji Tomita")]
    first = ANSWERING.generate("What is Tokyo Electron?", passages)
    assert ANSWERING.generate("What is Tokyo Electron?", passages).answer == first.answer


def test_weak_evidence_abstains_with_the_nearest_passages() -> None:
    strict = ExtractiveGenerator(ExtractiveConfig(rule=AbstentionRule(0.5, 0.99)))
    passages = [passage(JAN13, "Tokyo Electron", dense=0.2)]
    answer = strict.generate("What is the boiling point of water?", passages)
    assert answer.abstained
    assert answer.answer.startswith("The indexed articles don't say")
    assert answer.citations == []
    assert answer.passages == passages


def test_no_passages_abstains() -> None:
    answer = ANSWERING.generate("Anything?", [])
    assert answer.abstained
    assert "don't say anything" in answer.answer


def test_a_name_no_passage_mentions_is_reported_missing() -> None:
    passages = [passage(JAN13, "Tokyo Electron")]
    assert missing_entities("Has South Korea agreed to join?", passages) == ("South", "Korea")
    assert missing_entities("What about Tokyo Electron?", passages) == ()


def test_the_veto_abstains_and_names_what_is_missing() -> None:
    veto = ExtractiveGenerator(ExtractiveConfig(rule=AbstentionRule(0.5, 0.0, entity_veto=True)))
    answer = veto.generate("Has South Korea agreed?", [passage(JAN13, "Tokyo Electron")])
    assert answer.abstained
    assert "“South”, “Korea”" in answer.answer


def test_the_shipped_calibration_is_the_rule_in_force() -> None:
    stored = json.loads((SEEDS.parent / "retrieval/answer/calibration.json").read_text("utf-8"))
    rule = calibrated_rule()
    assert (rule.weight, rule.threshold, rule.entity_veto) == (
        stored["weight"],
        stored["threshold"],
        stored["entity_veto"],
    )


@pytest.mark.slow
def test_the_calibration_is_reproducible_from_the_gold_set() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(SEEDS.parent / "benchmarks/calibrate_abstention.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
