"""Timelines in Slack: the engine's dated, cited statements on a topic, kept and rendered.

There are three ways in, all thin callers of this module: ``/ask timeline TOPIC``, the
**Timeline** button under an answer to a question about change or the latest state, and
the timeline posted in the thread right after the answer to a question about change.
The statements come from :meth:`retrieval.engine.Chipbot.timeline`; nothing here chooses
or orders them.

A posted timeline is stored like an answer (its entries as the citations), so its
**Show sources** button works exactly as an answer's does. It is not a question, so it
never joins a thread's follow-up history.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.slack.blocks import Block, timeline_blocks, timeline_fallback_text
from bot.slack.mrkdwn import clip, escape
from bot.slack.services import Services
from bot.slack.store import AnswerRecord
from retrieval.errors import ChipbotError
from retrieval.models import SearchFilter
from retrieval.temporal import describe_filter

if TYPE_CHECKING:
    from retrieval.timeline import Timeline

logger = logging.getLogger(__name__)

TIMELINE_FAILED = (
    ":warning: Sorry — I couldn't put the timeline together. It has been logged; "
    "please try again in a moment."
)
TIMELINE_ALREADY_POSTED = "The timeline is already in this thread."


def no_entries(topic: str, flt: SearchFilter | None = None) -> str:
    """What the asker sees when the articles (those ``flt`` keeps) hold no statement on
    ``topic``."""
    kept = describe_filter(flt)
    articles = f"the articles {escape(kept)}" if kept else "the articles"
    return (
        f"I found no dated statements on “{escape(clip(' '.join(topic.split()), 300))}” "
        f"in {articles}. Try other words, e.g. `/ask timeline Dutch export controls`."
    )


def timeline_apology(exc: Exception) -> str:
    """A one-line apology; library errors carry a message fit for users."""
    if isinstance(exc, ChipbotError):
        return f":warning: Sorry — {exc}."
    return TIMELINE_FAILED


def timeline_key(answer_id: str) -> str:
    """The store key claimed while an answer's timeline is posted in its thread (once)."""
    return f"timeline:{answer_id}"


def topic_of(record: AnswerRecord) -> str:
    """What an answer's timeline is about: its standalone question (a follow-up as read)."""
    return str(record.answer.get("standalone_question") or record.question)


def timeline_record(timeline: Timeline) -> dict[str, Any]:
    """The stored form: the timeline's JSON with its entries as ``citations``."""
    data = timeline.to_dict()
    # Entries carry every citation field, so Show sources reads them as an answer's.
    entries = data.pop("entries")
    return {"kind": "timeline", **data, "citations": entries}


@dataclass(frozen=True)
class TimelineMessage:
    """A timeline ready to post: the engine's result, its stored id, blocks and text."""

    timeline: Timeline
    record_id: str
    blocks: list[Block]
    text: str


def make_timeline(
    services: Services,
    topic: str,
    *,
    channel: str,
    user: str | None,
    flt: SearchFilter | None = None,
    asked_by: str | None = None,
) -> TimelineMessage | None:
    """The timeline of ``topic`` from the engine, stored and rendered; None when the
    articles hold no statement on it."""
    timeline = services.engine.timeline(topic, flt=flt)
    if not timeline.entries:
        return None
    record = AnswerRecord(
        id=uuid.uuid4().hex[:16],
        channel=channel,
        # No thread or ts: a timeline is not a question a follow-up should be read with.
        thread_ts=None,
        message_ts=None,
        user=user,
        question=timeline.topic,
        answer=timeline_record(timeline),
        created_at=time.time(),
    )
    # Saved before posting so a fast click on Show sources always finds it.
    services.store.save_answer(record)
    return TimelineMessage(
        timeline=timeline,
        record_id=record.id,
        blocks=timeline_blocks(timeline, record.id, asked_by=asked_by),
        text=timeline_fallback_text(timeline),
    )
