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

from retrieval.context import with_countries
from retrieval.countries import countries
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
    dated = [p for p in articles.values() if p.date is not None]
    topical = [p for p in with_countries(dated, read_text) if on_topic(p, asked)]
    if not topical:
        return None, []
    newest = max(p.date for p in topical if p.date is not None)
    ids = [p.article_id for p in topical if p.date == newest]
    return newest, ids[:MAX_ARTICLES]


def on_topic(p: Passage, asked: frozenset[str]) -> bool:
    """Whether ``p``'s article names every country of ``asked`` (a question's), as
    :func:`retrieval.context.with_countries` marked it; the passage alone when its
    article was not read."""
    named = p.article_countries
    return asked <= (countries(p.text) if named is None else named)
