"""The SQLite store: dedupe across processes, answers by id, thread history, feedback."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bot.slack.store import AnswerRecord, Store, citation_from_dict
from retrieval.models import Citation

ROOT = Path(__file__).resolve().parents[2]


def _record(
    answer_id: str, question: str, thread: str | None, ts: str | None, at: float
) -> AnswerRecord:
    citation = Citation(1, "a1", "T", None, "a1.txt", 0, 5, "quote")
    return AnswerRecord(
        answer_id,
        "C1",
        thread,
        ts,
        "U1",
        question,
        {
            "answer": "A [1]",
            "citations": [citation.to_dict()],
            "prompt_version": "p1",
            "generator": "extractive",
        },
        at,
    )


def test_a_key_is_claimed_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    assert store.claim("event:Ev1") is True
    assert store.claim("event:Ev1") is False
    store.release("event:Ev1")
    assert store.claim("event:Ev1") is True


def test_a_key_claimed_in_another_process_is_not_claimed_again(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    Store(path)
    code = f"from bot.slack.store import Store; print(Store({str(path)!r}).claim('event:EvX'))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True"
    assert Store(path).claim("event:EvX") is False


def test_an_answer_is_found_by_id_with_its_citations(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    store.save_answer(_record("a1", "Q1", "100.1", "100.2", 1.0))
    record = store.get_answer("a1")
    assert record is not None
    assert record.citations() == [Citation(1, "a1", "T", None, "a1.txt", 0, 5, "quote")]
    assert store.get_answer("nope") is None


def test_thread_history_matches_the_root_or_the_bots_answer(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    store.save_answer(_record("a1", "Q1", None, "200.1", 1.0))  # a top-level DM answer
    store.save_answer(_record("a2", "Q2", "200.1", "200.5", 2.0))  # a reply under it
    store.save_answer(_record("a3", "Other", "999.9", "999.8", 3.0))
    assert store.thread_questions("C1", "200.1") == ["Q1", "Q2"]
    assert store.thread_questions("C2", "200.1") == []


def test_feedback_keeps_question_answer_citations_and_prompt_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    record = _record("a1", "Q1", None, "1.1", time.time())
    store.add_feedback(record, "U5", -1)
    [fb] = store.list_feedback()
    assert (fb.vote, fb.user, fb.channel, fb.question, fb.answer) == (-1, "U5", "C1", "Q1", "A [1]")
    assert fb.prompt_version == "p1"
    assert [citation_from_dict(c).quote for c in fb.citations] == ["quote"]
    assert fb.to_dict()["time"].endswith("+00:00")


def test_feedback_is_listed_newest_first_and_limited(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    for i in range(3):
        store.add_feedback(_record(f"a{i}", f"Q{i}", None, None, 0.0), "U1", 1)
        time.sleep(0.01)
    assert [f.question for f in store.list_feedback(limit=2)] == ["Q2", "Q1"]
