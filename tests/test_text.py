"""Tests for retrieval.text: sentence splitting, tokenizing, quote normalisation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.text import (
    STOPWORDS,
    blank_spans,
    is_heading_like,
    is_interrogative,
    is_lead_in,
    is_title_line,
    normalize_quotes,
    split_sentences,
    starts_with_pronoun,
    starts_with_reference,
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


@pytest.mark.parametrize(
    "sentence",
    ["How does the Government of Japan intend to deal with this matter?", "Why now?”"],
)
def test_a_question_is_interrogative(sentence: str) -> None:
    assert is_interrogative(sentence)


def test_a_statement_quoting_a_question_mid_sentence_is_not_interrogative() -> None:
    assert not is_interrogative("He asked “why now?” and left the room.")


def test_a_long_headline_on_its_own_line_is_a_title_line() -> None:
    text = "Netherlands set to further restrict semiconductor technology exports\n\nThursday."
    end = text.index("\n")
    assert not is_heading_like(text[:end])  # longer than a heading in running text
    assert is_title_line(text, 0, end)


def test_a_press_release_title_of_two_lines_length_is_a_title_line() -> None:
    title = (
        "Comments of the Spokesperson of the Chinese Embassy in the Netherlands on the "
        "Publishment of Additional Export Measures for Advanced Semiconductor Manufacturing "
        "Equipment by the Dutch Government"
    )
    text = f"{title}\n\nOn June 30, the Dutch government published the measures."
    assert len(title) > 190
    assert is_title_line(text, 0, len(title))


def test_a_sentence_cut_by_a_chunk_end_is_not_a_title_line() -> None:
    text = "The rule makes other changes to the EAR to ensure that appropriate"
    assert not is_title_line(text, 0, len(text))


def test_a_line_ending_in_a_full_stop_is_not_a_title_line() -> None:
    text = "The Dutch government published the order today.\nMore follows."
    assert not is_title_line(text, 0, text.index("\n"))


@pytest.mark.parametrize(
    "sentence",
    [
        "From that point on, exports need a licence.",
        "By then the talks had ended.",
        "Then he left.",
        "Based on this policy, we will continue to take appropriate measures.",
    ],
)
def test_a_time_fixed_by_the_previous_sentence_is_a_reference_but_not_a_pronoun(
    sentence: str,
) -> None:
    assert starts_with_reference(sentence)
    assert not starts_with_pronoun(sentence)


def test_a_pronoun_opening_is_both() -> None:
    assert starts_with_reference("He said so.")
    assert starts_with_pronoun("He said so.")


def test_a_sentence_naming_its_subject_is_neither() -> None:
    assert not starts_with_reference("In the end the talks succeeded.")


@pytest.mark.parametrize(
    "sentence",
    [
        "Also, please tell us your thoughts on what measures Japan intends to take.",
        "Q: My question is about semiconductors.",
        "Q: I have a question about semiconductors.",
        "Could you comment on the reports.",
    ],
)
def test_a_reporters_request_is_interrogative_though_it_ends_with_a_full_stop(
    sentence: str,
) -> None:
    assert is_interrogative(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Q: There are reports that the US government is forcing Japan to act.",
        "Pleased with the talks, Rutte flew home.",
    ],
)
def test_a_reporters_statement_of_fact_is_not_interrogative(sentence: str) -> None:
    assert not is_interrogative(sentence)


def test_blanking_spans_keeps_every_offset() -> None:
    assert blank_spans("As of 20 January 2023, what?", [(6, 21)]) == "As of                , what?"


def test_a_line_announcing_what_follows_is_a_lead_in() -> None:
    assert is_lead_in("Spokesperson of the Chinese Embassy has the following comments: ")
    assert not is_lead_in("Mao Ning: We noted the reports.")
    assert not is_lead_in("The rules take effect on 1 September 2023.")
