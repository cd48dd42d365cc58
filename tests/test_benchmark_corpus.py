"""The scale benchmark's generated corpus reads like dated articles chipbot can index."""

from __future__ import annotations

from pathlib import Path

from benchmarks.corpus import articles_for, write_corpus
from retrieval.chunking import chunk_article
from retrieval.parsing import parse_file


def test_generated_articles_are_dated_article_sized_and_deterministic(tmp_path: Path) -> None:
    first = write_corpus(tmp_path / "a", 5)
    again = write_corpus(tmp_path / "b", 5)
    assert [p.read_text() for p in first] == [p.read_text() for p in again]
    for path in first:
        article = parse_file(path, max_bytes=1_000_000)
        assert article.date is not None
        assert 2_000 < len(path.read_text()) < 20_000


def test_articles_for_a_passage_count_give_about_that_many_chunks(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path, articles_for(1_000))
    chunks = sum(
        len(chunk_article(parse_file(p, max_bytes=1_000_000), max_chars=350, overlap=1))
        for p in paths
    )
    assert 800 <= chunks <= 1_200
