"""The seed gold set (eval/seeds_gold.jsonl) is well-formed, honest and achievable."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from retrieval.evaluation import (
    GoldQuestion,
    facts_present,
    load_gold,
    normalise,
    run_evaluation,
)
from retrieval.models import Answer, Citation, Passage

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "seeds_gold.jsonl"
SEEDS = ROOT / "seeds"

MINIMUM_PER_TYPE = {
    "factual": 14,
    "paraphrased": 10,
    "multi-article": 6,
    "time-sensitive": 6,
    "unanswerable": 10,
}

# (question id, start of a non-gold sentence) pairs known to be equally valid answers.
ALTERNATIVE_ANSWERS = {
    ("p10", "“And I believe we are satisfied"),
    ("t02", "“And I believe we are satisfied"),
    ("t04", "Campbell stated at a think-tank event"),
}


def seed_texts() -> dict[str, str]:
    texts = {}
    for path in sorted(SEEDS.glob("*.txt")):
        with open(path, encoding="utf-8") as fh:
            texts[path.stem] = fh.read()
    return texts


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    with open(GOLD, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def questions() -> list[GoldQuestion]:
    return load_gold(GOLD, seed_texts())


def test_every_line_is_one_json_object(records: list[dict[str, Any]]) -> None:
    assert all(isinstance(r, dict) for r in records)


def test_gold_set_holds_at_least_48_questions(records: list[dict[str, Any]]) -> None:
    assert len(records) >= 48


@pytest.mark.parametrize(("qtype", "minimum"), sorted(MINIMUM_PER_TYPE.items()))
def test_each_question_type_meets_its_minimum_count(
    records: list[dict[str, Any]], qtype: str, minimum: int
) -> None:
    assert Counter(r["type"] for r in records)[qtype] >= minimum


def test_every_question_has_a_known_type(records: list[dict[str, Any]]) -> None:
    assert {r["type"] for r in records} <= set(MINIMUM_PER_TYPE)


def test_question_ids_are_unique(records: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))


def test_every_gold_quote_occurs_exactly_once_in_its_seed_file(
    records: list[dict[str, Any]],
) -> None:
    texts = seed_texts()
    bad = [
        (r["id"], g["quote"][:40])
        for r in records
        for g in r["gold"]
        if texts[g["article_id"]].count(g["quote"]) != 1
    ]
    assert bad == []


def test_answerable_questions_have_gold_spans_and_key_facts(
    records: list[dict[str, Any]],
) -> None:
    bad = [r["id"] for r in records if r["answerable"] and (not r["gold"] or not r["key_facts"])]
    assert bad == []


def test_unanswerable_questions_have_no_gold_and_no_facts(records: list[dict[str, Any]]) -> None:
    unanswerable = [r for r in records if not r["answerable"]]
    assert len(unanswerable) >= 8
    assert all(r["type"] == "unanswerable" and not r["gold"] for r in unanswerable)
    assert all(not r["key_facts"] for r in unanswerable)


def test_multi_article_questions_quote_both_seed_articles(records: list[dict[str, Any]]) -> None:
    multi = [r for r in records if r["type"] == "multi-article"]
    assert all(len({g["article_id"] for g in r["gold"]}) == 2 for r in multi)


def test_every_key_fact_is_stated_in_the_gold_quotes(questions: list[GoldQuestion]) -> None:
    missing = [
        (q.id, fact)
        for q in questions
        for fact in q.key_facts
        if not facts_present(" ".join(span.quote for span in q.gold), [fact])
    ]
    assert missing == []


def test_loading_resolves_each_quote_to_its_offsets(questions: list[GoldQuestion]) -> None:
    texts = seed_texts()
    for q in questions:
        for span in q.gold:
            assert texts[span.article_id][span.start : span.end] == span.quote


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a seed (simple: the seeds hold no abbreviations with periods)."""
    spans = []
    for m in re.finditer(r"[^\n]+", text):
        pos = m.start()
        for piece in re.split(r"(?<=[.!?])\s+|(?<=[.!?]”)\s+", m.group()):
            start = text.index(piece, pos)
            spans.append((start, start + len(piece)))
            pos = start + len(piece)
    return spans


def test_no_single_wrong_sentence_satisfies_a_questions_key_facts(
    questions: list[GoldQuestion],
) -> None:
    texts = seed_texts()
    leaks = []
    for q in questions:
        for article_id, text in texts.items():
            for start, end in _sentences(text):
                sentence = text[start:end]
                on_gold = any(
                    g.article_id == article_id and g.start < end and start < g.end for g in q.gold
                )
                known = any(q.id == i and sentence.startswith(s) for i, s in ALTERNATIVE_ANSWERS)
                relevant = q.answerable and not on_gold and not known
                if relevant and facts_present(sentence, q.key_facts):
                    leaks.append((q.id, normalise(sentence)[:50]))
    assert leaks == []


def _perfect_answer(q: GoldQuestion) -> tuple[Answer, list[Passage]]:
    """What an ideal extractive answerer would return: the gold quotes, each cited."""
    if not q.answerable:
        return Answer(question=q.question, answer="I can't tell.", abstained=True), []
    citations = [
        Citation(n, g.article_id, "", None, "", g.start, g.end, g.quote)
        for n, g in enumerate(q.gold, 1)
    ]
    passages = [
        Passage(g.article_id, n, g.start, g.end, g.quote, "", None, "")
        for n, g in enumerate(q.gold)
    ]
    text = " ".join(f"{g.quote} [{n}]" for n, g in enumerate(q.gold, 1))
    return Answer(q.question, text, False, citations=citations), passages


def test_a_perfect_extractive_answerer_scores_full_marks(questions: list[GoldQuestion]) -> None:
    overall = run_evaluation(questions, _perfect_answer).overall()
    for name in (
        "hit_at_k",
        "all_gold_hit_at_k",
        "mrr",
        "correctness",
        "citation_precision",
        "citation_recall",
        "abstention_precision",
        "abstention_recall",
    ):
        assert overall[name] == 1.0, name
