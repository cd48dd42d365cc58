"""What a question names that the retrieved passages never mention.

A name no passage holds ("South Korea", "ASML") is evidence for declining. Names are
matched as analysed terms, so "Japan’s" matches "Japan", in the passages' text or in
their articles' titles, sources and ids ("according to Wikinews"); a country counts as
mentioned however it is named ("The Hague" by "Dutch"); date phrases are no names,
since they bound the search instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.countries import countries, country_mentions, without_countries
from retrieval.models import Passage
from retrieval.temporal import find_dates
from retrieval.text import blank_spans, tokenize

_NAME = re.compile(r"[A-Za-z0-9][\w’'-]*")
# Capitalised words that open clauses or are too generic to be missing "names".
_NOT_NAMES = frozenset({"I", "US", "U.S."})
_ACRONYM = re.compile(r"[A-Z]{3,}")


def missing_entities(question: str, passages: Sequence[Passage]) -> tuple[str, ...]:
    """Names and numbers in ``question`` that none of ``passages`` mentions.

    A name is a run of capitalised words that does not open the question; it is
    mentioned when any of its words is ("the Commerce Department" by "Department of
    Commerce"), except that an acronym in it must be mentioned itself ("FIFA World Cup"
    is not mentioned by "the World Cup match"). A number is any other word with a digit.
    """
    seen: set[str] = set()
    seen_countries: set[str] = set()
    for p in passages:
        seen.update(tokenize(" ".join([p.text, p.title, p.source or "", p.article_id])))
        seen_countries |= countries(p.text)
    text = blank_spans(question, [(d.start, d.end) for d in find_dates(question)])
    missing = [surface for key, surface in country_mentions(text) if key not in seen_countries]
    text = without_countries(text)
    words = list(_NAME.finditer(text))
    run: list[str] = []
    for i, match in enumerate(words):
        word = match.group()
        named = i > 0 and word[0].isupper() and word not in _NOT_NAMES
        joined = bool(run) and not text[words[i - 1].end() : match.start()].strip()
        if run and not (named and joined):
            missing.extend(_missing_run(run, seen))
            run = []
        if named:
            run.append(word)
        elif _has_digit(word) and not any(t in seen for t in tokenize(word)):
            missing.append(word)
    missing.extend(_missing_run(run, seen))
    return tuple(dict.fromkeys(missing))


def _missing_run(run: Sequence[str], seen: set[str]) -> list[str]:
    """A capitalised run, as one name, when none of its words is mentioned."""
    terms = [t for word in run for t in tokenize(word)]
    if not terms:
        return []
    if any(t in seen for t in terms):
        # An acronym is a name of its own: "FIFA World Cup" is not mentioned by a
        # passage that speaks of "the World Cup match".
        return [w for w in run if _ACRONYM.fullmatch(w) and not set(tokenize(w)) & seen]
    return [" ".join(run)]


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)
