"""Who a question or sentence is about: the countries and the named actors in it.

"What did the Dutch trade minister say?" is about the Netherlands; a sentence about
Japan's minister is not its answer, however alike the words. Countries are found by
name, demonym, capital or government metonym ("Tokyo", "The Hague", "Beijing"), so a
question and a sentence that name one country in different words still match.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import TypeVar

from retrieval.countries import countries, country_spans, is_country_word
from retrieval.text import tokenize
from retrieval.turns import opening_label_end

K = TypeVar("K")

_CAPITALISED = re.compile(r"[A-Z][\w’'-]*")


@lru_cache(maxsize=4096)
def names(text: str) -> frozenset[str]:
    """Analysed terms of the capitalised words of ``text`` that are not its first word
    and not a country: the people, firms and bodies it names."""
    words = _CAPITALISED.findall(text)
    if words and text.lstrip().startswith(words[0]):
        words = words[1:]
    terms: set[str] = set()
    for word in words:
        if is_country_word(word.strip("’'")):
            continue
        terms.update(tokenize(word))
    return frozenset(terms)


# Stems of the verbs that report speech: "said", "stated", "told" all mean "say" here.
_SAYING = frozenset({"say", "said", "state", "tell", "told", "remark", "comment"})
SAY = "say"


@lru_cache(maxsize=8192)
def actor_terms(text: str) -> tuple[str, ...]:
    """``tokenize(text)`` with each country named as one term, however it is named
    ("Dutch", "The Hague", "Netherlands" are all ``country:netherlands``), and every
    verb of saying as ``say``: "What did the Dutch minister say?" and "the Netherlands'
    top trade official stated" share the words that matter."""
    terms: list[str] = []
    at = 0
    for start, end, key in country_spans(text):
        terms.extend(tokenize(text[at:start]))
        terms.append(f"country:{key}")
        at = end
    terms.extend(tokenize(text[at:]))
    return tuple(SAY if t in _SAYING else t for t in terms)


def country_match(question: str, sentence: str) -> tuple[float, bool]:
    """``(share, conflict)``: the share of the question's countries the sentence names,
    and whether the sentence names countries but none of the question's."""
    asked = countries(question)
    if not asked:
        return 0.0, False
    said = countries(sentence)
    share = len(asked & said) / len(asked)
    return share, bool(said) and not (asked & said)


# How far into a sentence its subject may stand: "The Chinese side firmly opposes",
# "China will", but not "We disapprove of the Dutch side's…".
SUBJECT_WORDS = 3


def subject_country(text: str, within: int = SUBJECT_WORDS) -> str | None:
    """The country ``text`` opens with (within its first ``within`` words, a turn's label
    aside): who a sentence is about or who a question asks about ("How did China
    react…" → ``"china"``); ``None`` when no country stands there."""
    # A transcript's turn label ("A:", "Mao Ning:") is not the sentence's subject.
    body = text[opening_label_end(text) :]
    for start, _, key in country_spans(body):
        return key if len(body[:start].split()) <= within else None
    return None


def question_subject(question: str) -> str | None:
    """The first country a question names: the one it asks about ("What did Japan's
    trade minister say about China's controls?" → ``"japan"``)."""
    spans = country_spans(question)
    return spans[0][2] if spans else None


_FIRST_PERSON = re.compile(r"(?:we|our|us|i|my)\b", re.IGNORECASE)


def speaks_for_itself(text: str) -> bool:
    """Whether ``text`` opens in the first person ("We disapprove…"), a label aside."""
    return _FIRST_PERSON.match(text[opening_label_end(text) :].lstrip()) is not None


def voices(said: Iterable[tuple[K, str]]) -> dict[K, str]:
    """The country each speaker speaks for, from ``(speaker, sentence)`` pairs: the one
    their sentences most often open with ("China firmly opposes them" makes the
    spokesperson China's voice); none for a speaker whose sentences open with no country
    or with two equally often."""
    counts: dict[K, Counter[str]] = {}
    for speaker, text in said:
        key = subject_country(text)
        if key is not None:
            counts.setdefault(speaker, Counter())[key] += 1
    out: dict[K, str] = {}
    for speaker, counter in counts.items():
        ranked = counter.most_common(2)
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            out[speaker] = ranked[0][0]
    return out


def subject_match(asked: str | None, sentence: str, voice: str = "") -> tuple[bool, bool]:
    """``(same, other)``: whether the sentence opens with ``asked``, the country the
    question asks about (:func:`question_subject`), and whether it opens with another
    one. A sentence in the first person ("We disapprove…") opens with its speaker's
    ``voice``, when known."""
    said = subject_country(sentence) or (voice if voice and speaks_for_itself(sentence) else None)
    if asked is None or said is None:
        return False, False
    return said == asked, said != asked


def name_match(question: str, sentence_terms: frozenset[str]) -> float:
    """The share of the question's named people, firms and bodies the sentence names."""
    asked = names(question)
    if not asked:
        return 0.0
    return len(asked & sentence_terms) / len(asked)
