"""The persisted BM25 index: search, filters, persistence, staleness, atomic writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from retrieval import lexical
from retrieval.index import Index
from retrieval.lexical import LexicalIndex, fresh_lexical, lexical_dir
from retrieval.models import ChunkRecord, SearchFilter
from retrieval.settings import Settings
from retrieval.store import ChromaBackend, index_meta


def record(
    article: str, no: int, text: str, date: dt.date | None, source: str | None = None
) -> ChunkRecord:
    return ChunkRecord(
        article_id=article,
        chunk_no=no,
        start=0,
        end=len(text),
        text=text,
        title=article.title(),
        date=date,
        path=f"/a/{article}.txt",
        content_hash=f"hash-{article}",
        n_chunks=2,
        source=source,
    )


RECORDS = [
    record("japan", 0, "Japan restricts exports of lithography tools.", dt.date(2023, 1, 13), "FT"),
    record(
        "japan", 1, "Tokyo talks with Washington continued for months.", dt.date(2023, 1, 13), "FT"
    ),
    record(
        "dutch", 0, "The Netherlands curbs ASML lithography scanner exports.", dt.date(2023, 3, 8)
    ),
    record(
        "dutch", 1, "Dutch ministers met in The Hague about export licences.", dt.date(2023, 3, 8)
    ),
    record("notes", 0, "Lithography lithography lithography glossary entry.", None),
]


@pytest.fixture
def built(tmp_path: Path) -> LexicalIndex:
    return LexicalIndex.build(RECORDS, tmp_path / "lex", generation="g1")


def test_search_ranks_matching_chunks_and_drops_zero_scores(built: LexicalIndex) -> None:
    hits = built.search("lithography", k=10)
    assert {i for i, _ in hits} == {"japan:0", "dutch:0", "notes:0"}
    assert hits[0][0] == "notes:0"  # the highest term frequency
    assert all(score > 0 for _, score in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_query_is_analyzed_like_the_corpus(built: LexicalIndex) -> None:
    assert built.search("EXPORTING the scanners", k=1)[0][0] == "dutch:0"


def test_query_without_known_words_finds_nothing(built: LexicalIndex) -> None:
    assert built.search("zebra quokka", k=5) == []
    assert built.search("", k=5) == []


def test_k_limits_the_number_of_hits(built: LexicalIndex) -> None:
    assert len(built.search("lithography", k=2)) == 2


def test_date_filter_applies_and_excludes_undated(built: LexicalIndex) -> None:
    flt = SearchFilter(since=dt.date(2023, 3, 1))
    assert [i for i, _ in built.search("lithography", k=10, flt=flt)] == ["dutch:0"]


def test_until_filter_excludes_later_and_undated(built: LexicalIndex) -> None:
    flt = SearchFilter(until=dt.date(2023, 2, 1))
    assert [i for i, _ in built.search("lithography", k=10, flt=flt)] == ["japan:0"]


def test_source_filter_applies(built: LexicalIndex) -> None:
    assert [i for i, _ in built.search("lithography", k=10, flt=SearchFilter(source="FT"))] == [
        "japan:0"
    ]
    assert built.search("lithography", k=10, flt=SearchFilter(source="Nikkei")) == []


def test_hits_come_with_their_records(built: LexicalIndex) -> None:
    (rec, _), *_ = built.search_records("Hague licences", k=1)
    assert rec == RECORDS[3]


def test_saved_index_loads_without_retokenizing_the_corpus(
    built: LexicalIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = built.search("lithography", k=10)
    calls: list[str] = []
    real = lexical.tokenize

    def counting(text: str) -> list[str]:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(lexical, "tokenize", counting)
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert loaded is not None
    assert loaded.generation == "g1"
    assert loaded.search("lithography", k=10) == expected
    assert calls == ["lithography"]  # the query only


def test_missing_index_loads_as_none(tmp_path: Path) -> None:
    assert LexicalIndex.load(tmp_path / "nothing") is None


def test_empty_corpus_builds_an_index_that_finds_nothing(tmp_path: Path) -> None:
    index = LexicalIndex.build([], tmp_path / "lex", generation="g0")
    assert index.search("anything", k=3) == []


def test_a_failed_build_leaves_the_previous_index_intact(
    built: LexicalIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(records: Any) -> Any:
        yield RECORDS[0]
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        LexicalIndex.build(broken(RECORDS), tmp_path / "lex", generation="g2")
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert loaded is not None
    assert loaded.generation == "g1"
    assert len(loaded.search("lithography", k=10)) == 3
    assert len([p for p in (tmp_path / "lex").iterdir() if p.is_dir()]) == 1


def test_rebuilding_replaces_the_published_version(built: LexicalIndex, tmp_path: Path) -> None:
    LexicalIndex.build(RECORDS[:2], tmp_path / "lex", generation="g2")
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert loaded is not None
    assert (loaded.generation, len(loaded)) == ("g2", 2)
    assert len([p for p in (tmp_path / "lex").iterdir() if p.is_dir()]) == 1


def test_a_loaded_index_keeps_answering_after_a_newer_build_deletes_its_files(
    built: LexicalIndex, tmp_path: Path
) -> None:
    LexicalIndex.build(RECORDS[:1], tmp_path / "lex", generation="g2")
    assert [r.id for r, _ in built.search_records("Hague", k=1)] == ["dutch:1"]


@pytest.fixture
def store_settings(tmp_path: Path, embedder: Any) -> Settings:
    """A store holding RECORDS (heads committed), without any BM25 index yet."""
    from retrieval.index import expected_chunk_params

    settings = Settings(data_dir=tmp_path / "data")
    store = ChromaBackend(settings).create(
        settings.collection,
        index_meta(embedder.name, embedder.dim, expected_chunk_params(settings)),
    )
    store.upsert(RECORDS, embedder.embed_documents([r.text for r in RECORDS]))
    return settings


def test_index_builds_the_lexical_index_on_first_search(store_settings: Settings) -> None:
    index = Index.open(store_settings)
    assert not (lexical_dir(store_settings.data_dir, index.store.name) / "CURRENT").exists()
    hits = index.lexical_search("Hague", k=3)
    assert [r.id for r, _ in hits] == ["dutch:1"]
    assert (lexical_dir(store_settings.data_dir, index.store.name) / "CURRENT").exists()


def test_stale_lexical_index_is_rebuilt_from_the_store(
    store_settings: Settings, embedder: Any
) -> None:
    index = Index.open(store_settings)
    assert index.lexical_search("semiconductor", k=3) == []
    extra = replace(
        record("korea", 0, "Seoul weighs semiconductor export rules.", dt.date(2023, 4, 1)),
        n_chunks=1,
    )
    index.store.upsert([extra], embedder.embed_documents([extra.text]))
    index.store.set_info(generation="after-korea")
    assert [r.id for r, _ in index.lexical_search("semiconductor", k=3)] == ["korea:0"]
    reloaded = LexicalIndex.load(lexical_dir(store_settings.data_dir, index.store.name))
    assert reloaded is not None
    assert reloaded.generation == "after-korea"


def test_uncommitted_chunks_are_left_out_of_the_lexical_index(
    store_settings: Settings, embedder: Any
) -> None:
    index = Index.open(store_settings)
    # A chunk of a newer version whose head (chunk 0) was never written: an unfinished ingest.
    orphan = replace(RECORDS[1], text="Zanzibar", content_hash="v2")
    index.store.upsert([orphan], embedder.embed_documents([orphan.text]))
    index.store.set_info(generation="g-orphan")
    assert index.lexical_search("Zanzibar", k=3) == []


def test_fresh_lexical_reuses_an_up_to_date_index(store_settings: Settings) -> None:
    index = Index.open(store_settings)
    directory = lexical_dir(store_settings.data_dir, index.store.name)
    first = fresh_lexical(index.store, directory)
    assert fresh_lexical(index.store, directory, first) is first
