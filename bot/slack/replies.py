"""Where a question's replies go: a thread, a DM, a slash command's channel or response_url.

A :class:`Question` knows its surface; :func:`deliver` posts (or, when a queue notice
was shown, replaces) the reply there. The working indicators live here too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.slack.blocks import Block, notice_blocks

logger = logging.getLogger(__name__)

Kind = Literal["mention", "dm", "command", "assistant"]
Indicator = Literal["status", "reaction"]

WORKING_REACTION = "hourglass_flowing_sand"
WORKING_STATUS = "is reading the articles…"
# Errors meaning the bot cannot post into the channel with chat.postMessage.
_NOT_IN_CHANNEL = {"not_in_channel", "channel_not_found", "is_archived"}


@dataclass(frozen=True)
class Question:
    """A question from Slack and everything needed to reply to it."""

    text: str
    kind: Kind
    channel: str
    user: str | None
    message_ts: str | None = None
    thread_ts: str | None = None
    private: bool = False
    response_url: str | None = None
    team: str | None = None  # the asker's workspace (a stream outside a DM names it)

    @classmethod
    def from_message(
        cls, event: dict[str, Any], text: str, kind: Kind, team: str | None
    ) -> Question:
        """The question a message event (mention, DM, assistant thread, link) carries."""
        return cls(
            text=text,
            kind=kind,
            channel=event["channel"],
            user=event.get("user"),
            message_ts=event["ts"],
            thread_ts=event.get("thread_ts"),
            team=team,
        )

    @property
    def reply_thread(self) -> str | None:
        """The thread the reply goes into (None: top level)."""
        if self.kind == "mention":
            return self.thread_ts or self.message_ts
        if self.kind == "command":
            return None
        return self.thread_ts

    @property
    def context(self) -> str:
        """Log context (no tokens, no question text)."""
        return f"kind={self.kind} channel={self.channel} user={self.user} ts={self.message_ts}"


def respond(response_url: str, client: WebClient, **payload: Any) -> None:
    """POST ``payload`` to a response_url with the same retry policy as ``client``."""
    webhook = WebhookClient(response_url, retry_handlers=list(client.retry_handlers))
    result = webhook.send_dict(payload)
    if result.status_code >= 300:
        raise RuntimeError(f"response_url answered HTTP {result.status_code}")


def deliver(
    client: WebClient, question: Question, blocks: list[Block], text: str, notice: object = None
) -> str | None:
    """Post the reply for ``question`` (replacing the queue ``notice``); returns its ts."""
    if question.kind == "command":
        return _deliver_command(client, question, blocks, text)
    if isinstance(notice, str):
        client.chat_update(channel=question.channel, ts=notice, blocks=blocks, text=text)
        return notice
    result = client.chat_postMessage(
        channel=question.channel, thread_ts=question.reply_thread, blocks=blocks, text=text
    )
    return str(result["ts"])


def _deliver_command(
    client: WebClient, question: Question, blocks: list[Block], text: str
) -> str | None:
    if not question.private:
        try:
            result = client.chat_postMessage(channel=question.channel, blocks=blocks, text=text)
            return str(result["ts"])
        except SlackApiError as exc:
            if exc.response.get("error") not in _NOT_IN_CHANNEL or not question.response_url:
                raise
    if not question.response_url:
        raise RuntimeError("a slash command without a response_url")
    kind = "ephemeral" if question.private else "in_channel"
    respond(question.response_url, client, response_type=kind, blocks=blocks, text=text)
    return None


def tell(client: WebClient, question: Question, text: str) -> object:
    """A short notice to the asker (mrkdwn ``text``); returns what :func:`deliver` can replace."""
    if question.kind == "command":
        if question.response_url:
            respond(question.response_url, client, response_type="ephemeral", text=text)
        return None
    result = client.chat_postMessage(
        channel=question.channel, thread_ts=question.reply_thread, text=text
    )
    return str(result["ts"])


def notify(client: WebClient, question: Question, text: str, notice: object = None) -> None:
    """A notice where the reply goes (replacing the queue ``notice``); to the asker alone
    for a slash command."""
    if question.kind == "command":
        tell(client, question, text)
    else:
        deliver(client, question, notice_blocks(text), text, notice)


def show_working(
    client: WebClient, question: Question, status: str = WORKING_STATUS
) -> Indicator | None:
    """Show that the bot is working: assistant status, else a reaction on the message."""
    try:
        if question.kind == "assistant" and question.thread_ts:
            try:
                client.assistant_threads_setStatus(
                    channel_id=question.channel, thread_ts=question.thread_ts, status=status
                )
                return "status"
            except SlackApiError:
                # A plain DM thread is not an assistant thread; fall back to a reaction.
                pass
        if question.message_ts:
            client.reactions_add(
                channel=question.channel, timestamp=question.message_ts, name=WORKING_REACTION
            )
            return "reaction"
    except SlackApiError as exc:
        logger.warning("could not show the working indicator (%s): %s", question.context, exc)
    return None


def clear_working(client: WebClient, question: Question, indicator: Indicator | None) -> None:
    """Remove the working reaction (a status clears itself when the reply is posted)."""
    if indicator != "reaction" or not question.message_ts:
        return
    try:
        client.reactions_remove(
            channel=question.channel, timestamp=question.message_ts, name=WORKING_REACTION
        )
    except SlackApiError as exc:
        if exc.response.get("error") != "no_reaction":
            logger.warning("could not remove the working reaction (%s): %s", question.context, exc)
