"""A team's deployment: two real ``chipbot slack --http`` processes on one PostgreSQL
database, each event delivered to both at once (first try and Slack's retry, round-robin):
every event is answered exactly once, and votes given through either process show in
``chipbot feedback``."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.slack.blocks import ACTION_FEEDBACK_DOWN, ACTION_FEEDBACK_UP
from bot.slack.buttons import THANKS
from tests.db.team import AppProcess, deliver_twice, peers, running_apps, totals
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_harness import CITED, FIRST, UNANSWERABLE

QUESTIONS = (CITED, FIRST, UNANSWERABLE)
EVENTS = 8


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    yield fake
    fake.close()


@pytest.fixture
def team(
    seed_index_dir: Path, pg_url: str, fake: FakeSlack, tmp_path: Path
) -> Iterator[list[AppProcess]]:
    """Two app processes, each with its own copy of the seed index, sharing ``pg_url``."""
    data_dirs = [tmp_path / f"host{i}" for i in range(2)]
    for data_dir in data_dirs:
        shutil.copytree(seed_index_dir, data_dir)
    with running_apps(data_dirs, pg_url, fake, tmp_path) as apps:
        yield apps


@pytest.mark.slow
def test_two_processes_on_one_database_answer_each_retried_event_once(
    team: list[AppProcess], fake: FakeSlack, pg_url: str
) -> None:
    targets = peers(team, fake)
    threads = []
    for i in range(EVENTS):
        event = targets[0].mention_event(QUESTIONS[i % len(QUESTIONS)], channel=f"C{i % 3}")
        first, retry = deliver_twice(targets, event, f"EvTEAM{i:03d}", i)
        assert (first.status, retry.status) == (200, 200)
        threads.append((event["channel"], str(event["ts"])))
    # Every delivery accounted for: one answered, one dropped as a duplicate, per event.
    fake.wait_for(lambda: totals(team, "chipbot_duplicate_deliveries_total") >= EVENTS, 120)
    answers = [targets[0].wait_answer(channel, ts) for channel, ts in threads]
    assert totals(team, "chipbot_questions_total") == EVENTS
    assert all(len(a) == 1 for a in answers)
    assert [len(targets[0].answers_in(channel, ts)) for channel, ts in threads] == [1] * EVENTS

    # A vote through each process: both land in the one database.
    targets[0].click(ACTION_FEEDBACK_UP, answers[0][0], user="U1", response="up")
    targets[1].click(ACTION_FEEDBACK_DOWN, answers[1][0], user="U2", response="down")
    fake.wait_for(lambda: {r.get("text") for r in fake.responses} >= {THANKS[1], THANKS[-1]})
    result = CliRunner().invoke(main, ["feedback", "--json", "--db", pg_url])
    assert result.exit_code == 0, result.output
    votes = sorted(
        (row["user"], row["vote"]) for row in map(json.loads, result.output.splitlines())
    )
    assert votes == [("U1", 1), ("U2", -1)]
