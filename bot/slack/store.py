"""The Slack app's SQLite store: dedupe keys, answers by id, and feedback.

One file (``CHIPBOT_FEEDBACK_DB``, default ``data_dir/feedback.sqlite``) in WAL mode.
Dedupe uses ``INSERT OR IGNORE`` on a primary key, which SQLite makes atomic across
threads *and* processes, so several app processes sharing the file never answer the
same Slack event twice.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.models import Citation

DEDUPE_TTL_S = 24 * 3600
PRUNE_EVERY = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY, channel TEXT NOT NULL, thread_ts TEXT, message_ts TEXT,
    user TEXT, question TEXT NOT NULL, answer_json TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_thread ON answers (channel, thread_ts);
CREATE INDEX IF NOT EXISTS answers_message ON answers (channel, message_ts);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id TEXT NOT NULL, user TEXT NOT NULL, vote INTEGER NOT NULL, channel TEXT,
    question TEXT NOT NULL, answer TEXT NOT NULL, citations_json TEXT NOT NULL,
    prompt_version TEXT, generator TEXT, created_at REAL NOT NULL,
    PRIMARY KEY (answer_id, user)
);
"""


@dataclass(frozen=True)
class AnswerRecord:
    """An answer the app posted, kept so buttons and follow-ups can find it."""

    id: str
    channel: str
    thread_ts: str | None
    message_ts: str | None
    user: str | None
    question: str
    answer: dict[str, Any]
    created_at: float

    def citations(self) -> list[Citation]:
        """The answer's citations as objects (for ``Chipbot.context``)."""
        return [citation_from_dict(c) for c in self.answer.get("citations", [])]


@dataclass(frozen=True)
class FeedbackRecord:
    """One 👍/👎 on an answer."""

    answer_id: str
    user: str
    vote: int
    channel: str | None
    question: str
    answer: str
    citations: list[dict[str, Any]]
    prompt_version: str | None
    generator: str | None
    created_at: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the time as ISO 8601 UTC."""
        return {
            "answer_id": self.answer_id,
            "user": self.user,
            "vote": self.vote,
            "channel": self.channel,
            "question": self.question,
            "answer": self.answer,
            "citations": self.citations,
            "prompt_version": self.prompt_version,
            "generator": self.generator,
            "time": iso_time(self.created_at),
        }


def iso_time(timestamp: float) -> str:
    """``timestamp`` as ISO 8601 in UTC, to the second."""
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds")


def citation_from_dict(data: dict[str, Any]) -> Citation:
    """The inverse of :meth:`Citation.to_dict`."""
    date = dt.date.fromisoformat(data["date"]) if data.get("date") else None
    return Citation(
        n=int(data["n"]),
        article_id=data["article_id"],
        title=data["title"],
        date=date,
        path=data["path"],
        start=int(data["start"]),
        end=int(data["end"]),
        quote=data["quote"],
    )


class Store:
    """Thread- and process-safe access to the store file (one connection per call)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._claims = 0
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            yield db

    def claim(self, key: str, now: float | None = None) -> bool:
        """True the first time ``key`` is claimed (by any thread or process), else False."""
        now = time.time() if now is None else now
        with self._connect() as db:
            cur = db.execute("INSERT OR IGNORE INTO seen (key, at) VALUES (?, ?)", (key, now))
            claimed = cur.rowcount == 1
            self._claims += 1
            if self._claims % PRUNE_EVERY == 0:
                # Slack retries within minutes; a day of keys is plenty.
                db.execute("DELETE FROM seen WHERE at < ?", (now - DEDUPE_TTL_S,))
        return claimed

    def release(self, key: str) -> None:
        """Forget ``key`` so it can be claimed again (after a failed attempt)."""
        with self._connect() as db:
            db.execute("DELETE FROM seen WHERE key = ?", (key,))

    def save_answer(self, record: AnswerRecord) -> None:
        """Keep ``record`` (replacing one with the same id)."""
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.channel,
                    record.thread_ts,
                    record.message_ts,
                    record.user,
                    record.question,
                    json.dumps(record.answer),
                    record.created_at,
                ),
            )

    def get_answer(self, answer_id: str) -> AnswerRecord | None:
        """The answer with ``answer_id``, or None."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM answers WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            return None
        return AnswerRecord(
            id=row[0],
            channel=row[1],
            thread_ts=row[2],
            message_ts=row[3],
            user=row[4],
            question=row[5],
            answer=json.loads(row[6]),
            created_at=row[7],
        )

    def thread_questions(self, channel: str, thread_ts: str, limit: int = 10) -> list[str]:
        """Earlier questions answered in the thread rooted at ``thread_ts``, oldest first.

        A thread may be rooted at the user's question or at the bot's answer (a DM reply
        that someone then replied to), so both are matched.
        """
        with self._connect() as db:
            rows = db.execute(
                "SELECT question FROM answers WHERE channel = ?"
                " AND (thread_ts = ? OR message_ts = ?) ORDER BY created_at DESC LIMIT ?",
                (channel, thread_ts, thread_ts, limit),
            ).fetchall()
        return [row[0] for row in reversed(rows)]

    def add_feedback(self, record: AnswerRecord, user: str, vote: int) -> FeedbackRecord:
        """Record ``user``'s vote on ``record`` (a later vote replaces an earlier one)."""
        feedback = FeedbackRecord(
            answer_id=record.id,
            user=user,
            vote=vote,
            channel=record.channel,
            question=record.question,
            answer=str(record.answer.get("answer", "")),
            citations=list(record.answer.get("citations", [])),
            prompt_version=record.answer.get("prompt_version"),
            generator=record.answer.get("generator"),
            created_at=time.time(),
        )
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    feedback.answer_id,
                    feedback.user,
                    feedback.vote,
                    feedback.channel,
                    feedback.question,
                    feedback.answer,
                    json.dumps(feedback.citations),
                    feedback.prompt_version,
                    feedback.generator,
                    feedback.created_at,
                ),
            )
        return feedback

    def list_feedback(self, limit: int | None = None) -> list[FeedbackRecord]:
        """Feedback, newest first."""
        sql = "SELECT * FROM feedback ORDER BY created_at DESC"
        params: tuple[int, ...] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        with self._connect() as db:
            rows = db.execute(sql, params).fetchall()
        return [
            FeedbackRecord(
                answer_id=r[0],
                user=r[1],
                vote=r[2],
                channel=r[3],
                question=r[4],
                answer=r[5],
                citations=json.loads(r[6]),
                prompt_version=r[7],
                generator=r[8],
                created_at=r[9],
            )
            for r in rows
        ]
