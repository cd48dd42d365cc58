"""Alembic's environment: always run from :func:`bot.db.migrate.upgrade`, which passes an
open connection (inside a transaction holding the upgrade lock) in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from bot.db.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("chipbot's migrations run through `chipbot db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
)
with context.begin_transaction():
    context.run_migrations()
