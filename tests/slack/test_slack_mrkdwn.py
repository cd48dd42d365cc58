"""Escaping, incoming-text cleaning, Markdown -> mrkdwn and splitting (pure functions)."""

from __future__ import annotations

from bot.slack.mrkdwn import clean_incoming, clip, escape, markdown_to_mrkdwn, opening, split_text


def test_escape_neutralises_mentions_and_links() -> None:
    assert escape("<!channel> <@U1> <http://x|y> & co") == (
        "&lt;!channel&gt; &lt;@U1&gt; &lt;http://x|y&gt; &amp; co"
    )


def test_escape_escapes_an_ampersand_before_the_brackets() -> None:
    assert escape("&lt;") == "&amp;lt;"


def test_clean_incoming_drops_the_bot_mention_and_unwraps_entities() -> None:
    text = "<@U0BOT> is &lt;b&gt; &amp; <!here> in <#C1|general> per <http://a.example|a> <http://b.example>?"
    assert clean_incoming(text, "U0BOT") == "is <b> & @here in #general per a http://b.example?"


def test_clean_incoming_keeps_other_users_as_inert_text() -> None:
    assert clean_incoming("ask <@U2> and <!subteam^S1|@devs>", "U0BOT") == "ask @U2 and @devs"


def test_markdown_becomes_mrkdwn() -> None:
    md = "# Summary\n**Japan** agreed *in part* ~~fully~~.\n- one\n* two"
    assert markdown_to_mrkdwn(md) == "*Summary*\n*Japan* agreed _in part_ ~fully~.\n• one\n• two"


def test_markdown_links_show_their_real_target() -> None:
    assert markdown_to_mrkdwn("see [the report](https://evil.example)") == (
        "see the report (https://evil.example)"
    )


def test_citation_markers_and_code_are_left_alone() -> None:
    assert (
        markdown_to_mrkdwn("It did [1][2]. `**raw** <x>`") == "It did [1][2]. `**raw** &lt;x&gt;`"
    )


def test_markdown_conversion_escapes_article_text() -> None:
    assert markdown_to_mrkdwn("<!everyone> **<@U1>**") == "&lt;!everyone&gt; *&lt;@U1&gt;*"


def test_split_text_respects_the_limit_and_keeps_every_word() -> None:
    text = " ".join(f"word{i}." for i in range(2000))
    pieces = split_text(text, 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_split_text_prefers_paragraph_breaks() -> None:
    text = "a" * 2000 + "\n\n" + "b" * 2000
    assert split_text(text, 3000) == ["a" * 2000, "b" * 2000]


def test_split_text_cuts_an_unbreakable_run_hard() -> None:
    assert [len(p) for p in split_text("x" * 7000, 3000)] == [3000, 3000, 1000]


def test_clip_and_opening_mark_a_cut_with_an_ellipsis() -> None:
    assert clip("short", 10) == "short"
    assert clip("one two three four", 12) == "one two…"
    assert len(clip("y" * 50, 10)) == 10
    assert opening("line one\n\nline   two", 80) == "line one line two"
