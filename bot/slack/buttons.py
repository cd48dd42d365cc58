"""What the buttons do: post an answer's cited passages, record a vote.

The listeners in :mod:`bot.slack.listeners.actions` only acknowledge and call these.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.slack.blocks import FEEDBACK_ACTIONS, SourceItem, sources_messages
from bot.slack.mrkdwn import clip
from bot.slack.services import Engine, Services
from retrieval.errors import CitationError
from retrieval.models import Citation

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
