"""Temporal intent in a question: latest-state words, change questions and date bounds.

``parse_intent("Had the Netherlands restricted exports as of March 2023?", reference)``
gives ``TemporalIntent(until=2023-03-31, as_of=2023-03-31, ...)``; the engine turns it
into a :class:`~retrieval.models.SearchFilter`, an "As of 31 Mar 2023:" lead and a
newest-first passage order (see :meth:`retrieval.engine.Chipbot.ask`).

Dates are read by a small regular grammar rather than a general parser. Measured on
this machine (2 shared cores): ``dateparser`` 1.5.0 takes 50-85 ms to import, 45-80 ms
more for ``dateparser.search`` and 110-190 ms for its first parse (it loads language
data), i.e. 0.2-0.35 s of the 1.5 s budget of a cold ``chipbot ask``; and its
``search_dates`` reads "as of March 2023" as 29 March (today's day of the month), which
is wrong for a bound. This module imports in about 1 ms (``python -X importtime -c
"import retrieval.temporal"``: 0.6-1.3 ms self time, ``re`` and ``datetime`` being
loaded already) and parses a question in tens of microseconds.

What the grammar reads (a date phrase sets bounds only after one of these words; a bare
"the 2022 rules" or "what happens on 1 September 2023" sets none, because such dates
usually name the event asked about, not when the articles were written):

- ``as of`` / ``as at`` / ``by`` DATE: ``until`` = the period's last day, and ``as_of``.
- ``in`` / ``during`` / ``throughout`` / ``within`` PERIOD (a month, year, quarter,
  half, or "early/mid/late" one): ``since`` and ``until`` = the period, marked ``soft``:
  "which summit would they cohost in March?" dates the event, not the articles, so the
  engine searches all dates when nothing within the period answers.
- ``since`` / ``from`` / ``starting`` DATE: ``since`` = its first day.
- ``after`` DATE: ``since`` = the day after it; ``before`` / ``prior to`` DATE:
  ``until`` = the day before it (``before June 2023`` -> 31 May 2023).
- ``until`` / ``till`` / ``through`` / ``up to`` DATE: ``until`` = its last day.
- ``between X and Y`` / ``from X to Y``: both bounds.

DATE is ``1 September 2023``, ``September 1, 2023``, ``2023-09-01``, ``March 2023``,
``2023``, ``early 2023`` (Jan-Apr), ``mid-2023`` (May-Aug), ``late 2023`` (Sep-Dec),
``early/mid/late March 2023`` (days 1-10, 11-20, 21-end), ``Q1 2023``, ``the first half
of 2023``, or a month or day without a year (``since October``), which means the most
recent such month or day on or before the reference date (the newest indexed article's
date). A lowercase "may" or "march" is a verb, not a month.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from retrieval.models import Answer, SearchFilter, format_date

log = logging.getLogger(__name__)

Granularity = Literal["day", "month", "year", "part"]

_MONTH_NAMES = [
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep", "sept"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
]
MONTHS: dict[str, int] = {
    name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names
}
# Longest first, so that "sept" wins over "sep" and "march" over "mar"; only an
# abbreviation takes a dot ("Sept."), so a sentence's full stop stays out of the match.
_FULL_MONTHS = frozenset(names[0] for names in _MONTH_NAMES)
MONTH_RE = (
    r"(?:(?:"
    + "|".join(sorted(_FULL_MONTHS, key=len, reverse=True))
    + r")(?![a-z])|(?:"
    + "|".join(sorted(set(MONTHS) - _FULL_MONTHS, key=len, reverse=True))
    + r")(?![a-z])\.?)"
)
_YEAR = r"(?:19|20)\d{2}(?!\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d)"
# Months that are also everyday words: only a capitalised one without a year is a month.
_AMBIGUOUS_MONTHS = frozenset({"may", "march", "mar"})

# Which third of a year or month a qualifier names.
_PARTS = {
    "early": 1, "start": 1, "beginning": 1,
    "mid": 2, "middle": 2,
    "late": 3, "end": 3,
}  # fmt: skip
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}

_DATE_ALTERNATIVES = "|".join(
    [
        rf"(?P<iso>(?P<iso_y>{_YEAR})-(?P<iso_m>0[1-9]|1[0-2])-(?P<iso_d>[0-3]\d))",
        rf"(?P<dmy_d>{_DAY})\s+(?:of\s+)?(?P<dmy_m>{MONTH_RE}),?\s+(?P<dmy_y>{_YEAR})",
        rf"(?P<mdy_m>{MONTH_RE})\s+(?P<mdy_d>{_DAY}),?\s+(?P<mdy_y>{_YEAR})",
        rf"(?P<q>Q(?P<q_n>[1-4])|the\s+(?P<q_o>first|second|third|fourth)\s+quarter\s+of)"
        rf"\s+(?P<q_y>{_YEAR})",
        rf"(?:the\s+)?(?P<h>first|second)\s+half\s+of\s+(?P<h_y>{_YEAR})",
        rf"(?:the\s+)?(?P<p>early|mid|late|(?:start|beginning|middle|end)(?=\s+of\s))"
        rf"(?:-|\s+)(?:of\s+)?(?:(?P<p_m>{MONTH_RE})\s*)?(?P<p_y>{_YEAR})?",
        rf"(?P<my_m>{MONTH_RE}),?\s+(?:of\s+)?(?P<my_y>{_YEAR})",
        rf"(?P<dm_d>{_DAY})\s+(?:of\s+)?(?P<dm_m>{MONTH_RE})",
        rf"(?P<md_m>{MONTH_RE})\s+(?P<md_d>{_DAY})",
        rf"(?P<m>{MONTH_RE})",
        rf"(?P<y>{_YEAR})",
    ]
)
# A cheap test run first: most questions hold no digit and no month name, and then the
# grammar (the bulk of this module's import cost when compiled) is never compiled.
_DATEISH = re.compile(
    r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?![a-z])", re.IGNORECASE
)


@functools.cache
def date_pattern() -> re.Pattern[str]:
    """The date grammar, compiled on first use."""
    return re.compile(_DATE_ALTERNATIVES, re.IGNORECASE)


_LATEST = re.compile(
    r"\b(?:latest|newest|most\s+recent(?:ly)?|recent(?:ly)?|now|nowadays|currently|current"
    r"|presently|at\s+present|at\s+the\s+moment|still|yet|so\s+far|thus\s+far|to\s+date"
    r"|up\s+to\s+now|as\s+things\s+stand|as\s+it\s+stands|anymore|any\s+more|any\s+longer"
    r"|today|(?:what|planning|plans?|do|does|doing)\s+next|next\s+steps?)\b",
    re.IGNORECASE,
)
_CHANGE = re.compile(
    r"\b(?:how\s+(?:has|have|did|do|does)\b[^?]{0,80}?\b(?:evolv|chang|develop|progress|shift)\w*"
    r"|evolv(?:e|ed|es|ing)|evolution|chang(?:e|ed|es|ing)\b|over\s+time"
    r"|over\s+the\s+(?:past|last)\s+\w+|history\s+of|timeline|chronolog\w*"
    r"|what\s+happened\s+(?:since|after|between))",
    re.IGNORECASE,
)

Relation = Literal["as_of", "in", "since", "after", "before", "until"]
_RELATIONS: list[tuple[str, Relation]] = [
    (r"as\s+(?:of|at)", "as_of"),
    (r"by", "as_of"),
    (r"in|during|throughout|within", "in"),
    (r"since|from|starting(?:\s+(?:in|on|from))?|beginning(?:\s+(?:in|on))?", "since"),
    (r"after", "after"),
    (r"before|prior\s+to|earlier\s+than", "before"),
    (r"until|till|through|up\s+(?:un)?to", "until"),
]
_PREPOSITION = (
    r"\b(?:" + "|".join(f"(?P<r{i}>{p})" for i, (p, _) in enumerate(_RELATIONS)) + r")\s+$"
)
_RANGE_START = r"\b(?P<word>between|from)\s+$"
_RANGE_JOIN = r"\s+(?:and|to|until|till|through|-|–)\s+"
# "the" and "of" may stand between a preposition and its date ("in the first half of ...").
_LOOKBEHIND = 40


@dataclass(frozen=True)
class Period:
    """A calendar span a date phrase names: ``first`` to ``last`` inclusive."""

    first: dt.date
    last: dt.date
    granularity: Granularity


@dataclass(frozen=True)
class DateMention:
    """A date phrase found in a text: its span, the period it names, and whether the
    text gave the year (``False`` when it was inferred from a reference date)."""

    start: int
    end: int
    text: str
    period: Period
    explicit_year: bool


@dataclass(frozen=True)
class TemporalIntent:
    """What a question says about time.

    ``since``/``until`` bound the articles' dates; ``as_of`` asks for the state on that
    day; ``latest`` asks for the newest state; ``change`` asks how something changed;
    ``phrase`` is the first date phrase read (for messages), ``spans`` where every date
    phrase read lies in the question (for :func:`strip_temporal`). ``soft`` bounds came
    only from "in PERIOD", which may date the event asked about rather than the articles
    ("which summit would they cohost in March?"): the engine drops them when nothing
    within them answers.
    """

    since: dt.date | None = None
    until: dt.date | None = None
    as_of: dt.date | None = None
    latest: bool = False
    change: bool = False
    phrase: str | None = None
    spans: tuple[tuple[int, int], ...] = field(default=(), compare=False)
    soft: bool = False
    # Two or more periods asked about in one question ("in March 2023 and again in June
    # 2023"): each deserves its own part of the answer. Earliest first.
    periods: tuple[tuple[dt.date, dt.date], ...] = ()

    @property
    def has_bounds(self) -> bool:
        """Whether the question bounds the articles' dates."""
        return self.since is not None or self.until is not None

    @property
    def wants_newest(self) -> bool:
        """Whether the newest relevant articles should be read first: the latest state,
        or the state as of a day (the latest state within the bounds)."""
        return self.latest or self.as_of is not None

    @property
    def empty(self) -> bool:
        """True when the question says nothing about time."""
        return not (self.has_bounds or self.as_of or self.latest or self.change)

    def with_as_of(self, day: dt.date) -> TemporalIntent:
        """This intent asked "as of ``day``" (an explicit ``--as-of`` overrides the text's)."""
        since = self.since if self.since is None or self.since <= day else None
        return replace(self, since=since, until=day, as_of=day, soft=False)

    def without_bounds(self) -> TemporalIntent:
        """This intent with the question's date bounds dropped (``phrase`` kept)."""
        return replace(self, since=None, until=None, as_of=None, soft=False, spans=(), periods=())

    def search_filter(self, flt: SearchFilter | None) -> SearchFilter | None:
        """``flt`` with this intent's bounds filled in where ``flt`` leaves them open.

        The caller's bound wins where both set one. A question bound that would leave an
        empty range against the caller's is dropped rather than finding nothing.
        """
        base = flt or SearchFilter()
        since = base.since if base.since is not None else self.since
        until = base.until if base.until is not None else self.until
        if since is not None and until is not None and since > until:
            if base.since is None:
                since = None
            else:
                until = None
        merged = SearchFilter(since=since, until=until, source=base.source)
        return None if merged.empty else merged

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates as ISO strings)."""
        return {
            "since": _iso(self.since),
            "until": _iso(self.until),
            "as_of": _iso(self.as_of),
            "latest": self.latest,
            "change": self.change,
            "phrase": self.phrase,
            "soft": self.soft,
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _month_number(token: str) -> int:
    return MONTHS[token.rstrip(".").lower()]


def _day_number(token: str) -> int:
    return int(re.sub(r"\D", "", token))


def _yearless_year(month: int, day: int, reference: dt.date, nearest: bool) -> int:
    """The year of ``month``/``day`` given without one, read against ``reference``.

    Questions mean the most recent such day on or before the reference ("since
    October"); article sentences the nearest one ("from 1 September", written in June).
    """
    day = min(day, _last_day(reference.year, month))
    this_year = dt.date(reference.year, month, day)
    if not nearest:
        return reference.year if this_year <= reference else reference.year - 1
    candidates = [reference.year - 1, reference.year, reference.year + 1]
    return min(
        candidates,
        key=lambda y: abs((dt.date(y, month, min(day, _last_day(y, month))) - reference).days),
    )


def _period(match: re.Match[str], reference: dt.date, nearest: bool) -> tuple[Period, bool] | None:
    """The period a :func:`date_pattern` match names and whether its year was given."""
    g = match.group
    try:
        if g("iso"):
            day = dt.date(int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
            return Period(day, day, "day"), True
        for prefix in ("dmy", "mdy"):
            if g(f"{prefix}_y"):
                day = dt.date(
                    int(g(f"{prefix}_y")),
                    _month_number(g(f"{prefix}_m")),
                    _day_number(g(f"{prefix}_d")),
                )
                return Period(day, day, "day"), True
        if g("q"):
            n = int(g("q_n")) if g("q_n") else _ORDINALS[g("q_o").lower()]
            year = int(g("q_y"))
            last_month = 3 * n
            return (
                Period(
                    dt.date(year, last_month - 2, 1),
                    dt.date(year, last_month, _last_day(year, last_month)),
                    "part",
                ),
                True,
            )
        if g("h"):
            year = int(g("h_y"))
            if g("h").lower() == "first":
                return Period(dt.date(year, 1, 1), dt.date(year, 6, 30), "part"), True
            return Period(dt.date(year, 7, 1), dt.date(year, 12, 31), "part"), True
        if g("p"):
            return _part_period(match, reference, nearest)
        if g("my_m"):
            year, month = int(g("my_y")), _month_number(g("my_m"))
            return (
                Period(
                    dt.date(year, month, 1), dt.date(year, month, _last_day(year, month)), "month"
                ),
                True,
            )
        for prefix in ("dm", "md"):
            if g(f"{prefix}_m"):
                month, day_no = _month_number(g(f"{prefix}_m")), _day_number(g(f"{prefix}_d"))
                year = _yearless_year(month, day_no, reference, nearest)
                day = dt.date(year, month, day_no)
                return Period(day, day, "day"), False
        if g("m"):
            token = g("m")
            if token.rstrip(".").lower() in _AMBIGUOUS_MONTHS and not token[0].isupper():
                return None
            month = _month_number(token)
            year = _yearless_year(month, 1, reference, nearest)
            return (
                Period(
                    dt.date(year, month, 1), dt.date(year, month, _last_day(year, month)), "month"
                ),
                False,
            )
        if g("y"):
            year = int(g("y"))
            return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), "year"), True
    except ValueError:  # 31 February and the like: not a date
        return None
    return None


def _part_period(
    match: re.Match[str], reference: dt.date, nearest: bool
) -> tuple[Period, bool] | None:
    """ "early/mid/late" a year (thirds of four months) or a month (thirds of ~10 days)."""
    g = match.group
    part = _PARTS[g("p").lower()]
    if g("p_m"):
        month = _month_number(g("p_m"))
        explicit = bool(g("p_y"))
        year = int(g("p_y")) if explicit else _yearless_year(month, 1, reference, nearest)
        last = _last_day(year, month)
        first_day = {1: 1, 2: 11, 3: 21}[part]
        last_day = {1: 10, 2: 20, 3: last}[part]
        return (
            Period(dt.date(year, month, first_day), dt.date(year, month, last_day), "part"),
            explicit,
        )
    if not g("p_y"):
        return None  # "early" alone is not a date
    year = int(g("p_y"))
    first_month = 1 + (part - 1) * 4
    last_month = part * 4
    return (
        Period(
            dt.date(year, first_month, 1),
            dt.date(year, last_month, _last_day(year, last_month)),
            "part",
        ),
        True,
    )


def find_dates(
    text: str, reference: dt.date | None = None, *, nearest: bool = False
) -> list[DateMention]:
    """Every date phrase in ``text``, in order.

    A month or day given without a year is read against ``reference`` (default: today):
    the most recent one on or before it, or with ``nearest`` the closest one either side.
    """
    if not _DATEISH.search(text):
        return []
    ref = reference or dt.date.today()
    mentions: list[DateMention] = []
    for match in date_pattern().finditer(text):
        # A word character right before is the middle of a word or number ("Mayor").
        if match.start() > 0 and (text[match.start() - 1].isalnum()):
            continue
        end = match.end()
        if end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
            continue
        found = _period(match, ref, nearest)
        if found is None:
            continue
        period, explicit = found
        mentions.append(DateMention(match.start(), end, match.group(), period, explicit))
    return mentions


def _relation(text: str, start: int) -> tuple[Relation, int] | None:
    """The relation word ending right before ``start`` and where it begins."""
    window_start = max(0, start - _LOOKBEHIND)
    before = text[window_start:start]
    # "in the first half of 2023": the grammar's match already holds "the ... of".
    match = re.search(_PREPOSITION, before, re.IGNORECASE)
    if match is None:
        return None
    for i, (_, relation) in enumerate(_RELATIONS):
        if match.group(f"r{i}"):
            return relation, window_start + match.start()
    return None


def parse_intent(question: str, reference: dt.date | None = None) -> TemporalIntent:
    """The temporal intent of ``question``.

    ``reference`` is the date a month or day without a year is read against: pass the
    newest indexed article's date (default: today).
    """
    latest = bool(_LATEST.search(question))
    change = bool(_CHANGE.search(question))
    mentions = find_dates(question, reference)
    since: dt.date | None = None
    until: dt.date | None = None
    as_of: dt.date | None = None
    phrase: str | None = None
    spans: list[tuple[int, int]] = []
    used: set[int] = set()
    relations: set[str] = set()
    lo_in: dt.date | None = None
    hi_in: dt.date | None = None
    periods: set[tuple[dt.date, dt.date]] = set()

    def tighten(lo: dt.date | None, hi: dt.date | None) -> None:
        nonlocal since, until
        if lo is not None:
            since = lo if since is None else max(since, lo)
        if hi is not None:
            until = hi if until is None else min(until, hi)

    for i, mention in enumerate(mentions):
        if i in used:
            continue
        ranged = _range(question, mentions, i)
        if ranged is not None:
            j, word_start = ranged
            first, last = mentions[i], mentions[j]
            lo, hi = first.period.first, last.period.last
            if not first.explicit_year and last.explicit_year:
                lo = _align_year(first.period.first, last.period.last)
            tighten(lo, hi)
            relations.add("range")
            used.update({i, j})
            spans.append((word_start, last.end))
            phrase = phrase or question[word_start : last.end]
            continue
        found = _relation(question, mention.start)
        if found is None:
            continue
        relation, word_start = found
        period = mention.period
        if relation == "in" and period.granularity == "day":
            continue  # "in" a day reads as the event's date, not the articles'
        relations.add(relation)
        if relation == "as_of":
            tighten(None, period.last)
            as_of = period.last if as_of is None else min(as_of, period.last)
        elif relation == "in":
            # Several "in" periods ("in March 2023 and again in June") mean their span.
            lo_in = period.first if lo_in is None else min(lo_in, period.first)
            hi_in = period.last if hi_in is None else max(hi_in, period.last)
            periods.add((period.first, period.last))
        elif relation == "since":
            tighten(period.first, None)
        elif relation == "after":
            tighten(period.last + dt.timedelta(days=1), None)
        elif relation == "before":
            tighten(None, period.first - dt.timedelta(days=1))
        else:
            tighten(None, period.last)
        spans.append((word_start, mention.end))
        phrase = phrase or question[word_start : mention.end]
    if lo_in is not None:
        tighten(lo_in, hi_in)
    if since is not None and until is not None and since > until:
        log.info("the dates in %r contradict each other; ignoring them", question)
        return TemporalIntent(latest=latest, change=change)
    return TemporalIntent(
        since=since,
        until=until,
        as_of=as_of,
        latest=latest,
        change=change,
        phrase=phrase,
        spans=tuple(spans),
        soft=relations == {"in"},
        periods=tuple(sorted(periods)) if len(periods) > 1 else (),
    )


def _range(question: str, mentions: list[DateMention], i: int) -> tuple[int, int] | None:
    """``(j, start)`` when mentions ``i`` and ``j`` form "between X and Y" / "from X to Y"."""
    if i + 1 >= len(mentions):
        return None
    opener = re.search(
        _RANGE_START, question[max(0, mentions[i].start - _LOOKBEHIND) : mentions[i].start]
    )
    if opener is None:
        return None
    joiner = question[mentions[i].end : mentions[i + 1].start]
    if not re.fullmatch(_RANGE_JOIN, joiner, re.IGNORECASE):
        return None
    return i + 1, max(0, mentions[i].start - _LOOKBEHIND) + opener.start()


def _align_year(first: dt.date, last: dt.date) -> dt.date:
    """ "between March and June 2023": March takes June's year (or the year before)."""
    year = last.year if (first.month, first.day) <= (last.month, last.day) else last.year - 1
    return first.replace(year=year)


_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([?.!,;:])")
_DANGLING_COMMA = re.compile(r"^[\s,;:]+|,(?=\s*[?.!]?$)")


def strip_temporal(question: str, intent: TemporalIntent) -> str:
    """``question`` without the date phrases ``intent`` read (for the search query).

    The bounds already restrict the search; the words "as of March 2023" would only make
    BM25 favour passages that happen to mention March. The question is returned unchanged
    when stripping would leave nothing to search for.
    """
    if not intent.spans:
        return question
    parts: list[str] = []
    pos = 0
    for start, end in sorted(intent.spans):
        parts.append(question[pos:start])
        pos = end
    parts.append(question[pos:])
    stripped = _SPACES.sub(" ", "".join(parts))
    stripped = _SPACE_BEFORE_PUNCT.sub(r"\1", stripped)
    stripped = _DANGLING_COMMA.sub("", stripped).strip()
    return stripped if re.search(r"\w{3,}", stripped) else question


def describe_bounds(since: dt.date | None, until: dt.date | None) -> str:
    """``"dated 1 Jan 2023 to 31 Jan 2023"``, ``"dated on or before 31 Mar 2023"``, …"""
    if since and until:
        return f"dated {format_date(since)} to {format_date(until)}"
    if since:
        return f"dated on or after {format_date(since)}"
    if until:
        return f"dated on or before {format_date(until)}"
    return "of any date"


def describe_filter(flt: SearchFilter | None) -> str:
    """What ``flt`` keeps, for a message that nothing matched: ``"dated on or after 1 Jan
    2024"``, ``"dated … from source “reuters”"``; "" when it keeps everything."""
    if flt is None or flt.empty:
        return ""
    parts = [describe_bounds(flt.since, flt.until)] if flt.since or flt.until else []
    if flt.source:
        parts.append(f"from source “{flt.source}”")
    return " ".join(parts)


def periods_after(
    question: str, newest: dt.date | None, oldest: dt.date | None = None
) -> list[DateMention]:
    """The dates in ``question`` that lie wholly after ``newest``, the newest article's
    date.

    A date with a year is after it or not. A date without one ("its January 27 deal")
    is read in the year that puts it nearest the articles' span (``oldest`` to
    ``newest``): with articles of 13–19 Jan 2023, 27 Jan 2023 rather than 27 Jan 2022,
    which lies long before all of them. Read in the year that puts it among the articles
    ("its October update", with articles from October 2022 on), it is never after them.
    Without ``oldest``, a date without a year is never after them.
    """
    if newest is None:
        return []
    past = find_dates(question, newest)
    late = [m for m in past if m.explicit_year and m.period.first > newest]
    if oldest is None:
        return late
    for before, nearest in zip(past, find_dates(question, newest, nearest=True), strict=True):
        if before.explicit_year or nearest.period.first <= newest:
            continue
        if before.period.last >= oldest:
            continue  # the earlier reading falls among the articles
        if (nearest.period.first - newest) < (oldest - before.period.last):
            late.append(nearest)
    return late


def mentions_period(answer: Answer, asked: Sequence[DateMention]) -> bool:
    """Whether a cited sentence names a date in one of the ``asked`` periods ("will enter
    into force on 1 September 2023", written in June, speaks of September)."""
    for c in answer.citations:
        for mention in find_dates(c.quote, c.date, nearest=True):
            p = mention.period
            if any(p.last >= a.period.first and p.first <= a.period.last for a in asked):
                return True
    return False
