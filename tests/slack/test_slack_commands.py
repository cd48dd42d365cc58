"""``/ask``: acknowledged at once, answered in the channel or privately."""

from __future__ import annotations

from bot.slack.answering import NOT_ENABLED
from bot.slack.blocks import ACTION_SHOW_SOURCES
from bot.slack.listeners.commands.ask import USAGE, parse_command
from tests.slack.slack_harness import CITED, Harness, MakeHarness


def test_ask_is_acknowledged_at_once_then_answered_in_the_channel(slack: Harness) -> None:
    reply = slack.command(CITED)
    assert reply.status == 200
    assert "Looking through the articles" in reply.body
    [answer] = slack.wait_answer("C1", None)
    assert f"<@U1> asked: _{CITED}_" in answer.block_text()
    assert answer.action_value(ACTION_SHOW_SOURCES)


def test_ask_private_answers_only_the_asker(slack: Harness) -> None:
    slack.command(f"-p {CITED}", response="private")
    [response] = slack.fake.wait_for(lambda: [r for r in slack.fake.responses if r.get("blocks")])
    assert response["response_type"] == "ephemeral"
    assert "asked:" not in str(response["blocks"])
    assert slack.fake.top_level("C1") == []


def test_ask_without_a_question_shows_the_usage(slack: Harness) -> None:
    for text in ("", "help", "-p"):
        reply = slack.command(text)
        assert reply.status == 200
        assert USAGE in reply.body
    assert slack.fake.calls_to("chat.postMessage") == []


def test_ask_outside_the_allow_list_says_it_is_not_enabled(make_harness: MakeHarness) -> None:
    slack = make_harness(channels=("C_OK",))
    reply = slack.command(CITED, channel="C_NO")
    assert NOT_ENABLED in reply.body
    assert slack.fake.calls_to("chat.postMessage") == []


def test_ask_in_a_channel_the_bot_is_not_in_answers_through_the_response_url(
    slack: Harness,
) -> None:
    slack.fake.error_next("chat.postMessage", "not_in_channel")
    slack.command(CITED)
    [response] = slack.fake.wait_for(lambda: [r for r in slack.fake.responses if r.get("blocks")])
    assert response["response_type"] == "in_channel"
    assert "<@U1> asked:" in str(response["blocks"])


def test_ask_echoes_the_question_escaped(slack: Harness) -> None:
    slack.command(f"<!channel> {CITED} &lt;b&gt;&amp;")
    [answer] = slack.wait_answer("C1", None)
    assert f"asked: _@channel {CITED} &lt;b&gt;&amp;_" in answer.block_text()
    assert "<!channel>" not in answer.all_text()


def test_the_private_flag_is_read_only_in_front() -> None:
    assert parse_command("-p What now?") == ("What now?", True)
    assert parse_command("--private  What now?") == ("What now?", True)
    assert parse_command("What does -p mean?") == ("What does -p mean?", False)
    assert parse_command("   ") == ("", False)
