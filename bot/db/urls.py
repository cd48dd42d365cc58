"""Database URLs: a bare path means a SQLite file; passwords never reach a message."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from retrieval.errors import ConfigError

SUPPORTED = ("sqlite", "postgresql")


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of the SQLite file at ``path``."""
    return f"sqlite+pysqlite:///{Path(path).expanduser().resolve()}"


def normalise(target: str | Path) -> str:
    """A SQLAlchemy URL for ``target`` (a URL, or a path to a SQLite file).

    ``postgresql://`` and ``postgres://`` (what most hosting shows) get the psycopg 3
    driver, the one chipbot installs; SQLAlchemy would otherwise look for psycopg2.
    """
    if isinstance(target, Path) or "://" not in target:
        return sqlite_url(Path(target))
    url = parse(target)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def parse(target: str) -> URL:
    """``target`` parsed; a malformed or unsupported URL is a :class:`ConfigError`."""
    try:
        url = make_url(target)
    except ArgumentError:
        raise ConfigError(
            "invalid setting CHIPBOT_DATABASE_URL: not a database URL "
            "(e.g. postgresql+psycopg://user:password@host/chipbot, or sqlite:////path/file)"
        ) from None
    backend = url.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend not in SUPPORTED:
        raise ConfigError(
            f"invalid setting CHIPBOT_DATABASE_URL: {backend} is not supported "
            "(use sqlite or postgresql)"
        )
    return url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def redacted(url: str) -> str:
    """``url`` fit for a log line or an error message (password masked)."""
    return make_url(url).render_as_string(hide_password=True)
