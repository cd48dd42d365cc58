"""``/ask question`` (answer in the channel) and ``/ask -p question`` (only you see it)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.slack.answering import NOT_ENABLED, ask_safely
from bot.slack.mrkdwn import clean_incoming, clip, escape
from bot.slack.replies import Question
from bot.slack.services import services_from

PRIVATE_FLAGS = {"-p", "--private"}
USAGE = (
    "Usage: `/ask your question` answers in the channel; `/ask -p your question` "
    "answers only to you. Example: `/ask What has Japan agreed to?`"
)


def parse_command(text: str) -> tuple[str, bool]:
    """``(question, private)`` from the command text; the flag comes first."""
    words = text.split()
    private = bool(words) and words[0].lower() in PRIVATE_FLAGS
    return " ".join(words[1:] if private else words), private


def ask_command_callback(
    ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """Acknowledge at once (usage, not enabled here, or "looking"), then queue the question."""
    text, private = parse_command(clean_incoming(command.get("text", "")))
    services = services_from(context)
    channel = command["channel_id"]
    if not text or text.lower() == "help":
        ack(USAGE)
        return
    if not services.slack.channel_allowed(channel):
        ack(NOT_ENABLED)
        return
    ack(f":mag: Looking through the articles for: _{escape(clip(text, 300))}_")
    question = Question(
        text=text,
        kind="command",
        channel=channel,
        user=command.get("user_id"),
        private=private,
        response_url=command.get("response_url"),
    )
    ask_safely(services, client, question)
