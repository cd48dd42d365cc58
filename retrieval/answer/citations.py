"""Checking a model's answer against the passages it was given.

The model is asked to put ``[n]`` after every claim, ``n`` being a passage's number in
the prompt. Its output is checked sentence by sentence:

- markers are parsed in the forms ``[1]``, ``[1][2]``, ``[1, 2]``, ``[1-3]`` and
  ``[passage 1]``; a marker placed after the full stop (``claim. [1]``) belongs to the
  sentence before it;
- a number naming no provided passage is removed from the text and counted
  (``removed_citations``);
- a sentence with no valid marker, or whose cited passages do not support it (see
  :mod:`retrieval.answer.support`), is listed in ``unsupported`` and flagged in the text
  with :data:`UNSUPPORTED_MARK` where its citation would stand: ``Japan agreed
  [unsupported].`` / ``Japan agreed [2] [unsupported].`` (its markers are kept so the
  reader can see what it claimed to rest on). A sentence saying the articles don't
  answer (:func:`is_abstention`) needs no citation;
- valid markers are renumbered ``1..k`` in order of first use, and each becomes a
  :class:`~retrieval.models.Citation` of the whole passage span (``quote`` is the
  passage text, which is exactly ``article_text[start:end]``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from retrieval.models import Citation, Passage
from retrieval.text import normalize_quotes, split_sentences

UNSUPPORTED_MARK = "[unsupported]"

_NUMBER_LIST = r"\d{1,4}(?:\s*(?:,|;|-|–|—|and)\s*\d{1,4})*"
MARKER_RE = re.compile(r"\[\s*(?:passages?\s*)?(" + _NUMBER_LIST + r")\s*\]", re.IGNORECASE)
_ONE_MARKER = r"\[\s*(?:passages?\s*)?" + _NUMBER_LIST + r"\s*\]"
_MARKER_RUN = _ONE_MARKER + r"(?:[ \t]*" + _ONE_MARKER + r")*"
# "claim. [1] Next" -> "claim [1]. Next": the markers join the sentence they follow.
_TRAILING_MARKERS_RE = re.compile(
    r"([.!?…]+[”’\"')»]*)[ \t]*\n?[ \t]*(" + _MARKER_RUN + r")", re.IGNORECASE
)
_SPACE_BEFORE_PUNCT_RE = re.compile(r"[ \t]+(?=[.,;:!?…])")
_ABSTAIN_RE = re.compile(
    r"\b(?:indexed\s+)?(?:articles?|passages?|sources?)\s+"
    r"(?:don't|do\s+not|doesn't|does\s+not|didn't|did\s+not)\s+"
    r"(?:say|mention|state|cover|address|answer|contain|discuss|specify|include)",
    re.IGNORECASE,
)
_MAX_RANGE = 20
_WORD_RE = re.compile(r"[^\W_]", re.UNICODE)


class SupportJudge(Protocol):
    """Decides, for each (claim, cited passages) pair, whether the passages support it."""

    def supported_many(self, items: Sequence[tuple[str, Sequence[Passage]]]) -> list[bool]:
        """One verdict per item, in order."""
        ...


def parse_numbers(group: str) -> list[int]:
    """The passage numbers inside one marker's brackets: ``"1, 3-4"`` -> ``[1, 3, 4]``."""
    numbers: list[int] = []
    for piece in re.split(r"\s*(?:,|;|and)\s*", group):
        bounds = re.split(r"\s*[-–—]\s*", piece.strip())
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            lo, hi = int(bounds[0]), int(bounds[1])
            if lo <= hi and hi - lo <= _MAX_RANGE:
                numbers.extend(range(lo, hi + 1))
                continue
        numbers.extend(int(b) for b in bounds if b.isdigit())
    return numbers


def parse_markers(text: str) -> list[int]:
    """Every passage number cited in ``text``, in order, repeats included."""
    return [n for m in MARKER_RE.finditer(text) for n in parse_numbers(m.group(1))]


def strip_markers(text: str) -> str:
    """``text`` without citation markers or :data:`UNSUPPORTED_MARK`, whitespace collapsed."""
    text = MARKER_RE.sub("", text.replace(UNSUPPORTED_MARK, ""))
    return _SPACE_BEFORE_PUNCT_RE.sub("", " ".join(text.split()))


def attach_trailing_markers(text: str) -> str:
    """Move markers written after a sentence's full stop to before it (``a. [1]`` -> ``a [1].``)."""

    return _TRAILING_MARKERS_RE.sub(lambda m: f" {m.group(2)}{m.group(1)}", text)


