"""Parsing and validating the [n] markers of a model's answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.answer.citations import (
    UNSUPPORTED_MARK,
    attach_trailing_markers,
    check_answer,
    is_abstention,
    parse_markers,
    parse_numbers,
    split_model_sentences,
    strip_markers,
)


@pytest.mark.parametrize(
    ("group", "numbers"),
    [("1", [1]), ("1, 2", [1, 2]), ("2;3", [2, 3]), ("1-3", [1, 2, 3]), ("4 and 5", [4, 5])],
)
def test_a_marker_group_yields_every_number_it_names(group: str, numbers: list[int]) -> None:
    assert parse_numbers(group) == numbers


def test_markers_are_found_in_every_common_form() -> None:
    text = "A [1]. B [2][3]. C [1, 4]. D [Passage 5]. E [ 6 ]."
    assert parse_markers(text) == [1, 2, 3, 1, 4, 5, 6]


def test_bracketed_words_are_not_markers() -> None:
    assert parse_markers("The [sic] note and [a] list.") == []


def test_a_marker_after_the_full_stop_joins_the_sentence_before_it() -> None:
    assert attach_trailing_markers("Japan hesitated. [1] The Dutch agreed.") == (
        "Japan hesitated [1]. The Dutch agreed."
    )


def test_a_marker_on_the_next_line_joins_the_sentence_before_it() -> None:
    _, sentences = split_model_sentences("Japan hesitated.\n[1][2]\nThe Dutch agreed [3].")
    assert [(s.text, s.numbers) for s in sentences] == [
        ("Japan hesitated [1][2].", (1, 2)),
        ("The Dutch agreed [3].", (3,)),
    ]


def test_sentences_keep_their_own_markers_and_abbreviations_do_not_split() -> None:
    _, sentences = split_model_sentences(
        "U.S. officials pressed Japan [1]. Mr. Kishida was vague [2]."
    )
    assert [s.numbers for s in sentences] == [(1,), (2,)]


def test_strip_markers_leaves_the_plain_claim() -> None:
    assert strip_markers(f"Japan agreed [1][2] {UNSUPPORTED_MARK}.") == "Japan agreed."


@pytest.mark.parametrize(
    "sentence",
    [
        "The indexed articles don't say what Japan agreed to.",
        "The indexed articles don’t say what Japan agreed to.",
        "The articles do not mention ASML's revenue.",
        "The passages don't answer this question.",
    ],
)
def test_saying_the_articles_do_not_answer_is_an_abstention(sentence: str) -> None:
    assert is_abstention(sentence)


def test_an_ordinary_claim_is_not_an_abstention() -> None:
    assert not is_abstention("Japan did not say whether it would match the US controls.")


@pytest.mark.slow
class TestCheckAnswer:
    """``check_answer`` with the real support check on real seed passages."""

    def test_a_marker_naming_no_passage_is_removed_and_counted(self, pick, checker) -> None:
        passages = pick("27 per cent of global market share")
        checked = check_answer(
            "Japanese companies hold 27 per cent of global market share [1][7].", passages, checker
        )
        assert checked.answer == "Japanese companies hold 27 per cent of global market share [1]."
        assert checked.removed_citations == 1
        assert checked.unsupported == []

    def test_a_sentence_left_with_no_marker_after_removal_is_flagged(self, pick, checker) -> None:
        passages = pick("27 per cent of global market share")
        checked = check_answer("Tokyo Electron makes tools [9].", passages, checker)
        assert checked.answer == f"Tokyo Electron makes tools {UNSUPPORTED_MARK}."
        assert checked.removed_citations == 1
        assert checked.citations == []

    def test_citations_are_renumbered_in_order_of_first_use(self, pick, checker) -> None:
        passages = pick("Semiconductor Industry Association", "Tokyo Electron", "Rutte")
        text = (
            "Mark Rutte will travel to Washington to meet Mr Biden [3]. "
            "Tokyo Electron relies on China for about a quarter of its revenue [2]."
        )
        checked = check_answer(text, passages, checker)
        assert checked.answer == (
            "Mark Rutte will travel to Washington to meet Mr Biden [1]. "
            "Tokyo Electron relies on China for about a quarter of its revenue [2]."
        )
        assert [(c.n, c.start) for c in checked.citations] == [
            (1, passages[2].start),
            (2, passages[1].start),
        ]

    def test_each_citation_quotes_its_passage_span_verbatim(self, pick, checker) -> None:
        passages = pick("Tokyo Electron")
        checked = check_answer(
            "Tokyo Electron relies on China for about a quarter of its revenue [1].",
            passages,
            checker,
        )
        (citation,) = checked.citations
        file_text = Path(citation.path).read_text(encoding="utf-8")
        assert citation.quote == file_text[citation.start : citation.end] == passages[0].text
        assert (citation.article_id, citation.date) == (passages[0].article_id, passages[0].date)

    def test_an_uncited_sentence_is_flagged_and_listed(self, pick, checker) -> None:
        passages = pick("Tokyo Electron")
        checked = check_answer(
            "Tokyo Electron relies on China for about a quarter of its revenue [1]. "
            "Japan will sign a deal next month.",
            passages,
            checker,
        )
        assert checked.answer.endswith(f"Japan will sign a deal next month {UNSUPPORTED_MARK}.")
        assert checked.unsupported == ["Japan will sign a deal next month."]

    def test_a_sentence_its_passage_does_not_support_is_flagged(self, pick, checker) -> None:
        passages = pick("Tokyo Electron", "Rutte")
        checked = check_answer(
            "Mark Rutte will travel to Washington to meet Mr Biden [2]. "
            "Tokyo Electron relies on China for about a quarter of its revenue [2].",
            passages,
            checker,
        )
        assert checked.unsupported == [
            "Tokyo Electron relies on China for about a quarter of its revenue."
        ]
        assert f"revenue [1] {UNSUPPORTED_MARK}." in checked.answer

    def test_an_abstention_needs_no_citation(self, pick, checker) -> None:
        checked = check_answer(
            "The indexed articles don't say what Japan agreed to on 27 January.",
            pick("Tokyo Electron"),
            checker,
        )
        assert checked.abstained
        assert checked.unsupported == []
        assert checked.citations == []

    def test_a_partial_answer_with_citations_is_not_an_abstention(self, pick, checker) -> None:
        checked = check_answer(
            "Tokyo Electron relies on China for about a quarter of its revenue [1]. "
            "The indexed articles don't say how much revenue that is.",
            pick("Tokyo Electron"),
            checker,
        )
        assert not checked.abstained
        assert checked.unsupported == []

    def test_paragraph_breaks_of_the_answer_are_kept(self, pick, checker) -> None:
        passages = pick("Tokyo Electron", "Rutte")
        checked = check_answer(
            "Tokyo Electron relies on China for about a quarter of its revenue [1].\n\n"
            "Mark Rutte will travel to Washington to meet Mr Biden [2].",
            passages,
            checker,
        )
        assert "revenue [1].\n\nMark Rutte" in checked.answer
