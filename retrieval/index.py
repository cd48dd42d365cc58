"""The index facade the rest of chipbot uses: dense + lexical search over committed chunks.

Only *committed* chunks are ever returned: a chunk counts when its article's chunk 0
(written last by ingest) carries the same content hash, so an ingest killed half-way
never mixes two versions of an article into an answer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.errors import CitationError, IndexMismatchError, MissingIndexError
from retrieval.lexical import LexicalIndex, fresh_lexical, lexical_dir
from retrieval.models import ArticleInfo, ChunkRecord, SearchFilter, chunk_id
from retrieval.settings import Settings
from retrieval.store import (
    VectorBackend,
    VectorStore,
    index_meta,
    is_committed,
    open_backend,
)

logger = logging.getLogger(__name__)

_MAX_REFETCH = 3


def expected_chunk_params(settings: Settings) -> dict[str, Any]:
    """The chunk parameters an index built with ``settings`` records."""
    from retrieval.chunking import chunk_params

    return dict(chunk_params(settings.chunk_chars, settings.chunk_overlap))


def _describe(model: Any, params: Any) -> str:
    if isinstance(params, dict):
        shown = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
    else:
        shown = str(params)
    return f"{model} (chunks: {shown})"


def check_compatible(
    info: dict[str, Any], model: str, chunk_params: dict[str, Any], dim: int | None = None
) -> None:
    """Raise :class:`IndexMismatchError` when the index was built with other settings.

    A recorded dim of 0 means "not known yet" (an index created before any ingest).
    """
    built_dim = int(info.get("dim") or 0)
    same = (
        info.get("model") == model
        and info.get("chunk_params") == chunk_params
        and (dim is None or built_dim in (0, dim))
    )
    if not same:
        built = _describe(info.get("model"), info.get("chunk_params"))
        raise IndexMismatchError(
            f"the index was built with embedding model {built}; "
            f"you asked for {_describe(model, chunk_params)}. "
            "Run `chipbot ingest --rebuild` to rebuild it."
        )


def article_info(head: ChunkRecord) -> ArticleInfo:
    """The listing entry of the article whose chunk 0 is ``head``."""
    return ArticleInfo(
        id=head.article_id,
        title=head.title,
        date=head.date,
        path=head.path,
        content_hash=head.content_hash,
        n_chunks=head.n_chunks,
        source=head.source,
        url=head.url,
        snapshot=head.snapshot,
    )


def _missing(backend: VectorBackend) -> MissingIndexError:
    return MissingIndexError(
        f"no index in {backend.location}; run `chipbot ingest PATH` "
        "(or just `chipbot ask`, which indexes the shipped seeds)"
    )


def _connect(settings: Settings, *, create: bool) -> tuple[VectorBackend, VectorStore]:
    """The backend and its active store, checked against ``settings``."""
    backend = open_backend(settings)
    try:
        name = backend.active_name()
        params = expected_chunk_params(settings)
        if name is None:
            if not create:
                raise _missing(backend)
            meta = index_meta(settings.embedding_model, 0, params)
            return backend, backend.create(settings.collection, meta)
        store = backend.open(name)
        check_compatible(store.info(), settings.embedding_model, params)
        return backend, store
    except BaseException:
        backend.close()
        raise


class Index:
    """An opened index: one active vector collection plus its BM25 index.

    Searches first check (cheaply) whether another process changed the index: a new
    active collection (a rebuild) or a new generation (an ingest). Either makes the index
    reconnect, because Chroma's local client keeps a per-process cache of the vectors
    that never sees other processes' writes. Thread-safe: one lock guards the swap.
    """

    def __init__(self, settings: Settings, backend: VectorBackend, store: VectorStore) -> None:
        self.settings = settings
        self.backend = backend
        self.store = store
        self._lexical: LexicalIndex | None = None
        self._generation = str(store.info().get("generation", ""))
        self._lock = threading.RLock()

    @classmethod
    def open(cls, settings: Settings, *, create: bool = False) -> Index:
        """Open the active index (creating an empty one when ``create``).

        Raises :class:`MissingIndexError` when there is none and ``create`` is false, and
        :class:`IndexMismatchError` when it was built with another model or chunking.
        """
        return cls(settings, *_connect(settings, create=create))

    def close(self) -> None:
        """Release the vector-store connection (also done when it is garbage-collected)."""
        self.backend.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _using(self) -> Iterator[VectorStore]:
        """The up-to-date store, held under the lock (a reconnect closes the old client)."""
        with self._lock:
            self._sync()
            yield self.store

    def _sync(self) -> None:
        """Reconnect when another process rebuilt or changed the index since we looked."""
        name, info = self.backend.state()
        if name == self.store.name and str(info.get("generation", "")) == self._generation:
            return
        logger.info("the index changed on disk; reconnecting")
        self.backend.close()
        self.backend, self.store = _connect(self.settings, create=False)
        self._generation = str(self.store.info().get("generation", ""))
        self._lexical = None

    @staticmethod
    def exists(settings: Settings) -> bool:
        """True when an index (an active collection) exists for ``settings``."""
        backend = open_backend(settings)
        try:
            return backend.active_name() is not None
        finally:
            backend.close()

    @property
    def lexical_path(self) -> Path:
        """Where this index's BM25 files live."""
        return lexical_dir(self.settings.data_dir, self.store.name)

    def _committed(self, hits: list[tuple[ChunkRecord, float]]) -> list[tuple[ChunkRecord, float]]:
        if not hits:
            return hits
        heads = {
            r.article_id: r
            for r in self.store.get(list(dict.fromkeys(chunk_id(h.article_id, 0) for h, _ in hits)))
        }
        return [(r, s) for r, s in hits if is_committed(r, heads.get(r.article_id))]

    def dense_search(
        self, vector: np.ndarray, k: int, flt: SearchFilter | None = None
    ) -> list[tuple[ChunkRecord, float]]:
        """The ``k`` nearest committed chunks as (record, cosine similarity), best first."""
        with self._using() as store:
            lexical = self._saved_lexical()
            fetch = k
            for _ in range(_MAX_REFETCH):
                if lexical is not None:
                    # The BM25 files hold exactly this generation's committed records:
                    # read them there instead of asking the store for text and metadata.
                    ids = store.query_ids(vector, fetch, flt)
                    found = ((lexical.record(i), s) for i, s in ids)
                    hits = [(r, s) for r, s in found if r is not None]
                    got = len(ids)
                else:
                    raw = store.query(vector, fetch, flt)
                    hits = self._committed(raw)
                    got = len(raw)
                if len(hits) >= k or got < fetch:
                    break
                fetch = fetch * 2 + 10  # some hits were uncommitted leftovers: look further
            return hits[:k]

    def _saved_lexical(self) -> LexicalIndex | None:
        """The BM25 index of the current generation if loaded or saved (never a rebuild)."""
        current = self._lexical
        if current is None or current.generation != self._generation:
            saved = LexicalIndex.load(self.lexical_path, self._generation)
            if saved is None:
                return None
            current = self._lexical = saved
        return current

    def lexical(self) -> LexicalIndex:
        """The BM25 index, rebuilt first when the store changed since it was built."""
        with self._using() as store:
            current = self._lexical
            if current is None or current.generation != self._generation:
                current = self._lexical = fresh_lexical(store, self.lexical_path, current)
            return current

    def newest_date(self) -> dt.date | None:
        """The newest indexed article's date (undated articles never count)."""
        return self.lexical().newest_date()

    def oldest_date(self) -> dt.date | None:
        """The oldest indexed article's date (undated articles never count)."""
        return self.lexical().oldest_date()

    def lexical_search(
        self, query: str, k: int, flt: SearchFilter | None = None
    ) -> list[tuple[ChunkRecord, float]]:
        """The ``k`` best BM25 matches as (record, score), best first, zero scores dropped."""
        return self.lexical().search_records(query, k, flt)

    def get(self, ids: Sequence[str]) -> list[ChunkRecord]:
        """Records by chunk id, in the order asked; unknown ids are omitted."""
        with self._using() as store:
            return store.get(ids)

    def chunks_of(self, article_id: str) -> list[ChunkRecord]:
        """The committed chunks of an article, ordered by chunk number."""
        with self._using() as store:
            chunks = store.chunks_of(article_id)
        head = chunks[0] if chunks and chunks[0].chunk_no == 0 else None
        return [c for c in chunks if is_committed(c, head)]

    def articles(self) -> list[ArticleInfo]:
        """Every indexed article, by date (undated last) then id."""
        with self._using() as store:
            infos = [article_info(h) for h in store.heads().values()]
        return sorted(infos, key=lambda a: (a.date is None, a.date or 0, a.id))

    def article(self, article_id: str) -> ArticleInfo:
        """One indexed article; :class:`CitationError` when the id is unknown."""
        with self._using() as store:
            found = store.get([chunk_id(article_id, 0)])
        if not found:
            raise CitationError(
                f"unknown article {article_id!r}; run `chipbot docs` to list indexed articles"
            )
        return article_info(found[0])

    def stats(self) -> dict[str, Any]:
        """What ``chipbot status`` shows about the index."""
        with self._using() as store:
            info = store.info()
            return {
                "backend": self.settings.vector_backend,
                "location": self.backend.location,
                "collection": store.name,
                "model": info.get("model"),
                "dim": info.get("dim"),
                "chunk_params": info.get("chunk_params"),
                "created": info.get("created"),
                "generation": info.get("generation"),
                "schema": info.get("chipbot_schema"),
                "n_articles": len(store.heads()),
                "n_chunks": store.count(),
            }
