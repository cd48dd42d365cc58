"""Answers stream into their thread, then become the checked answer with its buttons."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.slack.blocks import ACTION_SHOW_SOURCES, section
from bot.slack.replies import Question
from bot.slack.services import Engine
from bot.slack.streaming import UPDATE_INTERVAL_S, AnswerStream, StreamSupport, sentences
from tests.llm.openai_server import OpenAIServer
from tests.slack.fake_slack import TEAM_ID, FakeSlack, Message
from tests.slack.slack_harness import CITED, Harness, MakeHarness

STREAM_METHODS = ("chat.startStream", "chat.appendStream", "chat.stopStream")


def _streamed(fake: FakeSlack, ts: str) -> list[str]:
    """The markdown each stream call sent for message ``ts``, in order."""
    pieces = []
    for call in fake.calls:
        ours = call.method == "chat.startStream" or call.args.get("ts") == ts
        if call.method in STREAM_METHODS and call.status == 200 and ours:
            chunks = call.args.get("chunks") or []
            text = "".join(c["text"] for c in chunks if c.get("type") == "markdown_text")
            pieces.append(str(call.args.get("markdown_text") or "") + text)
    return pieces


def _record_answer(slack: Harness, message: Message) -> str:
    record = slack.store.get_answer(message.action_value(ACTION_SHOW_SOURCES) or "")
    assert record is not None
    return str(record.answer["answer"])


def test_a_mention_streams_sentence_by_sentence_then_becomes_the_checked_answer(
    slack: Harness,
) -> None:
    ts = slack.mention(CITED)
    [answer] = slack.wait_answer("C1", ts)
    [start] = slack.fake.calls_to("chat.startStream")
    assert start.args["thread_ts"] == ts
    assert (start.args["recipient_user_id"], start.args["recipient_team_id"]) == ("U1", TEAM_ID)
    pieces = _streamed(slack.fake, answer.ts)
    text = _record_answer(slack, answer)
    assert "".join(pieces) == text
    assert len(sentences(text)) > 1
    assert [p for p in pieces if p] == sentences(text)
    # The stream was stopped, then replaced by the answer's blocks: citations and buttons.
    assert not answer.streaming
    assert "[1]" in answer.block_text()
    assert slack.fake.thread("C1", ts) == [answer]


def test_without_streaming_the_answer_is_posted_then_updated(slack: Harness) -> None:
    slack.fake.streaming_error = "unknown_method"
    first = slack.mention(CITED)
    [answer] = slack.wait_answer("C1", first)
    [post] = slack.fake.calls_to("chat.postMessage")
    text = _record_answer(slack, answer)
    assert post.args["thread_ts"] == first
    assert post.args["text"] == sentences(text)[0]
    assert slack.fake.thread("C1", first) == [answer]
    assert "[1]" in answer.block_text()
    # The workspace refused once; later answers do not ask again.
    second = slack.mention(CITED, channel="C2")
    slack.wait_answer("C2", second)
    assert len(slack.fake.calls_to("chat.startStream")) == 1


def test_a_top_level_dm_is_posted_then_updated(slack: Harness) -> None:
    slack.dm(CITED)
    [answer] = slack.wait_answer("D1", None)
    assert slack.fake.calls_to("chat.startStream") == []
    [post] = slack.fake.calls_to("chat.postMessage")
    assert post.args["text"] == sentences(_record_answer(slack, answer))[0]


def test_a_dm_thread_streams(slack: Harness) -> None:
    root = slack.next_ts()
    slack.dm(CITED, thread_ts=root)
    [answer] = slack.wait_answer("D1", root)
    [start] = slack.fake.calls_to("chat.startStream")
    assert start.args["channel"] == "D1"
    assert "".join(_streamed(slack.fake, answer.ts)) == _record_answer(slack, answer)


def test_a_slash_command_answer_is_posted_whole(slack: Harness) -> None:
    slack.command(CITED)
    slack.wait_answer("C1", None)
    assert slack.fake.calls_to("chat.startStream") == []
    assert slack.fake.calls_to("chat.update") == []


@pytest.fixture
def llm_engine(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Engine, OpenAIServer]]:
    """The seeds engine answering through a local OpenAI-compatible server."""
    from retrieval.engine import Chipbot

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server = OpenAIServer().start()
    base = engine  # the session engine: its index and embedder are reused
    assert isinstance(base, Chipbot)
    settings = base.settings.with_overrides(
        llm="openai:local-model", llm_base_url=server.base_url, llm_max_retries=0
    )
    yield Chipbot(settings, embedder=base.embedder, index=base.index), server
    server.stop()


def test_an_llm_answer_streams_its_tokens_and_the_checked_version_replaces_them(
    make_harness: MakeHarness, llm_engine: tuple[Engine, OpenAIServer]
) -> None:
    engine, server = llm_engine
    raw = (
        "Tokyo Electron is Japan's leading maker of chip manufacturing equipment [1]. "
        "It also builds rockets [7]."
    )
    server.script(raw)
    slack = make_harness(engine_override=engine)
    ts = slack.mention(CITED)
    [answer] = slack.wait_answer("C1", ts)
    pieces = _streamed(slack.fake, answer.ts)
    assert "".join(pieces) == raw  # the model's own words, as they came
    assert len(slack.fake.calls_to("chat.appendStream")) >= 1
    record = slack.store.get_answer(answer.action_value(ACTION_SHOW_SOURCES) or "")
    assert record is not None
    assert record.answer["generator"] == "llm"
    # The checked answer replaced the stream: the marker naming no passage is gone.
    assert "[7]" not in answer.block_text()
    assert "Removed 1 citation marker" in answer.block_text()
    assert slack.fake.thread("C1", ts) == [answer]


# -- the stream on its own, with a clock the test moves ------------------------------


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """The Web API stand-in on its own."""
    server = FakeSlack()
    yield server
    server.close()


def _stream(fake: FakeSlack, support: StreamSupport, now: list[float], **kw: str) -> AnswerStream:
    client = WebClient(token="xoxb-t", base_url=fake.api_url)
    question = Question(
        text="q", kind="mention", channel="C1", user="U1", message_ts="1.1", team=TEAM_ID, **kw
    )
    return AnswerStream(client, question, support, clock=lambda: now[0])


FINAL = [section("the checked answer")]


def test_without_streaming_edits_come_at_most_once_per_interval(fake: FakeSlack) -> None:
    fake.streaming_error = "not_allowed"
    now = [0.0]
    stream = _stream(fake, StreamSupport(), now)
    for step in itertools.count():
        now[0] = step * 0.1
        if now[0] > 3.0:
            break
        stream.write(f"word{step} ")
    edits = fake.calls_to("chat.update")
    assert len(fake.calls_to("chat.postMessage")) == 1
    # 3 s of tokens: the first shown at once, then one edit a second at most.
    assert len(edits) <= 3.0 / UPDATE_INTERVAL_S
    ts = stream.finish(FINAL, "the checked answer")
    assert ts is not None
    assert fake.messages[ts].blocks == FINAL


def test_a_stream_that_stops_working_carries_on_by_editing_the_same_message(
    fake: FakeSlack,
) -> None:
    now = [0.0]
    stream = _stream(fake, support := StreamSupport(), now)
    stream.write("One. ")
    fake.error_next("chat.appendStream", "message_not_in_streaming_state")
    now[0] = 5.0
    stream.write("Two. ")
    now[0] = 10.0
    stream.write("Three. ")
    ts = stream.ts
    assert ts is not None
    assert fake.messages[ts].text == "One. Two. Three. "
    assert stream.finish(FINAL, "the checked answer") == ts
    assert fake.messages[ts].blocks == FINAL
    assert len(fake.messages) == 1
    assert support.enabled  # one stream failing says nothing about the next


def test_an_aborted_stream_is_stopped_and_keeps_its_message(fake: FakeSlack) -> None:
    now = [0.0]
    stream = _stream(fake, StreamSupport(), now)
    stream.write("Half an ans")
    ts = stream.abort()
    assert ts is not None
    assert not fake.messages[ts].streaming
    assert fake.calls_to("chat.stopStream")


def test_nothing_written_means_nothing_shown(fake: FakeSlack) -> None:
    stream = _stream(fake, StreamSupport(), [0.0])
    assert stream.finish(FINAL, "x") is None
    assert fake.calls == []


def test_sentences_cut_after_the_citation_markers_and_keep_every_character() -> None:
    text = "Japan agreed [1]. The Dutch? Not yet [2] [3].\nNew line. 3.5 per cent rise"
    pieces = sentences(text)
    assert "".join(pieces) == text
    assert pieces == [
        "Japan agreed [1]. ",
        "The Dutch? ",
        "Not yet [2] [3].\n",
        "New line. ",
        "3.5 per cent rise",
    ]
