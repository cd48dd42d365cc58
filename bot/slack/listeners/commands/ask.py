"""``/ask question`` (answer in the channel), ``/ask -p question`` (only you see it) and
``/ask timeline TOPIC`` (the dated, cited statements on a topic, oldest first)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.slack.adding import add_command, add_target
from bot.slack.answering import NOT_ENABLED, ask_safely, timeline_job
from bot.slack.mrkdwn import clean_incoming, clip, escape
from bot.slack.replies import Question
from bot.slack.services import services_from

PRIVATE_FLAGS = {"-p", "--private"}
TIMELINE_WORDS = {"timeline", "timeline:"}
USAGE = (
    "Usage: `/ask your question` answers in the channel; `/ask -p your question` "
    "answers only to you; `/ask timeline TOPIC` lists the dated statements on a topic, "
    "oldest first. Example: `/ask What has Japan agreed to?`"
)
TIMELINE_USAGE = (
    "Usage: `/ask timeline TOPIC` lists what the articles said on TOPIC, oldest first, "
    "each statement dated and cited. Example: `/ask timeline Dutch export controls` "
    "(`/ask -p timeline …` shows it only to you)."
)


def parse_command(text: str) -> tuple[str, bool]:
    """``(question, private)`` from the command text; the flag comes first."""
    words = text.split()
    private = bool(words) and words[0].lower() in PRIVATE_FLAGS
    return " ".join(words[1:] if private else words), private


def timeline_topic(text: str) -> str | None:
    """The topic of ``timeline TOPIC`` ("" when none is given); None for a question."""
    first, _, rest = text.partition(" ")
    if first.lower() not in TIMELINE_WORDS:
        return None
    return rest.strip()


def ask_command_callback(
    ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """Acknowledge at once (usage, not enabled here, or "looking"), then queue the
    question or the timeline."""
    text, private = parse_command(clean_incoming(command.get("text", "")))
    services = services_from(context)
    channel = command["channel_id"]
    if not text or text.lower() == "help":
        ack(USAGE)
        return
    target = add_target(text)
    if target is not None:  # `/ask add URL`: add an article (allow-listed only)
        add_command(ack, services, client, command, target)
        return
    topic = timeline_topic(text)
    if topic == "":
        ack(TIMELINE_USAGE)
        return
    if not services.slack.channel_allowed(channel):
        ack(NOT_ENABLED)
        return
    if topic is not None:
        ack(f":calendar: Putting together the timeline of: _{escape(clip(topic, 300))}_")
    else:
        ack(f":mag: Looking through the articles for: _{escape(clip(text, 300))}_")
    question = Question(
        text=topic if topic is not None else text,
        kind="command",
        channel=channel,
        user=command.get("user_id"),
        private=private,
        response_url=command.get("response_url"),
    )
    ask_safely(services, client, question, timeline_job if topic is not None else None)
