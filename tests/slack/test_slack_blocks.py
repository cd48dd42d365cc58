"""Block Kit rendering: answers, abstentions, sources and Slack's limits."""

from __future__ import annotations

import datetime as dt
import json

from bot.slack.blocks import (
    ABSTAIN_HEADER,
    ACTION_FEEDBACK_DOWN,
    ACTION_FEEDBACK_UP,
    ACTION_SHOW_SOURCES,
    TRIM_POINTER,
    SourceItem,
    answer_blocks,
    answer_fallback_text,
    passage_mrkdwn,
    source_line,
    sources_messages,
)
from bot.slack.mrkdwn import MAX_BLOCKS, MESSAGE_CHARS, SECTION_CHARS
from retrieval.models import Answer, Citation, Passage

DATE = dt.date(2023, 1, 13)


def _citation(n: int, quote: str = "Japan agreed to join.", title: str = "Chips") -> Citation:
    return Citation(n, "a1", title, DATE, "a1.txt", 10, 10 + len(quote), quote)


def _texts(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def _actions(blocks: list[dict]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def _check_limits(blocks: list[dict]) -> None:
    assert len(blocks) <= MAX_BLOCKS
    total = 0
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_CHARS
            total += len(block["text"]["text"])
    assert total <= MESSAGE_CHARS


def test_an_answer_has_text_sources_and_three_buttons() -> None:
    answer = Answer("Q?", "Japan **agreed**. [1]", False, [_citation(1)])
    blocks = answer_blocks(answer, "id1")
    assert blocks[0]["text"]["text"] == "Japan *agreed*. [1]"
    assert blocks[1]["text"]["text"] == "*[1]* 13 Jan 2023 · Chips · “Japan agreed to join.”"
    assert _actions(blocks) == [ACTION_SHOW_SOURCES, ACTION_FEEDBACK_UP, ACTION_FEEDBACK_DOWN]
    assert {e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]} == {"id1"}


def test_the_compact_source_line_shows_only_the_opening_of_a_long_quote() -> None:
    line = source_line(_citation(2, quote="word " * 100))
    assert line.startswith("*[2]* 13 Jan 2023 · Chips · “word word")
    assert line.endswith("…”")
    assert len(line) < 150


def test_an_abstention_is_marked_and_lists_the_nearest_passages() -> None:
    passage = Passage("a1", 0, 0, 20, "Nearby text here.", "Chips", DATE, "a1.txt")
    answer = Answer("Q?", "The articles don't say.", True, passages=[passage])
    blocks = answer_blocks(answer, "id2")
    text = _texts(blocks)
    assert blocks[0]["text"]["text"] == ABSTAIN_HEADER
    assert "• 13 Jan 2023 · Chips · “Nearby text here.”" in text
    assert _actions(blocks) == [ACTION_FEEDBACK_UP, ACTION_FEEDBACK_DOWN]
    assert answer_fallback_text(answer).startswith("Not in the articles: ")


def test_article_text_cannot_ping_or_link() -> None:
    evil = _citation(1, quote="<!channel> see <http://evil.example|bank>", title="<@U1> & co")
    answer = Answer("<!here>?", "Said <!everyone>. [1]", False, [evil])
    text = _texts(answer_blocks(answer, "id3", asked_by="U9"))
    for raw in ("<!channel>", "<!here>", "<!everyone>", "<http://evil", "<@U1>"):
        assert raw not in text
    assert "&lt;@U1&gt; &amp; co" in text
    assert "<@U9> asked: _&lt;!here&gt;?_" in text


def test_a_long_answer_is_split_into_sections_within_the_limit() -> None:
    long = " ".join(["A sentence about export controls. [1]"] * 300)
    blocks = answer_blocks(Answer("Q?", long, False, [_citation(1)]), "id4")
    _check_limits(blocks)
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) > 3
    assert _actions(blocks)[0] == ACTION_SHOW_SOURCES


def test_too_many_blocks_are_trimmed_with_a_pointer_to_show_sources() -> None:
    huge = "\n\n".join(["x" * 2500] * 80)
    blocks = answer_blocks(Answer("Q?", huge, False, [_citation(i) for i in range(1, 40)]), "id5")
    _check_limits(blocks)
    assert TRIM_POINTER in _texts(blocks)
    assert blocks[-1]["type"] == "actions"


def test_the_quote_is_bold_inside_its_context_as_a_block_quote() -> None:
    text = passage_mrkdwn("Before it. ", "The quote\nspans lines.", " After it.")
    assert text == ">…Before it. *The quote*\n>*spans lines.* After it.…"


def test_a_passage_without_context_has_no_ellipses() -> None:
    assert passage_mrkdwn("", "Only <this>.", "") == ">*Only &lt;this&gt;.*"


def test_sources_are_split_into_messages_within_the_limits() -> None:
    items = [
        SourceItem(_citation(i, quote="q " * 1000), "b " * 200, "q " * 1000, "a " * 200)
        for i in range(120)
    ]
    messages = sources_messages("Q?", items)
    assert len(messages) > 1
    for blocks in messages:
        _check_limits(blocks)
    assert sum(len(m) for m in messages) == 121
    assert "Sources for: _Q?_" in _texts(messages[0])
