"""What a passage needs around it to be read right: antecedents, whole sentences, replies.

A chunk may open with a sentence that leans on the one before it ("From that point on,
the export … will be subject to a national authorisation requirement."), while that
sentence ("On 1 September 2023 additional export control measures will enter into
force…") ended the previous chunk, which retrieval did not return. Before answering, such
a passage is widened to start where its article's previous chunk starts, so the reader
sees the antecedent and an answer citing the sentence brings it along. Likewise a
passage is widened to the whole of a sentence it cuts, and one that ends with a
reporter's question in a transcript to the first sentence of the reply.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence

from retrieval.countries import countries
from retrieval.errors import ChipbotError
from retrieval.models import ChunkRecord, Passage, chunk_id
from retrieval.parsing import body_start
from retrieval.text import is_interrogative, split_sentences, starts_with_reference
from retrieval.turns import is_label, turns

log = logging.getLogger(__name__)

Fetch = Callable[[Sequence[str]], list[ChunkRecord]]
ReadText = Callable[[str], str]


def opens_with_reference(passage: Passage) -> bool:
    """Whether the passage's first sentence points back ("He said…", "From then on…")."""
    # Chunks start where a sentence starts, and the test reads only the opening words.
    return passage.chunk_no > 0 and starts_with_reference(passage.text)


def merged(
    previous: ChunkRecord, passage: Passage, read_text: ReadText | None = None
) -> Passage | None:
    """``passage`` widened back to ``previous``'s start, or ``None`` when that cannot be
    done verbatim.

    Overlapping chunks must agree where they overlap. Chunks that merely neighbour each
    other (a long sentence leaves no room for overlap) need the white space between
    them, read from the article file with ``read_text``, which must still hold both
    chunks at their offsets. Otherwise (another version of the article) ``None``.
    """
    if previous.article_id != passage.article_id or not previous.start < passage.start:
        return None
    if passage.start <= previous.end:
        shared = previous.end - passage.start
        if previous.text[passage.start - previous.start :] != passage.text[:shared]:
            return None
        text = previous.text + passage.text[shared:]
    else:
        if read_text is None:
            return None
        try:
            article = read_text(passage.path)
        except Exception:  # an unreadable file only costs the antecedent
            log.debug("cannot read %s for an antecedent", passage.path, exc_info=True)
            return None
        if (
            article[previous.start : previous.end] != previous.text
            or article[passage.start : passage.end] != passage.text
            or article[previous.end : passage.start].strip()
        ):
            return None
        text = article[previous.start : passage.end]
    return dataclasses.replace(passage, start=previous.start, text=text)


def with_antecedents(
    passages: Sequence[Passage], fetch: Fetch, read_text: ReadText | None = None
) -> list[Passage]:
    """``passages`` with each one that opens by pointing back widened to include the
    sentence it points to (one batched fetch; unchanged when none does). ``read_text``
    reads an article file, for chunks that neighbour without overlapping."""
    wanted = {
        i: chunk_id(p.article_id, p.chunk_no - 1)
        for i, p in enumerate(passages)
        if opens_with_reference(p)
    }
    if not wanted:
        return list(passages)
    records = {r.id: r for r in fetch(list(dict.fromkeys(wanted.values())))}
    out = list(passages)
    for i, key in wanted.items():
        record = records.get(key)
        widened = merged(record, out[i], read_text) if record is not None else None
        if widened is not None:
            out[i] = widened
        else:
            log.debug("no antecedent chunk for %s", out[i].id)
    return out


def with_whole_sentences(passages: Sequence[Passage], read_text: ReadText) -> list[Passage]:
    """``passages``, each that starts or ends inside a sentence widened to that
    sentence's start or end in its article.

    Chunks start and end where sentences do, unless a sentence is too long for one chunk:
    then it is cut, and its pieces ("China and the companies of the two countries.")
    would be read, and cited, as sentences of their own. An unreadable article file, or
    one that no longer holds the passage at its offsets, leaves the passage as it is.
    """
    out = []
    for p in passages:
        article = _article_holding(p, read_text)
        if article and p.text.strip():
            first, last = _paragraph(article, p.start), _paragraph(article, p.end - 1)
            # The header ("date 2023-01-13 WASHINGTON - When…") is no part of a sentence.
            spans = split_sentences(article, max(first[0], body_start(article)), last[1])
            start = next((s for s, e in spans if s < p.start < e), p.start)
            end = next((e for s, e in spans if s < p.end < e), p.end)
            if (start, end) != (p.start, p.end):
                p = dataclasses.replace(p, start=start, end=end, text=article[start:end])
        out.append(p)
    return out


