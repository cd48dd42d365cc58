"""Schema migrations with Alembic, configured in code (no ``alembic.ini``): the scripts ship
inside the package (``bot/db/migrations``), so an installed wheel can upgrade its database.

Policy (docs/deployment.md): a process opening the store upgrades the schema to the newest
revision it knows, unless ``CHIPBOT_DB_AUTO_UPGRADE=false``, in which case it refuses with a
message naming ``chipbot db upgrade``. A database at a revision this chipbot does not know
(written by a newer release) is always refused: running old code on it could lose data.
Upgrades hold a lock (PostgreSQL advisory lock, SQLite ``BEGIN IMMEDIATE``), so processes
starting together upgrade once.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from bot.db.engine import IMMEDIATE
from bot.db.urls import redacted
from retrieval.errors import ConfigError

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
#: Any constant shared by every chipbot process; serialises upgrades on PostgreSQL.
_ADVISORY_LOCK = 0x636869706274  # "chipbt"


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest revision this chipbot knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the packaged migrations have no head"
    return head


def known_revisions() -> set[str]:
    """Every revision of the packaged migrations."""
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The database's revision; None for a new database or a pre-Alembic SQLite store."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade to ``revision`` under a lock; returns (revision before, revision after).

    A pre-Alembic store (today's ``feedback.sqlite``) is adopted: its tables and rows are
    kept, and the later revisions run on them.
    """
    options = {IMMEDIATE: True}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            # Released at commit; a second process waits here, then finds nothing to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
        before = MigrationContext.configure(connection).get_current_revision()
        _refuse_unknown(before, engine)
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        after = MigrationContext.configure(connection).get_current_revision()
    if before != after:
        logger.info("database %s upgraded from %s to %s", redacted(str(engine.url)), before, after)
    return before, after


def ensure_schema(engine: Engine, *, auto_upgrade: bool = True) -> None:
    """Make sure the database is at :func:`head_revision`, per the policy above."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    _refuse_unknown(current, engine)
    if not auto_upgrade:
        raise ConfigError(
            f"the database {redacted(str(engine.url))} is at schema revision {current or 'none'}, "
            f"this chipbot needs {head}: run `chipbot db upgrade` "
            "(or unset CHIPBOT_DB_AUTO_UPGRADE=false to upgrade on start)"
        )
    upgrade(engine)


def _refuse_unknown(current: str | None, engine: Engine) -> None:
    if current is not None and current not in known_revisions():
        raise ConfigError(
            f"the database {redacted(str(engine.url))} is at schema revision {current}, which "
            f"this chipbot does not know (its newest is {head_revision()}): it was upgraded by "
            "a newer chipbot; upgrade chipbot rather than run this one on it"
        )
