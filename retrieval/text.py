"""Pure text helpers shared by chunking, lexical search and answer scoring.

Sentence spans are absolute character offsets into the text they were computed on,
so they can be turned into verbatim citations without any re-alignment.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)

# A BOM or zero-width space is not ``str.isspace`` but must never start or end a span.
_EXTRA_SPACE = "\ufeff\u200b"

_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "st",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "u.s", "u.k", "e.g", "i.e", "vs", "etc", "inc", "corp", "ltd", "co", "no",
        "jr", "sr", "lt", "col", "capt", "sgt", "rev", "fig", "al", "approx",
    }
)  # fmt: skip

_OPENERS = "“‘\"'([«"
_CLOSERS = "”’\"')]»"
_TERMINATORS = ".!?…"

# Sentence-final punctuation, optional closers, then whitespace; the next character is
# checked in code (uppercase letter, digit or opening quote).
_END_RE = re.compile(r"[.!?…]+[”’\"')\]»]*(?=\s)")
# A paragraph break: a line that is empty or holds only whitespace.
_PARA_RE = re.compile(r"\n[^\S\n]*\n\s*")
_LIST_ITEM_RE = re.compile(r"(?:[-*•]|\d{1,3}[.)])\s")
_HEADING_MAX_CHARS = 60
_MD_HEADING_MAX_CHARS = 120
# A headline on a line of its own may run long: press releases and Federal Register
# notices have titles of 190 characters and more.
_TITLE_MAX_CHARS = 300


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch in _EXTRA_SPACE


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` narrowed past leading and trailing whitespace."""
    while start < end and _is_space(text[start]):
        start += 1
    while end > start and _is_space(text[end - 1]):
        end -= 1
    return start, end


def _is_abbreviation(text: str, para_start: int, dot: int) -> bool:
    """True when the period at ``dot`` ends an abbreviation or an initial, not a sentence."""
    i = dot
    while i > para_start and not _is_space(text[i - 1]):
        i -= 1
    word = text[i:dot].lstrip(_OPENERS)
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True  # an initial, as in "Joe B. Smith"
    return word.lower() in _ABBREVIATIONS


def _starts_sentence(ch: str) -> bool:
    return ch.isupper() or ch.isdigit() or ch in _OPENERS or ch == "#"


def is_heading_like(sentence: str, max_chars: int = _HEADING_MAX_CHARS) -> bool:
    """True for a short line with no final punctuation, such as "Seeking a deal"."""
    s = sentence.strip().strip(_EXTRA_SPACE)
    if not s or "\n" in s or _LIST_ITEM_RE.match(s):
        return False
    if s.startswith("#"):
        return len(s) <= max(max_chars, _MD_HEADING_MAX_CHARS)
    return len(s) <= max_chars and s[-1] not in _TERMINATORS + _CLOSERS + ",;:"