def is_abstention(sentence: str) -> bool:
    """True for a sentence saying the articles don't answer (e.g. "...don't say")."""
    return bool(_ABSTAIN_RE.search(normalize_quotes(sentence)))


@dataclass(frozen=True)
class ModelSentence:
    """One sentence of the model's (marker-normalised) output."""

    start: int
    end: int
    text: str
    numbers: tuple[int, ...]

    @property
    def claim(self) -> str:
        """The sentence without markers: what is checked for support."""
        return strip_markers(self.text)

    @property
    def has_words(self) -> bool:
        """False for fragments that state nothing (punctuation, stray markers)."""
        return bool(_WORD_RE.search(MARKER_RE.sub("", self.text)))


def split_model_sentences(text: str) -> tuple[str, list[ModelSentence]]:
    """Normalise marker placement, then split; returns the normalised text and its sentences."""
    normalised = attach_trailing_markers(text)
    sentences = [
        ModelSentence(s, e, normalised[s:e], tuple(parse_markers(normalised[s:e])))
        for s, e in split_sentences(normalised)
    ]
    return normalised, sentences


@dataclass
class CheckedAnswer:
    """The checked, renumbered answer text and everything the check found."""

    answer: str
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    removed_citations: int = 0
    abstained: bool = False

    @property
    def cited(self) -> bool:
        """True when at least one valid citation survived the check."""
        return bool(self.citations)


def citation_for(n: int, passage: Passage) -> Citation:
    """Citation ``n`` for the whole span of ``passage`` (quote == article text[start:end])."""
    return Citation(
        n=n,
        article_id=passage.article_id,
        title=passage.title,
        date=passage.date,
        path=passage.path,
        start=passage.start,
        end=passage.end,
        quote=passage.text,
    )


def _rewrite(sentence: str, renumber: dict[int, int], flag: bool) -> str:
    removed_any = False

    def repl(m: re.Match[str]) -> str:
        nonlocal removed_any
        kept = [renumber[n] for n in dict.fromkeys(parse_numbers(m.group(1))) if n in renumber]
        if not kept:
            removed_any = True
            return ""
        return "".join(f"[{k}]" for k in kept)

    out = MARKER_RE.sub(repl, sentence)
    if removed_any:
        out = _SPACE_BEFORE_PUNCT_RE.sub("", re.sub(r"[ \t]{2,}", " ", out)).strip()
    if flag:
        body = out.rstrip()
        stripped = body.rstrip(".!?…")
        out = f"{stripped} {UNSUPPORTED_MARK}{body[len(stripped) :]}"
    return out


def check_answer(text: str, passages: Sequence[Passage], judge: SupportJudge) -> CheckedAnswer:
    """Validate, support-check and renumber the citations of a model's answer ``text``.

    ``[n]`` refers to ``passages[n - 1]``. See the module docstring for the rules.
    """
    normalised, sentences = split_model_sentences(text.strip())
    valid = set(range(1, len(passages) + 1))
    renumber: dict[int, int] = {}
    removed = 0
    for s in sentences:
        for n in s.numbers:
            if n in valid:
                renumber.setdefault(n, len(renumber) + 1)
            else:
                removed += 1

    to_check: list[tuple[int, str, list[Passage]]] = []
    flagged: set[int] = set()
    abstains = False
    for i, s in enumerate(sentences):
        if not s.has_words:
            continue
        if is_abstention(s.text):
            abstains = True
            continue
        cited = [passages[n - 1] for n in dict.fromkeys(s.numbers) if n in valid]
        if cited:
            to_check.append((i, s.claim, cited))
        else:
            flagged.add(i)
    verdicts = judge.supported_many([(claim, cited) for _, claim, cited in to_check])
    flagged.update(i for (i, _, _), ok in zip(to_check, verdicts, strict=True) if not ok)

    parts: list[str] = []
    pos = 0
    for i, s in enumerate(sentences):
        parts.append(normalised[pos : s.start])
        parts.append(_rewrite(s.text, renumber, i in flagged))
        pos = s.end
    parts.append(normalised[pos:])
    order = sorted(renumber, key=renumber.__getitem__)
    return CheckedAnswer(
        answer="".join(parts).strip(),
        citations=[citation_for(renumber[n], passages[n - 1]) for n in order],
        unsupported=[sentences[i].claim for i in sorted(flagged)],
        removed_citations=removed,
        abstained=abstains and not renumber,
    )
