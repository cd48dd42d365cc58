"""What ingest asks of web, HTML and PDF sources: load or refresh one, spot duplicates,
store snapshots, tell gone pages, rebuild from stored snapshots.

A refresh of an indexed URL sends the ETag / Last-Modified its snapshot recorded: a 304
costs that one request; a 200 whose extracted text hashes the same is "unchanged" too;
different text replaces the article's chunks (ingest's commit protocol). The same article
under two URLs is indexed once: a page whose canonical link names an indexed URL is a
duplicate, and so is a page whose text is near-identical (word 5-shingle Jaccard ≥
:data:`NEAR_DUPLICATE`) to an indexed snapshot article of the same title.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.models import Article, ChunkRecord
from retrieval.settings import Settings
from retrieval.store import VectorBackend
from retrieval.web.extract import ExtractionError
from retrieval.web.fetch import Fetcher, FetchError, FetchLimits
from retrieval.web.snapshots import Snapshot, SnapshotCache, SnapshotStore, file_copy
from retrieval.web.sources import (
    Loaded,
    article_id_for_url,
    is_url,
    load_file,
    load_page,
    now_iso,
)

logger = logging.getLogger(__name__)

NEAR_DUPLICATE = 0.9
GONE_STATUSES = (404, 410)
_WORD = re.compile(r"\w+")


@dataclass
class UrlHints:
    """What a caller knows about some URLs beyond their pages (a feed's source name and
    item dates), and an HTTP client to share (so per-host waits span the caller's
    requests too)."""

    sources: Mapping[str, str] = field(default_factory=dict)
    dates: Mapping[str, dt.date] = field(default_factory=dict)
    fetcher: Fetcher | None = None

    def apply(self, url: str, article: Article) -> Article:
        """``article`` with the source named for ``url``, and its date when the page had none."""
        changes: dict[str, Any] = {}
        if url in self.sources:
            changes["source"] = self.sources[url]
        if article.date is None and url in self.dates:
            changes["date"] = self.dates[url]
        return dataclasses.replace(article, **changes) if changes else article


@dataclass(frozen=True)
class Unchanged:
    """The source answered 304 Not Modified for the indexed version."""


@dataclass(frozen=True)
class Failed:
    """The source could not be loaded (``status`` is the HTTP status when there was one)."""

    reason: str
    status: int | None = None


def shingles(text: str, n: int = 5) -> set[int]:
    """Hashes of the text's word ``n``-grams (case-folded)."""
    words = _WORD.findall(text.casefold())
    return {hash(tuple(words[i : i + n])) for i in range(max(1, len(words) - n + 1))}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of two texts' word 5-shingles."""
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def _normal_url(url: str) -> str:
    return url.strip().rstrip("/").lower()


