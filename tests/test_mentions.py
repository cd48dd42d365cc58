"""Reading words as verbs, for finding where a question's subject ends."""

from __future__ import annotations

import pytest

from retrieval.answer.mentions import is_verb


@pytest.mark.parametrize("word", ["issued", "restricting", "agree", "said"])
def test_verbs_in_any_form_read_as_verbs(word: str) -> None:
    assert is_verb(word)


@pytest.mark.parametrize("word", ["advanced-computing", "chip-making", "long-standing"])
def test_a_hyphenated_ing_or_ed_word_qualifies_a_noun(word: str) -> None:
    assert not is_verb(word)
