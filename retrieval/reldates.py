"""Relative dates in article text, resolved against the article's date (display only).

A news sentence says "on Friday", "last week" or "this month"; read months later that
means nothing until it is pinned to the article's date. :func:`resolve` finds such
phrases and the dates they stand for; :func:`annotate` returns the text with each one
followed by its date, e.g. ``"on Friday (13 Jan 2023)"``.

The annotated text is for showing only (``chipbot show``, ``chipbot timeline``):
citations always quote the file's text unchanged, so offsets and verbatim checks never
see an annotation.

How phrases resolve against the article date D:

- a weekday ("on Friday", "Friday's talks"): the most recent such day on or before D;
  "last Friday" the one strictly before D, "next Friday" the one after it;
- "today", "tonight", "this morning"...: D; "yesterday": D - 1; "tomorrow": D + 1;
- "N days/weeks ago": D minus that; "last/this/next week": that Monday-Sunday week;
- "last/this/next month" and "earlier/later this month": that month (or its part);
- "last/this/next year" and "earlier/later this year": that year (or its part);
- "the 3rd of this month" / "of last month": that day;
- a day and month without a year ("on 8 March"): the nearest such day to D.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from dataclasses import dataclass

from retrieval.models import format_date
from retrieval.temporal import DateMention, find_dates

log = logging.getLogger(__name__)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip

_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH_AFTER = re.compile(
    r",?\s*(?:\d{1,2}\b|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d)"
)


@functools.cache
def _pattern() -> re.Pattern[str]:
    # Compiled on first use: `chipbot ask` never resolves relative dates.
    return re.compile(
        "|".join(
            [
                rf"(?P<wd_mod>last|next|this\s+past|this\s+coming|past)\s+(?P<wd_a>{_WEEKDAY})",
                rf"(?P<wd_b>{_WEEKDAY})(?:'s|’s)?",
                r"(?P<day_word>today|tonight|yesterday|tomorrow"
                r"|this\s+(?:morning|afternoon|evening))",
                r"(?P<ago_n>\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
                r"(?P<ago_unit>days?|weeks?)\s+ago",
                r"(?P<nth>[12]?\d|3[01])(?:st|nd|rd|th)\s+of\s+(?P<nth_rel>this|last|next)\s+month",
                r"(?P<part>earlier|later)\s+this\s+(?P<part_unit>month|year)",
                r"(?P<rel>last|this|next)\s+(?P<unit>week|month|year)",
            ]
        ),
        re.IGNORECASE,
    )


@dataclass(frozen=True)
class ResolvedDate:
    """A date phrase in a text (``text[start:end]``) and the day or days it means."""

    start: int
    end: int
    phrase: str
    first: dt.date
    last: dt.date
    relative: bool = True  # False for a date the text states in full (kept for ordering)

    @property
    def label(self) -> str:
        """``13 Jan 2023``, ``9–15 Jan 2023``, ``Jan 2023`` or ``2023``."""
        first, last = self.first, self.last
        if first == last:
            return format_date(first)
        if first.year == last.year and (first.month, first.day, last.month, last.day) == (
            1,
            1,
            12,
            31,
        ):
            return str(first.year)
        if first.day == 1 and first.month == last.month and first.year == last.year:
            next_day = last + dt.timedelta(days=1)
            if next_day.month != last.month:
                return first.strftime("%b %Y")
        if first.month == last.month and first.year == last.year:
            return f"{first.day}–{last.day} {last.strftime('%b %Y')}"
        if first.year == last.year:
            return f"{first.day} {first.strftime('%b')} – {format_date(last)}"
        return f"{format_date(first)} – {format_date(last)}"


def _week(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def _shift_month(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _weekday_date(name: str, base: dt.date, modifier: str | None) -> dt.date:
    target = WEEKDAYS.index(name.lower())
    back = (base.weekday() - target) % 7
    mod = (modifier or "").lower()
    if mod == "next" or mod.startswith("this coming"):
        return base + dt.timedelta(days=(target - base.weekday()) % 7 or 7)
    if mod in ("last", "past", "this past") and back == 0:
        back = 7
    return base - dt.timedelta(days=back)


def _resolve_match(match: re.Match[str], base: dt.date) -> tuple[dt.date, dt.date] | None:
    g = match.group
    if g("wd_a") or g("wd_b"):
        day = _weekday_date(g("wd_a") or g("wd_b"), base, g("wd_mod"))
        return day, day
    if g("day_word"):
        word = g("day_word").lower()
        offset = {"yesterday": -1, "tomorrow": 1}.get(word, 0)
        day = base + dt.timedelta(days=offset)
        return day, day
    if g("ago_n"):
        token = g("ago_n").lower()
        n = int(token) if token.isdigit() else _NUMBERS[token]
        days = n * (7 if g("ago_unit").lower().startswith("week") else 1)
        day = base - dt.timedelta(days=days)
        return day, day
    if g("nth"):
        shift = {"this": 0, "last": -1, "next": 1}[g("nth_rel").lower()]
        year, month = _shift_month(base, shift)
        try:
            day = dt.date(year, month, int(g("nth")))
        except ValueError:
            return None
        return day, day
    if g("part"):
        later = g("part").lower() == "later"
        if g("part_unit").lower() == "month":
            first, last = _month(base.year, base.month)
        else:
            first, last = dt.date(base.year, 1, 1), dt.date(base.year, 12, 31)
        return (base, last) if later else (first, base)
    if g("rel"):
        shift = {"last": -1, "this": 0, "next": 1}[g("rel").lower()]
        unit = g("unit").lower()
        if unit == "week":
            return _week(base + dt.timedelta(weeks=shift))
        if unit == "month":
            return _month(*_shift_month(base, shift))
        year = base.year + shift
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    return None


def resolve(text: str, base: dt.date | None, *, explicit: bool = False) -> list[ResolvedDate]:
    """The relative date phrases in ``text`` resolved against ``base``, in order.

    Days and months given without a year ("on 8 March") count as relative (their year is
    inferred). With ``explicit``, dates stated in full ("1 September 2023") are included
    too, marked ``relative=False``. An undated article (``base`` None) resolves nothing.
    """
    if base is None:
        return []
    found: list[ResolvedDate] = []
    taken: list[tuple[int, int]] = []
    for mention in find_dates(text, base, nearest=True):
        granular = mention.period.granularity == "day"
        if mention.explicit_year and not (explicit and _datable(mention)):
            taken.append((mention.start, mention.end))
            continue
        if not mention.explicit_year and not granular:
            continue  # a bare month ("in March") is too loose to pin on a day
        found.append(
            ResolvedDate(
                mention.start,
                mention.end,
                mention.text,
                mention.period.first,
                mention.period.last,
                relative=not mention.explicit_year,
            )
        )
        taken.append((mention.start, mention.end))
    for match in _pattern().finditer(text):
        start, end = match.span()
        if start > 0 and text[start - 1].isalnum():
            continue
        if any(s < end and start < e for s, e in taken):
            continue
        if (match.group("wd_a") or match.group("wd_b")) and _MONTH_AFTER.match(text, end):
            continue  # "Friday, Jan. 13": the date is stated already
        resolved = _resolve_match(match, base)
        if resolved is None:
            continue
        found.append(ResolvedDate(start, end, match.group(), *resolved))
    return sorted(found, key=lambda r: r.start)


def annotate(text: str, base: dt.date | None) -> str:
    """``text`` with every relative date followed by the date it means in brackets."""
    parts: list[str] = []
    pos = 0
    for item in resolve(text, base):
        parts.append(text[pos : item.end])
        parts.append(f" ({item.label})")
        pos = item.end
    parts.append(text[pos:])
    return "".join(parts)


def dates_in(text: str, base: dt.date | None) -> list[dt.date]:
    """Every day ``text`` names, relative or explicit, resolved against ``base`` (the
    last day of a range): what a timeline orders a document's sentences by."""
    if base is None:
        return [m.period.last for m in find_dates(text) if m.explicit_year and _datable(m)]
    return [r.last for r in resolve(text, base, explicit=True)]


def _datable(mention: DateMention) -> bool:
    """Whether a date stated in full is precise enough to order events by (a bare year,
    "2,000 companies" misread as one included, is not)."""
    return mention.period.granularity != "year"
