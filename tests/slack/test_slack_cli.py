"""``chipbot slack`` (fails fast, no secrets echoed; serves HTTP) and ``chipbot feedback``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.slack.store import AnswerRecord, Store
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_harness import SECRET, sign

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    yield fake
    fake.close()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_slack_without_a_bot_token_names_the_setting() -> None:
    code, out = _run("slack")
    assert code == 1
    assert "missing setting SLACK_BOT_TOKEN" in out


def test_slack_with_a_user_token_refuses_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-123-SECRETVALUE")
    code, out = _run("slack")
    assert code == 1
    assert "invalid setting SLACK_BOT_TOKEN" in out
    assert "SECRETVALUE" not in out


def test_slack_in_http_mode_needs_the_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    code, out = _run("slack", "--http")
    assert code == 1
    assert "missing setting SLACK_SIGNING_SECRET" in out


def test_slack_with_a_rejected_token_says_so(
    monkeypatch: pytest.MonkeyPatch, fake: FakeSlack
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-revoked-SECRETVALUE")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SLACK_API_BASE_URL", fake.api_url)
    fake.error_next("auth.test", "invalid_auth")
    code, out = _run("slack", "--http")
    assert code == 1
    assert "Slack did not accept SLACK_BOT_TOKEN" in out
    assert "SECRETVALUE" not in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_slack_serves_signed_events_and_health_over_http(tmp_path: Path, fake: FakeSlack) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_BASE_URL": fake.api_url,
        "CHIPBOT_DATA_DIR": str(tmp_path / "data"),
        "HF_HUB_OFFLINE": "1",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "slack",
            "--http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
                    assert json.load(response)["ok"] is True
                break
            except OSError:
                assert time.monotonic() < deadline, "the app never came up"
                time.sleep(0.5)
        body = json.dumps({"type": "url_verification", "challenge": "c-1", "token": "t"})
        request = urllib.request.Request(
            base + "/slack/events",
            data=body.encode(),
            headers={"Content-Type": "application/json", **sign(SECRET, body)},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response) == {"challenge": "c-1"}
    finally:
        proc.terminate()
        proc.wait(30)


def _feedback_store(path: Path) -> None:
    store = Store(path)
    answer = {
        "answer": "Tokyo Electron. [1]",
        "citations": [],
        "prompt_version": "v3",
        "generator": "extractive",
    }
    record = AnswerRecord(
        "a1", "C1", None, "1.1", "U1", "Which company [leads]?", answer, time.time()
    )
    store.add_feedback(record, "U1", 1)
    store.add_feedback(record, "U2", -1)


def test_feedback_lists_votes_in_a_table(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "fb.sqlite"
    _feedback_store(path)
    monkeypatch.setenv("CHIPBOT_FEEDBACK_DB", str(path))
    monkeypatch.setenv("COLUMNS", "200")
    code, out = _run("feedback")
    assert code == 0
    assert "Which company [leads]?" in out
    assert "2 votes: 1 👍, 1 👎" in out


def test_feedback_json_has_one_object_a_vote(tmp_path: Path) -> None:
    path = tmp_path / "fb.sqlite"
    _feedback_store(path)
    code, out = _run("feedback", "--json", "--db", str(path))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert sorted(r["vote"] for r in rows) == [-1, 1]
    assert {r["question"] for r in rows} == {"Which company [leads]?"}
    assert {r["prompt_version"] for r in rows} == {"v3"}
    assert all(r["time"].endswith("+00:00") for r in rows)


def test_feedback_defaults_to_the_data_dir_and_says_when_there_is_none(
    isolated_data_dir: Path,
) -> None:
    code, out = _run("feedback")
    assert code == 0
    assert f"No feedback yet ({isolated_data_dir / 'feedback.sqlite'}" in out
