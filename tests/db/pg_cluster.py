"""A throwaway PostgreSQL cluster for tests and benchmarks: ``initdb`` into a fresh temporary
directory, ``postgres`` on a free loopback port, trust authentication, stopped (and the
directory removed) at the end.

PostgreSQL refuses to run as root, so as root the server runs as an unprivileged user:
``postgres`` (Debian's package creates it), created as a system user if missing.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "chipbot"
RUN_AS = "postgres"
START_TIMEOUT_S = 60


def find_bin_dir() -> Path | None:
    """The directory of ``initdb``/``pg_ctl``/``postgres`` (newest Debian version first)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0),
        reverse=True,
    )
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.insert(0, Path(on_path).resolve().parent)
    for candidate in candidates:
        if all((candidate / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ensure_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            [
                shutil.which("useradd") or "/usr/sbin/useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                name,
            ],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(name)


@dataclass
class PgCluster:
    """A running cluster; :meth:`url` names a database on it."""

    bin_dir: Path
    root: Path
    port: int
    run_as: str | None

    @property
    def data_dir(self) -> Path:
        """The cluster's files."""
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        """A ``postgresql+psycopg`` URL for ``database`` as the superuser."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """A libpq connection string for ``database`` (for psycopg directly)."""
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database}"

    def create_database(self, name: str | None = None) -> str:
        """Create a fresh database; returns its SQLAlchemy URL."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn(), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop the database named by ``url`` (disconnecting anyone still on it)."""
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.dsn(), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        # postgres refuses root: switch user in the child itself, needing no runuser/su
        # (which live in /usr/sbin, not always on PATH).
        user: dict[str, object] = {}
        if self.run_as:
            account = pwd.getpwnam(self.run_as)
            user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        return subprocess.run(
            command, capture_output=True, text=True, check=False, cwd=self.root, **user
        )

    def _log_tail(self) -> str:
        log = self.root / "postgres.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def stop(self) -> None:
        """Stop the server (immediately: it is throwaway) and remove its files."""
        if self.data_dir.exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    @classmethod
    def start(cls, bin_dir: Path) -> PgCluster:
        """initdb and start a cluster; raises RuntimeError with the server's log on failure."""
        run_as = RUN_AS if os.geteuid() == 0 else None
        # As root, the server user must reach the directory: /tmp, not a private TMPDIR.
        root = Path(tempfile.mkdtemp(prefix="chipbot-pg-", dir="/tmp" if run_as else None))
        if run_as:
            user = _ensure_user(run_as)
            os.chown(root, user.pw_uid, user.pw_gid)
        cluster = cls(bin_dir=bin_dir, root=root, port=0, run_as=run_as)
        done = cluster._run(
            "initdb", "-D", str(cluster.data_dir), "-U", SUPERUSER, "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        if done.returncode != 0:
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"initdb failed: {done.stderr.strip() or done.stdout.strip()}")
        for _attempt in range(3):  # a free port can be taken between choosing and binding
            cluster.port = _free_port()
            options = (
                f"-p {cluster.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c dynamic_shared_memory_type=mmap -c max_connections=200"
            )
            done = cluster._run(
                "pg_ctl", "-D", str(cluster.data_dir), "-l", str(root / "postgres.log"),
                "-o", options, "-t", str(START_TIMEOUT_S), "-w", "start",
            )  # fmt: skip
            if done.returncode == 0:
                atexit.register(cluster.stop)  # even if the session dies before teardown
                return cluster
        log = cluster._log_tail()
        cluster.stop()
        raise RuntimeError(f"postgres did not start: {done.stderr.strip()}\n{log}")


@contextlib.contextmanager
def running_cluster() -> Iterator[PgCluster]:
    """A started cluster for the ``with`` block (RuntimeError when there are no binaries)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL server binaries (apt-get install postgresql)")
    cluster = PgCluster.start(bin_dir)
    try:
        yield cluster
    finally:
        cluster.stop()
