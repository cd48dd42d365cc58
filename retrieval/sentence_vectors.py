"""Sentence vectors computed once: at ingest, or at the first question that needs them.

The reader compares the question with every sentence of the retrieved passages.
Encoding twenty sentences per question would cost far more than the rest of an answer,
so sentence vectors are kept in a small SQLite file in the data directory, keyed by a
hash of the model name and the sentence text. Content addressing keeps it simple: an
edited article brings new sentences (new keys); stale entries are never wrong, only
unused. A missing or unreadable cache costs speed, never an answer.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from retrieval.embedding import Embedder
from retrieval.models import ChunkRecord
from retrieval.text import split_sentences

log = logging.getLogger(__name__)

FILE_NAME = "sentence-vectors.sqlite"
FloatArray = npt.NDArray[np.float32]


def _key(model: str, text: str) -> bytes:
    return hashlib.blake2b(f"{model}\0{text}".encode(), digest_size=16).digest()


class SentenceVectorCache:
    """``text -> vector`` for one model, persisted in SQLite (thread-safe)."""

    def __init__(self, path: Path, model: str) -> None:
        self.path = path
        self.model = model
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB)")
            self._db = db
        return self._db

    def get_many(self, texts: Sequence[str]) -> dict[str, FloatArray]:
        """The stored vectors of those ``texts`` that have one."""
        keys = {_key(self.model, t): t for t in texts}
        found: dict[str, FloatArray] = {}
        if not keys:
            return found
        try:
            with self._lock:
                db = self._connect()
                marks = ",".join("?" * len(keys))
                rows = db.execute(
                    f"SELECT key, vec FROM vectors WHERE key IN ({marks})", list(keys)
                ).fetchall()
        except sqlite3.Error as exc:
            log.warning("sentence vector cache unreadable (%s); encoding instead", exc)
            return found
        for key, blob in rows:
            found[keys[bytes(key)]] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, texts: Sequence[str], vectors: FloatArray) -> None:
        """Store ``vectors[i]`` for ``texts[i]``."""
        rows = [
            (_key(self.model, t), np.asarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        try:
            with self._lock:
                db = self._connect()
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
                db.commit()
        except sqlite3.Error as exc:
            log.warning("sentence vector cache not written (%s)", exc)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


class CachedEmbedder:
    """An :class:`~retrieval.embedding.Embedder` whose document vectors go through a cache."""

    def __init__(self, embedder: Embedder, cache: SentenceVectorCache) -> None:
        self.embedder = embedder
        self.cache = cache
        self.name = embedder.name
        self.dim = embedder.dim

    def embed_query(self, text: str) -> FloatArray:
        """The wrapped embedder's query vector (questions are not cached)."""
        return self.embedder.embed_query(text)

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> FloatArray:
        """Vectors of ``texts``: cached ones looked up, the rest encoded and stored."""
        known = self.cache.get_many(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = self.embedder.embed_documents(missing, batch_size=batch_size)
            self.cache.put_many(missing, fresh)
            known.update(zip(missing, fresh, strict=True))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i] = known[t]
        return out


def record_sentences(records: Iterable[ChunkRecord]) -> list[str]:
    """The sentences the reader will see for these chunks (as the generator splits them)."""
    out: dict[str, None] = {}
    for r in records:
        for s, e in split_sentences(r.text):
            out[r.text[s:e]] = None
    return list(out)


def open_cache(data_dir: Path, model: str) -> SentenceVectorCache:
    """The cache file of ``data_dir`` for ``model``."""
    return SentenceVectorCache(Path(data_dir) / FILE_NAME, model)
