"""Answers that appear while they are written, then become the checked answer.

In a thread, text goes out with Slack's streaming methods (``chat.startStream``,
``chat.appendStream``, ``chat.stopStream``, through slack_sdk's ``chat_stream()``
helper); where those are unavailable (the method is
unknown to the workspace, not allowed for the token, or the stream failed part way), or
outside a thread, the text is posted once and the message is then updated at most once
per :data:`UPDATE_INTERVAL_S`. Text is sent a sentence at a time, so an offline answer,
which arrives whole, still appears sentence by sentence, and a language model's tokens
are sent as their sentences complete (or, in a long sentence, at least every
:data:`APPEND_INTERVAL_S`). When the answer is done the message is replaced by the
checked answer (its citations, sources and buttons), whatever was streamed before.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.chat_stream import ChatStream

from bot.slack.blocks import Block
from bot.slack.replies import Question

logger = logging.getLogger(__name__)

#: At most one chat.update a second per message (Slack's pace for edits).
UPDATE_INTERVAL_S = 1.0
#: A sentence still being written is appended at least this often.
APPEND_INTERVAL_S = 0.5
#: chat.startStream errors meaning this workspace or token cannot stream at all: after
#: one, the process stops trying and answers by updating a message instead.
UNSUPPORTED_ERRORS = frozenset(
    {
        "unknown_method",
        "not_allowed",
        "not_allowed_token_type",
        "method_deprecated",
        "missing_scope",
        "feature_not_enabled",
    }
)
# A sentence ends at . ! or ? (after any closing quote and [n] markers) and the space after it.
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?:\s*\[\d+\])*(?:\s+|$)|\n+")

Mode = Literal["stream", "update"]


class StreamSupport:
    """Whether this process still tries Slack's streaming methods (shared by all answers)."""

    def __init__(self, enabled: bool = True) -> None:
        self._enabled = enabled
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """True until a workspace-wide refusal (see :data:`UNSUPPORTED_ERRORS`)."""
        with self._lock:
            return self._enabled

    def disable(self, error: str) -> None:
        """Stop streaming for the rest of the process."""
        with self._lock:
            if self._enabled:
                logger.warning("Slack refused to stream (%s); answers update a message", error)
            self._enabled = False


def sentences(text: str) -> list[str]:
    """``text`` cut after each sentence end (joined, the pieces are ``text`` again)."""
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            pieces.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _first_sentence_end(text: str) -> int:
    """Where the first complete sentence of ``text`` ends (0: none is complete yet).

    A sentence is complete once something follows its end; a final "." may yet turn out
    to be a decimal point or an abbreviation.
    """
    for match in _SENTENCE_END.finditer(text):
        if match.end() < len(text) or match.group().strip() != match.group():
            return match.end()
    return 0


class AnswerStream:
    """One answer appearing in its thread (or DM) while it is written.

    :meth:`write` is handed every piece of text (the engine's ``on_token``); it never
    raises for a Slack error it can work around. :meth:`finish` replaces the message with
    the checked answer; :meth:`abort` ends a stream early (the caller then replaces the
    message with an apology). ``notice``: the ts of a queue notice to turn into the answer.
    """

    def __init__(
        self,
        client: WebClient,
        question: Question,
        support: StreamSupport,
        *,
        notice: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.question = question
        self.support = support
        self.clock = clock
        self.ts: str | None = notice
        self.mode: Mode = (
            "stream" if notice is None and question.reply_thread and support.enabled else "update"
        )
        self.streaming = False  # a stream is open on Slack's side
        self.shown = ""  # text sent so far (update mode re-sends all of it)
        self._pending = ""
        self._last_sent: float | None = None
        self._chat: ChatStream | None = None  # slack_sdk's helper, once streaming starts
        self._lock = threading.Lock()

    @property
    def started(self) -> bool:
        """Whether any text has been sent."""
        return self._last_sent is not None

    def write(self, piece: str) -> None:
        """Take the next ``piece`` of the answer; send what is due."""
        with self._lock:
            self._pending += piece
            self._send_due()

    def finish(self, blocks: list[Block], text: str) -> str | None:
        """Replace the message with the checked answer; returns its ts (None: nothing was
        shown, the caller posts the answer as usual)."""
        with self._lock:
            if not self.started:
                return None
            assert self.ts is not None
            if self.streaming:
                self._stop_stream(self._pending)
            self._pending = ""
            self.client.chat_update(
                channel=self.question.channel, ts=self.ts, blocks=blocks, text=text
            )
            return self.ts

    def abort(self) -> str | None:
        """End an open stream (its text stays until replaced); returns the message's ts."""
        with self._lock:
            if self.streaming:
                self._stop_stream("")
            return self.ts if self.started else None

    # -- sending ------------------------------------------------------------------------

    def _send_due(self) -> None:
        while self._pending:
            now = self.clock()
            if self.mode == "update" and self.started:
                assert self._last_sent is not None
                if now - self._last_sent < UPDATE_INTERVAL_S:
                    return
            cut = _first_sentence_end(self._pending)
            if cut == 0:
                # A sentence still being written: shown at once when nothing is shown
                # yet, then no more often than the interval.
                waited = None if self._last_sent is None else now - self._last_sent
                if waited is not None and waited < APPEND_INTERVAL_S:
                    return
                cut = len(self._pending)
            if self.mode == "update" and self.started:
                cut = len(self._pending)  # an update shows everything there is
            chunk, self._pending = self._pending[:cut], self._pending[cut:]
            self._send(chunk)
            self._last_sent = now

    def _send(self, chunk: str) -> None:
        if self.mode == "stream":
            try:
                self._stream(chunk)
                self.shown += chunk
                return
            except SlackApiError as exc:
                self._fall_back(exc)
        self.shown += chunk
        self._update()

    def _stream(self, chunk: str) -> None:
        if self._chat is None:
            q = self.question
            assert q.reply_thread is not None
            # No buffering in the helper: chunks are already sentence-sized.
            self._chat = self.client.chat_stream(
                channel=q.channel,
                thread_ts=q.reply_thread,
                recipient_team_id=q.team,
                recipient_user_id=q.user,
                buffer_size=1,
            )
        self._chat.append(markdown_text=chunk)
        if not self.streaming and self._chat.ts:
            self.ts = self._chat.ts
            self.streaming = True

    def _fall_back(self, exc: SlackApiError) -> None:
        error = str(exc.response.get("error") or "")
        if not self.streaming and error in UNSUPPORTED_ERRORS:
            self.support.disable(error)
        else:
            logger.info("streaming failed (%s); updating the message instead", error)
        if self.streaming:
            # Not through the helper: it would send the failed text again.
            self.streaming = False
            assert self.ts is not None
            try:
                self.client.chat_stopStream(channel=self.question.channel, ts=self.ts)
            except SlackApiError as stop_exc:
                logger.info("could not stop the stream (%s)", stop_exc.response.get("error"))
        self.mode = "update"

    def _update(self) -> None:
        q = self.question
        if self.ts is None:
            result = self.client.chat_postMessage(
                channel=q.channel, thread_ts=q.reply_thread, text=self.shown
            )
            self.ts = str(result["ts"])
        else:
            self.client.chat_update(channel=q.channel, ts=self.ts, text=self.shown, blocks=[])

    def _stop_stream(self, tail: str) -> None:
        assert self._chat is not None
        self.streaming = False
        try:
            self._chat.stop(markdown_text=tail or None)
        except SlackApiError as exc:
            # The stream may have expired on Slack's side; chat.update still works.
            logger.info("could not stop the stream (%s)", exc.response.get("error"))
