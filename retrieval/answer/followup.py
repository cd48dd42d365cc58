"""Offline follow-up handling: turn "And the Netherlands?" into a standalone question.

No model is involved, so this is a heuristic: a short question that leans on the
conversation (a leading "and"/"what about", or a pronoun and nothing to anchor it) is
merged with the latest earlier question, swapping that question's last named entity for
the follow-up's when the follow-up names one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_LEADS = re.compile(
    r"^\s*(?:and|but|also|so|what about|how about|and what about|what of)\b[\s,]*",
    re.IGNORECASE,
)
_PRONOUNS = re.compile(r"\b(?:it|its|they|them|their|that|this|those|these|he|she|his|her)\b", re.I)
# A run of capitalised words ("the Netherlands", "Prime Minister Mark Rutte", "ASML").
_ENTITY = re.compile(r"\b(?:the\s+)?(?:[A-Z][\w’'.-]*)(?:\s+(?:of\s+)?[A-Z][\w’'.-]*)*")
_QUESTION_WORDS = frozenset(
    [
        "What",
        "Who",
        "Whom",
        "Whose",
        "When",
        "Where",
        "Why",
        "How",
        "Which",
        "Did",
        "Does",
        "Do",
        "Is",
        "Are",
        "Was",
        "Were",
        "Has",
        "Have",
        "Had",
        "Will",
        "Would",
        "Can",
        "Could",
        "Should",
        "And",
        "But",
        "Also",
        "So",
    ]
)
MAX_FOLLOWUP_WORDS = 8


def _entities(text: str) -> list[re.Match[str]]:
    found = []
    for match in _ENTITY.finditer(text):
        words = match.group(0).split()
        if words and words[0] in _QUESTION_WORDS and len(words) == 1:
            continue
        found.append(match)
    return found


def is_followup(question: str) -> bool:
    """True when ``question`` looks like it depends on an earlier one."""
    words = question.split()
    if not words or len(words) > MAX_FOLLOWUP_WORDS:
        return False
    if _LEADS.match(question):
        return True
    return bool(_PRONOUNS.search(question)) and not _entities(question)


def condense_offline(question: str, history: Sequence[str]) -> str:
    """A standalone version of ``question`` given earlier questions (oldest first)."""
    if not history or not is_followup(question):
        return question
    previous = history[-1].strip()
    rest = _LEADS.sub("", question).strip().rstrip("?").strip()
    new = _entities(rest)
    old = _entities(previous)
    if new and old:
        target = old[-1]
        replacement = new[-1].group(0)
        return previous[: target.start()] + replacement + previous[target.end() :]
    return f"{previous.rstrip('?')} — {rest}?" if rest else previous
