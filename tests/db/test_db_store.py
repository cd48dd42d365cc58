"""The store on each backend (SQLite file, real PostgreSQL): claims, answers, thread
context and feedback behave the same; claims hold across processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.slack.store import AnswerRecord, Store
from retrieval.errors import ConfigError
from retrieval.models import Citation

ROOT = Path(__file__).resolve().parents[2]


def _record(
    answer_id: str, question: str, thread: str | None, ts: str | None, at: float
) -> AnswerRecord:
    citation = Citation(1, "a1", "T", None, "a1.txt", 0, 5, "quote")
    answer = {
        "answer": "A [1]",
        "citations": [citation.to_dict()],
        "prompt_version": "p1",
        "generator": "extractive",
    }
    return AnswerRecord(answer_id, "C1", thread, ts, "U1", question, answer, at)


def test_a_key_is_claimed_once_until_released(any_url: str) -> None:
    store = Store(any_url)
    assert (store.claim("event:Ev1"), store.claim("event:Ev1")) == (True, False)
    store.release("event:Ev1")
    assert store.claim("event:Ev1") is True


def test_an_answer_round_trips_and_a_later_save_replaces_it(any_url: str) -> None:
    store = Store(any_url)
    store.save_answer(_record("a1", "Q1", "100.1", None, 1.0))
    store.save_answer(_record("a1", "Q1", "100.1", "100.2", 1.0))
    record = store.get_answer("a1")
    assert record is not None
    assert (record.thread_ts, record.message_ts, record.question) == ("100.1", "100.2", "Q1")
    assert record.citations()[0].quote == "quote"
    assert store.get_answer("nope") is None


def test_thread_context_is_the_thread_s_questions_oldest_first(any_url: str) -> None:
    store = Store(any_url)
    store.save_answer(_record("a1", "Q1", None, "200.1", 1.0))  # a top-level DM answer
    store.save_answer(_record("a2", "Q2", "200.1", "200.5", 2.0))  # a reply under it
    store.save_answer(_record("a3", "Other", "999.9", "999.8", 3.0))
    assert store.thread_questions("C1", "200.1") == ["Q1", "Q2"]
    assert store.thread_questions("C2", "200.1") == []


def test_a_second_vote_by_the_same_user_replaces_the_first(any_url: str) -> None:
    store = Store(any_url)
    record = _record("a1", "Q1", None, None, 0.0)
    store.add_feedback(record, "U5", 1)
    store.add_feedback(record, "U5", -1)
    store.add_feedback(record, "U6", 1)
    votes = sorted((f.user, f.vote) for f in store.list_feedback())
    assert votes == [("U5", -1), ("U6", 1)]
    assert store.list_feedback(limit=1)[0].user == "U6"  # newest first
    assert store.count_feedback() == 2


def test_health_names_the_backend_and_the_schema_revision(any_url: str) -> None:
    from bot.db.migrate import head_revision

    health = Store(any_url).health()
    assert health["backend"] == any_url.split(":")[0].split("+")[0]
    assert health["revision"] == head_revision()


_CLAIMER = """
import json, sys
from bot.slack.store import Store
store = Store(sys.argv[1])
sys.stdin.readline()  # start together
print(json.dumps([k for k in range(int(sys.argv[2])) if store.claim(f"event:{k}")]))
"""


def test_processes_racing_for_the_same_keys_claim_each_exactly_once(any_url: str) -> None:
    keys, processes = 200, 3
    Store(any_url)  # migrated once, so the racers only claim
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", _CLAIMER, any_url, str(keys)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    for racer in racers:
        assert racer.stdin is not None
        racer.stdin.write("go\n")
        racer.stdin.flush()
    won = [json.loads(racer.communicate(timeout=120)[0]) for racer in racers]
    claimed = sorted(k for keys_won in won for k in keys_won)
    assert claimed == list(range(keys)), "every key claimed by exactly one process"


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    with pytest.raises(ConfigError) as caught:
        Store("postgresql://chipbot:s3cret-pw@127.0.0.1:1/none")
    assert "cannot open the database" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)
