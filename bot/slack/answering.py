"""Answering a Slack question: checks, working indicator, queueing, the job itself.

Listeners turn an event into a :class:`~bot.slack.replies.Question` and call
:func:`submit`; the answer is produced in the worker pool by :func:`answer_job` through
the shared engine. Every failure ends in a short apology to the asker, never silence.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace

from slack_sdk import WebClient

from bot.slack.blocks import answer_blocks, answer_fallback_text, notice_blocks
from bot.slack.jobs import QueueFullError, Ticket
from bot.slack.replies import Indicator, Question, clear_working, deliver, show_working, tell
from bot.slack.services import Services
from bot.slack.store import AnswerRecord
from retrieval.errors import ChipbotError

logger = logging.getLogger(__name__)

HELP = (
    "Ask me about the semiconductor export-control talks (the US, Japan and the Netherlands), "
    "e.g. _What has Japan agreed to?_ — every sentence of my answers cites an article."
)
NOT_ENABLED = (
    "Sorry, I'm not enabled in this channel. Ask me in a direct message or in one of the "
    "channels I've been set up for."
)
BUSY = ":hourglass: I'm swamped right now — please ask again in a minute."
APOLOGY = (
    ":warning: Sorry — something went wrong while answering. It has been logged; "
    "please try again in a moment."
)


def queue_notice(position: int) -> str:
    """What the asker sees while their question waits."""
    ahead = position - 1
    others = "1 question" if ahead == 1 else f"{ahead} questions"
    if ahead <= 0:
        return ":hourglass_flowing_sand: All my workers are busy — you're next in the queue."
    return (
        ":hourglass_flowing_sand: All my workers are busy — "
        f"you're number {position} in the queue ({others} ahead)."
    )


def apology_for(exc: Exception) -> str:
    """A one-line apology; library errors carry a message fit for users."""
    if isinstance(exc, ChipbotError):
        return f":warning: Sorry — {exc}."
    return APOLOGY


def submit(services: Services, client: WebClient, question: Question) -> Ticket | None:
    """Check, acknowledge visibly and queue ``question``; None when it is not answered.

    Returns None for a message already being answered, a channel outside the
    allow-list, an empty question or a full queue (the asker is told in the last three).
    """
    if question.message_ts and not services.store.claim(
        f"msg:{question.channel}:{question.message_ts}"
    ):
        logger.info("already answered or answering (%s)", question.context)
        return None
    if not services.slack.channel_allowed(question.channel):
        tell(client, question, NOT_ENABLED)
        return None
    if not question.text.strip():
        tell(client, question, HELP)
        return None
    indicator = show_working(client, question)
    try:
        ticket = services.pool.submit(
            lambda t: answer_job(services, client, question, t, indicator)
        )
    except QueueFullError:
        clear_working(client, question, indicator)
        tell(client, question, BUSY)
        return None
    if ticket.position > 0:
        ticket.announce(lambda: _announce(client, question, ticket.position))
    return ticket


def _announce(client: WebClient, question: Question, position: int) -> object:
    if question.kind == "assistant" and question.thread_ts:
        show_working(client, question, status=f"is queued (number {position})…")
        return None
    return tell(client, question, queue_notice(position))


def answer_job(
    services: Services,
    client: WebClient,
    question: Question,
    ticket: Ticket,
    indicator: Indicator | None,
) -> None:
    """Answer ``question`` and post the reply (or an apology); runs in the worker pool."""
    notice = ticket.start()
    try:
        if ticket.position > 0 and indicator == "status":
            show_working(client, question)
        thread = question.reply_thread
        history = services.store.thread_questions(question.channel, thread) if thread else []
        answer = services.engine.ask(question.text, history=history)
        record = AnswerRecord(
            id=uuid.uuid4().hex[:16],
            channel=question.channel,
            thread_ts=thread,
            message_ts=None,
            user=question.user,
            question=question.text,
            answer=answer.to_dict(),
            created_at=time.time(),
        )
        # Saved before posting so a fast click on a button always finds it.
        services.store.save_answer(record)
        asked_by = question.user if question.kind == "command" and not question.private else None
        blocks = answer_blocks(answer, record.id, asked_by=asked_by)
        ts = deliver(client, question, blocks, answer_fallback_text(answer), notice)
        if ts:
            # The answer's ts roots the thread a DM follow-up may start under it.
            services.store.save_answer(replace(record, message_ts=ts))
    except Exception as exc:
        logger.exception("answering failed (%s)", question.context)
        _apologise(client, question, apology_for(exc), notice)
    finally:
        clear_working(client, question, indicator)


def _apologise(client: WebClient, question: Question, text: str, notice: object) -> None:
    try:
        if question.kind == "command":
            tell(client, question, text)  # only the asker needs to see it
        else:
            deliver(client, question, notice_blocks(text), text, notice)
    except Exception:
        logger.exception("could not post the apology either (%s)", question.context)


def ask_safely(services: Services, client: WebClient, question: Question) -> None:
    """:func:`submit`, with an apology to the asker (and a log line) if even that fails."""
    try:
        submit(services, client, question)
    except Exception as exc:
        logger.exception("could not queue the question (%s)", question.context)
        _apologise(client, question, apology_for(exc), None)
