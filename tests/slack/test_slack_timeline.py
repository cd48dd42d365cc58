"""Timelines in Slack: ``/ask timeline TOPIC``, the Timeline button under answers to
questions about change or the latest state, and the timeline that follows an answer to
a question about change."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pytest

from bot.slack.answering import NOT_ENABLED
from bot.slack.blocks import (
    ACTION_FEEDBACK_DOWN,
    ACTION_FEEDBACK_UP,
    ACTION_SHOW_SOURCES,
    ACTION_TIMELINE,
    TIMELINE_TRIM_POINTER,
    answer_blocks,
    timeline_blocks,
    timeline_line,
)
from bot.slack.listeners.commands.ask import TIMELINE_USAGE, timeline_topic
from bot.slack.mrkdwn import MAX_BLOCKS, MESSAGE_CHARS, SECTION_CHARS, escape
from bot.slack.services import Engine
from bot.slack.store import AnswerRecord
from bot.slack.timelines import (
    TIMELINE_ALREADY_POSTED,
    TIMELINE_FAILED,
    no_entries,
)
from retrieval.models import Answer, Citation, SearchFilter, format_date
from retrieval.recency import timeline_filter
from retrieval.timeline import Timeline, TimelineEntry
from tests.slack.fake_slack import Message
from tests.slack.slack_harness import CITED, FailingEngine, Harness, MakeHarness

TOPIC = "the Netherlands and the US export restrictions"
LATEST = "What is the latest on the Netherlands and the US restrictions?"
CHANGE = (
    "How has the Netherlands' position on the new US restrictions on chip-making "
    "technology changed?"
)
HEADER = "*Timeline of*"
# "*[3]* 19 Jan 2023 · “quote” · title": the number and the date of a timeline line.
LINE = re.compile(r"^\*\[(\d+)\]\* (\d{1,2} \w{3} \d{4}|undated) · “")


@dataclass
class PartlyScripted:
    """The real engine, with its answer or its timeline replaced where a test needs it;
    the topics and filters it was asked for timelines are kept."""

    engine: Engine
    answer: Answer | None = None
    timeline_error: Exception | None = None
    empty_timeline: bool = False
    asked: list[tuple[str, SearchFilter | None]] = field(default_factory=list)

    def ask(
        self,
        question: str,
        *,
        history: Sequence[str] = (),
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        if self.answer is not None:
            return self.answer
        return self.engine.ask(question, history=history, on_token=on_token)

    def context(self, citation: Citation, chars: int = 400) -> tuple[str, str, str]:
        return self.engine.context(citation, chars)

    def timeline(
        self, topic: str, *, flt: SearchFilter | None = None, k: int | None = None
    ) -> Timeline:
        self.asked.append((topic, flt))
        if self.timeline_error is not None:
            raise self.timeline_error
        if self.empty_timeline:
            return Timeline(topic=topic, entries=[], filter=flt)
        return self.engine.timeline(topic, flt=flt, k=k)


def _timeline_in(messages: list[Message]) -> Message | None:
    return next((m for m in messages if HEADER in m.block_text()), None)


def _wait_timeline_in_thread(slack: Harness, thread_ts: str, channel: str = "C1") -> Message:
    return slack.fake.wait_for(lambda: _timeline_in(slack.fake.thread(channel, thread_ts)))


def _buttons(message: Message) -> list[str]:
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def _lines(message: Message) -> list[tuple[int, str]]:
    """(n, date) of each statement line, in the order shown."""
    return [
        (int(m[1]), m[2]) for line in message.block_text().split("\n") if (m := LINE.match(line))
    ]


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d %b %Y").date()


def _job_done(slack: Harness, ts: str) -> None:
    """Wait until the job for the message ``ts`` has finished (its reaction is removed)."""
    slack.fake.wait_for(
        lambda: [c for c in slack.fake.calls_to("reactions.remove") if c.args["timestamp"] == ts]
    )


# -- /ask timeline TOPIC ---------------------------------------------------------------


def test_ask_timeline_acknowledges_then_posts_dated_cited_statements_oldest_first(
    slack: Harness, seed_text: Callable[[str], str]
) -> None:
    reply = slack.command(f"timeline {TOPIC}")
    assert reply.status == 200
    assert f"Putting together the timeline of: _{TOPIC}_" in reply.body
    message = slack.fake.wait_for(lambda: _timeline_in(slack.fake.top_level("C1")))
    text = message.block_text()
    assert "<@U1> asked for a timeline" in text
    assert f"{HEADER} _{TOPIC}_" in text
    record = slack.store.get_answer(message.action_value(ACTION_SHOW_SOURCES) or "")
    assert record is not None
    citations = record.citations()
    assert citations
    lines = _lines(message)
    assert [n for n, _ in lines] == [c.n for c in citations]
    dated = [_day(d) for _, d in lines if d != "undated"]
    assert dated == sorted(dated)
    for (_, shown), c in zip(lines, citations, strict=True):
        assert seed_text(c.article_id)[c.start : c.end] == c.quote
        assert shown == format_date(c.date)
        assert escape(" ".join(c.title.split()[:4])) in text


def test_show_sources_on_a_timeline_posts_each_statement_verbatim_in_its_thread(
    slack: Harness,
) -> None:
    slack.command(f"timeline {TOPIC}")
    message = slack.fake.wait_for(lambda: _timeline_in(slack.fake.top_level("C1")))
    assert _buttons(message) == [ACTION_SHOW_SOURCES]
    slack.click(ACTION_SHOW_SOURCES, message)
    sources = slack.wait_thread_text("C1", message.ts, "Sources for:")
    record = slack.store.get_answer(message.action_value(ACTION_SHOW_SOURCES) or "")
    assert record is not None
    flat = " ".join(re.sub(r"[*>]", " ", sources.block_text()).split())
    for c in record.citations():
        assert f"`{c.ref}`" in sources.block_text()
        assert " ".join(escape(c.quote).split()) in flat


def test_ask_private_timeline_answers_only_the_asker(slack: Harness) -> None:
    slack.command(f"-p timeline {TOPIC}", response="private")
    [response] = slack.fake.wait_for(lambda: [r for r in slack.fake.responses if r.get("blocks")])
    assert response["response_type"] == "ephemeral"
    assert HEADER in str(response["blocks"])
    assert "asked for a timeline" not in str(response["blocks"])
    assert slack.fake.top_level("C1") == []


@pytest.mark.parametrize("text", ["timeline", "timeline   ", "-p timeline", "Timeline:"])
def test_ask_timeline_without_a_topic_shows_its_usage_privately(slack: Harness, text: str) -> None:
    reply = slack.command(text)
    assert reply.status == 200
    assert TIMELINE_USAGE in reply.body
    assert "in_channel" not in reply.body
    assert slack.fake.calls_to("chat.postMessage") == []


def test_ask_timeline_outside_the_allow_list_says_it_is_not_enabled(
    make_harness: MakeHarness,
) -> None:
    slack = make_harness(channels=("C_OK",))
    reply = slack.command(f"timeline {TOPIC}", channel="C_NO")
    assert NOT_ENABLED in reply.body
    assert slack.fake.calls_to("chat.postMessage") == []


def test_ask_timeline_with_no_statements_says_so_privately(
    make_harness: MakeHarness, engine: Engine
) -> None:
    slack = make_harness(engine_override=PartlyScripted(engine, empty_timeline=True))
    slack.command("timeline bananas in Peru")
    [response] = slack.fake.wait_for(
        lambda: [r for r in slack.fake.responses if r.get("text") == no_entries("bananas in Peru")]
    )
    assert response["response_type"] == "ephemeral"
    assert "no dated statements on “bananas in Peru”" in response["text"]
    assert slack.fake.calls_to("chat.postMessage") == []


def test_ask_timeline_failing_apologises_privately_and_is_logged(
    make_harness: MakeHarness, caplog: pytest.LogCaptureFixture
) -> None:
    slack = make_harness(engine_override=FailingEngine(RuntimeError("index exploded")))
    with caplog.at_level(logging.ERROR, logger="bot.slack.answering"):
        slack.command(f"timeline {TOPIC}")
        [response] = slack.fake.wait_for(
            lambda: [r for r in slack.fake.responses if r.get("text") == TIMELINE_FAILED]
        )
    assert response["response_type"] == "ephemeral"
    assert "index exploded" not in str(response)
    assert "the timeline failed" in caplog.text
    assert slack.fake.calls_to("chat.postMessage") == []


def test_the_timeline_sub_command_is_read_only_in_front() -> None:
    assert timeline_topic("timeline Dutch export controls") == "Dutch export controls"
    assert timeline_topic("TIMELINE: Dutch rules") == "Dutch rules"
    assert timeline_topic("timeline") == ""
    assert timeline_topic("What is the timeline for the Dutch rules?") is None
    assert timeline_topic("timelines of chips") is None


# -- the Timeline button -----------------------------------------------------------------


def test_an_answer_to_a_latest_state_question_has_a_timeline_button(slack: Harness) -> None:
    ts = slack.mention(LATEST)
    [answer] = slack.wait_answer("C1", ts)
    assert ACTION_TIMELINE in _buttons(answer)


def test_an_answer_to_a_question_not_about_time_has_no_timeline_button(slack: Harness) -> None:
    ts = slack.mention(CITED)
    [answer] = slack.wait_answer("C1", ts)
    assert _buttons(answer) == [ACTION_SHOW_SOURCES, ACTION_FEEDBACK_UP, ACTION_FEEDBACK_DOWN]


@pytest.mark.parametrize(
    ("temporal", "offered"),
    [
        ({"change": True, "latest": False}, True),
        ({"change": False, "latest": True}, True),
        ({"change": False, "latest": False, "until": "2023-03-31", "as_of": "2023-03-31"}, False),
        ({}, False),
    ],
)
def test_the_timeline_button_follows_the_questions_temporal_intent(
    temporal: dict[str, object], offered: bool
) -> None:
    answer = Answer("Q?", "A. [1]", False, [CITATION], temporal=dict(temporal))
    actions = [
        e.get("action_id") for b in answer_blocks(answer, "id") for e in b.get("elements", [])
    ]
    assert (ACTION_TIMELINE in actions) is offered


def test_clicking_timeline_posts_the_questions_timeline_in_the_answers_thread(
    make_harness: MakeHarness, engine: Engine
) -> None:
    scripted = PartlyScripted(engine)
    slack = make_harness(engine_override=scripted)
    ts = slack.mention(LATEST)
    [answer] = slack.wait_answer("C1", ts)
    assert slack.click(ACTION_TIMELINE, answer).status == 200
    message = _wait_timeline_in_thread(slack, ts)
    assert scripted.asked == [(LATEST, None)]
    assert f"{HEADER} _{escape(LATEST)}_" in message.block_text()
    assert _lines(message)
    assert message.action_value(ACTION_SHOW_SOURCES) != answer.action_value(ACTION_TIMELINE)


def test_clicking_timeline_twice_posts_it_once(slack: Harness) -> None:
    ts = slack.mention(LATEST)
    [answer] = slack.wait_answer("C1", ts)
    slack.click(ACTION_TIMELINE, answer, response="first")
    _wait_timeline_in_thread(slack, ts)
    slack.click(ACTION_TIMELINE, answer, response="second")
    slack.fake.wait_for(
        lambda: [r for r in slack.fake.responses if r.get("text") == TIMELINE_ALREADY_POSTED]
    )
    assert len([m for m in slack.fake.thread("C1", ts) if HEADER in m.block_text()]) == 1


CITATION = Citation(1, "000_35dad6a91730d5a0", "Title", None, "x.txt", 0, 4, "date")
THREAD = "1690000000.000001"


def _stored(slack: Harness, temporal: dict[str, object], answer_id: str = "a1") -> Message:
    """A posted answer to a question about change, as the store and Slack hold it."""
    answer = Answer(
        question="How has Japan’s position on the US chip controls changed since October 2022?",
        answer="A date. [1]",
        abstained=False,
        citations=[CITATION],
        temporal=dict(temporal),
    )
    slack.store.save_answer(
        AnswerRecord(
            id=answer_id,
            channel="C1",
            thread_ts=THREAD,
            message_ts="1690000000.000002",
            user="U1",
            question=answer.question,
            answer=answer.to_dict(),
            created_at=time.time(),
        )
    )
    blocks = answer_blocks(answer, answer_id)
    return Message("C1", "1690000000.000002", THREAD, answer.answer, blocks)


def test_the_clicked_timeline_keeps_the_questions_firm_date_bounds(
    make_harness: MakeHarness, engine: Engine
) -> None:
    scripted = PartlyScripted(engine)
    slack = make_harness(engine_override=scripted)
    message = _stored(slack, {"change": True, "since": "2022-10-01", "soft": False})
    slack.click(ACTION_TIMELINE, message)
    timeline = _wait_timeline_in_thread(slack, THREAD)
    [(_, flt)] = scripted.asked
    assert flt == SearchFilter(since=dt.date(2022, 10, 1))
    assert "dated on or after 1 Oct 2022" in timeline.block_text()


def test_clicking_timeline_with_no_statements_tells_only_the_clicker(
    make_harness: MakeHarness, engine: Engine
) -> None:
    slack = make_harness(engine_override=PartlyScripted(engine, empty_timeline=True))
    message = _stored(slack, {"change": True})
    slack.click(ACTION_TIMELINE, message)
    [response] = slack.fake.wait_for(
        lambda: [r for r in slack.fake.responses if "no dated statements" in r.get("text", "")]
    )
    assert response["response_type"] == "ephemeral"
    assert slack.fake.calls_to("chat.postMessage") == []
    assert slack.store.claim("timeline:a1"), "an empty timeline must not block a later try"


def test_clicking_timeline_with_no_statements_in_the_questions_dates_names_them(
    make_harness: MakeHarness, engine: Engine
) -> None:
    slack = make_harness(engine_override=PartlyScripted(engine, empty_timeline=True))
    message = _stored(slack, {"change": True, "since": "2024-01-01", "until": None, "soft": False})
    slack.click(ACTION_TIMELINE, message)
    [response] = slack.fake.wait_for(
        lambda: [r for r in slack.fake.responses if "no dated statements" in r.get("text", "")]
    )
    assert "in the articles dated on or after 1 Jan 2024." in response["text"]


def test_clicking_timeline_when_the_engine_fails_apologises_in_the_thread(
    make_harness: MakeHarness, caplog: pytest.LogCaptureFixture
) -> None:
    slack = make_harness(engine_override=FailingEngine(RuntimeError("disk on fire")))
    message = _stored(slack, {"change": True})
    with caplog.at_level(logging.ERROR, logger="bot.slack.buttons"):
        assert slack.click(ACTION_TIMELINE, message).status == 200
        apology = slack.wait_thread_text("C1", THREAD, "Sorry")
    assert apology.text == TIMELINE_FAILED
    assert "disk on fire" not in apology.all_text()
    assert "the timeline failed" in caplog.text
    assert slack.store.claim("timeline:a1"), "a failed timeline must not block a second try"


def test_clicking_timeline_on_a_private_answer_answers_privately(slack: Harness) -> None:
    message = _stored(slack, {"change": True})
    before = len(slack.fake.messages)
    slack.click(ACTION_TIMELINE, message, ephemeral=True)
    [response] = slack.fake.wait_for(lambda: [r for r in slack.fake.responses if r.get("blocks")])
    assert response["response_type"] == "ephemeral"
    assert response["replace_original"] is False
    assert HEADER in str(response["blocks"])
    assert len(slack.fake.messages) == before


# -- a question about change: the answer, then its timeline -------------------------------


def test_a_question_about_change_gets_the_answer_then_its_timeline_in_the_thread(
    slack: Harness,
) -> None:
    ts = slack.mention(CHANGE)
    timeline = _wait_timeline_in_thread(slack, ts)
    answer = next(m for m in slack.fake.thread("C1", ts) if m.action_value(ACTION_TIMELINE))
    assert float(answer.ts) < float(timeline.ts)
    assert f"{HEADER} _{escape(CHANGE)}_" in timeline.block_text()
    assert _lines(timeline)
    slack.click(ACTION_TIMELINE, answer)
    slack.fake.wait_for(
        lambda: [r for r in slack.fake.responses if r.get("text") == TIMELINE_ALREADY_POSTED]
    )


def test_a_slash_command_about_change_gets_its_timeline_under_the_answer(slack: Harness) -> None:
    slack.command(CHANGE)
    [answer] = slack.fake.wait_for(
        lambda: [m for m in slack.fake.top_level("C1") if m.action_value(ACTION_TIMELINE)]
    )
    _wait_timeline_in_thread(slack, answer.ts)


def test_an_abstention_about_change_keeps_its_timeline_behind_the_button(
    make_harness: MakeHarness, engine: Engine
) -> None:
    abstained = Answer(
        "How has the price of bananas changed?",
        "The indexed articles don't say.",
        True,
        temporal={"change": True, "latest": False},
    )
    scripted = PartlyScripted(engine, answer=abstained)
    slack = make_harness(engine_override=scripted)
    ts = slack.mention(abstained.question)
    [answer] = slack.wait_answer("C1", ts)
    _job_done(slack, ts)
    assert ACTION_TIMELINE in _buttons(answer)
    assert scripted.asked == []
    assert _timeline_in(slack.fake.thread("C1", ts)) is None


def test_a_failing_timeline_after_the_answer_leaves_the_answer_and_apologises(
    make_harness: MakeHarness, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    slack = make_harness(
        engine_override=PartlyScripted(engine, timeline_error=RuntimeError("out of memory"))
    )
    with caplog.at_level(logging.ERROR, logger="bot.slack.answering"):
        ts = slack.mention(CHANGE)
        apology = slack.wait_thread_text("C1", ts, TIMELINE_FAILED)
    [answer] = slack.answers_in("C1", ts)
    assert float(answer.ts) < float(apology.ts)
    assert "out of memory" not in apology.all_text()
    assert "the timeline after the answer failed" in caplog.text
    record_id = answer.action_value(ACTION_TIMELINE)
    assert slack.store.claim(f"timeline:{record_id}"), "the button must be able to try again"


def test_only_firm_date_bounds_of_the_question_bound_its_timeline() -> None:
    assert timeline_filter({"since": "2022-10-01", "until": None, "soft": False}) == SearchFilter(
        since=dt.date(2022, 10, 1)
    )
    assert timeline_filter({"since": "2023-03-01", "until": "2023-03-31", "soft": True}) is None
    assert timeline_filter({"change": True}) is None


def test_a_long_timeline_is_trimmed_to_slacks_limits_with_a_pointer_to_show_sources() -> None:
    entries = [
        TimelineEntry(
            Citation(n, "a1", "T " * 100, dt.date(2023, 1, 13), "a1.txt", 0, 600, "word " * 120),
            1.0,
        )
        for n in range(1, 301)
    ]
    blocks = timeline_blocks(Timeline("Dutch rules", entries), "t1")
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert len(blocks) <= MAX_BLOCKS
    assert all(len(text) <= SECTION_CHARS for text in sections)
    assert sum(len(text) for text in sections) <= MESSAGE_CHARS
    assert TIMELINE_TRIM_POINTER in str(blocks)
    assert blocks[-1]["elements"][0]["action_id"] == ACTION_SHOW_SOURCES


def test_a_timeline_line_names_the_speaker_a_quote_from_inside_a_turn_does_not_show() -> None:
    said = "We disapprove of the Dutch side's interference."
    cited = Citation(1, "mfa", "Press conference", dt.date(2023, 3, 9), "mfa.txt", 90, 138, said)
    assert f"· Mao Ning: “{said}”" in timeline_line(TimelineEntry(cited, 1.0, label="Mao Ning"))
    assert f"· “{said}”" in timeline_line(TimelineEntry(cited, 1.0))
