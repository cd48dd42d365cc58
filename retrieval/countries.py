"""Countries, however a text names them: by name, demonym, capital or government
metonym ("Japan", "Japanese", "Tokyo"; "the Netherlands", "Dutch", "The Hague").

The reader matches a question's countries with a sentence's (:mod:`retrieval.answer.actors`);
the lexical search adds a country's plain names to a query that names it only by its
capital ("What does Beijing demand of The Hague?" finds passages about China and the
Dutch government).
"""

from __future__ import annotations

import re
from functools import lru_cache

from retrieval.text import blank_spans

# Countries in this story and the ones most often named beside them; each maps the
# ways of naming it (lowercase) to one key.
_NAMES: dict[str, tuple[str, ...]] = {
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
        # Beijing's statements name the US this way when they will not name it.
        "certain major country",
        "certain country",
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
_COUNTRY_OF = {name: key for key, names in _NAMES.items() for name in names}
_COUNTRY_RE = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(n) for n in sorted(_COUNTRY_OF, key=len, reverse=True))
    + r")(?![\w])",
    re.IGNORECASE,
)
# Lowercase "us" is the pronoun; only "US" / "U.S." name the country.
_PRONOUN_US = re.compile(r"^us$")
# Names of a country's capital or government rather than of the country itself.
_METONYMS = frozenset(
    {
        "tokyo", "the hague", "beijing", "washington", "white house", "biden administration",
        "certain major country", "certain country", "taipei", "seoul", "berlin", "brussels",
        "london", "paris", "moscow", "new delhi", "ottawa", "canberra",
    }
)  # fmt: skip
# How a country is plainly named: its name and its people's adjective.
_PLAIN: dict[str, tuple[str, ...]] = {
    "us": ("US", "American"),
    **{key: names[:2] for key, names in _NAMES.items() if key != "us"},
}


@lru_cache(maxsize=4096)
def country_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """``(start, end, key)`` of every country mention in ``text``, in order."""
    out = []
    for match in _COUNTRY_RE.finditer(text):
        key = _country_key(match.group(1))
        if key is not None:
            out.append((match.start(), match.end(), key))
    return tuple(out)


def countries(text: str) -> frozenset[str]:
    """The countries ``text`` names, as keys (``"netherlands"`` for "Dutch")."""
    return frozenset(key for _, _, key in country_spans(text))


def country_mentions(text: str) -> list[tuple[str, str]]:
    """``(key, surface)`` of every country mention in ``text``, in order."""
    return [(key, text[start:end]) for start, end, key in country_spans(text)]


def without_countries(text: str) -> str:
    """``text`` with its country mentions blanked out (offsets kept)."""
    return blank_spans(text, [(start, end) for start, end, _ in country_spans(text)])


def is_country_word(word: str) -> bool:
    """Whether ``word`` on its own names a country ("Dutch", "Tokyo")."""
    return word.lower() in _COUNTRY_OF


def plain_names(text: str) -> list[str]:
    """The plain names of each country ``text`` names only by its capital or a metonym
    ("Beijing" gives "china", "chinese"); none for a country it names plainly."""
    out: list[str] = []
    for key, surface in country_mentions(text):
        if surface.lower() in _METONYMS:
            out.extend(n for n in _PLAIN[key] if n not in out)
    return out


def _country_key(word: str) -> str | None:
    """The country ``word`` names, or ``None`` where it names none ("us" the pronoun)."""
    if _PRONOUN_US.match(word) or (word.lower() == "us" and not word.isupper()):
        return None
    if word.lower() in ("europe", "european") and not word[0].isupper():
        return None
    return _COUNTRY_OF[word.lower()]
