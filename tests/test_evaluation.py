"""Metric code of retrieval.evaluation on small hand-built answers and passages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from retrieval.errors import ChipbotError, ConfigError, UnknownNameError
from retrieval.evaluation import (
    EvalReport,
    GoldQuestion,
    GoldSetError,
    GoldSpan,
    QuestionResult,
    cited_sentences,
    default_supports,
    facts_present,
    format_report,
    load_gold,
    overlaps,
    run_evaluation,
    score_question,
    token_support,
)
from retrieval.models import Answer, Citation, Passage

ART_A = "a1"
ART_B = "b2"
TEXT_A = (
    "date 2023-01-13 Tokyo Electron relies on China for about a quarter of its revenue. "
    "ASML is based in the Netherlands. Japan holds 27 per cent of the market.\n"
)
TEXT_B = "date 2023-01-19 Rutte said talks with the US were making progress. Tokyo waits.\n"
TEXTS = {ART_A: TEXT_A, ART_B: TEXT_B}

TEL = "Tokyo Electron relies on China for about a quarter of its revenue."
ASML = "ASML is based in the Netherlands."
SHARE = "Japan holds 27 per cent of the market."
RUTTE = "Rutte said talks with the US were making progress."


def span(article_id: str, quote: str) -> GoldSpan:
    start = TEXTS[article_id].index(quote)
    return GoldSpan(article_id, start, start + len(quote), quote)


def question(
    qid: str = "q1",
    gold: tuple[GoldSpan, ...] = (),
    facts: tuple[tuple[str, ...], ...] = (),
    qtype: str | None = None,
) -> GoldQuestion:
    answerable = bool(gold)
    return GoldQuestion(
        id=qid,
        type=qtype or ("factual" if answerable else "unanswerable"),
        question="?",
        answerable=answerable,
        gold=gold,
        key_facts=facts,
    )


def passage(article_id: str, quote: str, chunk_no: int = 0) -> Passage:
    s = span(article_id, quote)
    return Passage(article_id, chunk_no, s.start, s.end, quote, "t", None, "p")


def citation(n: int, article_id: str, quote: str) -> Citation:
    s = span(article_id, quote)
    return Citation(n, article_id, "t", None, "p", s.start, s.end, quote)


def answer(text: str, *citations: Citation, abstained: bool = False, **extra: Any) -> Answer:
    return Answer("?", text, abstained, citations=list(citations), **extra)


def never(sentence: str, quote: str) -> bool:
    return False


TEL_Q = question("tel", (span(ART_A, TEL),), (("quarter", "25%"),))
MULTI_Q = question(
    "multi", (span(ART_A, ASML), span(ART_B, RUTTE)), (("ASML",), ("progress",)), "multi-article"
)


# --- overlaps ---------------------------------------------------------------------------


def test_spans_sharing_a_character_overlap() -> None:
    assert overlaps(0, 10, 9, 20)


def test_adjacent_half_open_spans_do_not_overlap() -> None:
    assert not overlaps(0, 10, 10, 20)


def test_a_span_inside_another_overlaps() -> None:
    assert overlaps(0, 100, 40, 50)


def test_an_empty_span_overlaps_nothing() -> None:
    assert not overlaps(5, 5, 0, 10)


# --- facts_present ----------------------------------------------------------------------


def test_facts_pass_when_each_fact_has_one_alternative_present() -> None:
    assert facts_present(
        "It holds 27% of the market, says the SIA.", [["27 per cent", "27%"], ["SIA"]]
    )


def test_facts_fail_when_one_fact_is_missing() -> None:
    assert not facts_present("It holds 27% of the market.", [["27%"], ["SIA"]])


def test_facts_match_case_insensitively_across_curly_quotes_and_dashes() -> None:
    assert facts_present(
        "JAPAN’S “very productive” talks — fine", [["japan's"], ['"very productive"']]
    )


def test_facts_match_whole_words_only() -> None:
    assert not facts_present("It holds 127 per cent.", [["27 per cent"]])


def test_facts_ignore_citation_markers() -> None:
    assert facts_present("a good [1] outcome", [["a good outcome"]])


def test_no_facts_means_trivially_present() -> None:
    assert facts_present("anything", [])


# --- load_gold --------------------------------------------------------------------------


def write_gold(tmp_path: Path, *records: dict[str, Any] | str) -> Path:
    path = tmp_path / "gold.jsonl"
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def record(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "g1",
        "type": "factual",
        "question": "How much revenue does Tokyo Electron get from China?",
        "answerable": True,
        "gold": [{"article_id": ART_A, "quote": TEL}],
        "key_facts": [["quarter"]],
    }
    base.update(overrides)
    return base


def test_load_gold_resolves_quotes_to_offsets(tmp_path: Path) -> None:
    [q] = load_gold(write_gold(tmp_path, record()), TEXTS)
    assert q.gold == (span(ART_A, TEL),)
    assert TEXT_A[q.gold[0].start : q.gold[0].end] == TEL
    assert q.key_facts == (("quarter",),)


def test_load_gold_skips_blank_lines(tmp_path: Path) -> None:
    path = write_gold(tmp_path, record(), "", record(id="g2"))
    assert [q.id for q in load_gold(path, TEXTS)] == ["g1", "g2"]


def test_load_gold_accepts_unanswerable_questions(tmp_path: Path) -> None:
    rec = record(type="unanswerable", answerable=False, gold=[], key_facts=[])
    [q] = load_gold(write_gold(tmp_path, rec), TEXTS)
    assert (q.answerable, q.gold, q.key_facts) == (False, (), ())


def test_load_gold_accepts_off_topic_questions_as_unanswerable(tmp_path: Path) -> None:
    rec = record(type="off-topic", answerable=False, gold=[], key_facts=[])
    [q] = load_gold(write_gold(tmp_path, rec), TEXTS)
    assert (q.type, q.answerable) == ("off-topic", False)


def test_an_answerable_off_topic_question_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(GoldSetError, match="contradicts"):
        load_gold(write_gold(tmp_path, record(type="off-topic")), TEXTS)


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ('{"id": "g1", "type": "factual", "question": ', "not valid JSON"),
        (record(gold=[{"article_id": "nope", "quote": TEL}]), "unknown article 'nope'"),
        (record(gold=[{"article_id": ART_A, "quote": "not in the text"}]), "quote not found"),
        (record(gold=[{"article_id": ART_A, "quote": "the "}]), "more than once"),
        (record(type="opinion"), "unknown type 'opinion'"),
        (record(gold=[]), "needs at least one gold quote"),
        (record(key_facts=[[]]), "key fact"),
        (record(type="unanswerable", answerable=False), "must have empty"),
        (record(answerable=False), "contradicts"),
        (record(extra=1), "unknown field(s) extra"),
    ],
    ids=[
        "bad-json",
        "unknown-article",
        "quote-not-found",
        "ambiguous-quote",
        "unknown-type",
        "answerable-without-gold",
        "empty-fact",
        "unanswerable-with-gold",
        "type-contradicts-answerable",
        "unknown-field",
    ],
)
def test_load_gold_errors_name_the_line_and_question(
    tmp_path: Path, bad: dict[str, Any] | str, expected: str
) -> None:
    path = write_gold(tmp_path, record(id="ok"), bad)
    with pytest.raises(GoldSetError) as info:
        load_gold(path, TEXTS)
    message = str(info.value)
    assert expected in message
    assert "gold.jsonl line 2 (question g1)" in message


def test_load_gold_rejects_duplicate_ids(tmp_path: Path) -> None:
    with pytest.raises(GoldSetError, match=r"line 2 \(question g1\): duplicate"):
        load_gold(write_gold(tmp_path, record(), record()), TEXTS)


def test_load_gold_reports_a_missing_file_as_a_chipbot_error(tmp_path: Path) -> None:
    with pytest.raises(ChipbotError, match="gold file not found"):
        load_gold(tmp_path / "missing.jsonl", TEXTS)


def test_load_gold_rejects_a_file_without_questions(tmp_path: Path) -> None:
    with pytest.raises(GoldSetError, match="no questions"):
        load_gold(write_gold(tmp_path, ""), TEXTS)


# --- retrieval metrics ------------------------------------------------------------------


def score(q: GoldQuestion, ans: Answer, retrieved: list[Passage], k: int = 5) -> QuestionResult:
    return score_question(q, ans, retrieved, k, default_supports)


def test_first_hit_at_rank_two_gives_hit_and_reciprocal_rank_half() -> None:
    r = score(TEL_Q, answer("x"), [passage(ART_B, RUTTE), passage(ART_A, TEL)])
    assert (r.hit, r.rr) == (True, 0.5)


def test_a_hit_beyond_k_is_a_miss_but_still_counts_for_reciprocal_rank() -> None:
    retrieved = [passage(ART_B, RUTTE)] * 2 + [passage(ART_A, TEL)]
    r = score(TEL_Q, answer("x"), retrieved, k=2)
    assert r.hit is False
    assert r.rr == pytest.approx(1 / 3)


def test_no_hitting_passage_gives_reciprocal_rank_zero() -> None:
    r = score(TEL_Q, answer("x"), [passage(ART_A, ASML)])
    assert (r.hit, r.rr) == (False, 0.0)


def test_a_passage_with_gold_offsets_in_another_article_does_not_hit() -> None:
    gold = TEL_Q.gold[0]
    other = Passage(ART_B, 0, gold.start, gold.end, "x", "t", None, "p")
    assert score(TEL_Q, answer("x"), [other]).hit is False


def test_all_gold_hit_needs_every_gold_span_in_the_top_k() -> None:
    one = score(MULTI_Q, answer("x"), [passage(ART_A, ASML)])
    both = score(MULTI_Q, answer("x"), [passage(ART_A, ASML), passage(ART_B, RUTTE)])
    assert (one.hit, one.all_gold_hit) == (True, False)
    assert both.all_gold_hit is True


def test_unanswerable_questions_have_no_retrieval_or_correctness_metrics() -> None:
    r = score(question("u"), answer("x"), [passage(ART_A, TEL)])
    assert (r.hit, r.rr, r.all_gold_hit, r.correct, r.citation_recall) == (None,) * 5


# --- latest state: the newest article cited first -------------------------------------

RUTTE_Q = question("l1", (span(ART_B, RUTTE),), (("progress",),), "latest")


def dated(c: Citation, date: str) -> Citation:
    return dataclasses.replace(c, date=dt.date.fromisoformat(date))


def test_a_latest_state_answer_leading_with_the_newest_article_counts() -> None:
    ans = answer(
        f"{RUTTE} [1] {TEL} [2]",
        dated(citation(1, ART_B, RUTTE), "2023-01-19"),
        dated(citation(2, ART_A, TEL), "2023-01-13"),
    )
    assert score(RUTTE_Q, ans, []).newest_first is True


def test_a_latest_state_answer_leading_with_an_older_article_does_not() -> None:
    ans = answer(
        f"{TEL} [1] {RUTTE} [2]",
        dated(citation(1, ART_A, TEL), "2023-01-13"),
        dated(citation(2, ART_B, RUTTE), "2023-01-19"),
    )
    result = score(RUTTE_Q, ans, [])
    assert result.correct is True
    assert result.newest_first is False


def test_newest_first_is_measured_only_on_latest_state_and_as_of_questions() -> None:
    ans = answer(f"{TEL} [1]", dated(citation(1, ART_A, TEL), "2023-01-13"))
    assert score(TEL_Q, ans, []).newest_first is None
    report = EvalReport([score(TEL_Q, ans, []), score(RUTTE_Q, answer("x"), [])], 5)
    assert report.overall()["newest_first"] == 0.0
    assert "newest_first" not in report.by_type()["factual"]


# --- correctness ------------------------------------------------------------------------


def test_an_answer_stating_the_facts_is_correct() -> None:
    ans = answer(f"{TEL} [1]", citation(1, ART_A, TEL))
    assert score(TEL_Q, ans, []).correct is True


def test_facts_only_in_the_cited_quote_do_not_make_the_answer_correct() -> None:
    ans = answer("Tokyo Electron depends on China. [1]", citation(1, ART_A, TEL))
    assert score(TEL_Q, ans, []).correct is False


def test_abstaining_on_an_answerable_question_is_incorrect_with_zero_recall() -> None:
    r = score(TEL_Q, answer("about a quarter, maybe", abstained=True), [])
    assert (r.correct, r.abstained, r.citation_recall, r.citation_precision) == (
        False,
        True,
        0.0,
        None,
    )


# --- citations --------------------------------------------------------------------------


def test_an_answer_without_citations_has_no_precision_and_zero_recall() -> None:
    r = score(TEL_Q, answer("About a quarter."), [])
    assert (r.citation_precision, r.citation_recall, r.n_citation_pairs) == (None, 0.0, 0)


def test_citing_one_of_two_gold_spans_gives_recall_half() -> None:
    ans = answer(f"{ASML} [1]", citation(1, ART_A, ASML))
    assert score(MULTI_Q, ans, []).citation_recall == 0.5


def test_a_citation_overlapping_gold_is_precise_whatever_the_sentence() -> None:
    ans = answer("Something else entirely. [1]", citation(1, ART_A, TEL))
    r = score_question(TEL_Q, ans, [], 5, never)
    assert (r.citation_precision, r.n_citation_pairs) == (1.0, 1)


def test_an_off_gold_citation_is_precise_when_its_quote_supports_the_sentence() -> None:
    ans = answer(f"{ASML} [1]", citation(1, ART_A, ASML))
    assert score(TEL_Q, ans, []).citation_precision == 1.0


def test_an_off_gold_citation_not_supporting_its_sentence_is_imprecise() -> None:
    ans = answer(f"{TEL} [1] {TEL} [2]", citation(1, ART_A, TEL), citation(2, ART_A, SHARE))
    r = score(question("u"), ans, [])
    assert (r.n_precise, r.n_citation_pairs, r.citation_precision) == (1, 2, 0.5)


def test_a_marker_without_a_citation_is_imprecise() -> None:
    ans = answer(f"{TEL} [1] {TEL} [3]", citation(1, ART_A, TEL))
    assert score(TEL_Q, ans, []).citation_precision == 0.5


def test_the_supports_judge_decides_for_off_gold_citations() -> None:
    ans = answer("Unrelated words here. [1]", citation(1, ART_A, SHARE))
    r = score_question(TEL_Q, ans, [], 5, lambda sentence, quote: True)
    assert r.citation_precision == 1.0


def test_markers_after_a_full_stop_belong_to_the_sentence_before() -> None:
    sentences = cited_sentences("First claim here. [1] Second claim there. [2]")
    assert [(s.claim, s.numbers) for s in sentences] == [
        ("First claim here.", (1,)),
        ("Second claim there.", (2,)),
    ]


def test_a_leading_attribution_is_not_part_of_the_claim() -> None:
    [s] = cited_sentences("According to a 13 Jan 2023 article: Japan waits. [1]")
    assert (s.claim, s.numbers) == ("Japan waits.", (1,))


def test_a_combined_marker_cites_each_number_once() -> None:
    [s] = cited_sentences("Both say so [1, 2] [2].")
    assert s.numbers == (1, 2)


def test_each_line_of_an_answer_is_split_separately() -> None:
    sentences = cited_sentences("One thing [1]\nAnother thing [2]")
    assert [s.numbers for s in sentences] == [(1,), (2,)]


def test_token_support_needs_sixty_percent_of_the_content_words() -> None:
    sentence = "Tokyo Electron sells machines abroad"  # five content words
    assert token_support(sentence, "Tokyo Electron sells chips")
    assert not token_support(sentence, "Tokyo Electron")


def test_a_sentence_without_content_words_is_never_supported() -> None:
    assert not token_support("It is.", "It is.")


# --- aggregation ------------------------------------------------------------------------


def mixed_report() -> EvalReport:
    """Right answer; abstained answerable; abstained and answered unanswerable ones."""
    unans_1, unans_2 = question("u1"), question("u2")
    cases = {
        "tel": (answer(f"{TEL} [1]", citation(1, ART_A, TEL), timings_ms={"total": 100.0}),
                [passage(ART_A, TEL)]),
        "multi": (answer("No idea.", abstained=True, timings_ms={"total": 300.0}),
                  [passage(ART_B, RUTTE), passage(ART_A, ASML)]),
        "u1": (answer("No idea.", abstained=True), []),
        "u2": (answer(f"{SHARE} [1]", citation(1, ART_A, SHARE), removed_citations=2,
                      unsupported=["x"]), [passage(ART_A, SHARE)]),
    }  # fmt: skip
    questions = [TEL_Q, MULTI_Q, unans_1, unans_2]
    return run_evaluation(questions, lambda q: cases[q.id], k=5)


def test_overall_metrics_of_a_mixed_run() -> None:
    overall = mixed_report().overall()
    expected = {
        "n": 4,
        "n_answerable": 2,
        "n_unanswerable": 2,
        "hit_at_k": 1.0,
        "all_gold_hit_at_k": 1.0,
        "mrr": 1.0,
        "correctness": 0.5,
        "citation_precision": 1.0,
        "citation_recall": 0.5,
        "abstention_precision": 0.5,
        "abstention_recall": 0.5,
        "mean_total_ms": 200.0,
        "removed_citations": 2,
        "unsupported": 1,
    }
    assert {key: overall[key] for key in expected} == expected


def test_by_type_groups_results_in_the_documented_type_order() -> None:
    by_type = mixed_report().by_type()
    assert list(by_type) == ["factual", "multi-article", "unanswerable"]
    assert by_type["multi-article"]["correctness"] == 0.0
    assert "hit_at_k" not in by_type["unanswerable"]


def test_an_answerable_type_where_an_answer_abstained_has_abstention_precision_zero() -> None:
    multi = mixed_report().by_type()["multi-article"]
    assert (multi["abstention_precision"], multi["abstention_recall"]) == (0.0, 1.0)


def test_never_abstaining_on_unanswerable_questions_scores_zero_both_ways() -> None:
    report = run_evaluation([question("u")], lambda q: (answer("Yes."), []))
    overall = report.overall()
    assert (overall["abstention_precision"], overall["abstention_recall"]) == (0.0, 0.0)


def test_no_abstentions_and_nothing_to_find_scores_one_both_ways() -> None:
    report = run_evaluation([TEL_Q], lambda q: (answer("A quarter."), []))
    overall = report.overall()
    assert (overall["abstention_precision"], overall["abstention_recall"]) == (1.0, 1.0)


def test_to_dict_holds_overall_by_type_and_one_entry_per_question() -> None:
    data = mixed_report().to_dict()
    assert set(data) == {"overall", "by_type", "questions"}
    assert data["questions"][1] == {
        "id": "multi",
        "type": "multi-article",
        "hit": True,
        "all_gold_hit": True,
        "rr": 1.0,
        "correct": False,
        "abstained": True,
        "citation_precision": None,
        "citation_recall": 0.0,
        "newest_first": None,
    }
    json.dumps(data)


def test_check_lists_each_metric_below_its_minimum() -> None:
    failures = mixed_report().check({"hit_at_k": 0.9, "correctness": 0.8, "abstention_recall": 0.6})
    assert failures == [
        "correctness 0.500 is below the minimum 0.800",
        "abstention_recall 0.500 is below the minimum 0.600",
    ]


def test_check_passes_a_metric_exactly_at_its_minimum() -> None:
    assert mixed_report().check({"correctness": 0.5}) == []


def test_check_fails_a_metric_that_could_not_be_measured() -> None:
    report = run_evaluation([question("u")], lambda q: (answer("x", abstained=True), []))
    assert report.check({"mrr": 0.1}) == ["mrr was not measured (minimum 0.100)"]


def test_check_rejects_an_unknown_metric_name() -> None:
    with pytest.raises(UnknownNameError, match="unknown metric 'speed'"):
        mixed_report().check({"speed": 1.0})


def test_run_evaluation_rejects_k_below_one() -> None:
    with pytest.raises(ConfigError):
        run_evaluation([TEL_Q], lambda q: (answer("x"), []), k=0)


def test_run_evaluation_keeps_the_ranked_passages_it_was_given() -> None:
    ranked = [passage(ART_B, RUTTE), passage(ART_A, TEL)]
    report = run_evaluation([TEL_Q], lambda q: (answer("x"), ranked))
    assert report.results[0].retrieved == ranked


def test_format_report_shows_an_overall_row_and_one_row_per_type() -> None:
    lines = format_report(mixed_report()).splitlines()
    rows = [line.split()[0] for line in lines[2:] if line.strip()]
    assert rows[:4] == ["overall", "factual", "multi-article", "unanswerable"]
    assert "hit@k" in lines[0]


def test_format_report_marks_unmeasured_metrics_with_a_dash() -> None:
    text = format_report(mixed_report())
    unanswerable_row = next(line for line in text.splitlines() if line.startswith("unanswerable"))
    assert unanswerable_row.split()[2] == "-"


def test_format_report_ends_with_timing_and_llm_counts() -> None:
    last = format_report(mixed_report()).splitlines()[-1]
    assert last == "k=5; mean total time 200 ms; removed citations 2; unsupported sentences 1"
