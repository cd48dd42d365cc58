"""Answering a Slack question: checks, working indicator, queueing, the job itself.

Listeners turn an event into a :class:`~bot.slack.replies.Question` and call
:func:`submit`; the answer is produced in the worker pool by :func:`answer_job` through
the shared engine (``/ask timeline TOPIC`` runs :func:`timeline_job` the same way). An
answer in a thread or DM appears while it is written (:mod:`bot.slack.streaming`) and
then becomes the checked answer; a slash command's answer is posted whole. An answer to
a question about change is followed by its timeline in the thread. Every failure ends
in a short apology to the asker, never silence (replacing any text already streamed).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import replace

from slack_sdk import WebClient

from bot.slack.blocks import Block, answer_blocks, answer_fallback_text, notice_blocks
from bot.slack.jobs import QueueFullError, Ticket
from bot.slack.replies import (
    Indicator,
    Question,
    clear_working,
    deliver,
    notify,
    show_working,
    tell,
)
from bot.slack.services import Services
from bot.slack.store import AnswerRecord
from bot.slack.streaming import AnswerStream
from bot.slack.timelines import (
    make_timeline,
    no_entries,
    timeline_apology,
    timeline_key,
    topic_of,
)
from retrieval.errors import ChipbotError
from retrieval.recency import follows_with_timeline, timeline_filter

logger = logging.getLogger(__name__)

#: A job run in the worker pool for a question: answer it, or post its timeline.
QuestionJob = Callable[[Services, WebClient, Question, Ticket, Indicator | None], None]

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


def submit(
    services: Services, client: WebClient, question: Question, job: QuestionJob | None = None
) -> Ticket | None:
    """Check, acknowledge visibly and queue ``question``; None when it is not answered.

    ``job`` does the work in the pool (default :func:`answer_job`). Returns None for a
    message already being answered, a channel outside the allow-list, an empty question
    or a full queue (the asker is told in the last three).
    """
    work = job or answer_job
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
        ticket = services.pool.submit(lambda t: work(services, client, question, t, indicator))
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
    stream = _open_stream(services, client, question, notice)
    try:
        if ticket.position > 0 and indicator == "status":
            show_working(client, question)
        thread = question.reply_thread
        history = services.store.thread_questions(question.channel, thread) if thread else []
        answer = services.engine.ask(
            question.text, history=history, on_token=stream.write if stream else None
        )
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
        text = answer_fallback_text(answer)
        ts = stream.finish(blocks, text) if stream else None
        if ts is None:
            ts = deliver(client, question, blocks, text, notice)
        if ts:
            # The answer's ts roots the thread a DM follow-up may start under it.
            services.store.save_answer(replace(record, message_ts=ts))
    except Exception as exc:
        logger.exception("answering failed (%s)", question.context)
        shown = _abort(stream, question)
        _apologise(client, question, apology_for(exc), shown or notice)
    else:
        if follows_with_timeline(answer):
            timeline_after_answer(services, client, question, record, ts)
    finally:
        clear_working(client, question, indicator)


def _open_stream(
    services: Services, client: WebClient, question: Question, notice: object
) -> AnswerStream | None:
    """A stream for the answer, or None where it is posted whole (a slash command)."""
    if question.kind == "command":
        return None
    return AnswerStream(
        client,
        question,
        services.streams,
        notice=notice if isinstance(notice, str) else None,
    )


def _abort(stream: AnswerStream | None, question: Question) -> str | None:
    """End the stream after a failure; the ts of the text shown, for the apology to
    replace (unchecked text must not stand)."""
    if stream is None:
        return None
    try:
        return stream.abort()
    except Exception:
        logger.exception("could not end the stream (%s)", question.context)
        return stream.ts if stream.started else None


def timeline_after_answer(
    services: Services,
    client: WebClient,
    question: Question,
    record: AnswerRecord,
    answer_ts: str | None,
) -> None:
    """Post the answer's timeline right after it, in its thread; never raises.

    The answer already stands, so a failure here costs only the timeline: it is logged,
    the thread gets a short apology, and the Timeline button can try again.
    """
    key = timeline_key(record.id)
    # Into the answer's thread; a slash command's answer starts one under itself, and
    # one sent through its response_url (private, or the bot is not in the channel)
    # is followed the same way.
    thread = question.reply_thread or answer_ts

    def post(blocks: list[Block], text: str) -> None:
        if thread:
            client.chat_postMessage(
                channel=question.channel, thread_ts=thread, blocks=blocks, text=text
            )
        else:
            deliver(client, question, blocks, text)

    try:
        if not services.store.claim(key):
            return  # a click on the Timeline button got there first
        message = make_timeline(
            services,
            topic_of(record),
            channel=question.channel,
            user=question.user,
            flt=timeline_filter(record.answer.get("temporal") or {}),
        )
        if message is None:
            services.store.release(key)
            logger.info("no timeline to follow the answer (%s)", question.context)
            return
        post(message.blocks, message.text)
    except Exception as exc:
        logger.exception("the timeline after the answer failed (%s)", question.context)
        services.store.release(key)  # so the Timeline button can try again
        text = timeline_apology(exc)
        try:
            post(notice_blocks(text), text)
        except Exception:
            logger.exception("could not post the apology either (%s)", question.context)


def timeline_job(
    services: Services,
    client: WebClient,
    question: Question,
    ticket: Ticket,
    indicator: Indicator | None,
) -> None:
    """Post the timeline of ``question.text`` (a topic; ``/ask timeline TOPIC``) or say
    there is none; runs in the worker pool."""
    notice = ticket.start()
    try:
        asked_by = question.user if question.kind == "command" and not question.private else None
        message = make_timeline(
            services, question.text, channel=question.channel, user=question.user, asked_by=asked_by
        )
        if message is None:
            notify(client, question, no_entries(question.text), notice)
        else:
            deliver(client, question, message.blocks, message.text, notice)
    except Exception as exc:
        logger.exception("the timeline failed (%s)", question.context)
        _apologise(client, question, timeline_apology(exc), notice)
    finally:
        clear_working(client, question, indicator)


def _apologise(client: WebClient, question: Question, text: str, notice: object) -> None:
    try:
        notify(client, question, text, notice)
    except Exception:
        logger.exception("could not post the apology either (%s)", question.context)


def ask_safely(
    services: Services, client: WebClient, question: Question, job: QuestionJob | None = None
) -> None:
    """:func:`submit`, with an apology to the asker (and a log line) if even that fails."""
    try:
        submit(services, client, question, job)
    except Exception as exc:
        logger.exception("could not queue the question (%s)", question.context)
        _apologise(client, question, apology_for(exc), None)
