"""The parts of a question that asks two things ("…, and why do they matter?").

"On what date was Rutte due to meet Biden, and did the meeting go ahead?" needs two
facts; the reader, asked the whole question, finds the sentence for the first part and
rarely the second. Each part is made a question of its own — the second read as a
follow-up to the first, so "and what did he get?" becomes "What did Biden get?", or, when
it is a bare time clause ("…when they were announced, and when they took effect?"), as
the first question asked of that time — and the answer gets the best sentence for each
part.
"""

from __future__ import annotations

import re

from retrieval.answer.followup import condense_offline

# ", and" before a question word or an auxiliary opens a second question; "and again
# in June" or "Japan and the Netherlands" do not.
_SECOND_QUESTION = re.compile(
    r",\s*and\s+(?=(?:what|when|which|who|whom|whose|why|how|where|did|does|do|is|are|"
    r"was|were|has|have|had|will|would|can|could)\b)",
    re.IGNORECASE,
)


def question_parts(question: str) -> list[str]:
    """The questions ``question`` asks, each standalone; ``[]`` when it asks one."""
    pieces = [p.strip(" ,?") for p in _SECOND_QUESTION.split(question.strip())]
    pieces = [p for p in pieces if p]
    if len(pieces) < 2:
        return []
    first = _as_question(pieces[0])
    return [
        first,
        *(_elliptical(p, first) or _standalone(_as_question(p), first) for p in pieces[1:]),
    ]


# A time clause standing for a whole question ("…when they were announced, and when they
# took effect?"): the conjunction with no auxiliary after it.
_TIME_CLAUSE = re.compile(
    r"^(?P<word>when|after|before|once|while)\s+(?!(?:did|does|do|is|are|was|were|has|have|"
    r"had|will|would|can|could)\b)\S",
    re.IGNORECASE,
)


def _elliptical(piece: str, first: str) -> str | None:
    """The first question asked again of the time clause ``piece``, when it is one and
    the first question ends in a clause of the same kind: "What did the minister say
    when they were announced?" with "when they took effect" is "What did the minister
    say when they took effect?"."""
    match = _TIME_CLAUSE.match(piece)
    if match is None:
        return None
    at = first.lower().rfind(f" {match['word'].lower()} ")
    if at < 0:
        return None
    return first[: at + 1] + piece[0].lower() + piece[1:] + "?"


def _standalone(part: str, first: str) -> str:
    """``part`` with what it refers to in ``first`` filled in, when that can be done;
    otherwise as it stands (the follow-up rewriter's last resort, both questions joined,
    would only find the first part's sentence again)."""
    rewritten = condense_offline(part, [first])
    return part if rewritten.startswith(first.rstrip("?. ") + " — ") else rewritten


def _as_question(text: str) -> str:
    return text[0].upper() + text[1:] + "?"