class WebSources:
    """The web side of one ingest run (one HTTP client, the snapshot store)."""

    def __init__(
        self, settings: Settings, backend: VectorBackend, fetcher: Fetcher | None = None
    ) -> None:
        self.settings = settings
        self.backend = backend
        self.cache = SnapshotCache(settings.data_dir)
        self._store: SnapshotStore | None = None
        self._fetcher: Fetcher | None = fetcher
        self._own_fetcher = fetcher is None
        self._metas: dict[str, Snapshot] | None = None
        # Articles loaded earlier in this run (not in the store's heads yet), by id.
        self._planned: dict[str, Loaded] = {}

    @property
    def store(self) -> SnapshotStore:
        """The snapshot side collection (opened, or created, on first use)."""
        if self._store is None:
            self._store = SnapshotStore(self.backend, self.settings.collection)
        return self._store

    @property
    def fetcher(self) -> Fetcher:
        """The run's HTTP client (opened on first use)."""
        if self._fetcher is None:
            self._fetcher = Fetcher(
                FetchLimits(
                    timeout=self.settings.fetch_timeout,
                    max_bytes=self.settings.max_page_bytes,
                    max_redirects=self.settings.max_redirects,
                    per_host_interval=self.settings.fetch_interval,
                )
            )
        return self._fetcher

    def close(self) -> None:
        """Close the HTTP client (unless the caller lent it)."""
        if self._fetcher is not None and self._own_fetcher:
            self._fetcher.close()

    def metas(self, heads: dict[str, ChunkRecord]) -> dict[str, Snapshot]:
        """content hash -> snapshot metadata of the indexed snapshot articles (read once)."""
        if self._metas is None:
            self._metas = self.store.metas(h.content_hash for h in heads.values() if h.snapshot)
        return self._metas

    # -- loading -----------------------------------------------------------------------
    def load_url(
        self, url: str, head: ChunkRecord | None, heads: dict[str, ChunkRecord], *, redo: bool
    ) -> Loaded | Unchanged | Failed:
        """Fetch (conditionally when ``head`` is indexed and not ``redo``) and extract."""
        previous = None
        if head is not None and head.snapshot and not redo:
            previous = self.metas(heads).get(head.content_hash)
        try:
            page = self.fetcher.get(
                url,
                etag=(previous.etag or None) if previous else None,
                last_modified=(previous.last_modified or None) if previous else None,
            )
        except FetchError as exc:
            return Failed(exc.reason, exc.status)
        if page.not_modified:
            if previous is None:  # a 304 to an unconditional request: nothing to index
                return Failed("HTTP 304 to a request that had no validators")
            return Unchanged()
        article_id = head.article_id if head is not None else article_id_for_url(url)
        try:
            return load_page(page, article_id=article_id, min_chars=self.settings.min_article_chars)
        except ExtractionError as exc:
            return Failed(exc.reason)

    def load_file(self, path: Path) -> Loaded:
        """A local HTML or PDF file (:class:`~retrieval.parsing.ArticleSkipped` if bad)."""
        return load_file(
            path, max_bytes=self.settings.max_file_bytes, min_chars=self.settings.min_article_chars
        )

    def stored_article(self, head: ChunkRecord) -> Article:
        """The article of ``head`` rebuilt from its stored snapshot (no fetch)."""
        snapshot = self.store.get(head.content_hash)
        if snapshot is None:
            raise ExtractionError(f"its snapshot {head.content_hash[:12]} is missing")
        return Article(
            id=head.article_id,
            title=head.title,
            date=head.date,
            path=head.path,
            content_hash=snapshot.content_hash,
            text=snapshot.text,
            source=head.source,
            url=head.url,
            snapshot=True,
        )

    # -- duplicates --------------------------------------------------------------------
    def duplicate_of(
        self, loaded: Loaded, heads: dict[str, ChunkRecord], own_id: str | None
    ) -> str | None:
        """Why ``loaded`` is an article already indexed (or loaded in this run) under
        another address, or None. Remembers ``loaded`` for the rest of the run."""
        reason = self._duplicate_of(loaded, heads, own_id)
        if reason is None:
            self._planned[loaded.article.id] = loaded
        return reason

    def _addresses(self, heads: dict[str, ChunkRecord]) -> dict[str, set[str]]:
        """article id -> its normalised URL/path and canonical link (indexed and planned)."""
        out: dict[str, set[str]] = {}
        metas = self.metas(heads) if any(h.snapshot for h in heads.values()) else {}
        for aid, head in heads.items():
            found = {_normal_url(head.path), _normal_url(head.url or "")}
            meta = metas.get(head.content_hash)
            if meta is not None and meta.canonical:
                found.add(_normal_url(meta.canonical))
            out[aid] = found - {""}
        for aid, loaded in self._planned.items():
            canonical = loaded.snapshot.canonical
            out[aid] = {_normal_url(loaded.article.path), _normal_url(canonical)} - {""}
        return out

    def _duplicate_of(
        self, loaded: Loaded, heads: dict[str, ChunkRecord], own_id: str | None
    ) -> str | None:
        canonical = loaded.snapshot.canonical
        if canonical and _normal_url(canonical) != _normal_url(loaded.article.path):
            target = _normal_url(canonical)
            for aid, addresses in self._addresses(heads).items():
                if aid != own_id and target in addresses:
                    return f"duplicate of {aid} (its canonical link is {canonical})"
        title = " ".join(loaded.article.title.casefold().split())
        for aid, text in self._same_title(title, heads, own_id):
            if similarity(text, loaded.article.text) >= NEAR_DUPLICATE:
                return f"duplicate of {aid} (near-identical text)"
        return None

    def _same_title(
        self, title: str, heads: dict[str, ChunkRecord], own_id: str | None
    ) -> Iterator[tuple[str, str]]:
        """(id, text) of the snapshot articles titled ``title`` (case and spaces aside)."""
        for aid, head in heads.items():
            if aid == own_id or not head.snapshot:
                continue
            if " ".join(head.title.casefold().split()) == title:
                other = self.store.get(head.content_hash)
                if other is not None:
                    yield aid, other.text
        for aid, loaded in self._planned.items():
            if aid != own_id and " ".join(loaded.article.title.casefold().split()) == title:
                yield aid, loaded.article.text

    # -- snapshots ---------------------------------------------------------------------
    def save(self, snapshots: Sequence[Snapshot]) -> None:
        """Store ``snapshots`` (before their articles' chunks) and cache the extracted ones
        locally (a text file's copy is read from the file while it is there)."""
        self.store.put(snapshots)
        for snapshot in snapshots:
            if snapshot.kind == "text":
                continue
            try:
                self.cache.put(snapshot)
            except OSError as exc:
                logger.warning("could not cache snapshot: %s", exc)

    def copy_of(self, article: Article) -> Snapshot:
        """The stored copy of a local text file's article (see :func:`file_copy`)."""
        return file_copy(article.text, article.path, now_iso())

    def touch(self, snapshot: Snapshot) -> None:
        """Record new validators / fetch time for an unchanged snapshot."""
        try:
            self.store.update_meta(snapshot)
        except Exception as exc:  # bookkeeping only: the next refresh just costs a full GET
            logger.warning("could not update snapshot metadata: %s", exc)

    def is_gone(self, url: str) -> str | None:
        """``"HTTP 404 …"`` when ``url`` now answers 404/410, else None."""
        try:
            self.fetcher.get(url)
        except FetchError as exc:
            return exc.reason if exc.status in GONE_STATUSES else None
        return None

    def collect_garbage(self, heads: Iterable[ChunkRecord]) -> None:
        """Delete snapshots (and text-file copies) no indexed article uses, in the store
        and the local cache."""
        keep = {h.content_hash for h in heads}
        try:
            self.store.delete(self.store.ids() - keep)
            self.cache.prune(keep)
        except Exception as exc:  # leftover snapshots are only space
            logger.warning("could not delete unused snapshots: %s", exc)


__all__ = ["Failed", "Unchanged", "UrlHints", "WebSources", "is_url", "similarity"]
