"""Rewriting a follow-up into a standalone question with a chat model.

Used in LLM mode before retrieval (the offline mode keeps its heuristic in
``retrieval.answer.followup``). Any failure -- the call, an empty or runaway reply --
leaves the question as the user typed it: a worse search beats no answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from retrieval.prompts import LoadedPrompt

logger = logging.getLogger(__name__)

MAX_HISTORY = 6  # the last few questions carry the referents; older ones add noise
_MAX_GROWTH = 4  # a rewrite longer than this many times the question (+200) is a ramble
_PREFIXES = ("standalone question:", "question:", "rewritten question:")


def message_text(message: Any) -> str:
    """The plain text of a chat model reply (string content or a list of content blocks)."""
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            block if isinstance(block, str) else str(block.get("text", ""))
            for block in content
            if isinstance(block, str | dict)
        )
    return str(content)


def clean_rewrite(reply: str, question: str) -> str:
    """The first non-empty line of ``reply`` without labels or quotes; ``question`` if unusable."""
    line = next((ln.strip() for ln in reply.splitlines() if ln.strip()), "")
    lowered = line.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            line = line[len(prefix) :].strip()
            break
    line = line.strip("\"'“”‘’` ").strip()
    if not line or len(line) > _MAX_GROWTH * len(question) + 200:
        return question
    return line


def condense_with_model(
    chat_model: BaseChatModel, prompt: LoadedPrompt, question: str, history: Sequence[str]
) -> str:
    """Ask ``chat_model`` for a standalone form of ``question``; ``question`` on any failure."""
    recent = [h.strip() for h in history if h.strip()][-MAX_HISTORY:]
    if not recent:
        return question
    messages = prompt.template.format_messages(
        history="\n".join(f"- {h}" for h in recent), question=question
    )
    try:
        reply = chat_model.invoke(messages)
    except Exception as exc:  # any provider error: keep the user's words
        logger.warning(
            "condensing the follow-up failed (%s); using it as asked", type(exc).__name__
        )
        return question
    rewritten = clean_rewrite(message_text(reply), question)
    logger.debug("condensed %r -> %r", question, rewritten)
    return rewritten
