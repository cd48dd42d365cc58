"""Sentence vectors are encoded once: at ingest, or at the first question needing them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from retrieval.sentence_vectors import (
    FILE_NAME,
    CachedEmbedder,
    SentenceVectorCache,
    open_cache,
    record_sentences,
)


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to encode."""

    def __init__(self, embedder) -> None:  # type: ignore[no-untyped-def]
        self.embedder = embedder
        self.name = embedder.name
        self.dim = embedder.dim
        self.encoded: list[str] = []

    def embed_query(self, text: str):  # type: ignore[no-untyped-def]
        return self.embedder.embed_query(text)

    def embed_documents(self, texts, batch_size: int = 64):  # type: ignore[no-untyped-def]
        self.encoded += list(texts)
        return self.embedder.embed_documents(texts, batch_size=batch_size)


def test_a_cached_vector_is_the_vector_the_embedder_gives(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    cached = CachedEmbedder(embedder, SentenceVectorCache(tmp_path / "v.sqlite", "m"))
    texts = ["Tokyo Electron relies on China.", "Rutte travelled to Washington."]
    first = cached.embed_documents(texts)
    again = cached.embed_documents(list(reversed(texts)))
    assert np.allclose(first, embedder.embed_documents(texts), atol=1e-6)
    assert np.allclose(again[::-1], first)


def test_only_sentences_not_seen_before_are_encoded(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    counting = CountingEmbedder(embedder)
    cached = CachedEmbedder(counting, SentenceVectorCache(tmp_path / "v.sqlite", "m"))
    cached.embed_documents(["one sentence.", "two sentences."])
    cached.embed_documents(["two sentences.", "three sentences.", "three sentences."])
    assert counting.encoded == ["one sentence.", "two sentences.", "three sentences."]


def test_vectors_survive_the_process_in_the_data_dir(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    CachedEmbedder(embedder, open_cache(tmp_path, "m")).embed_documents(["kept."])
    assert (tmp_path / FILE_NAME).is_file()
    assert set(open_cache(tmp_path, "m").get_many(["kept.", "not kept."])) == {"kept."}


def test_vectors_of_another_model_are_not_reused(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    CachedEmbedder(embedder, open_cache(tmp_path, "model-a")).embed_documents(["kept."])
    assert open_cache(tmp_path, "model-b").get_many(["kept."]) == {}


def test_an_unreadable_cache_costs_speed_not_the_answer(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / FILE_NAME
    broken.write_bytes(b"this is not a database" * 100)
    vectors = CachedEmbedder(embedder, open_cache(tmp_path, "m")).embed_documents(["still."])
    assert vectors.shape == (1, embedder.dim)


def test_ingest_stores_the_vector_of_every_sentence_the_reader_will_see(seed_settings) -> None:  # type: ignore[no-untyped-def]
    from retrieval.index import Index

    with Index.open(seed_settings) as index:
        records = [r for a in index.articles() for r in index.chunks_of(a.id)]
    sentences = record_sentences(records)
    stored = open_cache(seed_settings.data_dir, seed_settings.embedding_model).get_many(sentences)
    assert sentences
    assert set(stored) == set(sentences)
