"""Block Kit rendering of answers, abstentions, sources, timelines and notices (pure functions).

Every piece of user or article text goes through :mod:`bot.slack.mrkdwn` (escaped,
Markdown converted) and every message respects Slack's limits: 3,000 characters a
section, 50 blocks and 40,000 characters a message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.slack.mrkdwn import (
    ELLIPSIS,
    MAX_BLOCKS,
    MESSAGE_CHARS,
    SECTION_CHARS,
    clip,
    escape,
    markdown_to_mrkdwn,
    opening,
    split_text,
)
from retrieval.models import Answer, Citation, Passage, format_date
from retrieval.temporal import describe_bounds

if TYPE_CHECKING:
    from retrieval.timeline import Timeline, TimelineEntry

Block = dict[str, Any]

ACTION_SHOW_SOURCES = "chipbot_show_sources"
ACTION_TIMELINE = "chipbot_timeline"
ACTION_FEEDBACK_UP = "chipbot_feedback_up"
ACTION_FEEDBACK_DOWN = "chipbot_feedback_down"
FEEDBACK_ACTIONS = {ACTION_FEEDBACK_UP: 1, ACTION_FEEDBACK_DOWN: -1}

ABSTAIN_HEADER = ":grey_question: *Not in the articles* — this is not an answer."
TRIM_POINTER = "_Trimmed to fit Slack's limits — press *Show sources* for the full cited passages._"
QUOTE_OPENING_CHARS = 80
# A timeline line is the statement itself, so it keeps more of the quote than a source line.
TIMELINE_QUOTE_CHARS = 200
TIMELINE_TITLE_CHARS = 80
TIMELINE_TRIM_POINTER = (
    "_Trimmed to fit Slack's limits — press *Show sources* for every statement in full._"
)


@dataclass(frozen=True)
class SourceItem:
    """One cited passage to show in full: the citation and its context from the article."""

    citation: Citation
    before: str
    quote: str
    after: str


def section(text: str) -> Block:
    """A mrkdwn section (text clipped to Slack's 3,000 characters)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_CHARS)}}


def context(text: str) -> Block:
    """A small grey context line."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_CHARS)}]}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def source_line(citation: Citation) -> str:
    """``[n] 13 Jan 2023 · title · "opening of the quote…"`` in mrkdwn."""
    quote = escape(opening(citation.quote, QUOTE_OPENING_CHARS))
    title = escape(" ".join(citation.title.split()))
    return f"*[{citation.n}]* {format_date(citation.date)} · {title} · “{quote}”"


def nearest_line(passage: Passage) -> str:
    """A nearest passage in an abstention: date, title and the opening of its text."""
    text = escape(opening(passage.text, QUOTE_OPENING_CHARS))
    title = escape(" ".join(passage.title.split()))
    return f"• {format_date(passage.date)} · {title} · “{text}”"


def _line_sections(lines: Sequence[str]) -> list[Block]:
    """Pack lines into as few sections as the 3,000-character limit allows."""
    return [section(piece) for piece in split_text("\n".join(lines), SECTION_CHARS)]


def _chars(block: Block) -> int:
    if block["type"] == "section":
        return len(block["text"]["text"])
    if block["type"] == "context":
        return sum(len(e.get("text", "")) for e in block["elements"])
    return 0


def fit_blocks(body: Sequence[Block], tail: Sequence[Block], pointer: str) -> list[Block]:
    """``body`` then ``tail``; body blocks past the limits are dropped and ``pointer`` says so."""
    room_blocks = MAX_BLOCKS - len(tail) - 1
    room_chars = MESSAGE_CHARS - sum(_chars(b) for b in tail) - len(pointer)
    kept: list[Block] = []
    for block in body:
        if len(kept) >= room_blocks or _chars(block) > room_chars:
            return [*kept, context(pointer), *tail]
        kept.append(block)
        room_chars -= _chars(block)
    return [*kept, *tail]


def offers_timeline(temporal: Mapping[str, Any]) -> bool:
    """Whether an answer gets a **Timeline** button: its question asked how something
    changed or for the latest state (``Answer.temporal``)."""
    return bool(temporal.get("change") or temporal.get("latest"))


def feedback_buttons(answer_id: str, *, show_sources: bool, timeline: bool = False) -> Block:
    """The actions row: Show sources (when there are citations), Timeline (when offered),
    👍 and 👎."""
    elements = []
    if show_sources:
        elements.append(_button("Show sources", ACTION_SHOW_SOURCES, answer_id, "primary"))
    if timeline:
        elements.append(_button(":calendar: Timeline", ACTION_TIMELINE, answer_id))
    elements.append(_button(":+1:", ACTION_FEEDBACK_UP, answer_id))
    elements.append(_button(":-1:", ACTION_FEEDBACK_DOWN, answer_id))
    return {"type": "actions", "block_id": f"chipbot_{answer_id}", "elements": elements}


def answer_blocks(answer: Answer, answer_id: str, *, asked_by: str | None = None) -> list[Block]:
    """The answer message: text with ``[n]`` markers, compact sources, buttons."""
    head: list[Block] = []
    if asked_by:
        head.append(context(f"<@{asked_by}> asked: _{escape(clip(answer.question, 500))}_"))
    if answer.abstained:
        head.append(section(ABSTAIN_HEADER))
    text = markdown_to_mrkdwn(answer.answer)
    body = [*head, *[section(piece) for piece in split_text(text, SECTION_CHARS)]]
    if answer.notes:
        body.append(context(escape(" · ".join(answer.notes))))
    if answer.abstained:
        if answer.passages:
            body.append(context("Nearest passages (they do not answer the question):"))
            body.extend(_line_sections([nearest_line(p) for p in answer.passages]))
    elif answer.citations:
        body.extend(_line_sections([source_line(c) for c in answer.citations]))
    tail = [
        feedback_buttons(
            answer_id,
            show_sources=bool(answer.citations),
            timeline=offers_timeline(answer.temporal),
        )
    ]
    return fit_blocks(body, tail, TRIM_POINTER)


def answer_fallback_text(answer: Answer) -> str:
    """Plain text for notifications and clients without Block Kit."""
    prefix = "Not in the articles: " if answer.abstained else ""
    return clip(prefix + escape(" ".join(answer.answer.split())), SECTION_CHARS)


def _bold_lines(text: str) -> str:
    """Bold each non-blank line of ``text`` separately (mrkdwn bold cannot span lines)."""
    out = []
    for line in text.split("\n"):
        core = line.strip()
        if not core:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip())]
        trail = line[len(line.rstrip()) :]
        out.append(f"{lead}*{core}*{trail}")
    return "\n".join(out)


def passage_mrkdwn(before: str, quote: str, after: str) -> str:
    """The quote in bold inside its context, as a mrkdwn block quote."""
    lead = ELLIPSIS if before.strip() else ""
    tail = ELLIPSIS if after.strip() else ""
    text = (
        lead
        + markdown_to_mrkdwn(before)
        + _bold_lines(markdown_to_mrkdwn(quote))
        + markdown_to_mrkdwn(after)
        + tail
    )
    return "\n".join(f">{line}" if line.strip() else ">" for line in text.strip().split("\n"))


def source_item_blocks(item: SourceItem) -> list[Block]:
    """One cited passage: a header line and the quote in context."""
    c = item.citation
    title = escape(" ".join(c.title.split()))
    header = f"*[{c.n}] {title}* · {format_date(c.date)} · `{escape(c.ref)}`"
    return [section(header + "\n" + passage_mrkdwn(item.before, item.quote, item.after))]


def sources_messages(question: str, items: Sequence[SourceItem]) -> list[list[Block]]:
    """The full cited passages, split into as many messages as Slack's limits need."""
    header = context(f"Sources for: _{escape(clip(question, 500))}_")
    blocks = [header]
    for item in items:
        blocks.extend(source_item_blocks(item))
    messages: list[list[Block]] = []
    current: list[Block] = []
    chars = 0
    for block in blocks:
        if current and (len(current) >= MAX_BLOCKS or chars + _chars(block) > MESSAGE_CHARS):
            messages.append(current)
            current, chars = [], 0
        current.append(block)
        chars += _chars(block)
    if current:
        messages.append(current)
    return messages


def timeline_line(entry: TimelineEntry) -> str:
    """``[n] 30 Jun 2023 · Q: "the statement, shortened…" · title`` in mrkdwn (the speaker
    when a transcript names one the quote does not show).

    The quote shown has its relative dates resolved ("on Friday (13 Jan 2023)") and is
    shortened for display only; **Show sources** gives the verbatim sentence.
    """
    c = entry.citation
    quote = escape(opening(entry.annotated, TIMELINE_QUOTE_CHARS))
    title = escape(opening(c.title, TIMELINE_TITLE_CHARS))
    said = f"{escape(entry.label)}: " if entry.label else ""
    return f"*[{c.n}]* {format_date(c.date)} · {said}“{quote}” · {title}"


def timeline_header(timeline: Timeline) -> str:
    """``*Timeline of* _topic_ · 5 statements from 3 articles, oldest first``."""
    n = len(timeline.entries)
    articles = len({e.citation.article_id for e in timeline.entries})
    statements = "1 statement" if n == 1 else f"{n} statements"
    sources = "1 article" if articles == 1 else f"{articles} articles"
    flt = timeline.filter
    bounds = ""
    if flt is not None and (flt.since or flt.until):
        bounds = f" {describe_bounds(flt.since, flt.until)}"
    topic = escape(clip(" ".join(timeline.topic.split()), 500))
    return f"*Timeline of* _{topic}_ · {statements} from {sources}{bounds}, oldest first"


def timeline_blocks(
    timeline: Timeline, timeline_id: str, *, asked_by: str | None = None
) -> list[Block]:
    """The timeline message: a header, one line per statement in date order, and a
    Show sources button (``timeline_id`` is the stored record it opens)."""
    body: list[Block] = []
    if asked_by:
        body.append(context(f"<@{asked_by}> asked for a timeline"))
    body.append(section(timeline_header(timeline)))
    body.extend(_line_sections([timeline_line(e) for e in timeline.entries]))
    show = _button("Show sources", ACTION_SHOW_SOURCES, timeline_id, "primary")
    tail = [{"type": "actions", "block_id": f"chipbot_{timeline_id}", "elements": [show]}]
    return fit_blocks(body, tail, TIMELINE_TRIM_POINTER)


def timeline_fallback_text(timeline: Timeline) -> str:
    """Plain text for notifications and clients without Block Kit."""
    topic = escape(" ".join(timeline.topic.split()))
    n = len(timeline.entries)
    return clip(f"Timeline of {topic}: {n} dated statements, oldest first", SECTION_CHARS)


def notice_blocks(text: str) -> list[Block]:
    """A one-section message (queue position, apology, help); ``text`` is already mrkdwn."""
    return [section(text)]
