"""What an answer says about time: its "As of" lead, the dates its search kept to, a note
when every source is old, a decline when the articles end before the period asked
about, and whether its timeline follows it. Pure functions over an
:class:`~retrieval.models.Answer`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from retrieval.models import Answer, SearchFilter, format_date
from retrieval.temporal import DateMention, TemporalIntent, describe_bounds, describe_filter


def apply_temporal(
    answer: Answer,
    intent: TemporalIntent,
    flt: SearchFilter | None,
    searched: SearchFilter | None,
    newest: dt.date | None,
    stale_after_days: int,
    *,
    widened: bool = False,
) -> None:
    """Put the "As of" lead, the intent and notes on dates on ``answer``: ``flt`` is
    what the caller asked for, ``searched`` the bounds the search kept to, ``newest`` the
    newest indexed article's date, ``widened`` whether the question's own bounds were
    dropped because nothing within them answered."""
    answer.temporal = intent.to_dict()
    answer.as_of = intent.as_of
    if intent.as_of and not answer.answer.startswith("As of"):
        answer.answer = f"As of {format_date(intent.as_of)}: {answer.answer}"
    since = searched.since if searched else None
    until = searched.until if searched else None
    asked = (flt.since, flt.until) if flt else (None, None)
    if widened:
        bounds = describe_bounds(intent.since, intent.until)
        answer.notes.append(
            f"Nothing {bounds} answered it (from “{intent.phrase}”); searched articles of any date."
        )
    elif intent.phrase and (since, until) != asked:
        # Say which dates the question restricted the search to, so a surprising
        # answer (or none) can be traced to how the question was read.
        found = "Searched articles" if answer.passages else "No article matched among those"
        answer.notes.append(f"{found} {describe_bounds(since, until)} (from “{intent.phrase}”).")
    elif not answer.passages and flt is not None and not flt.empty:
        # "don't say anything" is about the articles the options kept, not all of them.
        answer.notes.append(f"No article matched among those {describe_filter(flt)}.")
    # A question naming its period ("in October", "as of March 2023") asks for old
    # sources on purpose; the age note is for questions about how things stand.
    note = None if intent.phrase else stale_note(answer, newest, until, stale_after_days)
    if note:
        answer.notes.append(note)


def stale_note(
    answer: Answer, newest: dt.date | None, until: dt.date | None, days: int
) -> str | None:
    """A note when every cited article is more than ``days`` older than the newest one
    indexed (or than the last day asked about): there may be newer information."""
    if not days or not answer.citations or any(c.date is None for c in answer.citations):
        return None
    if newest is None:
        return None
    reference = min(newest, until) if until else newest
    newest_cited = max(c.date for c in answer.citations if c.date is not None)
    if (reference - newest_cited).days <= days:
        return None
    against = "the last day asked about" if reference != newest else "the newest indexed article"
    return (
        f"All sources are old: the newest cited article is dated {format_date(newest_cited)}, "
        f"more than {days} days before {against} ({format_date(reference)}); "
        "there may be newer information."
    )


def silent_after(answer: Answer, asked: DateMention, newest: dt.date) -> Answer:
    """``answer`` turned into a decline: the articles end before the date asked about."""
    text = (
        f"The indexed articles end on {format_date(newest)}: none covers {asked.text}. "
        "The nearest passages are listed below for you to judge."
    )
    return Answer(
        question=answer.question,
        answer=text,
        abstained=True,
        citations=[],
        passages=answer.passages,
        generator=answer.generator,
    )


def follows_with_timeline(answer: Answer) -> bool:
    """Whether the answer is followed by its timeline: the question asked how something
    changed ("How have the Dutch rules evolved?") and the answer cites the articles.

    An abstention gets none: the engine lists every article it retrieved, and for a
    question the articles do not answer those may be unrelated.
    """
    return bool(answer.temporal.get("change")) and not answer.abstained and bool(answer.citations)


def timeline_filter(temporal: Mapping[str, Any]) -> SearchFilter | None:
    """The date bounds the question set (an answer's ``temporal``), for its timeline.

    Soft bounds ("in March") may date the event asked about rather than the articles,
    so only firm ones ("since October", "as of 31 Mar 2023") bound the timeline.
    """
    if temporal.get("soft"):
        return None
    since, until = _day(temporal.get("since")), _day(temporal.get("until"))
    if since is None and until is None:
        return None
    return SearchFilter(since=since, until=until)


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
