"""Schema migrations: they build exactly the tables the store queries, adopt a store made
before Alembic without losing a row, and the app upgrades or refuses as documented."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect, text

from bot.cli import main
from bot.db.engine import make_engine
from bot.db.migrate import current_revision, head_revision, upgrade
from bot.db.schema import metadata
from bot.slack.store import Store
from retrieval.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

# The store's tables exactly as chipbot created them before this schema had migrations.
LEGACY_SCHEMA = """
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


def _legacy_store(path: Path) -> None:
    now = time.time()
    with sqlite3.connect(path) as db:
        db.executescript(LEGACY_SCHEMA)
        db.execute("INSERT INTO seen VALUES ('event:Ev1', ?)", (now,))
        db.execute(
            "INSERT INTO answers VALUES ('a1', 'C1', '1.1', '1.2', 'U1', 'Q?', ?, ?)",
            ('{"answer": "A [1]", "citations": []}', now),
        )
        db.execute(
            "INSERT INTO feedback VALUES ('a1', 'U2', -1, 'C1', 'Q?', 'A [1]', '[]', 'v3', "
            "'extractive', ?)",
            (now,),
        )


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_the_migrations_build_exactly_the_schema_the_store_queries(any_url: str) -> None:
    engine = make_engine(any_url)
    upgrade(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []
    assert current_revision(engine) == head_revision()


def test_a_store_from_before_migrations_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite"
    _legacy_store(path)
    store = Store(path)
    assert store.claim("event:Ev1") is False  # the old claim still holds
    record = store.get_answer("a1")
    assert record is not None
    assert (record.question, record.message_ts) == ("Q?", "1.2")
    [vote] = store.list_feedback()
    assert (vote.user, vote.vote, vote.prompt_version) == ("U2", -1, "v3")
    assert current_revision(store.engine) == head_revision()
    indexes = {i["name"] for i in inspect(store.engine).get_indexes("seen")}
    assert "seen_at" in indexes  # and the later revisions ran on the old tables


def test_without_auto_upgrade_an_old_schema_is_refused_with_the_command_to_run(
    tmp_path: Path,
) -> None:
    path = tmp_path / "feedback.sqlite"
    _legacy_store(path)
    with pytest.raises(ConfigError, match="chipbot db upgrade"):
        Store(path, auto_upgrade=False)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM feedback").fetchone() == (1,)


def test_a_schema_from_a_newer_chipbot_is_refused(any_url: str) -> None:
    engine = make_engine(any_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(ConfigError, match="does not know"):
        Store(any_url)


def test_db_upgrade_and_current_on_the_command_line(pg_url: str) -> None:
    code, out = _run("db", "current", "--db", pg_url)
    assert code == 0
    assert "revision none" in out
    code, out = _run("db", "upgrade", "--db", pg_url)
    assert code == 0
    assert f"upgraded from none to {head_revision()}" in out
    code, out = _run("db", "upgrade", "--db", pg_url)
    assert "nothing to do" in out
    code, out = _run("db", "current", "--db", pg_url)
    assert f"revision {head_revision()} (newest {head_revision()}: up to date)" in out


def test_db_upgrade_migrates_the_default_store_in_the_data_dir(isolated_data_dir: Path) -> None:
    isolated_data_dir.mkdir(parents=True)
    _legacy_store(isolated_data_dir / "feedback.sqlite")
    code, out = _run("db", "upgrade")
    assert code == 0, out
    assert f"from none to {head_revision()}" in out
    code, out = _run("feedback", "--json")
    assert '"vote": -1' in out


_OPENER = """
import sys
from bot.slack.store import Store
sys.stdin.readline()  # start together
print(Store(sys.argv[1]).health()["revision"])
"""


def test_processes_starting_together_on_a_new_database_migrate_it_once(pg_url: str) -> None:
    openers = [
        subprocess.Popen(
            [sys.executable, "-c", _OPENER, pg_url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for opener in openers:
        assert opener.stdin is not None
        opener.stdin.write("go\n")
        opener.stdin.flush()
    results = [opener.communicate(timeout=120) for opener in openers]
    assert [out.strip() for out, _ in results] == [head_revision()] * 3, results
    engine = make_engine(pg_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1


def test_db_import_moves_a_sqlite_store_s_answers_and_votes_into_postgresql(
    tmp_path: Path, pg_url: str
) -> None:
    path = tmp_path / "feedback.sqlite"
    _legacy_store(path)
    code, out = _run("db", "import", str(path), "--db", pg_url)
    assert code == 0, out
    assert "copied 1 answers and 1 votes" in out
    store = Store(pg_url)
    assert [(f.user, f.vote) for f in store.list_feedback()] == [("U2", -1)]
    record = store.get_answer("a1")
    assert record is not None
    assert record.question == "Q?"
    code, out = _run("db", "import", str(path), "--db", pg_url)
    assert "copied 0 answers and 0 votes" in out
