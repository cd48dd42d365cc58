"""Copying a store's answers and feedback into another database: how a team moves from the
default SQLite file to its shared PostgreSQL database without losing the votes so far.

De-duplication keys are not copied: they matter for minutes (Slack's retries), not history.
Rows already in the target are kept as they are, so running the copy twice adds nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.db import schema

if TYPE_CHECKING:
    from bot.slack.store import Store

TABLES: tuple[Table, ...] = (schema.answers, schema.feedback)
BATCH = 500


def copy_store(source: Store, target: Store) -> dict[str, int]:
    """Copy every answer and vote of ``source`` missing from ``target``; rows copied a table."""
    insert = postgresql.insert if target.backend == "postgresql" else sqlite.insert
    copied: dict[str, int] = {}
    for table in TABLES:
        keys = [c.name for c in table.primary_key.columns]
        copied[table.name] = 0
        with source.engine.connect() as reading, target.engine.begin() as writing:
            rows = reading.execute(select(table)).mappings()
            while batch := [dict(row) for row in rows.fetchmany(BATCH)]:
                statement = insert(table).values(batch).on_conflict_do_nothing(index_elements=keys)
                result = writing.execute(statement.returning(*table.primary_key.columns))
                copied[table.name] += len(result.all())
    return copied