#: How far past its end (in characters) a passage reaches for the reply to the question
#: it ends with; a reply further away is left to retrieval.
MAX_REPLY_REACH = 1500


def with_replies(passages: Sequence[Passage], read_text: ReadText) -> list[Passage]:
    """``passages``, each that ends in a transcript's questioning turn ("CCTV: … What's
    your comment?") widened to the end of the first sentence of the reply it got.

    A chunk often holds a reporter's question and nothing of the answer, which opens the
    next chunk: the question shares the words of a user's question ("the agreement the
    US has reached with Japan and the Netherlands"), the reply ("The US's long-arm
    jurisdiction is an arbitrary judicial practice…") is what was said about it. An
    unreadable or changed article file leaves the passage as it is.
    """
    out = []
    for p in passages:
        article = _article_holding(p, read_text)
        end = _reply_end(article, p) if article else None
        if end is not None:
            p = dataclasses.replace(p, end=end, text=article[p.start : end])
        out.append(p)
    return out


def _reply_end(article: str, p: Passage) -> int | None:
    """The end of the first sentence of the reply to the questioning turn ``p`` ends
    in; ``None`` when ``p`` ends in no such turn or the reply is out of reach."""
    spoken = turns(article, p.title)
    i = next((i for i, t in enumerate(spoken) if t.start < p.end <= t.end), None)
    if i is None or i + 1 >= len(spoken):
        return None
    asking, reply = spoken[i], spoken[i + 1]
    asked = split_sentences(article, asking.start, asking.end)
    if not any(is_interrogative(article[s:e]) for s, e in asked):
        return None
    turn = (reply.start, reply.end, reply.speaker, reply.label)
    said = [
        e
        for s, e in split_sentences(article, reply.start, reply.end)
        if not is_label(article[s:e], s, turn)
    ]
    if not said or said[0] - p.end > MAX_REPLY_REACH:
        return None
    return said[0]


def _paragraph(text: str, at: int) -> tuple[int, int]:
    """The span of the paragraph of ``text`` (blank lines apart) holding offset ``at``."""
    start = text.rfind("\n\n", 0, at)
    end = text.find("\n\n", at)
    return (0 if start < 0 else start + 2), (len(text) if end < 0 else end)


def with_line_ends(passages: Sequence[Passage], read_text: ReadText) -> list[Passage]:
    """``passages``, each that ends where a line of its article ends taking that line
    break along, so a headline that fills a chunk on its own is still seen as a whole
    line (see :func:`retrieval.text.is_title_line`) and never cited as an answer.

    An unreadable article file, or one that no longer holds the passage at its
    offsets, leaves the passage as it is.
    """
    out = []
    for p in passages:
        article = _article_holding(p, read_text)
        if article[p.end : p.end + 1] == "\n":
            p = dataclasses.replace(p, end=p.end + 1, text=p.text + "\n")
        out.append(p)
    return out


def with_speakers(passages: Sequence[Passage], read_text: ReadText) -> list[Passage]:
    """``passages``, each of a transcript marked with who says which part of it (see
    :mod:`retrieval.turns`); an unreadable or changed article file marks nothing."""
    out = []
    for p in passages:
        article = _article_holding(p, read_text)
        spoken = tuple(
            (t.start, t.end, t.speaker, t.label)
            for t in turns(article, p.title)
            if t.start < p.end and p.start < t.end
        )
        out.append(dataclasses.replace(p, speakers=spoken) if spoken else p)
    return out


def with_countries(passages: Sequence[Passage], read_text: ReadText) -> list[Passage]:
    """``passages``, each marked with the countries its article names anywhere: a
    passage of an article about the Dutch measures is on their topic though it names
    no country itself. An unreadable article file marks nothing."""
    named: dict[str, frozenset[str] | None] = {}
    out = []
    for p in passages:
        if p.path not in named:
            try:
                named[p.path] = countries(read_text(p.path))
            except (ChipbotError, OSError):  # an unreadable file only narrows what is known
                named[p.path] = None
        out.append(dataclasses.replace(p, article_countries=named[p.path]))
    return out


def _article_holding(p: Passage, read_text: ReadText) -> str:
    """``p``'s article text, or "" when the file cannot be read or no longer holds the
    passage at its offsets (what is read around it would not be its context)."""
    try:
        article = read_text(p.path)
    except Exception:  # an unreadable file only costs what it would add
        log.debug("cannot read %s", p.path, exc_info=True)
        return ""
    return article if article[p.start : p.end] == p.text else ""
