"""@mentions and DMs: answers in the right place, follow-ups, and what must be ignored."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.slack.answering import NOT_ENABLED
from bot.slack.blocks import ABSTAIN_HEADER, ACTION_SHOW_SOURCES
from bot.slack.replies import WORKING_REACTION
from retrieval.models import format_date
from tests.slack.fake_slack import BOT_USER_ID
from tests.slack.slack_harness import CITED, FIRST, FOLLOW_UP, UNANSWERABLE, Harness, MakeHarness


def test_a_mention_is_answered_in_its_thread_with_citations(
    slack: Harness, seed_text: Callable[[str], str]
) -> None:
    ts = slack.mention(CITED)
    [answer] = slack.wait_answer("C1", ts)
    record = slack.store.get_answer(answer.action_value(ACTION_SHOW_SOURCES) or "")
    assert record is not None
    citations = record.citations()
    assert citations
    text = answer.block_text()
    assert "[1]" in answer.blocks[0]["text"]["text"]
    for c in citations:
        assert seed_text(c.article_id)[c.start : c.end] == c.quote
        assert f"*[{c.n}]* {format_date(c.date)} · " in text
    assert ABSTAIN_HEADER not in text


def test_the_working_reaction_is_added_then_removed(slack: Harness) -> None:
    ts = slack.mention(CITED)
    slack.wait_answer("C1", ts)
    slack.fake.wait_for(lambda: slack.fake.calls_to("reactions.remove"))
    [added] = slack.fake.calls_to("reactions.add")
    [removed] = slack.fake.calls_to("reactions.remove")
    for call in (added, removed):
        assert (
            call.args.items()
            >= {"channel": "C1", "timestamp": ts, "name": WORKING_REACTION}.items()
        )


def test_calls_carry_the_bot_token(slack: Harness) -> None:
    ts = slack.mention(CITED)
    slack.wait_answer("C1", ts)
    assert {c.authorization for c in slack.fake.calls} == {"Bearer xoxb-test-token"}


def test_an_abstention_looks_different_and_lists_the_nearest_passages(slack: Harness) -> None:
    ts = slack.mention(UNANSWERABLE)
    [answer] = slack.wait_answer("C1", ts)
    text = answer.block_text()
    assert ABSTAIN_HEADER in text
    assert "Nearest passages" in text
    assert answer.action_value(ACTION_SHOW_SOURCES) is None


def test_a_follow_up_in_the_thread_uses_the_earlier_question(slack: Harness) -> None:
    ts = slack.mention(FIRST)
    [first] = slack.wait_answer("C1", ts)
    slack.mention(FOLLOW_UP, thread_ts=ts)
    answers = slack.wait_answer("C1", ts, count=2)
    # Identified by ts, not position: under load a queue notice turned answer can sit anywhere.
    [follow_up] = [a for a in answers if a.ts != first.ts]
    assert "Read as:" in follow_up.block_text()
    assert "Netherlands" in follow_up.block_text()


def test_a_dm_is_answered_in_the_dm(slack: Harness) -> None:
    slack.dm(CITED)
    [answer] = slack.wait_answer("D1", None)
    assert answer.action_value(ACTION_SHOW_SOURCES)


def test_a_reply_under_the_bots_dm_answer_is_a_follow_up(slack: Harness) -> None:
    slack.dm(FIRST)
    [first] = slack.wait_answer("D1", None)
    # The app learns its answer's ts only from the post's response; no person can reply
    # under a message before that is recorded, so neither does the test.
    deadline = time.monotonic() + 30
    while not slack.store.thread_questions("D1", first.ts) and time.monotonic() < deadline:
        time.sleep(0.01)
    slack.dm(FOLLOW_UP, thread_ts=first.ts)
    [second] = slack.wait_answer("D1", first.ts)
    assert "Read as:" in second.block_text()


def test_a_retried_event_is_answered_once(slack: Harness) -> None:
    event = slack.mention_event(CITED)
    for retry in (None, 1, 2):
        assert slack.event(event, event_id="EvRETRY", retry_num=retry).status == 200
    slack.wait_answer("C1", event["ts"])
    slack.settle()
    assert len(slack.answers_in("C1", event["ts"])) == 1
    assert len([c for c in slack.fake.calls_to("reactions.add") if c.args["channel"] == "C1"]) == 1


def test_one_message_delivered_under_two_event_ids_is_answered_once(slack: Harness) -> None:
    event = slack.mention_event(CITED)
    slack.event(event, event_id="EvA")
    slack.event(event, event_id="EvB")
    slack.wait_answer("C1", event["ts"])
    slack.settle()
    assert len(slack.answers_in("C1", event["ts"])) == 1


def test_the_bots_own_messages_other_bots_edits_and_deletions_are_ignored(slack: Harness) -> None:
    slack.dm(CITED, user=BOT_USER_ID)
    slack.dm(CITED, user="U2", bot_id="B999", subtype="bot_message")
    slack.dm(CITED, user="U1", bot_id="B999")
    slack.dm(
        CITED, subtype="message_changed", message={"type": "message", "user": "U1", "text": CITED}
    )
    slack.dm(CITED, subtype="message_deleted", previous_message={"user": "U1", "text": CITED})
    slack.event({**slack.mention_event(CITED), "bot_id": "B999"})
    slack.settle()
    assert {c.args.get("channel") for c in slack.fake.calls if c.method != "auth.test"} == {"C9"}


def test_channels_outside_the_allow_list_get_a_polite_reply(make_harness: MakeHarness) -> None:
    slack = make_harness(channels=("C_OK", "C9"))
    ts = slack.mention(CITED, channel="C_NO")
    message = slack.wait_thread_text("C_NO", ts, "not enabled")
    assert message.text == NOT_ENABLED
    slack.settle()
    assert slack.answers_in("C_NO", ts) == []


def test_allowed_channels_and_dms_are_answered_under_an_allow_list(
    make_harness: MakeHarness,
) -> None:
    slack = make_harness(channels=("C_OK",))
    ts = slack.mention(CITED, channel="C_OK")
    slack.dm(CITED)
    slack.wait_answer("C_OK", ts)
    slack.wait_answer("D1", None)


def test_a_question_cannot_ping_the_channel_or_forge_links(slack: Harness) -> None:
    # Slack sends text a user typed literally as entities, and @here as <!here>.
    ts = slack.mention(f"&lt;!channel&gt; <!here> {CITED} &lt;http://evil.example|click&gt;")
    slack.wait_answer("C1", ts)
    for message in slack.fake.messages.values():
        for needle in ("<!channel>", "<!here>", "<http://evil"):
            assert needle not in message.all_text()
