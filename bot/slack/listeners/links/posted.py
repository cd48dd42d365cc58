"""A message with links in an ingest channel: its pages are added, the outcome posted in
its thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.adding import add_job, links_in
from bot.slack.answering import ask_safely
from bot.slack.replies import Question
from bot.slack.services import CONTEXT_KEY, services_from


def is_link_post(event: dict[str, Any], context: BoltContext) -> bool:
    """A person's new message with a link, in a channel configured for ingest."""
    services = context.get(CONTEXT_KEY)
    if services is None or event.get("subtype") or event.get("bot_id"):
        return False
    channels = services.slack.ingest_channels
    return event.get("channel") in channels and bool(links_in(event.get("text", "")))


def link_post_callback(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """Queue the links of the message for ingest (the reply goes in its thread)."""
    text = " ".join(links_in(event.get("text", "")))
    question = Question.from_message(event, text, "mention", context.team_id)
    ask_safely(services_from(context), client, question, add_job)
