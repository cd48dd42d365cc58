"""Snapshots: the extracted text of a web page, HTML or PDF article, stored where every
process can read it.

Citation offsets of such an article count into its snapshot, not into a file. A snapshot
is content-addressed (its id is the SHA-256 of its UTF-8 text, which is the article's
``content_hash``), so writing one before the article's chunks never disturbs readers of
the version still committed, and a rebuilt collection shares the snapshots of the old.

Local text files keep citing the file itself; a copy of their text is stored the same
way (:func:`file_copy`, kind ``"text"``) so that processes on other machines need not
mount the files.

Two copies: the store's (a side collection ``<collection>-snapshots`` beside the chunks,
on the Chroma server in server mode) is the source of truth; the data dir's
(``DATA_DIR/snapshots/<hash>.txt`` and ``.json``) is a cache, filled on first read. Each
snapshot records the url (or file), when it was fetched, the content hash, the extractor
version, and the HTTP validators (ETag, Last-Modified) a refresh sends back.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.errors import ChipbotError
from retrieval.store import VectorBackend

logger = logging.getLogger(__name__)

_SUFFIX = "-snapshots"
_GET_BATCH = 500
FILE_COPY = "file copy"


def _placeholder_vector(digest: str) -> list[float]:
    """A 2-d unit vector spread by the hash: Chroma needs a vector, and thousands of
    identical ones would make its HNSW graph degenerate."""
    angle = int(digest[:8], 16) / 0xFFFFFFFF * 2 * math.pi
    return [math.cos(angle), math.sin(angle)]


def content_hash(text: str) -> str:
    """The SHA-256 of ``text`` as UTF-8: a snapshot's id and its article's content hash."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """One article's extracted text and where it came from."""

    text: str
    url: str  # the URL fetched, or the local file's path
    fetched_at: str  # ISO 8601, UTC
    extractor: str
    kind: str = "html"  # "html" or "pdf"
    final_url: str = ""
    canonical: str = ""
    etag: str = ""
    last_modified: str = ""
    author: str = ""

    @property
    def content_hash(self) -> str:
        """The snapshot's id (see :func:`content_hash`)."""
        return content_hash(self.text)

    def meta(self) -> dict[str, str]:
        """Everything but the text, as stored beside it."""
        data = dataclasses.asdict(self)
        data.pop("text")
        data["content_hash"] = self.content_hash
        return data

    @classmethod
    def from_meta(cls, text: str, meta: dict[str, Any]) -> Snapshot:
        """The snapshot stored as ``text`` with ``meta``."""
        names = {f.name for f in dataclasses.fields(cls)} - {"text"}
        return cls(text=text, **{k: str(v) for k, v in meta.items() if k in names})


def file_copy(text: str, path: str, fetched_at: str) -> Snapshot:
    """A copy of a local text file's text: its citations still count into the file, and a
    process that cannot read the file (another machine) reads this copy instead."""
    return Snapshot(text=text, url=path, fetched_at=fetched_at, extractor=FILE_COPY, kind="text")


def collection_name(collection: str) -> str:
    """The side collection holding the snapshots of chipbot collection ``collection``."""
    return f"{collection}{_SUFFIX}"


def cache_dir(data_dir: Path) -> Path:
    """Where this machine caches snapshots."""
    return Path(data_dir) / "snapshots"


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SnapshotCache:
    """The data dir's copy of snapshots (safe to delete: it refills from the store)."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = cache_dir(data_dir)

    def get(self, digest: str) -> Snapshot | None:
        """The cached snapshot ``digest``, or None (also when the copy is damaged)."""
        try:
            text = (self.folder / f"{digest}.txt").read_bytes().decode("utf-8")
            meta = json.loads((self.folder / f"{digest}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if content_hash(text) != digest:
            logger.warning("cached snapshot %s is damaged; reading the store's", digest[:12])
            return None
        return Snapshot.from_meta(text, meta)

    def put(self, snapshot: Snapshot) -> None:
        """Cache ``snapshot`` (text first, so a text never lacks its metadata for long)."""
        digest = snapshot.content_hash
        _atomic_write(self.folder / f"{digest}.txt", snapshot.text)
        _atomic_write(self.folder / f"{digest}.json", json.dumps(snapshot.meta(), indent=1))

    def prune(self, keep: set[str]) -> None:
        """Remove cached snapshots not in ``keep``."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.suffix in (".txt", ".json") and path.stem not in keep:
                path.unlink(missing_ok=True)


class SnapshotStore:
    """The store's copy of snapshots: one side collection of the backend."""

    def __init__(self, backend: VectorBackend, collection: str) -> None:
        self._col = backend.side_collection(collection_name(collection))

    def put(self, snapshots: Sequence[Snapshot]) -> None:
        """Store ``snapshots`` in one call (idempotent: an id is its content hash)."""
        unique = {s.content_hash: s for s in snapshots}
        if not unique:
            return
        self._col.upsert(
            ids=list(unique),
            documents=[s.text for s in unique.values()],
            metadatas=[s.meta() for s in unique.values()],
            embeddings=[_placeholder_vector(d) for d in unique],
        )

    def update_meta(self, snapshot: Snapshot) -> None:
        """Rewrite a stored snapshot's metadata (a refresh that found the same text)."""
        self._col.update(ids=[snapshot.content_hash], metadatas=[snapshot.meta()])

    def get(self, digest: str) -> Snapshot | None:
        """The snapshot ``digest``, or None."""
        res = self._col.get(ids=[digest], include=["documents", "metadatas"])
        if not res["ids"]:
            return None
        return Snapshot.from_meta(res["documents"][0] or "", dict(res["metadatas"][0] or {}))

    def metas(self, digests: Iterable[str]) -> dict[str, Snapshot]:
        """digest -> snapshot without its text (``text=""``), for planning a refresh."""
        wanted = list(dict.fromkeys(digests))
        out: dict[str, Snapshot] = {}
        for i in range(0, len(wanted), _GET_BATCH):
            res = self._col.get(ids=wanted[i : i + _GET_BATCH], include=["metadatas"])
            for digest, meta in zip(res["ids"], res["metadatas"], strict=True):
                out[str(digest)] = Snapshot.from_meta("", dict(meta or {}))
        return out

    def ids(self) -> set[str]:
        """Every stored snapshot id."""
        return {str(i) for i in self._col.get(include=[])["ids"]}

    def delete(self, digests: Iterable[str]) -> None:
        """Remove snapshots by id."""
        ids = list(digests)
        if ids:
            self._col.delete(ids=ids)


def read_snapshot(backend: VectorBackend, data_dir: Path, collection: str, digest: str) -> str:
    """The text of snapshot ``digest``: from this machine's cache, else from the store
    (then cached). Raises :class:`ChipbotError` when neither has it."""
    cache = SnapshotCache(data_dir)
    cached = cache.get(digest)
    if cached is not None:
        return cached.text
    stored = SnapshotStore(backend, collection).get(digest)
    if stored is None or stored.content_hash != digest:
        raise ChipbotError(
            f"the snapshot {digest[:12]} is missing from the index; run `chipbot ingest` again"
        )
    try:
        cache.put(stored)
    except OSError as exc:  # a read-only data dir still answers, just without the cache
        logger.warning("could not cache snapshot %s: %s", digest[:12], exc)
    return stored.text
