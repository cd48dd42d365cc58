"""A team's deployment in miniature, for the cross-process test and the benchmark: several
real ``chipbot slack --http`` processes on one database, each Slack event delivered to two
of them at once (the first try and Slack's retry), round-robin.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_harness import SECRET, Harness, Reply

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class AppProcess:
    """One ``chipbot slack --http`` process."""

    process: subprocess.Popen[str]
    port: int
    log: Path

    @property
    def url(self) -> str:
        """Its base URL."""
        return f"http://127.0.0.1:{self.port}"

    def get_json(self, path: str) -> Any:
        """GET ``path`` and parse the JSON body (also from an error status)."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read())

    def metrics(self) -> dict[str, float]:
        """``/metrics`` as sample name -> value (unlabelled samples)."""
        with urllib.request.urlopen(self.url + "/metrics", timeout=30) as response:
            body = response.read().decode()
        return {
            sample.name: sample.value
            for family in text_string_to_metric_families(body)
            for sample in family.samples
            if not sample.labels
        }

    def log_tail(self) -> str:
        """The end of its stderr."""
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def start_app(data_dir: Path, database_url: str, fake: FakeSlack, log: Path) -> AppProcess:
    """Start ``chipbot slack --http`` on a free port (not yet ready: see :func:`wait_ready`)."""
    port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-team",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_BASE_URL": fake.api_url,
        "CHIPBOT_DATA_DIR": str(data_dir),
        "CHIPBOT_DATABASE_URL": database_url,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    command = [sys.executable, "-m", "bot", "slack", "--http", "--host", "127.0.0.1"]
    with log.open("w") as err:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )
    return AppProcess(process, port, log)


def wait_ready(apps: Sequence[AppProcess], timeout: float = START_TIMEOUT_S) -> None:
    """Wait until every app's ``/healthz`` says ok (AssertionError with its log if it died)."""
    deadline = time.monotonic() + timeout
    for app in apps:
        while True:
            assert app.process.poll() is None, f"the app exited:\n{app.log_tail()}"
            try:
                if app.get_json("/healthz").get("ok"):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"the app never came up:\n{app.log_tail()}"
            time.sleep(0.5)


def stop(apps: Sequence[AppProcess]) -> None:
    """Stop the apps (and wait for them)."""
    for app in apps:
        app.process.terminate()
    for app in apps:
        try:
            app.process.wait(30)
        except subprocess.TimeoutExpired:
            app.process.kill()


@contextmanager
def running_apps(
    data_dirs: Sequence[Path], database: str | Sequence[str], fake: FakeSlack, logs: Path
) -> Iterator[list[AppProcess]]:
    """One app per data dir, all on the ``database`` URL (or each on its own), ready for
    the ``with`` block."""
    urls = [database] * len(data_dirs) if isinstance(database, str) else list(database)
    apps = [
        start_app(d, url, fake, logs / f"app{i}.log")
        for i, (d, url) in enumerate(zip(data_dirs, urls, strict=True))
    ]
    try:
        wait_ready(apps)
        yield apps
    finally:
        stop(apps)


@dataclass
class Peer(Harness):
    """The test harness's Slack requests, sent to an app in another process."""

    base: str = ""

    @property
    def url(self) -> str:
        """The app process's base URL."""
        return self.base


def peers(apps: Sequence[AppProcess], fake: FakeSlack) -> list[Peer]:
    """A harness for each app (they share the fake Slack)."""
    return [Peer(fake=fake, server=None, store=None, pool=None, base=a.url) for a in apps]  # type: ignore[arg-type]


def deliver_twice(
    targets: Sequence[Peer], event: dict[str, Any], event_id: str, turn: int
) -> tuple[Reply, Reply]:
    """Deliver ``event`` to two apps at once: the first try to ``targets[turn]``, Slack's
    retry (``X-Slack-Retry-Num: 1``) to the next one, round-robin."""
    first = targets[turn % len(targets)]
    retry = targets[(turn + 1) % len(targets)]
    with ThreadPoolExecutor(2) as pool:
        a = pool.submit(first.event, event, event_id=event_id)
        b = pool.submit(retry.event, event, event_id=event_id, retry_num=1)
        return a.result(), b.result()


def totals(apps: Sequence[AppProcess], name: str) -> float:
    """A metric summed over the apps."""
    return sum(app.metrics().get(name, 0.0) for app in apps)
