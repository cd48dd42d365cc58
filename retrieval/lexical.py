"""A persisted BM25 index (bm25s) over the committed chunks of a vector store.

Layout under ``data_dir/lexical/<collection>/``::

    CURRENT             name of the live version folder (replaced atomically)
    v-<token>/          one complete build:
        bm25/           bm25s arrays + vocabulary (arrays are memory-mapped on load)
        ids.npy         chunk ids in index order
        date_ord.npy    YYYYMMDD per chunk (0 = undated), for filter masks
        source.npy      source code per chunk (index into meta.json "sources", -1 = none)
        records.jsonl   each chunk's record, one JSON line, read by byte offset on a hit
        offsets.npy     byte offsets of those lines
        meta.json       generation it was built from, sources, count

A build is written into a fresh version folder and only then published by replacing
``CURRENT`` (:func:`os.replace`), so a crash never leaves a half-written index visible.
Loading reads small files and memory-maps the rest: the corpus is never re-tokenized.
Queries are scored by :class:`Bm25Scores` straight from bm25s's saved arrays with numpy,
so the query path never imports bm25s (and the scipy it pulls in): only ingest does.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import mmap
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.models import ChunkRecord, SearchFilter
from retrieval.store import VectorStore, date_ord, is_committed, ord_date, record_metadata
from retrieval.text import tokenize

logger = logging.getLogger(__name__)

_CURRENT = "CURRENT"
_STALE_BUILD_SECONDS = 3600


def lexical_dir(data_dir: Path, collection: str) -> Path:
    """Where the BM25 index of ``collection`` lives."""
    return Path(data_dir) / "lexical" / collection


def _record_line(record: ChunkRecord) -> bytes:
    data = record_metadata(record)
    data["text"] = record.text
    return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")


def _record_from_line(line: bytes) -> ChunkRecord:
    data: dict[str, Any] = json.loads(line)
    date = str(data.get("date") or "")
    return ChunkRecord(
        article_id=data["article_id"],
        chunk_no=int(data["chunk_no"]),
        start=int(data["start"]),
        end=int(data["end"]),
        text=data["text"],
        title=data.get("title", ""),
        date=dt.date.fromisoformat(date) if date else None,
        path=data.get("path", ""),
        content_hash=data.get("content_hash", ""),
        n_chunks=int(data.get("n_chunks", 0)),
        source=data.get("source") or None,
        url=data.get("url") or None,
        snapshot=bool(data.get("snapshot")),
    )


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


class Bm25Scores:
    """bm25s's saved eager-score matrix (CSC: one column per token), scored with numpy.

    The same sums as ``bm25s.BM25.get_scores_from_ids`` (``np.add.at`` over each query
    token's postings, in query order, in the index dtype), without importing bm25s.
    """

    def __init__(self, folder: Path) -> None:
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        self.num_docs = int(params["num_docs"])
        self.dtype = np.dtype(params.get("dtype", "float32"))
        self.int_dtype = np.dtype(params.get("int_dtype", "int32"))
        self.vocab: dict[str, int] = json.loads(
            (folder / "vocab.index.json").read_text(encoding="utf-8")
        )
        self.data: np.ndarray = np.load(folder / "data.csc.index.npy", mmap_mode="r")
        self.indices: np.ndarray = np.load(folder / "indices.csc.index.npy", mmap_mode="r")
        self.indptr: np.ndarray = np.load(folder / "indptr.csc.index.npy", mmap_mode="r")
        nonoccurrence = folder / "nonoccurrence_array.index.npy"
        self.nonoccurrence: np.ndarray | None = (
            np.load(nonoccurrence) if nonoccurrence.exists() else None
        )

    def get_tokens_ids(self, tokens: list[str]) -> list[int]:
        """The vocabulary ids of ``tokens``, leaving out unknown ones."""
        return [self.vocab[t] for t in tokens if t in self.vocab]

    def get_scores_from_ids(
        self, token_ids: list[int], weight_mask: np.ndarray | None = None
    ) -> np.ndarray:
        """One BM25 score per document for the query ``token_ids``."""
        ids = np.asarray(token_ids, dtype=self.int_dtype)
        scores = np.zeros(self.num_docs, dtype=self.dtype)
        starts, ends = self.indptr[ids], self.indptr[ids + 1]
        for start, end in zip(starts, ends, strict=True):
            np.add.at(scores, self.indices[start:end], self.data[start:end])
        if self.nonoccurrence is not None:
            scores += self.nonoccurrence[ids].sum()
        if weight_mask is not None:
            scores *= weight_mask
        return scores


class LexicalIndex:
    """A loaded BM25 index: search by query text, read back the records of hits."""

    def __init__(self, folder: Path, bm25: Bm25Scores | None, meta: dict[str, Any]) -> None:
        self._folder = folder
        self._bm25 = bm25
        self._meta = meta
        self.generation: str = str(meta.get("generation", ""))
        self.sources: list[str] = list(meta.get("sources", []))
        count = int(meta.get("count", 0))
        self._ids: np.ndarray = (
            np.load(folder / "ids.npy", mmap_mode="r") if count else np.array([], dtype=str)
        )
        self._dates: np.ndarray = (
            np.load(folder / "date_ord.npy", mmap_mode="r") if count else np.zeros(0, np.int32)
        )
        self._source_codes: np.ndarray = (
            np.load(folder / "source.npy", mmap_mode="r") if count else np.zeros(0, np.int32)
        )
        self._offsets: np.ndarray = (
            np.load(folder / "offsets.npy", mmap_mode="r") if count else np.zeros(1, np.int64)
        )
        # Mapped now, like the arrays, so the files stay readable even if another process
        # publishes a newer version and deletes this folder while we still use it.
        self._rows: dict[str, int] | None = None  # chunk id -> row, built on first use
        self._records: mmap.mmap | None = None
        if count:
            with (folder / "records.jsonl").open("rb") as f:
                self._records = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)

    def __len__(self) -> int:
        return int(self._meta.get("count", 0))

    def newest_date(self) -> dt.date | None:
        """The newest article date among the indexed chunks (``None`` when none is dated)."""
        # 0 marks an undated chunk: it is never the newest.
        return ord_date(int(self._dates.max())) if len(self._dates) else None

    def oldest_date(self) -> dt.date | None:
        """The oldest article date among the indexed chunks (``None`` when none is dated)."""
        dated = self._dates[self._dates > 0]
        return ord_date(int(dated.min())) if len(dated) else None

    def _row_of(self, chunk_id: str) -> int | None:
        if self._rows is None:
            self._rows = {str(i): row for row, i in enumerate(self._ids.tolist())}
        return self._rows.get(chunk_id)

    def contains(self, chunk_id: str) -> bool:
        """Whether ``chunk_id`` is one of the (committed) chunks this index was built from."""
        return self._row_of(chunk_id) is not None

    def record(self, chunk_id: str) -> ChunkRecord | None:
        """The stored record of ``chunk_id`` (``None`` when this index does not hold it)."""
        row = self._row_of(chunk_id)
        if row is None or self._records is None:
            return None
        return _record_from_line(
            self._records[int(self._offsets[row]) : int(self._offsets[row + 1])]
        )

    @classmethod
    def build(
        cls, records: Iterable[ChunkRecord], directory: Path, generation: str
    ) -> LexicalIndex:
        """Tokenize ``records`` with :func:`retrieval.text.tokenize`, save, publish, load."""
        import bm25s

        # bm25s sets its logger to DEBUG on import, which prints its debug lines through
        # any handler the application installed; give the level back to the application.
        logging.getLogger("bm25s").setLevel(logging.NOTSET)

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=directory, prefix=f"v-{secrets.token_hex(4)}-"))
        try:
            corpus: list[list[str]] = []
            ids: list[str] = []
            dates: list[int] = []
            source_codes: list[int] = []
            sources: dict[str, int] = {}
            offsets = [0]
            with (folder / "records.jsonl").open("wb") as f:
                for record in records:
                    line = _record_line(record)
                    f.write(line)
                    offsets.append(offsets[-1] + len(line))
                    ids.append(record.id)
                    corpus.append(tokenize(record.text))
                    dates.append(date_ord(record.date))
                    code = sources.setdefault(record.source, len(sources)) if record.source else -1
                    source_codes.append(code)
                f.flush()
                os.fsync(f.fileno())
            if ids:
                bm25 = bm25s.BM25()
                bm25.index(corpus, show_progress=False)
                bm25.save(str(folder / "bm25"), show_progress=False)
                np.save(folder / "ids.npy", np.array(ids, dtype=str))
                np.save(folder / "date_ord.npy", np.array(dates, dtype=np.int32))
                np.save(folder / "source.npy", np.array(source_codes, dtype=np.int32))
                np.save(folder / "offsets.npy", np.array(offsets, dtype=np.int64))
            meta = {
                "generation": generation,
                "sources": sorted(sources, key=lambda s: sources[s]),
                "count": len(ids),
            }
            _write_json(folder / "meta.json", meta)
            _publish(directory, folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        logger.info("built the BM25 index of %d chunks in %s", len(ids), folder)
        loaded = cls.load(directory)
        assert loaded is not None
        return loaded

    @classmethod
    def load(cls, directory: Path, generation: str | None = None) -> LexicalIndex | None:
        """The published index under ``directory``, or ``None`` when there is none (yet).

        With ``generation``, an index of another generation is ``None`` too, found
        without loading its arrays.
        """
        directory = Path(directory)
        try:
            name = (directory / _CURRENT).read_text(encoding="utf-8").strip()
            folder = directory / name
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            if generation is not None and str(meta.get("generation", "")) != generation:
                return None
            bm25 = Bm25Scores(folder / "bm25") if int(meta.get("count", 0)) else None
            return cls(folder, bm25, meta)
        except (OSError, ValueError, KeyError) as exc:
            logger.info("no usable BM25 index in %s (%s)", directory, exc)
            return None

    def _mask(self, flt: SearchFilter | None) -> np.ndarray | None:
        if flt is None or flt.empty:
            return None
        keep = np.ones(len(self), dtype=bool)
        if flt.since is not None or flt.until is not None:
            keep &= self._dates >= max(date_ord(flt.since), 1)
        if flt.until is not None:
            keep &= self._dates <= date_ord(flt.until)
        if flt.source is not None:
            code = self.sources.index(flt.source) if flt.source in self.sources else -2
            keep &= self._source_codes == code
        return keep.astype(np.float32)

    def _top(self, query: str, k: int, flt: SearchFilter | None) -> list[tuple[int, float]]:
        if self._bm25 is None or k <= 0:
            return []
        token_ids = self._bm25.get_tokens_ids(tokenize(query))
        if not token_ids:
            return []
        scores = self._bm25.get_scores_from_ids(token_ids, weight_mask=self._mask(flt))
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def search(
        self, query: str, k: int, flt: SearchFilter | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` best chunk ids for ``query`` with BM25 scores (no zero scores)."""
        return [(str(self._ids[i]), score) for i, score in self._top(query, k, flt)]

    def search_records(
        self, query: str, k: int, flt: SearchFilter | None = None
    ) -> list[tuple[ChunkRecord, float]]:
        """Like :meth:`search`, with each hit's stored record (no vector-store round trip)."""
        hits = self._top(query, k, flt)
        if not hits or self._records is None:
            return []
        return [
            (_record_from_line(self._records[int(self._offsets[i]) : int(self._offsets[i + 1])]), s)
            for i, s in hits
        ]


def _publish(directory: Path, folder: Path) -> None:
    """Point ``CURRENT`` at ``folder`` atomically, then remove the version it replaced.

    Other folders are left alone unless they are over an hour old (leftovers of a killed
    build), because a concurrent process may be building one right now.
    """
    pointer = directory / _CURRENT
    try:
        previous = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        previous = ""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".current-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(folder.name)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, pointer)
    cutoff = time.time() - _STALE_BUILD_SECONDS
    for old in directory.iterdir():
        if old.name == folder.name:
            continue
        if old.name == previous or (old.is_dir() and old.stat().st_mtime < cutoff):
            shutil.rmtree(old, ignore_errors=True)


def committed_records(store: VectorStore) -> Iterable[ChunkRecord]:
    """The store's records that belong to a committed article version (see ingest)."""
    heads = store.heads()
    for record in store.scan():
        if is_committed(record, heads.get(record.article_id)):
            yield record


def rebuild_lexical(store: VectorStore, directory: Path, generation: str) -> LexicalIndex:
    """Build the BM25 index of ``store``'s committed chunks, tagged with ``generation``."""
    return LexicalIndex.build(committed_records(store), directory, generation)


def fresh_lexical(
    store: VectorStore, directory: Path, current: LexicalIndex | None = None
) -> LexicalIndex:
    """``current`` (or the saved index) when it matches the store's generation, else a rebuild."""
    generation = str(store.info().get("generation", ""))
    if current is not None and current.generation == generation:
        return current
    index = LexicalIndex.load(directory)  # another process may have rebuilt it already
    if index is not None and index.generation == generation:
        return index
    if index is None:
        logger.info("no BM25 index for %s yet; building it", store.name)
    else:
        logger.info("the BM25 index of %s is stale; rebuilding it", store.name)
    return rebuild_lexical(store, directory, generation)
