"""Who is speaking in a transcript.

Press conferences are transcribed as turns, each opening with its speaker's label at the
start of a line: "Mao Ning: We noted the reports.", "Reuters: …", or "Q: …" and "A: …",
where the answerer is the one the page is about ("Press Conference by Minister
Nishimura"). The White House labels its remarks with a full stop instead: "President
Biden. Well, Mr. Prime Minister, …"; such a label counts only when the same speakers
recur, as they do in a transcript and seldom in prose. A sentence of a turn is said by
that turn's speaker, though it never names them: "What did Nishimura say about
gallium?" is answered by an "A:" sentence of his press conference.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

# A speaker label: up to four capitalised words (or an outlet such as "CCTV") and a
# colon at the start of a line, then the turn's first words on the same line.
_LABEL = re.compile(r"^[ \t]*([A-Z][\w.’'&-]*(?: [A-Z][\w.’'&-]*){0,3}):[ \t]+(?=\S)", re.M)
# The same with a full stop: two to four capitalised words ("President Biden.", "Prime
# Minister Rutte.") opening a line and followed by the turn's words.
_DOTTED_LABEL = re.compile(r"^[ \t]*([A-Z][\w’'-]*(?: [A-Z][\w’'-]*){1,3})\.[ \t]+(?=\S)", re.M)
_ASKING = frozenset({"q", "q.", "question"})
_ANSWERING = frozenset({"a", "a.", "answer"})


@dataclass(frozen=True)
class Turn:
    """``text[start:end]`` is said by ``speaker`` ("" for an unnamed questioner), under
    ``label`` as the transcript writes it ("Q", "A", "Mao Ning")."""

    start: int
    end: int
    speaker: str
    label: str = ""


@lru_cache(maxsize=256)
def turns(text: str, title: str = "") -> tuple[Turn, ...]:
    """The labelled turns of ``text``, in order; none unless it has two or more.

    A turn runs from its label to the next label (or the end of the text). An answer
    label ("A:") stands for the one ``title`` is about; a question label ("Q:") for an
    unnamed reporter; any other label is the speaker's own name.
    """
    labels = list(_LABEL.finditer(text))
    if len(labels) < 2:
        labels = _recurring(list(_DOTTED_LABEL.finditer(text)))
    if len(labels) < 2:
        return ()
    out = []
    for i, match in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        label = match.group(1)
        if label.lower() in _ASKING:
            speaker = ""
        elif label.lower() in _ANSWERING:
            speaker = title
        else:
            speaker = label
        out.append(Turn(match.start(), end, speaker, label))
    return tuple(out)


def _recurring(labels: list[re.Match[str]]) -> list[re.Match[str]]:
    """The full-stop labels of a transcript: those of speakers who each take two turns
    or more, when there are two such speakers; none otherwise (a line of prose may open
    with "Prime Minister Rutte." once)."""
    counts = Counter(match.group(1) for match in labels)
    speakers = {label for label, n in counts.items() if n >= 2}
    if len(speakers) < 2:
        return []
    return [m for m in labels if m.group(1) in speakers]


def opens_turn(start: int, turn_start: int) -> bool:
    """Whether a sentence at ``start`` opens the turn at ``turn_start`` (so shows its
    label); a turn's start may sit one indent before its label."""
    return turn_start <= start <= turn_start + 1


def is_label(text: str, start: int, turn: tuple[int, int, str, str] | None) -> bool:
    """Whether the sentence ``text`` at ``start``, in ``turn`` (``(start, end,
    speaker, label)``, or ``None`` outside any), is only that turn's full-stop label ("Prime
    Minister Rutte."): it says nothing, it names who speaks next."""
    if turn is None:
        return False
    label = text.strip()
    return label.endswith(".") and label[:-1] == turn[2] and opens_turn(start, turn[0])


def opening_label_end(text: str) -> int:
    """Where the words of ``text`` start past a speaker label opening it ("Mao Ning: We
    noted…", "A: Japan has…"); 0 when no label opens it. For text read without its
    turns (a sentence alone); :func:`without_label` checks the label against the turn."""
    match = _LABEL.match(text)
    return match.end() if match else 0


def without_label(text: str, start: int, turn: tuple[int, int, str, str] | None) -> str:
    """The sentence ``text`` at ``start`` without the label of ``turn`` (``(start, end,
    speaker, label)``) it opens: "Mao Ning: We noted the reports." says "We noted the reports."."""
    if turn is None or not opens_turn(start, turn[0]):
        return text
    match = _LABEL.match(text) or _DOTTED_LABEL.match(text)
    return text[match.end() :] if match else text
