"""Adding articles from Slack: ``/ask add URL`` (users and channels on
``CHIPBOT_SLACK_INGEST_ALLOW`` only) and, opt-in, the links posted in
``CHIPBOT_SLACK_INGEST_CHANNELS``.

The page is ingested in the worker pool like a question is answered, through
:func:`retrieval.ingest.ingest` directly (the engine's index notices the new generation
on its next question, as it does for another process's ingest), and the reply names each
article's title and date, or why it was not added.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.slack.jobs import Ticket
from bot.slack.mrkdwn import clip, escape
from bot.slack.replies import Indicator, Question, clear_working, notify, tell
from bot.slack.services import Services
from retrieval.errors import ChipbotError
from retrieval.models import format_date

logger = logging.getLogger(__name__)

ADD_WORDS = {"add", "add:"}
MAX_URLS = 5
ADD_USAGE = (
    "Usage: `/ask add URL` adds the web page or PDF at URL to the articles and replies "
    "with its title and date. Example: `/ask add https://www.example.org/news/chip-rules`"
)
NOT_ALLOWED = (
    "Adding articles is not enabled for you here: an admin can add you or this channel "
    "to `CHIPBOT_SLACK_INGEST_ALLOW`."
)
# Slack sends links as <https://…> or <https://…|label>; a pasted bare URL stays bare.
_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")
_BARE_URL = re.compile(r"(?<![<|])\bhttps?://[^\s<>|]+")


def links_in(text: str) -> list[str]:
    """The http(s) URLs in a Slack message's text, in order, each once."""
    found = [m.group(1) for m in _SLACK_LINK.finditer(text)]
    found += _BARE_URL.findall(_SLACK_LINK.sub(" ", text))
    return list(dict.fromkeys(u.replace("&amp;", "&") for u in found))


def add_target(text: str) -> str | None:
    """What follows ``add`` in ``/ask add …`` ("" when nothing does); None otherwise."""
    first, _, rest = text.partition(" ")
    if first.lower() not in ADD_WORDS:
        return None
    return rest.strip()


def add_urls(services: Services, urls: Sequence[str]) -> list[str]:
    """Ingest ``urls``; one mrkdwn line per URL saying what happened."""
    from retrieval.engine import Chipbot
    from retrieval.ingest import ingest
    from retrieval.web.fetch import Fetcher, FetchLimits
    from retrieval.web.refresh import UrlHints

    engine: object = services.engine
    while not isinstance(engine, Chipbot) and hasattr(engine, "inner"):
        engine = engine.inner  # wrappers such as the metrics one pass the engine through
    if not isinstance(engine, Chipbot):
        raise ChipbotError("this app's engine cannot add articles")
    settings = engine.settings
    limits = FetchLimits(
        timeout=settings.fetch_timeout,
        max_bytes=settings.max_page_bytes,
        max_redirects=settings.max_redirects,
        per_host_interval=settings.fetch_interval,
    )
    # A chat user's URL must not reach the app's own network (metadata services, admin
    # pages) unless the deployment allows it.
    with Fetcher(limits, allow_private=services.slack.ingest_private_hosts) as fetcher:
        hints = UrlHints(fetcher=fetcher)
        report = ingest(list(urls), settings, engine.document_embedder, hints=hints)
    lines = []
    for item in report.items:
        shown = escape(item.path)
        if item.status == "skipped" or item.article_id is None:
            lines.append(f":warning: Not added: {shown}: {escape(item.reason)}")
            continue
        info = engine.index.article(item.article_id)
        verb = {"added": "Added", "updated": "Updated"}.get(item.status, "Already indexed")
        lines.append(
            f":white_check_mark: {verb}: *{escape(info.title)}* ({format_date(info.date)}) "
            f"`{info.id}` from {shown}"
        )
    return lines


def add_job(
    services: Services,
    client: WebClient,
    question: Question,
    ticket: Ticket,
    indicator: Indicator | None,
) -> None:
    """Add the URLs in ``question.text`` and reply; runs in the worker pool."""
    notice = ticket.start()
    try:
        urls = links_in(question.text)[:MAX_URLS]
        notify(client, question, "\n".join(add_urls(services, urls)), notice)
    except Exception as exc:
        logger.exception("adding articles failed (%s)", question.context)
        reason = str(exc) if isinstance(exc, ChipbotError) else "something went wrong"
        try:
            tell(client, question, f"Sorry, I could not add that: {escape(reason)}")
        except Exception:
            logger.exception("could not post the apology either (%s)", question.context)
    finally:
        clear_working(client, question, indicator)


def add_command(
    ack: Ack, services: Services, client: WebClient, command: dict[str, Any], target: str
) -> None:
    """Acknowledge ``/ask add TARGET`` (usage, not allowed, or "adding") and queue it."""
    from bot.slack.answering import ask_safely

    user, channel = command.get("user_id"), command["channel_id"]
    if not links_in(target):
        ack(ADD_USAGE)
        return
    if not services.slack.may_add(user, channel):
        ack(NOT_ALLOWED)
        return
    ack(f":inbox_tray: Adding {escape(clip(target, 300))}")
    question = Question(
        text=target,
        kind="command",
        channel=channel,
        user=user,
        private=True,  # the outcome is for the one who added it
        response_url=command.get("response_url"),
    )
    ask_safely(services, client, question, add_job)
