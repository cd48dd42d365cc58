"""Connecting: one SQLAlchemy engine a store, with each backend's settings for many threads
and processes sharing the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection

from bot.db.urls import parse, redacted, sqlite_path
from retrieval.errors import ConfigError

#: Seconds a SQLite writer waits for another process's write before failing.
SQLITE_BUSY_TIMEOUT_S = 30
#: Seconds to wait for a PostgreSQL server to accept the connection.
CONNECT_TIMEOUT_S = 10
#: Execution option: open this connection's SQLite transaction with ``BEGIN IMMEDIATE``.
IMMEDIATE = "chipbot_sqlite_immediate"


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (already normalised, see :func:`bot.db.urls.normalise`)."""
    parsed = parse(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(
        url,
        pool_pre_ping=True,  # a restarted server or a dropped connection costs one retry
        pool_size=5,
        max_overflow=20,  # bolt's listener threads plus the workers, in bursts
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
    )


def _sqlite_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    # pysqlite opens transactions lazily and never for DDL; SQLAlchemy's documented recipe
    # hands transaction control back to SQLAlchemy, so migrations are atomic too.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def unreachable(url: str, exc: BaseException) -> ConfigError:
    """A one-line error for a database that cannot be opened (the password never shown)."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    detail = reason[0] if reason else type(exc).__name__
    return ConfigError(f"cannot open the database {redacted(url)}: {detail}")
