"""What the buttons do: post an answer's cited passages or its timeline, record a vote.

The listeners in :mod:`bot.slack.listeners.actions` only acknowledge and call these.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.slack.answering import BUSY
from bot.slack.blocks import FEEDBACK_ACTIONS, Block, SourceItem, notice_blocks, sources_messages
from bot.slack.jobs import QueueFullError
from bot.slack.mrkdwn import clip
from bot.slack.services import Engine, Services
from bot.slack.store import AnswerRecord
from bot.slack.timelines import (
    TIMELINE_ALREADY_POSTED,
    make_timeline,
    no_entries,
    timeline_apology,
    timeline_key,
    topic_of,
)
from retrieval.errors import CitationError
from retrieval.models import Citation
from retrieval.recency import timeline_filter

logger = logging.getLogger(__name__)

GONE = "Sorry, I can't find that answer any more; please ask again."
NO_CITATIONS = "That answer cites no passages."
ALREADY_POSTED = "The sources are already in this thread."
THANKS = {
    1: "Thanks — glad it helped. :+1:",
    -1: "Thanks — noted. :-1: This helps improve the answers.",
}


@dataclass(frozen=True)
class Clicked:
    """A button click: which answer, by whom, on which message."""

    action_id: str
    answer_id: str
    user: str
    channel: str | None
    message_ts: str | None
    thread_ts: str | None
    ephemeral: bool

    @classmethod
    def from_body(cls, body: dict[str, Any], action: dict[str, Any]) -> Clicked:
        """Read a ``block_actions`` payload."""
        container = body.get("container") or {}
        message = body.get("message") or {}
        message_ts = container.get("message_ts") or message.get("ts")
        return cls(
            action_id=str(action.get("action_id", "")),
            answer_id=str(action.get("value", "")),
            user=str((body.get("user") or {}).get("id", "")),
            channel=(body.get("channel") or {}).get("id") or container.get("channel_id"),
            message_ts=message_ts,
            thread_ts=message.get("thread_ts") or message_ts,
            ephemeral=bool(container.get("is_ephemeral")),
        )

    @property
    def context(self) -> str:
        """Log context."""
        return (
            f"action={self.action_id} answer={self.answer_id} "
            f"channel={self.channel} user={self.user}"
        )


def source_item(engine: Engine, citation: Citation) -> SourceItem:
    """The cited passage with its context; the bare quote when the article has changed."""
    try:
        before, quote, after = engine.context(citation)
    except CitationError:
        logger.warning(
            "article %s changed since it was cited; showing the quote alone", citation.article_id
        )
        return SourceItem(citation, "", citation.quote, "")
    return SourceItem(citation, before, quote, after)


def post_sources(
    services: Services, client: WebClient, clicked: Clicked, respond: Respond
) -> str | None:
    """Post the cited passages in the thread (privately for a private answer).

    Returns a note for the clicking user, or None when the sources were posted.
    """
    record = services.store.get_answer(clicked.answer_id)
    if record is None:
        return GONE
    citations = record.citations()
    if not citations:
        return NO_CITATIONS
    messages = sources_messages(
        record.question, [source_item(services.engine, c) for c in citations]
    )
    text = clip(f"Sources for: {record.question}", 300)
    if clicked.ephemeral or not clicked.channel:
        for blocks in messages:
            respond(response_type="ephemeral", replace_original=False, blocks=blocks, text=text)
        return None
    key = f"sources:{record.id}"
    if not services.store.claim(key):
        return ALREADY_POSTED
    try:
        for blocks in messages:
            client.chat_postMessage(
                channel=clicked.channel, thread_ts=clicked.thread_ts, blocks=blocks, text=text
            )
    except Exception:
        services.store.release(key)  # so a second click can try again
        raise
    return None


def record_feedback(services: Services, clicked: Clicked) -> str:
    """Store the vote; returns the thank-you note."""
    record = services.store.get_answer(clicked.answer_id)
    if record is None:
        return GONE
    vote = FEEDBACK_ACTIONS[clicked.action_id]
    services.store.add_feedback(record, clicked.user, vote)
    return THANKS[vote]


def request_timeline(
    services: Services, client: WebClient, clicked: Clicked, respond: Respond
) -> str | None:
    """Queue the timeline of the clicked answer's question in the worker pool; it is
    posted in the answer's thread (privately for a private answer).

    Returns a note for the clicking user, or None when the timeline is on its way.
    """
    record = services.store.get_answer(clicked.answer_id)
    if record is None:
        return GONE
    # None: a private answer, whose timeline only the clicking user sees.
    channel = None if clicked.ephemeral else clicked.channel
    key = timeline_key(record.id) if channel else None
    if key is not None and not services.store.claim(key):
        return TIMELINE_ALREADY_POSTED

    def post(blocks: list[Block], text: str) -> None:
        if channel:
            client.chat_postMessage(
                channel=channel, thread_ts=clicked.thread_ts, blocks=blocks, text=text
            )
        else:
            respond(response_type="ephemeral", replace_original=False, blocks=blocks, text=text)

    try:
        services.pool.submit(
            lambda _ticket: _timeline_job(services, clicked, record, post, respond, key)
        )
    except QueueFullError:
        if key is not None:
            services.store.release(key)
        return BUSY
    return None


def _timeline_job(
    services: Services,
    clicked: Clicked,
    record: AnswerRecord,
    post: Callable[[list[Block], str], None],
    respond: Respond,
    key: str | None,
) -> None:
    """Build and post the timeline; on failure, a polite note where it would have gone."""
    topic = topic_of(record)
    flt = timeline_filter(record.answer.get("temporal") or {})
    try:
        message = make_timeline(
            services, topic, channel=clicked.channel or record.channel, user=clicked.user, flt=flt
        )
        if message is None:
            if key is not None:
                services.store.release(key)
            none = no_entries(topic, flt)
            respond(response_type="ephemeral", replace_original=False, text=none)
            return
        post(message.blocks, message.text)
    except Exception as exc:
        logger.exception("the timeline failed (%s)", clicked.context)
        if key is not None:
            services.store.release(key)  # so a second click can try again
        text = timeline_apology(exc)
        try:
            post(notice_blocks(text), text)
        except Exception:
            logger.exception("could not post the apology either (%s)", clicked.context)