def is_title_line(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a whole line of its own with no final punctuation:
    a headline such as "Netherlands set to further restrict semiconductor technology
    exports", longer than the headings :func:`is_heading_like` admits in running text.

    Being a whole line is what tells a headline from a sentence cut short by a chunk's
    end, so the line break must be visible on both sides.
    """
    before_ok = start == 0 or text[start - 1] == "\n"
    after_ok = end < len(text) and text[end] == "\n"
    line = text[start:end].strip().strip(_EXTRA_SPACE)
    # "… (Excerpt)" ends in a bracket, not a sentence end; "… said “no.”" ends in one.
    unclosed = line.rstrip(_CLOSERS)
    return (
        before_ok
        and after_ok
        and len(line) <= _TITLE_MAX_CHARS
        and is_heading_like(unclosed, _TITLE_MAX_CHARS)
    )


# A reporter's request at a press conference ("Q: Also, please tell us your thoughts on…",
# "My question is about semiconductors."): it asks, though it ends with a full stop.
_REQUEST = re.compile(
    r"^(?:Q\s*:\s*)?(?:(?:also|and|then|so)\s*,?\s+)?"
    r"(?:please\b|(?:could|can|would|will)\s+you\b|"
    r"I\s+(?:would|'d|’d)\s+like\s+to\s+(?:ask|know|hear)\b|let\s+me\s+ask\b|"
    r"(?:my|I\s+have\s+a|one\s+more)\s+question\b)",
    re.IGNORECASE,
)


def is_interrogative(sentence: str) -> bool:
    """Whether ``sentence`` asks rather than states: it ends with a question mark, or it
    is a request ("Please tell us…", "My question is about…")."""
    s = sentence.strip()
    return s.rstrip(_CLOSERS).rstrip().endswith("?") or _REQUEST.match(s) is not None


def is_lead_in(sentence: str) -> bool:
    """Whether ``sentence`` only announces what follows ("The spokesperson has the
    following comments:"): it ends with a colon, so what it introduces is elsewhere."""
    return sentence.strip().endswith(":")


def _line_breaks(text: str, start: int, end: int) -> list[int]:
    """Offsets of newlines inside ``text[start:end]`` that end a heading or list item."""
    breaks: list[int] = []
    line_start = start
    sentence_start = True  # does the current line begin a sentence?
    while True:
        nl = text.find("\n", line_start, end)
        if nl < 0:
            return breaks
        line = text[line_start:nl].strip()
        nxt_start, _ = _trim(text, nl + 1, end)
        nxt_end = text.find("\n", nxt_start, end)
        nxt = text[nxt_start : end if nxt_end < 0 else nxt_end]
        ends_line = False
        if line and nxt:
            # A heading is a whole line: it starts a sentence and holds no sentence end.
            heading = (
                sentence_start
                and is_heading_like(line)
                and not _END_RE.search(line)
                and _starts_sentence(nxt[0])
            )
            ends_line = heading or line.startswith("#") or bool(_LIST_ITEM_RE.match(nxt))
        if ends_line:
            breaks.append(nl)
        sentence_start = ends_line or (bool(line) and line[-1] in _TERMINATORS + _CLOSERS)
        line_start = nl + 1


def _split_paragraph(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    cuts = set(_line_breaks(text, start, end))
    for m in _END_RE.finditer(text, start, end):
        after, _ = _trim(text, m.end(), end)
        if after >= end or not _starts_sentence(text[after]):
            continue
        punct = m.group().rstrip(_CLOSERS)
        if punct == "." and _is_abbreviation(text, start, m.start()):
            continue
        cuts.add(m.end())
    pos = start
    for cut in sorted(cuts):
        s, e = _trim(text, pos, cut)
        if s < e:
            out.append((s, e))
        pos = cut
    s, e = _trim(text, pos, end)
    if s < e:
        out.append((s, e))


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` covering the non-whitespace content of ``text[start:end]``.

    Offsets are absolute into ``text``; spans are trimmed of surrounding whitespace, in
    order and non-overlapping. Blank lines always end a sentence; short unpunctuated lines
    (headings) and list items stand alone; abbreviations and initials do not end one.
    """
    end = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _PARA_RE.finditer(text, start, end):
        _split_paragraph(text, pos, m.start(), spans)
        pos = m.end()
    _split_paragraph(text, pos, end, spans)
    return spans


# --- tokens -----------------------------------------------------------------------------

STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against all am an and any are aren as at be because been
    before being below between both but by can couldn could d did didn do does doesn doing
    don down during each few for from further had hadn has hasn have haven having he her
    here hers herself him himself his how i if in into is isn it its itself just ll m ma me
    mightn more most mustn my myself needn nor not now o of off on once only or other our
    ours ourselves out over own re s same shan she should shouldn so some such t than that
    the their theirs them themselves then there these they this those through to too under
    until up ve very was wasn we were weren what when where which while who whom why will
    with won wouldn y you your yours yourself yourselves would also
    """.split()  # noqa: SIM905 - a word list reads better as prose
)

# Words of letters/digits joined by internal apostrophes; numbers with separators.
_TOKEN_RE = re.compile(r"(?:[^\W\d_]\.){2,}|\d+(?:[.,]\d+)+|[^\W_]+(?:'[^\W_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "′": "'", "`": "'"})
_CLITICS = frozenset({"s", "t", "ll", "re", "ve", "d", "m"})


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: C speed, same Snowball rules as NLTK's

    return Stemmer.Stemmer("english")


#: Abbreviations that news text and questions spell both ways ("Jan 17", "January 17").
_EQUIVALENTS = {
    "jan": "january",
    "feb": "february",
    "apr": "april",
    "jun": "june",
    "jul": "july",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
}


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball English stem of one lowercase word (month abbreviations expanded)."""
    result: str = _stemmer().stemWord(_EQUIVALENTS.get(word, word))
    return result


def tokenize(text: str) -> list[str]:
    """Lowercase, stopword-free, stemmed word tokens of ``text`` (numbers kept)."""
    tokens: list[str] = []
    for match in _TOKEN_RE.finditer(text.translate(_APOSTROPHES).lower()):
        word = match.group()
        if word.endswith("."):  # an acronym: "u.s." -> "us", matching the plain spelling
            word = word.replace(".", "")
            if word not in STOPWORDS:
                tokens.append(stem(word))
            continue
        if word[0].isdigit() and ("," in word or "." in word):
            tokens.append(word.replace(",", ""))
            continue
        if "'" in word:
            parts = word.split("'")
            # "japan's" -> "japan", "don't" -> "don"; other pieces are kept as words.
            parts = [parts[0]] + [p for p in parts[1:] if p not in _CLITICS]
        else:
            parts = [word]
        for part in parts:
            if part and part not in STOPWORDS:
                tokens.append(stem(part))
    return tokens


_QUOTE_MAP = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "ʼ": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "\u00a0": " ",
        "…": "...",
    }
)


def blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each ``(start, end)`` span replaced by spaces: the words are gone,
    every offset stays where it was."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def normalize_quotes(text: str) -> str:
    """``text`` with curly quotes made straight and dashes made ``-`` (for fact matching)."""
    return text.translate(_QUOTE_MAP)


_PRONOUN_START = re.compile(
    r"^[“\"']?(?:he|she|it|its|they|their|them|this|these|that|those|his|her|the company|"
    r"the country|the firm|the move|the minister|such)\b",
    re.IGNORECASE,
)
# "From that point on…", "By then…", "Based on this policy…": a time, place or thing
# fixed by the sentence before.
_TIME_REFERENCE_START = re.compile(
    r"^[“\"']?(?:(?:from|after|before|by|since|until|at|under|in|based on|in line with|"
    r"in accordance with|given|despite|because of)\s+(?:that|this|then|these|those)|then)\b",
    re.IGNORECASE,
)


def starts_with_pronoun(sentence: str) -> bool:
    """Whether ``sentence`` opens with a pronoun or a stand-in ("He said…", "The firm…")."""
    return _PRONOUN_START.match(sentence.lstrip()) is not None


def starts_with_reference(sentence: str) -> bool:
    """Whether ``sentence`` leans on the one before it: it opens with a pronoun or a
    time or place fixed there ("He said…", "This…", "From that point on…")."""
    s = sentence.lstrip()
    return _PRONOUN_START.match(s) is not None or _TIME_REFERENCE_START.match(s) is not None
