"""Who a question or sentence is about: the countries and the named actors in it.

"What did the Dutch trade minister say?" is about the Netherlands; a sentence about
Japan's minister is not its answer, however alike the words. Countries are found by
name, demonym, capital or government metonym ("Tokyo", "The Hague", "Beijing"), so a
question and a sentence that name one country in different words still match.
"""

from __future__ import annotations

import re
from functools import lru_cache

from retrieval.text import tokenize

# Countries in this story and the ones most often named beside them; each maps the
# ways of naming it (lowercase) to one key.
_COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "us": (
        "united states",
        "u.s.",
        "us",
        "usa",
        "america",
        "american",
        "americans",
        "washington",
        "white house",
        "biden administration",
    ),
    "japan": ("japan", "japanese", "tokyo"),
    "netherlands": ("netherlands", "dutch", "the hague", "holland"),
    "china": ("china", "chinese", "beijing", "prc"),
    "taiwan": ("taiwan", "taiwanese", "taipei"),
    "korea": ("korea", "south korea", "korean", "seoul"),
    "germany": ("germany", "german", "berlin"),
    "eu": ("european union", "eu", "europe", "european", "brussels"),
    "uk": ("united kingdom", "britain", "british", "uk", "london"),
    "france": ("france", "french", "paris"),
    "russia": ("russia", "russian", "moscow"),
    "india": ("india", "indian", "new delhi"),
    "macau": ("macau", "macao"),
    "hong kong": ("hong kong",),
    "singapore": ("singapore", "singaporean"),
    "israel": ("israel", "israeli"),
    "canada": ("canada", "canadian", "ottawa"),
    "australia": ("australia", "australian", "canberra"),
}
_COUNTRY_OF = {name: key for key, names in _COUNTRY_NAMES.items() for name in names}
_COUNTRY_RE = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(n) for n in sorted(_COUNTRY_OF, key=len, reverse=True))
    + r")(?![\w])",
    re.IGNORECASE,
)
# Lowercase "us" is the pronoun; only "US" / "U.S." name the country.
_PRONOUN_US = re.compile(r"^us$")
_CAPITALISED = re.compile(r"[A-Z][\w’'-]*")


@lru_cache(maxsize=4096)
def countries(text: str) -> frozenset[str]:
    """The countries ``text`` names, as keys (``"netherlands"`` for "Dutch")."""
    found = {_country_key(m.group(1)) for m in _COUNTRY_RE.finditer(text)}
    found.discard(None)
    return frozenset(k for k in found if k is not None)


def country_mentions(text: str) -> list[tuple[str, str]]:
    """``(key, surface)`` of every country mention in ``text``, in order."""
    out = []
    for match in _COUNTRY_RE.finditer(text):
        key = _country_key(match.group(1))
        if key is not None:
            out.append((key, match.group(1)))
    return out


def without_countries(text: str) -> str:
    """``text`` with its country mentions blanked out (offsets kept)."""
    for match in _COUNTRY_RE.finditer(text):
        if _country_key(match.group(1)) is not None:
            text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    return text


def _country_key(word: str) -> str | None:
    """The country ``word`` names, or ``None`` where it names none ("us" the pronoun)."""
    if _PRONOUN_US.match(word) or (word.lower() == "us" and not word.isupper()):
        return None
    if word.lower() in ("europe", "european") and not word[0].isupper():
        return None
    return _COUNTRY_OF[word.lower()]


@lru_cache(maxsize=4096)
def names(text: str) -> frozenset[str]:
    """Analysed terms of the capitalised words of ``text`` that are not its first word
    and not a country: the people, firms and bodies it names."""
    words = _CAPITALISED.findall(text)
    if words and text.lstrip().startswith(words[0]):
        words = words[1:]
    terms: set[str] = set()
    for word in words:
        if word.lower().strip("’'") in _COUNTRY_OF:
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
    for match in _COUNTRY_RE.finditer(text):
        key = _country_key(match.group(1))
        if key is None:
            continue
        terms.extend(tokenize(text[at : match.start()]))
        terms.append(f"country:{key}")
        at = match.end()
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


def name_match(question: str, sentence_terms: frozenset[str]) -> float:
    """The share of the question's named people, firms and bodies the sentence names."""
    asked = names(question)
    if not asked:
        return 0.0
    return len(asked & sentence_terms) / len(asked)
