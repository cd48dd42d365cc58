"""The Slack app's store: claim keys (de-duplication), answers by id and by thread, feedback.

It lives in the database named by ``CHIPBOT_DATABASE_URL`` (:mod:`bot.db`): a SQLite file
by default, PostgreSQL when several app processes or hosts share it. A claim is one
``INSERT … ON CONFLICT DO NOTHING`` on a primary key, which both databases make atomic
across threads, processes and hosts, so the same Slack event is never answered twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from bot.db import schema
from bot.db.engine import IMMEDIATE, make_engine, unreachable
from bot.db.migrate import current_revision, ensure_schema
from bot.db.urls import normalise, redacted, sqlite_path
from retrieval.models import Citation

logger = logging.getLogger(__name__)

DEDUPE_TTL_S = 24 * 3600
PRUNE_EVERY = 500


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
    """Thread-, process- and host-safe access to the store's database.

    ``target`` is a SQLAlchemy URL or a path to a SQLite file. Opening it brings the schema
    to this chipbot's revision (see :mod:`bot.db.migrate`; ``auto_upgrade=False`` refuses
    instead of upgrading).
    """

    def __init__(self, target: str | Path, *, auto_upgrade: bool = True) -> None:
        self.url = normalise(target)
        #: The SQLite file, or None for a server database.
        self.path: Path | None = sqlite_path(self.url)
        self.engine = make_engine(self.url)
        self._claims = 0
        try:
            ensure_schema(self.engine, auto_upgrade=auto_upgrade)
        except OperationalError as exc:
            self.engine.dispose()
            raise unreachable(self.url, exc) from None
        self._insert: Callable[[Any], postgresql.Insert | sqlite.Insert] = (
            postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        )

    def __repr__(self) -> str:
        return f"Store({redacted(self.url)!r})"

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        # SQLite: take the write lock up front, so a busy writer is waited for, not failed.
        with (
            self.engine.connect().execution_options(**{IMMEDIATE: True}) as db,
            db.begin(),
        ):
            yield db

    def claim(self, key: str, now: float | None = None) -> bool:
        """True the first time ``key`` is claimed (by any thread, process or host), else False."""
        now = time.time() if now is None else now
        # RETURNING rather than rowcount: the row comes back only if this insert made it
        # (psycopg 3 through SQLAlchemy does not always report a rowcount).
        insert = self._insert(schema.seen).values(key=key, at=now).on_conflict_do_nothing()
        with self._write() as db:
            claimed = db.execute(insert.returning(schema.seen.c.key)).first() is not None
        self._claims += 1
        if self._claims % PRUNE_EVERY == 0:
            # Slack retries within minutes; a day of keys is plenty.
            with self._write() as db:
                db.execute(delete(schema.seen).where(schema.seen.c.at < now - DEDUPE_TTL_S))
        return claimed

    def release(self, key: str) -> None:
        """Forget ``key`` so it can be claimed again (after a failed attempt)."""
        with self._write() as db:
            db.execute(delete(schema.seen).where(schema.seen.c.key == key))

    def save_answer(self, record: AnswerRecord) -> None:
        """Keep ``record`` (replacing one with the same id)."""
        values = {
            "id": record.id,
            "channel": record.channel,
            "thread_ts": record.thread_ts,
            "message_ts": record.message_ts,
            "user": record.user,
            "question": record.question,
            "answer_json": json.dumps(record.answer),
            "created_at": record.created_at,
        }
        insert = self._insert(schema.answers).values(**values)
        upsert = insert.on_conflict_do_update(
            index_elements=[schema.answers.c.id],
            set_={k: insert.excluded[k] for k in values if k != "id"},
        )
        with self._write() as db:
            db.execute(upsert)

    def get_answer(self, answer_id: str) -> AnswerRecord | None:
        """The answer with ``answer_id``, or None."""
        query = select(schema.answers).where(schema.answers.c.id == answer_id)
        with self.engine.connect() as db:
            row = db.execute(query).mappings().first()
        if row is None:
            return None
        return AnswerRecord(
            id=row["id"],
            channel=row["channel"],
            thread_ts=row["thread_ts"],
            message_ts=row["message_ts"],
            user=row["user"],
            question=row["question"],
            answer=json.loads(row["answer_json"]),
            created_at=row["created_at"],
        )

    def thread_questions(self, channel: str, thread_ts: str, limit: int = 10) -> list[str]:
        """Earlier questions answered in the thread rooted at ``thread_ts``, oldest first.

        A thread may be rooted at the user's question or at the bot's answer (a DM reply
        that someone then replied to), so both are matched.
        """
        answers = schema.answers
        query = (
            select(answers.c.question)
            .where(answers.c.channel == channel)
            .where((answers.c.thread_ts == thread_ts) | (answers.c.message_ts == thread_ts))
            .order_by(answers.c.created_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as db:
            rows = db.execute(query).scalars().all()
        return list(reversed(rows))

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
        values = {
            "answer_id": feedback.answer_id,
            "user": feedback.user,
            "vote": feedback.vote,
            "channel": feedback.channel,
            "question": feedback.question,
            "answer": feedback.answer,
            "citations_json": json.dumps(feedback.citations),
            "prompt_version": feedback.prompt_version,
            "generator": feedback.generator,
            "created_at": feedback.created_at,
        }
        insert = self._insert(schema.feedback).values(**values)
        upsert = insert.on_conflict_do_update(
            index_elements=[schema.feedback.c.answer_id, schema.feedback.c.user],
            set_={k: insert.excluded[k] for k in values if k not in ("answer_id", "user")},
        )
        with self._write() as db:
            db.execute(upsert)
        return feedback

    def list_feedback(self, limit: int | None = None) -> list[FeedbackRecord]:
        """Feedback, newest first."""
        query = select(schema.feedback).order_by(schema.feedback.c.created_at.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as db:
            rows = db.execute(query).mappings().all()
        return [
            FeedbackRecord(
                answer_id=r["answer_id"],
                user=r["user"],
                vote=r["vote"],
                channel=r["channel"],
                question=r["question"],
                answer=r["answer"],
                citations=json.loads(r["citations_json"]),
                prompt_version=r["prompt_version"],
                generator=r["generator"],
                created_at=r["created_at"],
            )
            for r in rows
        ]

    def count_feedback(self) -> int:
        """How many votes are stored."""
        with self.engine.connect() as db:
            return int(db.execute(select(func.count()).select_from(schema.feedback)).scalar_one())

    def health(self) -> dict[str, Any]:
        """A cheap round trip: the backend, the schema revision and the time it took."""
        started = time.perf_counter()
        with self.engine.connect() as db:
            db.execute(text("SELECT 1"))
        revision = current_revision(self.engine)
        return {
            "backend": self.backend,
            "revision": revision,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }

    def close(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()
