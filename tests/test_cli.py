"""The `chipbot` command end to end on the seeds (click's CliRunner, real index)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main

pytestmark = pytest.mark.slow

ANSWER_KEYS = {"question", "answer", "abstained", "citations", "timings_ms"}
CITATION_KEYS = {"n", "article_id", "title", "date", "path", "start", "end", "quote"}


@pytest.fixture
def run(seed_settings):  # type: ignore[no-untyped-def]
    """Invoke chipbot with the data dir of a private copy of the seed index."""

    def invoke(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
        runner = CliRunner()
        return runner.invoke(
            main, [*args[:1], "--data-dir", str(seed_settings.data_dir), *args[1:]], input=stdin
        )

    return invoke


def _verify(citation: dict) -> None:  # type: ignore[type-arg]
    with open(citation["path"], encoding="utf-8") as handle:
        text = handle.read()
    assert text[citation["start"] : citation["end"]] == citation["quote"]


def test_ask_json_prints_the_documented_schema_with_verifiable_citations(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "--json", "Who is Japan's ambassador to the United States?")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= ANSWER_KEYS
    assert data["citations"]
    for citation in data["citations"]:
        assert set(citation) >= CITATION_KEYS
        _verify(citation)
    assert "Koji Tomita" in data["answer"]


def test_ask_prints_the_answer_then_numbered_sources(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "Which Dutch company makes chip-making tools?")
    assert result.exit_code == 0, result.output
    assert "ASML" in result.output
    assert "Sources" in result.output
    assert "[1]" in result.output


def test_show_n_shows_the_cited_span_in_its_article(run) -> None:  # type: ignore[no-untyped-def]
    asked = run("ask", "--json", "Who is Daniel Russel?")
    quote = json.loads(asked.output)["citations"][0]["quote"]
    shown = run("show", "1")
    assert shown.exit_code == 0, shown.output
    assert " ".join(quote.split())[:60] in " ".join(shown.output.split())


def test_show_accepts_the_json_reference_form(run) -> None:  # type: ignore[no-untyped-def]
    asked = json.loads(run("ask", "--json", "Who is Daniel Russel?").output)
    c = asked["citations"][0]
    shown = run("show", "--json", f"{c['article_id']}:{c['start']}-{c['end']}")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["quote"] == c["quote"]


def test_show_of_a_missing_citation_is_a_one_line_error(run) -> None:  # type: ignore[no-untyped-def]
    run("ask", "Who is Daniel Russel?")
    result = run("show", "42")
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: the last answer has no citation 42")
    assert "Traceback" not in result.output


def test_show_before_any_answer_says_to_ask_first(run) -> None:  # type: ignore[no-untyped-def]
    result = run("show", "1")
    assert result.exit_code == 1
    assert "no earlier answer" in result.output


@pytest.mark.parametrize("question", ["", "   "])
def test_an_empty_question_is_a_usage_error(run, question: str) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", question)
    assert result.exit_code == 2
    assert "empty" in result.output


def test_an_overlong_question_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "why " * 600)
    assert result.exit_code == 2
    assert "limit is 2,000" in result.output


def test_questions_from_a_file_give_one_json_line_each(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    questions = tmp_path / "q.txt"
    questions.write_text("Who is Daniel Russel?\n\nWhat is Kurt Campbell's role?\n", "utf-8")
    result = run("ask", "--json", "--file", str(questions))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["question"] for line in lines] == [
        "Who is Daniel Russel?",
        "What is Kurt Campbell's role?",
    ]


def test_questions_on_stdin_report_a_bad_line_and_go_on(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "--json", stdin="Who is Daniel Russel?\n" + "x" * 2100 + "\n")
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines[0]["citations"]
    assert "limit" in lines[1]["error"]


def test_since_after_until_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "--since", "2023-02-01", "--until", "2023-01-01", "x?")
    assert result.exit_code == 2


def test_docs_lists_both_seed_articles(run) -> None:  # type: ignore[no-untyped-def]
    result = run("docs", "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["id"], r["date"]) for r in rows] == [
        ("000_35dad6a91730d5a0", "2023-01-13"),
        ("004_14cfe8a582b153d6", "2023-01-19"),
    ]


def test_status_checks_that_everything_loads(run) -> None:  # type: ignore[no-untyped-def]
    result = run("status", "--json")
    assert result.exit_code == 0, result.output
    checks = json.loads(result.output)["checks"]
    assert all(v.startswith("ok") for v in checks.values()), checks


def test_ingest_reports_each_skipped_file_and_keeps_going(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text("date 2023-02-01 Japan and the Netherlands agreed.", "utf-8")
    (folder / "empty.txt").write_text("", "utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 10)
    (folder / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    result = run("ingest", str(folder))
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    for reason in ("empty", "binary", "UTF-8"):
        assert reason in result.output


def test_ingest_of_a_named_file_that_cannot_be_indexed_fails(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\x00\x01\x02" * 10)
    good = tmp_path / "good.txt"
    good.write_text("date 2023-02-01 Japan and the Netherlands agreed.", "utf-8")
    result = run("ingest", str(good), str(binary))
    assert result.exit_code == 1
    assert "1 added" in result.output  # the good file is indexed all the same
    assert "could not index what was named" in result.output
    assert "binary" in result.output
    assert "Traceback" not in result.output


def test_ingest_of_a_missing_path_is_a_usage_error(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("ingest", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_a_mismatched_index_says_to_rebuild(run, tmp_path: Path, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("ingest", "--chunk-chars", "300", str(seeds_dir))
    assert result.exit_code == 1
    assert "chipbot ingest --rebuild" in result.output
    assert "Traceback" not in result.output


def test_python_dash_m_bot_is_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    for command in ("ask", "show", "chat", "docs", "status", "ingest", "eval"):
        assert command in result.stdout


def test_chat_answers_and_shows_a_source(run) -> None:  # type: ignore[no-untyped-def]
    result = run("chat", stdin="Who is Daniel Russel?\nshow 1\nquit\n")
    assert result.exit_code == 0, result.output
    assert "diplomat" in result.output


def test_chat_answers_a_followup_in_context(run) -> None:  # type: ignore[no-untyped-def]
    result = run("chat", stdin="What has Japan agreed to?\nAnd the Netherlands?\nquit\n")
    assert result.exit_code == 0, result.output
    assert "Read as: What has the Netherlands agreed to?" in result.output


def test_eval_runs_the_gold_set_and_enforces_minimums(run) -> None:  # type: ignore[no-untyped-def]
    gold = Path(__file__).resolve().parent.parent / "eval" / "seeds_gold.jsonl"
    result = run("eval", "--json", "--min-citation-precision", "0.9", str(gold))
    data = json.loads(result.output)
    assert data["overall"]["n"] >= 40
    assert result.exit_code == (1 if data["failed"] else 0)


def test_a_first_answer_indexes_the_seeds_without_progress_bars(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "ask",
            "--data-dir",
            str(tmp_path / "data"),
            "Has Japan agreed?",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "Indexed: 2 added" in result.stderr
    assert "it/s" not in result.stderr
    assert "Loading weights" not in result.stderr
