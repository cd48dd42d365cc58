"""Text for Slack: escaping, Markdown -> mrkdwn, cleaning incoming text, length limits.

Slack parses ``<...>`` as mentions and links and ``&`` as entities, so every piece of
user or article text is escaped before it is put into a message; after escaping, no
question or article can ping ``@channel``, mention a user or forge a link.
"""

from __future__ import annotations

import re

# Slack's documented limits.
SECTION_CHARS = 3000
MAX_BLOCKS = 50
MESSAGE_CHARS = 40_000

ELLIPSIS = "…"

_BOT_MENTION = r"<@{user}(?:\|[^>]*)?>"
_SLACK_LINK = re.compile(r"<(?P<target>[^<>|]+)(?:\|(?P<label>[^<>]*))?>")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_LINK = re.compile(r"!?\[([^\]\n]+)\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE)
_CODE = re.compile(r"(```.*?```|`[^`\n]+`)", re.DOTALL)
_BOLD_MARK = "\x00"


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` so Slack shows the text literally."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of incoming message text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clean_incoming(text: str, bot_user_id: str | None = None) -> str:
    """The question as the user typed it: bot mention removed, links and entities unwrapped."""
    if bot_user_id:
        text = re.sub(_BOT_MENTION.format(user=re.escape(bot_user_id)), " ", text)

    def _unwrap(match: re.Match[str]) -> str:
        target, label = match.group("target"), match.group("label")
        sigil = target[:1]
        if sigil in "@#!":
            # <@U1>, <#C1|general>, <!here>: keep a readable, inert "@U1", "#general", "@here".
            name = (label or target[1:].split("^")[0]).lstrip("@#")
            return ("#" if sigil == "#" else "@") + name
        return label or target

    text = _SLACK_LINK.sub(_unwrap, text)
    return " ".join(unescape(text).split())


def _inline(text: str) -> str:
    text = _BOLD.sub(lambda m: f"{_BOLD_MARK}{m.group(2)}{_BOLD_MARK}", text)
    text = _ITALIC.sub(r"_\1_", text)
    text = _STRIKE.sub(r"~\1~", text)
    # Links become "label (url)": a rendered <url|label> would let article text disguise
    # where a link goes.
    text = _LINK.sub(
        lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", text
    )
    text = _HEADING.sub(lambda m: f"{_BOLD_MARK}{m.group(1)}{_BOLD_MARK}", text)
    text = _BULLET.sub(lambda m: f"{m.group(1)}• ", text)
    return text.replace(_BOLD_MARK, "*")


def markdown_to_mrkdwn(text: str) -> str:
    """Escape ``text`` and turn its Markdown (bold, italics, links, lists, headings) into mrkdwn.

    Code spans are escaped but otherwise left alone.
    """
    parts = _CODE.split(text.replace(_BOLD_MARK, ""))
    out = []
    for i, part in enumerate(parts):
        out.append(escape(part) if i % 2 else _inline(escape(part)))
    return "".join(out)


def clip(text: str, limit: int, suffix: str = ELLIPSIS) -> str:
    """``text`` cut to at most ``limit`` characters (on a word boundary when possible)."""
    if len(text) <= limit:
        return text
    room = max(0, limit - len(suffix))
    cut = text[:room]
    space = cut.rfind(" ")
    if space > room * 0.6:
        cut = cut[:space]
    return cut.rstrip() + suffix


def opening(text: str, chars: int = 80) -> str:
    """The first ``chars`` characters of ``text`` on one line, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return clip(flat, chars)


def split_text(text: str, limit: int = SECTION_CHARS) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters.

    Pieces end at paragraph breaks, else line breaks, else sentence ends, else spaces;
    a single unbreakable run is cut hard.
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for sep in ("\n\n", "\n", ". ", " "):
            pos = window.rfind(sep)
            if pos > limit // 3:
                cut = pos + len(sep)
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
