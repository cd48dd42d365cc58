"""The newest articles on a question's topic, for questions about the latest state.

"Has the Netherlands restricted exports yet?" is answered by the newest article about
the Netherlands' restrictions, whichever sentence of it answers; that article may say
so in other words than the question ("will enter into force on 1 September") and so
rank below older articles that repeat the question's words. An article is on the topic
when the wide search found it and it names every country the question names; the
newest such articles are read whole (their nearest chunks), and articles dated after
them, which are not on the topic, are not read as the latest state at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from retrieval.countries import countries
from retrieval.errors import ChipbotError
from retrieval.models import Passage

#: How many of the newest on-topic articles are read (two share a date: a government's
#: announcement and a rival's reply the same day).
MAX_ARTICLES = 2


def newest_on_topic(
    question: str, found: Sequence[Passage], read_text: Callable[[str], str]
) -> tuple[dt.date | None, list[str]]:
    """The newest date of an on-topic article among ``found`` (best first) and the ids
    of the articles of that date, best first; ``(None, [])`` when none is dated."""
    asked = countries(question)
    articles: dict[str, Passage] = {}
    for p in found:
        articles.setdefault(p.article_id, p)
    on_topic = [
        p for p in articles.values() if p.date is not None and asked <= _named(p, read_text)
    ]
    if not on_topic:
        return None, []
    newest = max(p.date for p in on_topic if p.date is not None)
    ids = [p.article_id for p in on_topic if p.date == newest]
    return newest, ids[:MAX_ARTICLES]


def _named(p: Passage, read_text: Callable[[str], str]) -> frozenset[str]:
    """The countries the passage's article names anywhere (the passage alone when the
    file cannot be read)."""
    try:
        return countries(read_text(p.path))
    except (ChipbotError, OSError):  # an unreadable file only narrows what is known
        return countries(p.text)
