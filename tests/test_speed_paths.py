"""What the query path pays for: behaviour behind the speed targets (nothing is timed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedding import Embedder
from retrieval.engine import Chipbot
from retrieval.lexical import LexicalIndex
from retrieval.settings import Settings
from retrieval.text import tokenize

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Has Japan agreed to match the US export controls?"
HEAVY = (
    "torch",
    "sentence_transformers",
    "transformers",
    "langchain",
    "langchain_core",
    "bm25s",
    "scipy",
)

# Runs `chipbot ask` in-process (as the console script does), then reports what it imported.
_ASK_THEN_LIST_MODULES = """
import json, sys
from bot.cli import main
try:
    main(["ask", "--json", sys.argv[1]])
except SystemExit as exc:
    if exc.code:
        raise
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.argv[2])))
print(json.dumps(heavy))
"""


@pytest.mark.slow
def test_the_ask_path_imports_no_model_framework_and_no_bm25_library(
    seed_settings: Settings,
) -> None:
    env = {
        **os.environ,
        "CHIPBOT_DATA_DIR": str(seed_settings.data_dir),
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", _ASK_THEN_LIST_MODULES, QUESTION, json.dumps(HEAVY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert json.loads(lines[0])["citations"], "the question was answered"
    assert json.loads(lines[-1]) == []


def test_questions_reuse_the_loaded_bm25_index(engine: Chipbot) -> None:
    first = engine.index.lexical()
    version = (engine.index.lexical_path / "CURRENT").read_text()
    for question in (QUESTION, "Who is Kurt Campbell?", "What did the Netherlands agree to?"):
        engine.ask(question)
    assert engine.index.lexical() is first
    assert (engine.index.lexical_path / "CURRENT").read_text() == version


def test_a_new_engine_loads_the_saved_bm25_index_instead_of_rebuilding_it(
    seed_settings: Settings,
    embedder: Embedder,
) -> None:
    lexical_path = Chipbot(seed_settings, embedder=embedder).index.lexical_path
    version = (lexical_path / "CURRENT").read_text()
    Chipbot(seed_settings, embedder=embedder).ask(QUESTION)
    assert (lexical_path / "CURRENT").read_text() == version


def test_numpy_bm25_scores_equal_the_bm25s_library_scores(engine: Chipbot) -> None:
    import bm25s

    lexical: LexicalIndex = engine.index.lexical()
    reference = bm25s.BM25.load(str(lexical._folder / "bm25"), mmap=True)
    questions = [
        json.loads(line)["question"]
        for line in (ROOT / "eval" / "seeds_gold.jsonl").read_text().splitlines()
    ]
    compared = 0
    for question in questions:
        ids = reference.get_tokens_ids(tokenize(question))
        assert lexical._bm25 is not None
        assert lexical._bm25.get_tokens_ids(tokenize(question)) == ids
        if ids:
            expected = reference.get_scores_from_ids(ids)
            got = lexical._bm25.get_scores_from_ids(ids)
            assert got.dtype == expected.dtype
            np.testing.assert_array_equal(got, expected)
            compared += 1
    assert compared > len(questions) // 2


def test_asking_opens_the_vector_store_once(
    seed_settings: Settings,
    embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from retrieval import store

    opened: list[object] = []
    real_connect = store.connect

    def counting_connect(settings):  # type: ignore[no-untyped-def]
        opened.append(settings)
        return real_connect(settings)

    monkeypatch.setattr(store, "connect", counting_connect)
    bot = Chipbot(seed_settings, embedder=embedder)
    bot.ensure_index()
    bot.ask(QUESTION)
    bot.ask("Who is Kurt Campbell?")
    assert len(opened) == 1


def test_dense_hits_of_an_unfinished_article_stay_hidden_once_bm25_is_loaded(
    engine: Chipbot,
) -> None:
    from dataclasses import replace

    engine.ask(QUESTION)  # loads the BM25 index: the committed check now uses its ids
    [head] = [h for h in engine.index.store.heads().values() if "35dad6" in h.article_id]
    stray = replace(head, chunk_no=head.n_chunks + 5, content_hash="not-committed")
    vector = engine.embedder.embed_query(stray.text)
    engine.index.store.upsert([stray], vector[None, :])
    hits = engine.index.dense_search(vector, 5)
    assert stray.id not in {record.id for record, _ in hits}


def test_dense_search_reads_records_from_the_saved_bm25_files_with_the_same_result(
    seed_settings: Settings, embedder: Embedder
) -> None:
    import shutil

    vector = embedder.embed_query(QUESTION)
    bot = Chipbot(seed_settings, embedder=embedder)
    from_bm25_files = bot.index.dense_search(vector, 10)
    shutil.rmtree(bot.index.lexical_path)  # no saved BM25: records come from the store
    from_store = Chipbot(seed_settings, embedder=embedder).index.dense_search(vector, 10)
    assert [r for r, _ in from_bm25_files] == [r for r, _ in from_store]
    assert [s for _, s in from_bm25_files] == pytest.approx([s for _, s in from_store])
    assert len(from_store) == 10
