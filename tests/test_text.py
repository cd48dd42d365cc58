"""Tests for retrieval.text: sentence splitting, tokenizing, quote normalisation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.text import (
    STOPWORDS,
    is_heading_like,
    normalize_quotes,
    split_sentences,
    tokenize,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def seed_text(name: str) -> str:
    with open(SEEDS / name, encoding="utf-8") as f:
        return f.read()


def paragraph_counts(text: str) -> list[int]:
    """Sentence count of each blank-line separated paragraph, via absolute offsets."""
    counts = []
    for m in re.finditer(r"\S(?:.*\S)?", text):
        counts.append(len(split_sentences(text, m.start(), m.end())))
    return counts


# --- split_sentences: basics ------------------------------------------------------------


def test_simple_sentences_are_split() -> None:
    assert sentences("One here. Two there! Three? Four.") == [
        "One here.",
        "Two there!",
        "Three?",
        "Four.",
    ]


def test_spans_are_trimmed_and_absolute() -> None:
    text = "xx  First one.   Second one.  "
    spans = split_sentences(text, 2)
    assert spans == [(4, 14), (17, 28)]


def test_end_bound_is_respected() -> None:
    text = "First one. Second one. Third one."
    assert sentences(text[:22]) == [text[s:e] for s, e in split_sentences(text, 0, 22)]


def test_empty_and_whitespace_give_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\n\t ") == []


def test_no_split_before_a_lowercase_word() -> None:
    assert sentences("It cost 3.5 bn. dollars in total.") == ["It cost 3.5 bn. dollars in total."]


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Kishida met Mr. Biden.",
        "Dr. Smith and Prof. Jones spoke.",
        "The U.S. Commerce Department agreed.",
        "They met on Jan. 17 in Washington.",
        "Chips, e.g. Nvidia ones, are banned.",
        "Joe B. Smith said it.",
        "Applied Materials Inc. Shares rose.",
        "Item No. 5 was listed.",
    ],
)
def test_abbreviations_and_initials_do_not_end_a_sentence(text: str) -> None:
    assert sentences(text) == [text]


def test_closing_quote_stays_with_its_sentence() -> None:
    text = "He said, “It works.” Then he left."
    assert sentences(text) == ["He said, “It works.”", "Then he left."]


def test_sentence_before_an_opening_quote_is_split() -> None:
    text = "She paused. “We agree,” she said."
    assert sentences(text) == ["She paused.", "“We agree,” she said."]


def test_comma_inside_curly_quotes_does_not_split() -> None:
    text = (
        "“I think there’s a very, very similar vision of the challenges,” a senior US "
        "administration official told Reuters on Wednesday, adding more."
    )
    assert sentences(text) == [text]


def test_blank_line_always_ends_a_sentence() -> None:
    assert sentences("no punctuation here\n\nnext paragraph") == [
        "no punctuation here",
        "next paragraph",
    ]


def test_blank_line_with_spaces_ends_a_sentence() -> None:
    assert sentences("first part\n  \t\nsecond part") == ["first part", "second part"]


def test_heading_line_is_its_own_sentence() -> None:
    assert sentences("Seeking a deal\nUS officials are quick to agree.") == [
        "Seeking a deal",
        "US officials are quick to agree.",
    ]


def test_wrapped_prose_lines_are_joined() -> None:
    text = "The Biden administration unveiled\nexport controls in October. They\nWorked."
    assert sentences(text) == [
        "The Biden administration unveiled\nexport controls in October.",
        "They\nWorked.",
    ]


def test_list_items_are_separate_sentences() -> None:
    assert sentences("Measures include:\n- chips\n- tools\n- software") == [
        "Measures include:",
        "- chips",
        "- tools",
        "- software",
    ]


def test_markdown_heading_is_its_own_sentence() -> None:
    assert sentences("# Export curbs tighten further today\nOfficials agreed.") == [
        "# Export curbs tighten further today",
        "Officials agreed.",
    ]


def test_crlf_free_text_with_bom_is_trimmed() -> None:
    text = "\ufeffFirst. Second."
    assert split_sentences(text) == [(1, 7), (8, 15)]


# --- split_sentences: the seeds ---------------------------------------------------------


def test_seed_000_sentence_counts_per_paragraph() -> None:
    text = seed_text("000_35dad6a91730d5a0.txt")
    assert paragraph_counts(text) == [1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1]


def test_seed_004_sentence_counts_per_paragraph() -> None:
    text = seed_text("004_14cfe8a582b153d6.txt")
    assert paragraph_counts(text) == [1, 1, 1, 2, 1, 1, 1, 2, 1, 1]


def test_seed_000_keeps_the_quoted_sentence_whole() -> None:
    text = seed_text("000_35dad6a91730d5a0.txt")
    found = [s for s in sentences(text) if s.startswith("“I think there’s")]
    assert found == [
        "“I think there’s a very, very similar vision of the challenges,” a senior US "
        "administration official told Reuters on Wednesday, adding that Japanese export "
        "restrictions may not be exactly the same as the US controls."
    ]


def test_seed_000_heading_and_mr_and_jan_abbreviations() -> None:
    got = sentences(seed_text("000_35dad6a91730d5a0.txt"))
    assert "Seeking a deal" in got
    assert any(s.startswith("Netherlands Prime Minister Mark Rutte") for s in got)
    assert any(s.startswith("Still, said Mr Daniel Russel") for s in got)
    assert len(got) == 15


def test_seed_sentences_cover_all_non_whitespace() -> None:
    for name in ("000_35dad6a91730d5a0.txt", "004_14cfe8a582b153d6.txt"):
        text = seed_text(name)
        joined = "".join(sentences(text))
        assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", text)


@given(st.text(alphabet=st.sampled_from("aB .!?\n“”’-Mr3"), max_size=200))
def test_spans_are_ordered_trimmed_and_cover_everything(text: str) -> None:
    spans = split_sentences(text)
    pos = 0
    for s, e in spans:
        assert pos <= s < e <= len(text)
        assert text[pos:s].strip() == ""
        assert not text[s].isspace()
        assert not text[e - 1].isspace()
        pos = e
    assert text[pos:].strip() == ""


# --- tokenize ---------------------------------------------------------------------------


def test_tokenize_lowercases_stems_and_drops_stopwords() -> None:
    assert tokenize("The negotiations were about Export Controls") == [
        "negoti",
        "export",
        "control",
    ]


def test_tokenize_normalises_curly_possessives() -> None:
    assert tokenize("Japan’s") == ["japan"]
    assert tokenize("Japan's") == ["japan"]


def test_tokenize_keeps_numbers() -> None:
    assert tokenize("27 per cent in 2023") == ["27", "per", "cent", "2023"]


def test_tokenize_splits_hyphenated_words() -> None:
    assert tokenize("chip-making") == ["chip", "make"]


def test_tokenize_joins_dotted_acronyms() -> None:
    assert tokenize("U.S. controls") == tokenize("US controls") == ["us", "control"]


def test_tokenize_of_punctuation_only_is_empty() -> None:
    assert tokenize(" — “ ” ... ") == []


def test_stopwords_are_lowercase_and_keep_us() -> None:
    assert "the" in STOPWORDS
    assert all(w == w.lower() for w in STOPWORDS)
    assert "us" not in STOPWORDS  # "US" the country must stay searchable


# --- normalize_quotes -------------------------------------------------------------------


def test_normalize_quotes_straightens_quotes_and_dashes() -> None:
    assert normalize_quotes("“Japan’s” – ok — ‘x’") == "\"Japan's\" - ok - 'x'"


def test_normalize_quotes_leaves_plain_text_alone() -> None:
    assert normalize_quotes("plain 'text' - \"x\"") == "plain 'text' - \"x\""


# --- headings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Seeking a deal", True),
        ("# A markdown heading", True),
        ("Ends with a period.", False),
        ("Ends with a colon:", False),
        ("“Quoted speech”", False),
        ("- a list item", False),
        ("x" * 61, False),
        ("", False),
    ],
)
def test_is_heading_like(sentence: str, expected: bool) -> None:
    assert is_heading_like(sentence) is expected


def test_short_line_before_a_lowercase_line_is_not_a_heading() -> None:
    text = "Japan has been vague\nabout the extent of its role."
    assert sentences(text) == [text]


def test_short_line_ending_mid_sentence_is_not_a_heading() -> None:
    text = "The talks went on. Japan and\nThe Netherlands agreed."
    assert sentences(text) == ["The talks went on.", "Japan and\nThe Netherlands agreed."]


def test_question_and_exclamation_end_sentences_before_quotes() -> None:
    text = "Will Japan join? “Yes!” said one. Fine."
    assert sentences(text) == ["Will Japan join?", "“Yes!” said one.", "Fine."]


def test_ellipsis_can_end_a_sentence() -> None:
    assert sentences("It waited… Then it moved.") == ["It waited…", "Then it moved."]
