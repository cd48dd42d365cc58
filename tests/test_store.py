"""The Chroma vector store: records, cosine similarity, filters, ids, index metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from retrieval.errors import IndexMismatchError, MissingIndexError, UnknownNameError
from retrieval.models import ChunkRecord, SearchFilter
from retrieval.settings import Settings
from retrieval.store import (
    ChromaBackend,
    ChromaStore,
    filter_where,
    index_meta,
    open_backend,
)

PARAMS = {"chunker": "test", "max_chars": 700, "overlap": 1}


def record(
    article: str,
    no: int,
    text: str,
    date: dt.date | None = dt.date(2023, 1, 13),
    source: str | None = None,
    content_hash: str = "h1",
    n_chunks: int = 3,
) -> ChunkRecord:
    return ChunkRecord(
        article_id=article,
        chunk_no=no,
        start=no * 100,
        end=no * 100 + len(text),
        text=text,
        title=f"Title of {article}",
        date=date,
        path=f"/articles/{article}.txt",
        content_hash=content_hash,
        n_chunks=n_chunks,
        source=source,
        url=None if source is None else f"https://example.org/{article}",
    )


RECORDS = [
    record("japan", 0, "Japan agreed to restrict exports of chipmaking tools.", source="Reuters"),
    record(
        "japan", 1, "Tokyo will limit sales of lithography equipment to China.", source="Reuters"
    ),
    record("japan", 2, "The Japanese trade ministry published the new rules.", source="Reuters"),
    record("dutch", 0, "The Netherlands joins US curbs on ASML machines.", dt.date(2023, 3, 8)),
    record(
        "dutch", 1, "Dutch officials announced licensing for DUV scanners.", dt.date(2023, 3, 8)
    ),
    record("recipe", 0, "Bake the bread at two hundred degrees for an hour.", None, n_chunks=1),
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def store(settings: Settings, embedder: Any) -> ChromaStore:
    backend = ChromaBackend(settings)
    created = backend.create(settings.collection, index_meta(embedder.name, embedder.dim, PARAMS))
    created.upsert(RECORDS, embedder.embed_documents([r.text for r in RECORDS]))
    return created


def test_records_round_trip_with_their_metadata(store: ChromaStore) -> None:
    assert store.get([r.id for r in RECORDS]) == RECORDS


def test_get_keeps_the_order_asked_and_omits_missing_ids(store: ChromaStore) -> None:
    got = store.get(["dutch:1", "nope:0", "japan:0"])
    assert [r.id for r in got] == ["dutch:1", "japan:0"]


def test_undated_record_without_source_comes_back_with_none(store: ChromaStore) -> None:
    (recipe,) = store.get(["recipe:0"])
    assert recipe.date is None
    assert recipe.source is None
    assert recipe.url is None


def test_query_scores_are_cosine_similarities(store: ChromaStore, embedder: Any) -> None:
    query = embedder.embed_query("Which country restricted lithography tool exports?")
    docs = embedder.embed_documents([r.text for r in RECORDS])
    expected = {r.id: float(docs[i] @ query) for i, r in enumerate(RECORDS)}
    hits = store.query(query * 3.0, k=len(RECORDS))  # cosine ignores the query's length
    assert [r.id for r, _ in hits] == sorted(expected, key=lambda i: -expected[i])
    for rec, score in hits:
        assert score == pytest.approx(expected[rec.id], abs=1e-4)


def test_query_returns_the_most_similar_chunk_first(store: ChromaStore, embedder: Any) -> None:
    hits = store.query(embedder.embed_query("bread baking temperature"), k=2)
    assert hits[0][0].id == "recipe:0"


def test_date_filter_keeps_the_range_and_drops_undated(store: ChromaStore, embedder: Any) -> None:
    flt = SearchFilter(since=dt.date(2023, 3, 1), until=dt.date(2023, 3, 31))
    hits = store.query(embedder.embed_query("export controls"), k=10, flt=flt)
    assert {r.article_id for r, _ in hits} == {"dutch"}


def test_until_alone_excludes_undated_articles(store: ChromaStore, embedder: Any) -> None:
    hits = store.query(
        embedder.embed_query("bread"), k=10, flt=SearchFilter(until=dt.date(2024, 1, 1))
    )
    assert "recipe" not in {r.article_id for r, _ in hits}
    assert len(hits) == 5


def test_source_filter_keeps_only_that_source(store: ChromaStore, embedder: Any) -> None:
    hits = store.query(embedder.embed_query("exports"), k=10, flt=SearchFilter(source="Reuters"))
    assert {r.article_id for r, _ in hits} == {"japan"}


def test_combined_filters_become_one_and_clause() -> None:
    where = filter_where(SearchFilter(since=dt.date(2023, 1, 1), source="FT"))
    assert where == {"$and": [{"date_ord": {"$gte": 20230101}}, {"source": {"$eq": "FT"}}]}
    assert filter_where(SearchFilter()) is None


def test_upserting_the_same_ids_again_never_duplicates(store: ChromaStore, embedder: Any) -> None:
    store.upsert(RECORDS, embedder.embed_documents([r.text for r in RECORDS]))
    assert store.count() == len(RECORDS)


def test_heads_are_the_chunk_zero_records(store: ChromaStore) -> None:
    heads = store.heads()
    assert sorted(heads) == ["dutch", "japan", "recipe"]
    assert all(h.chunk_no == 0 for h in heads.values())


def test_delete_tails_removes_chunks_from_that_number_on(store: ChromaStore) -> None:
    store.delete_tails({"japan": 1, "dutch": 0})
    assert sorted(r.id for r in store.scan()) == ["japan:0", "recipe:0"]


def test_scan_pages_through_every_record(store: ChromaStore) -> None:
    assert sorted(r.id for r in store.scan(batch_size=2)) == sorted(r.id for r in RECORDS)


def test_chunks_of_lists_an_article_in_chunk_order(store: ChromaStore) -> None:
    assert [r.chunk_no for r in store.chunks_of("japan")] == [0, 1, 2]


def test_index_metadata_is_recorded_and_updatable(store: ChromaStore, embedder: Any) -> None:
    info = store.info()
    assert (info["model"], info["dim"], info["chunk_params"]) == (embedder.name, 384, PARAMS)
    store.set_info(generation="g2")
    assert store.info()["generation"] == "g2"
    assert store.info()["chunk_params"] == PARAMS


def test_metadata_updates_keep_the_cosine_space(store: ChromaStore, embedder: Any) -> None:
    store.set_info(generation="g3")
    query = embedder.embed_query("Dutch scanners")
    (rec, score), *_ = store.query(query, k=1)
    vec = embedder.embed_documents([rec.text])[0]
    assert score == pytest.approx(float(vec @ query), abs=1e-4)


def test_active_collection_defaults_to_the_configured_name(settings: Settings) -> None:
    backend = ChromaBackend(settings)
    assert backend.active_name() is None
    backend.create(settings.collection, index_meta("m", 3, PARAMS))
    assert backend.active_name() == settings.collection


def test_activate_switches_the_active_collection(settings: Settings) -> None:
    backend = ChromaBackend(settings)
    backend.create(settings.collection, index_meta("m", 3, PARAMS))
    backend.create("chipbot-other", index_meta("m", 3, PARAMS))
    backend.activate("chipbot-other")
    assert ChromaBackend(settings).active_name() == "chipbot-other"


def test_unknown_vector_backend_is_a_config_error(settings: Settings) -> None:
    with pytest.raises(UnknownNameError, match="chroma"):
        open_backend(settings.with_overrides(vector_backend="pinecone"))


def test_opening_a_missing_index_says_how_to_create_one(settings: Settings) -> None:
    from retrieval.index import Index

    with pytest.raises(MissingIndexError, match="chipbot ingest"):
        Index.open(settings)
    assert not Index.exists(settings)


def test_opening_an_index_built_with_another_model_is_a_mismatch(settings: Settings) -> None:
    from retrieval.index import Index, expected_chunk_params

    ChromaBackend(settings).create(
        settings.collection, index_meta("other-model", 384, expected_chunk_params(settings))
    )
    with pytest.raises(IndexMismatchError, match=r"other-model.*--rebuild"):
        Index.open(settings)


def test_opening_an_index_with_other_chunking_is_a_mismatch(settings: Settings) -> None:
    from retrieval.index import Index

    Index.open(settings.with_overrides(chunk_chars=700), create=True).close()
    with pytest.raises(IndexMismatchError, match=r"max_chars=700.*max_chars=900"):
        Index.open(settings.with_overrides(chunk_chars=900))


def test_unreachable_chroma_server_is_a_one_line_error(settings: Settings) -> None:
    from retrieval.errors import ChipbotError

    with pytest.raises(ChipbotError, match=r"http://127\.0\.0\.1:9.*CHIPBOT_CHROMA_URL"):
        open_backend(settings.with_overrides(chroma_url="http://127.0.0.1:9")).active_name()
