"""Vector stores: the seam between chipbot and its vector database (Chroma by default).

A *backend* (:class:`ChromaBackend`) is a connection that holds named collections and
an "active collection" pointer; a *store* (:class:`ChromaStore`) is one collection of
chunk records with their embeddings. Chroma is imported lazily, inside functions.

The active pointer lets ``chipbot ingest --rebuild`` build into a fresh collection and
switch to it in one atomic step: with the local persistent client the pointer is a small
JSON file in the data directory replaced with :func:`os.replace`; with a Chroma server it
is the metadata of a tiny pointer collection ``<collection>-active`` (one metadata write).
Without a pointer the collection named ``settings.collection`` is the active one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from retrieval.chroma_client import connect, guarded
from retrieval.models import ChunkRecord, SearchFilter
from retrieval.registry import Registry
from retrieval.settings import Settings

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# Collection-metadata keys recorded by chipbot (chroma metadata values must be scalars).
META_KEYS = (
    "chipbot_schema",
    "model",
    "dim",
    "chunk_params",
    "created",
    "generation",
    "pending",
)
_JSON_KEYS = ("chunk_params", "pending")


def new_generation() -> str:
    """A fresh random generation token (marks every change of a collection's content)."""
    return secrets.token_hex(8)


def date_ord(date: dt.date | None) -> int:
    """``YYYYMMDD`` as an int (0 when undated), the form date filters compare."""
    return date.year * 10_000 + date.month * 100 + date.day if date else 0


def ord_date(value: int) -> dt.date | None:
    """The date a :func:`date_ord` value stands for (``None`` for 0, undated)."""
    return dt.date(value // 10_000, value // 100 % 100, value % 100) if value > 0 else None


def record_metadata(record: ChunkRecord) -> dict[str, str | int]:
    """The Chroma metadata stored for ``record`` (no ``None``: Chroma rejects it)."""
    return {
        "article_id": record.article_id,
        "chunk_no": record.chunk_no,
        "start": record.start,
        "end": record.end,
        "title": record.title,
        "date": record.date.isoformat() if record.date else "",
        "date_ord": date_ord(record.date),
        "path": record.path,
        "source": record.source or "",
        "url": record.url or "",
        "content_hash": record.content_hash,
        "n_chunks": record.n_chunks,
        "snapshot": int(record.snapshot),
    }


def record_from_metadata(text: str, meta: dict[str, Any]) -> ChunkRecord:
    """The :class:`ChunkRecord` for stored ``text`` and ``meta`` (inverse of the above)."""
    date = str(meta.get("date") or "")
    return ChunkRecord(
        article_id=str(meta["article_id"]),
        chunk_no=int(meta["chunk_no"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        title=str(meta.get("title", "")),
        date=dt.date.fromisoformat(date) if date else None,
        path=str(meta.get("path", "")),
        content_hash=str(meta.get("content_hash", "")),
        n_chunks=int(meta.get("n_chunks", 0)),
        source=str(meta.get("source") or "") or None,
        url=str(meta.get("url") or "") or None,
        snapshot=bool(meta.get("snapshot")),
    )


def is_committed(record: ChunkRecord, head: ChunkRecord | None) -> bool:
    """True when ``record`` belongs to the committed version of its article.

    Chunk 0 (the head) is written last, so a chunk whose hash differs from its head's, or
    that lies beyond the head's chunk count, is left over from an unfinished ingest.
    """
    return (
        head is not None
        and record.content_hash == head.content_hash
        and record.chunk_no < head.n_chunks
    )


def filter_where(flt: SearchFilter | None) -> dict[str, Any] | None:
    """The Chroma ``where`` clause for ``flt`` (``None`` when it restricts nothing).

    A date bound excludes undated articles (their ``date_ord`` is 0).
    """
    if flt is None or flt.empty:
        return None
    clauses: list[dict[str, Any]] = []
    if flt.since is not None or flt.until is not None:
        clauses.append({"date_ord": {"$gte": max(date_ord(flt.since), 1)}})
    if flt.until is not None:
        clauses.append({"date_ord": {"$lte": date_ord(flt.until)}})
    if flt.source is not None:
        clauses.append({"source": {"$eq": flt.source}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def index_meta(model: str, dim: int, chunk_params: dict[str, Any]) -> dict[str, Any]:
    """The metadata recorded on a new collection (``info()`` reads it back)."""
    return {
        "chipbot_schema": SCHEMA_VERSION,
        "model": model,
        "dim": dim,
        "chunk_params": chunk_params,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "generation": new_generation(),
    }


def _encode_meta(info: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in info.items() if k in META_KEYS}
    for key in _JSON_KEYS:
        if key in out and not isinstance(out[key], str):
            out[key] = json.dumps(out[key], sort_keys=True)
    return out


def _decode_meta(meta: dict[str, Any] | None) -> dict[str, Any]:
    info = dict(meta or {})
    for key in _JSON_KEYS:
        if isinstance(info.get(key), str):
            try:
                info[key] = json.loads(info[key])
            except ValueError:
                info[key] = None
    return info


class VectorStore(Protocol):
    """One collection of chunk records with their embeddings."""

    name: str

    def upsert(self, records: Sequence[ChunkRecord], embeddings: np.ndarray) -> None:
        """Insert or replace ``records`` (ids ``article_id:chunk_no``) with their vectors."""

    def update_metadata(self, records: Sequence[ChunkRecord]) -> None:
        """Replace the metadata of existing records, keeping their text and vectors."""

    def delete(self, ids: Sequence[str]) -> None:
        """Delete records by id (unknown ids are ignored)."""

    def delete_tails(self, tails: Mapping[str, int]) -> None:
        """For each ``article_id -> n``, delete that article's chunks numbered n and up."""

    def query(
        self, embedding: np.ndarray, k: int, flt: SearchFilter | None = None
    ) -> list[tuple[ChunkRecord, float]]:
        """The ``k`` nearest records as (record, cosine similarity), best first."""

    def query_ids(
        self, embedding: np.ndarray, k: int, flt: SearchFilter | None = None
    ) -> list[tuple[str, float]]:
        """Like :meth:`query`, ids only: (chunk id, cosine similarity), best first."""

    def get(self, ids: Sequence[str]) -> list[ChunkRecord]:
        """Records in the order asked; missing ids are omitted."""

    def chunks_of(self, article_id: str) -> list[ChunkRecord]:
        """Every stored chunk of ``article_id``, ordered by chunk number."""

    def scan(self, batch_size: int = 1000) -> Iterator[ChunkRecord]:
        """Every record, in pages of ``batch_size``."""

    def heads(self) -> dict[str, ChunkRecord]:
        """article id -> its chunk 0 record (the commit marker of its current version)."""

    def count(self) -> int:
        """The number of stored records."""

    def info(self) -> dict[str, Any]:
        """The collection's recorded index metadata (model, dim, chunk_params, ...)."""

    def set_info(self, **values: Any) -> None:
        """Update some index metadata keys (e.g. ``generation``)."""


class VectorBackend(Protocol):
    """A connection holding collections and the active-collection pointer."""

    location: str

    def active_name(self) -> str | None:
        """The name of the active collection, or ``None`` when there is none."""

    def state(self) -> tuple[str | None, dict[str, Any]]:
        """The active collection's name and recorded info (``(None, {})`` when none)."""

    def open(self, name: str) -> VectorStore:
        """The existing collection ``name``."""

    def create(self, name: str, info: dict[str, Any]) -> VectorStore:
        """Create collection ``name`` (cosine space) recording ``info``."""

    def activate(self, name: str) -> None:
        """Make ``name`` the active collection (atomically)."""

    def drop(self, name: str) -> None:
        """Delete collection ``name`` if it exists."""

    def names(self) -> list[str]:
        """The names of every collection the backend holds."""

    def close(self) -> None:
        """Release the connection (idempotent)."""

    def side_collection(self, name: str) -> Any:
        """A plain document collection ``name`` (created when missing) for data kept
        beside the chunks, such as article snapshots (:mod:`retrieval.web.snapshots`)."""


class ChromaStore:
    """A :class:`VectorStore` over one Chroma collection (cosine space, our own vectors)."""

    def __init__(
        self,
        client: Any,
        collection: Any,
        owner: object = None,
        *,
        location: str = "",
        remote: bool = False,
    ) -> None:
        self._client = client
        self._col = collection
        self._owner = owner  # keeps the backend (which closes the client when collected) alive
        self.name: str = collection.name
        self.location = location
        self.remote = remote

    @guarded
    def upsert(self, records: Sequence[ChunkRecord], embeddings: np.ndarray) -> None:
        """Insert or replace records with their embeddings in one call."""
        if not records:
            return
        if len(records) != len(embeddings):
            raise ValueError("records and embeddings differ in length")
        self._col.upsert(
            ids=[r.id for r in records],
            embeddings=np.asarray(embeddings, dtype=np.float32),
            documents=[r.text for r in records],
            metadatas=[record_metadata(r) for r in records],
        )

    @guarded
    def update_metadata(self, records: Sequence[ChunkRecord]) -> None:
        """Rewrite the metadata of existing records (text and vectors untouched)."""
        if records:
            # No documents: Chroma would insist on re-embedding them (the text is unchanged).
            self._col.update(
                ids=[r.id for r in records], metadatas=[record_metadata(r) for r in records]
            )

    @guarded
    def delete(self, ids: Sequence[str]) -> None:
        """Delete records by id."""
        if ids:
            self._col.delete(ids=list(ids))

    @guarded
    def delete_tails(self, tails: Mapping[str, int]) -> None:
        """Delete stale tails (or, with n = 0, whole articles) in one call."""
        clauses: list[dict[str, Any]] = []
        for article_id, first in tails.items():
            clause: dict[str, Any] = {"article_id": article_id}
            if first > 0:
                clause = {"$and": [clause, {"chunk_no": {"$gte": first}}]}
            clauses.append(clause)
        if clauses:
            self._col.delete(where=clauses[0] if len(clauses) == 1 else {"$or": clauses})

    @guarded
    def query(
        self, embedding: np.ndarray, k: int, flt: SearchFilter | None = None
    ) -> list[tuple[ChunkRecord, float]]:
        """Nearest records by cosine similarity (1 - cosine distance), best first."""
        if k <= 0:
            return []
        vector = np.asarray(embedding, dtype=np.float32).reshape(1, -1)
        res = self._col.query(
            query_embeddings=vector,
            n_results=k,
            where=filter_where(flt),
            include=["documents", "metadatas", "distances"],
        )
        docs, metas, dists = res["documents"][0], res["metadatas"][0], res["distances"][0]
        # A vector without metadata is one another process deleted after this process
        # loaded its vector cache (see ChromaBackend.close): skip it.
        return [
            (record_from_metadata(doc or "", dict(meta)), 1.0 - float(dist))
            for doc, meta, dist in zip(docs, metas, dists, strict=True)
            if meta is not None
        ]

    def _records(self, res: Any) -> list[ChunkRecord]:
        return [
            record_from_metadata(doc or "", dict(meta))
            for doc, meta in zip(res["documents"], res["metadatas"], strict=True)
            if meta is not None
        ]

    @guarded
    def query_ids(
        self, embedding: np.ndarray, k: int, flt: SearchFilter | None = None
    ) -> list[tuple[str, float]]:
        """Nearest ids and similarities only: no documents or metadata are read.

        At 100,000 passages this is about 1 ms against 5 ms for :meth:`query`.
        """
        if k <= 0:
            return []
        res = self._col.query(
            query_embeddings=np.asarray(embedding, dtype=np.float32).reshape(1, -1),
            n_results=k,
            where=filter_where(flt),
            include=["distances"],
        )
        return [
            (str(i), 1.0 - float(d))
            for i, d in zip(res["ids"][0], res["distances"][0], strict=True)
        ]

    @guarded
    def get(self, ids: Sequence[str]) -> list[ChunkRecord]:
        """Records by id, in the order asked (Chroma's own order is unspecified)."""
        if not ids:
            return []
        found = {r.id: r for r in self._records(self._col.get(ids=list(dict.fromkeys(ids))))}
        return [found[i] for i in ids if i in found]

    @guarded
    def chunks_of(self, article_id: str) -> list[ChunkRecord]:
        """Every stored chunk of one article, by chunk number."""
        res = self._col.get(where={"article_id": article_id}, include=["documents", "metadatas"])
        return sorted(self._records(res), key=lambda r: r.chunk_no)

    def scan(self, batch_size: int = 1000) -> Iterator[ChunkRecord]:
        """Every record, paged so memory stays bounded."""
        offset = 0
        while True:
            records = self._page(batch_size, offset)
            yield from records
            if len(records) < batch_size:
                return
            offset += batch_size

    @guarded
    def _page(self, limit: int, offset: int) -> list[ChunkRecord]:
        res = self._col.get(limit=limit, offset=offset, include=["documents", "metadatas"])
        return self._records(res)

    @guarded
    def heads(self) -> dict[str, ChunkRecord]:
        """article id -> chunk 0 record, in one filtered get."""
        res = self._col.get(where={"chunk_no": 0}, include=["documents", "metadatas"])
        return {r.article_id: r for r in self._records(res)}

    @guarded
    def count(self) -> int:
        """Number of stored records."""
        return int(self._col.count())

    @guarded
    def info(self) -> dict[str, Any]:
        """The recorded index metadata, read fresh (another process may have changed it)."""
        col = self._client.get_collection(self.name, embedding_function=None)
        return _decode_meta(col.metadata)

    @guarded
    def set_info(self, **values: Any) -> None:
        """Merge ``values`` into the collection metadata."""
        current = self.info()
        current.update(values)
        col = self._client.get_collection(self.name, embedding_function=None)
        col.modify(metadata=_encode_meta(current))


class ChromaBackend:
    """Chroma, local (``PersistentClient`` under ``data_dir/chroma``) or a server."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client = connect(settings)
        self.remote = bool(settings.chroma_url)
        self.location: str = (
            str(settings.chroma_url) if self.remote else str(settings.data_dir / "chroma")
        )

    @property
    def _pointer_file(self) -> Path:
        return self._settings.data_dir / f"active-{self._settings.collection}.json"

    @property
    def _pointer_collection(self) -> str:
        return f"{self._settings.collection}-active"

    def _exists(self, name: str) -> bool:
        from chromadb.errors import NotFoundError

        try:
            self._client.get_collection(name, embedding_function=None)
        except NotFoundError:
            return False
        except ValueError:  # older clients raise ValueError for a missing collection
            return False
        return True

    @guarded
    def active_name(self) -> str | None:
        """The pointer's target, else ``settings.collection`` if that exists, else ``None``."""
        return self.state()[0]

    @guarded
    def state(self) -> tuple[str | None, dict[str, Any]]:
        """The active collection's name and info, in one collection lookup when possible.

        Searches call this before every store access (to notice other processes' writes),
        so it reads the collection once for both its existence and its metadata.
        """
        from chromadb.errors import NotFoundError

        for name in dict.fromkeys(
            n for n in (self._read_pointer(), self._settings.collection) if n
        ):
            try:
                col = self._client.get_collection(name, embedding_function=None)
            except (NotFoundError, ValueError):  # older clients raise ValueError
                continue
            return name, _decode_meta(col.metadata)
        return None, {}

    def _read_pointer(self) -> str | None:
        if self.remote:
            from chromadb.errors import NotFoundError

            try:
                col = self._client.get_collection(self._pointer_collection, embedding_function=None)
            except (NotFoundError, ValueError):
                return None
            value = (col.metadata or {}).get("active")
            return str(value) if value else None
        try:
            data = json.loads(self._pointer_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        value = data.get("collection") if isinstance(data, dict) else None
        return str(value) if value else None

    @guarded
    def open(self, name: str) -> ChromaStore:
        """The existing collection ``name`` (Chroma never embeds: no embedding function)."""
        col = self._client.get_collection(name, embedding_function=None)
        return ChromaStore(
            self._client, col, owner=self, location=self.location, remote=self.remote
        )

    @guarded
    def create(self, name: str, info: dict[str, Any]) -> ChromaStore:
        """A new cosine-space collection recording ``info``."""
        col = self._client.create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata=_encode_meta(info),
            embedding_function=None,
        )
        return ChromaStore(
            self._client, col, owner=self, location=self.location, remote=self.remote
        )

    @guarded
    def activate(self, name: str) -> None:
        """Point at ``name``: one metadata write (server) or one ``os.replace`` (local)."""
        if self.remote:
            col = self._client.get_or_create_collection(
                self._pointer_collection, metadata={"active": name}, embedding_function=None
            )
            col.modify(metadata={"active": name})
            return
        path = self._pointer_file
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".active-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"collection": name}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @guarded
    def drop(self, name: str) -> None:
        """Delete collection ``name`` (no error when it is already gone)."""
        if self._exists(name):
            self._client.delete_collection(name)

    @guarded
    def names(self) -> list[str]:
        """Every collection name on this client."""
        return sorted(str(getattr(c, "name", c)) for c in self._client.list_collections())

    @guarded
    def side_collection(self, name: str) -> Any:
        """A Chroma collection for side documents, keyed by id; its vectors are a 1-d
        placeholder (Chroma requires one, and with no embedding function it would try to
        download a model)."""
        return self._client.get_or_create_collection(name, embedding_function=None)

    def close(self) -> None:
        """Release the client.

        Chroma shares one in-memory system (with its vector index cache) per path per
        process and keeps it until the last client closes; closing is what lets a later
        client see writes made by other processes.
        """
        close = getattr(self._client, "close", None)
        if close is not None:
            close()

    def __del__(self) -> None:
        # An unclosed client pins Chroma's per-process vector cache (see close()).
        with contextlib.suppress(Exception):
            self.close()


vector_backends: Registry[VectorBackend] = Registry("vector backend")
vector_backends.register("chroma", ChromaBackend)


def open_backend(settings: Settings) -> VectorBackend:
    """The vector backend named by ``settings.vector_backend`` (UnknownNameError otherwise)."""
    factory: Callable[..., VectorBackend] = vector_backends.get(settings.vector_backend)
    return factory(settings)
