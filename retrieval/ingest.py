"""Incremental, idempotent, crash-safe ingestion of article files into the index.

Commit protocol (why a killed run never corrupts an article):

1. Before the first write of a run the collection gets a new ``generation`` token, so a
   BM25 index built earlier knows it is stale.
2. An article's chunks 1..n are upserted first, then chunks numbered n and up left over
   from an older (longer) version are deleted, and only then chunk 0 is upserted. Chunk 0
   carries the article's ``content_hash``: it is the commit marker. An article whose head
   hash differs from its file is simply redone by the next run, and readers
   (:mod:`retrieval.index`) only return chunks whose hash matches their head's.
3. At the end of a run that changed something, the generation is bumped again and the
   BM25 index is rebuilt from the committed chunks.

``rebuild=True`` builds into a new collection ``<collection>-r<timestamp>`` and switches
the backend's active pointer to it only when complete (see :mod:`retrieval.store`), so a
killed rebuild leaves the old index answering.

Web pages (``http(s)://`` targets) and local HTML/PDF files are loaded by
:mod:`retrieval.web`: their extracted text is a snapshot, stored (content-addressed)
before the article's chunks, so the commit protocol above covers them unchanged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import re
import secrets
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from retrieval.chunking import chunk_records
from retrieval.embedding import Embedder
from retrieval.errors import ChipbotError
from retrieval.index import check_compatible, expected_chunk_params
from retrieval.lexical import lexical_dir, rebuild_lexical
from retrieval.models import Article, ChunkRecord
from retrieval.parsing import SUPPORTED_SUFFIXES, ArticleSkipped, discover, parse_file
from retrieval.sentence_vectors import CachedEmbedder, open_cache, record_sentences
from retrieval.settings import Settings
from retrieval.store import VectorBackend, VectorStore, index_meta, new_generation, open_backend
from retrieval.web.refresh import Failed, Unchanged, UrlHints, WebSources
from retrieval.web.snapshots import Snapshot
from retrieval.web.sources import WEB_SUFFIXES, is_url

logger = logging.getLogger(__name__)

Status = Literal["added", "updated", "unchanged", "skipped", "removed"]
STATUSES: tuple[Status, ...] = ("added", "updated", "unchanged", "skipped", "removed")
# Chunks embedded and written per round (a module constant so tests can shrink it). Each
# Chroma upsert has a fixed cost (~0.1 s locally), so rounds are large: 1024 halves the
# store time of 128 at 10,000 passages.
BATCH_CHUNKS = 1024
EMBED_BATCH_SIZE = 64

Progress = Callable[[int, int, str], None]
#: What ingest takes: a file or folder, a URL, or (in a rebuild) an indexed snapshot article.
Target = Path | str | ChunkRecord


@dataclass
class IngestItem:
    """What happened to one file."""

    path: str
    article_id: str | None
    status: Status
    reason: str = ""


@dataclass
class IngestReport:
    """The outcome of one :func:`ingest` run, one item per file (and per removed article)."""

    items: list[IngestItem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Items per status (every status present, zeros included)."""
        out: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for item in self.items:
            out[item.status] += 1
        return out

    def summary(self) -> str:
        """E.g. ``2 added, 0 updated, 5 unchanged, 1 skipped, 0 removed``."""
        return ", ".join(f"{n} {status}" for status, n in self.counts.items())


@dataclass
class _Work:
    """An article to (re)write, with its chunk records."""

    article: Article
    status: Status
    reason: str
    records: list[ChunkRecord]
    snapshot: Snapshot | None = None


def _records(article: Article, settings: Settings) -> list[ChunkRecord]:
    return chunk_records(article, max_chars=settings.chunk_chars, overlap=settings.chunk_overlap)


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class _Run:
    """One ingest run against one store: plan, embed, write, prune, finish."""

    def __init__(
        self,
        store: VectorStore,
        settings: Settings,
        embedder: Embedder,
        progress: Progress | None,
        web: WebSources,
        hints: UrlHints | None = None,
    ) -> None:
        self.store = store
        self.web = web
        self.hints = hints or UrlHints()
        self.gone: dict[str, str] = {}  # URL -> "HTTP 404 …" seen this run
        self.settings = settings
        self.embedder = embedder
        self.progress = progress
        self.report = IngestReport()
        self.heads = store.heads()
        # Articles whose write began but may not have committed (a killed run): redone
        # even when their head hash matches, because stale chunks may sit beside it.
        self.pending: set[str] = set(store.info().get("pending") or [])
        self.by_path = {h.path: aid for aid, h in self.heads.items()}
        self.by_hash = {h.content_hash: aid for aid, h in self.heads.items()}
        self.claimed_ids: set[str] = set()
        self.batch_hashes: dict[str, tuple[str, str]] = {}
        self.moved_from: set[str] = set()
        self.changed = False
        self.done = 0
        self.total = 0

    # -- bookkeeping -----------------------------------------------------------------
    def _item(self, path: str, article_id: str | None, status: Status, reason: str = "") -> None:
        self.report.items.append(IngestItem(path, article_id, status, reason))
        if status == "skipped":
            logger.warning("skipped %s: %s", path, reason)
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, path)

    def _begin_write(self, pending: set[str] | None = None) -> None:
        """Mark the store as changing (new generation) and record in-flight articles."""
        values: dict[str, object] = {}
        if not self.changed:
            values["generation"] = new_generation()
        if pending:
            self.pending |= pending
            values["pending"] = sorted(self.pending)
        if values:
            self.store.set_info(**values)
        self.changed = True

    def _end_write(self, committed: set[str]) -> None:
        if committed & self.pending:
            self.pending -= committed
            self.store.set_info(pending=sorted(self.pending))

    # -- planning --------------------------------------------------------------------
    def plan(self, target: Target) -> _Work | None:
        """Load ``target`` and decide what to do with it (None: nothing to write)."""
        if isinstance(target, str) and is_url(target):
            return self._plan_url(target)
        snapshot: Snapshot | None = None
        try:
            if isinstance(target, ChunkRecord):  # a rebuild: from its stored snapshot
                article = self.web.stored_article(target)
            elif Path(target).suffix.lower() in WEB_SUFFIXES:
                loaded = self.web.load_file(Path(target))
                article, snapshot = loaded.article, loaded.snapshot
            else:
                article = parse_file(Path(target), max_bytes=self.settings.max_file_bytes)
        except ArticleSkipped as exc:
            self._item(str(target), None, "skipped", exc.reason)
            return None
        except (ChipbotError, OSError, ValueError) as exc:
            self._item(str(target), None, "skipped", _reason(exc))
            return None
        return self._plan_article(article, snapshot)

    def _plan_url(self, url: str) -> _Work | None:
        existing = self.by_path.get(url)
        head = self.heads.get(existing) if existing else None
        redo = existing in self.pending
        outcome = self.web.load_url(url, head, self.heads, redo=redo)
        if isinstance(outcome, Failed):
            if outcome.status in (404, 410):
                self.gone[url] = outcome.reason
            self._item(url, existing, "skipped", outcome.reason)
            return None
        if isinstance(outcome, Unchanged):
            assert existing is not None  # only a conditional request can answer 304
            self._claim(url, existing, self.heads[existing].content_hash)
            self._item(url, existing, "unchanged", "not modified")
            return None
        duplicate = self.web.duplicate_of(outcome, self.heads, existing)
        if duplicate is not None:
            self._item(url, None, "skipped", duplicate)
            return None
        return self._plan_article(self.hints.apply(url, outcome.article), outcome.snapshot)

    def _plan_article(self, article: Article, snapshot: Snapshot | None) -> _Work | None:
        digest = article.content_hash
        earlier = self.batch_hashes.get(digest)
        existing = self.by_path.get(article.path)
        if (
            existing is not None
            and self.heads[existing].content_hash == digest
            and existing not in self.pending
        ):
            self._claim(article.path, existing, digest)
            if snapshot is not None and snapshot.etag + snapshot.last_modified:
                self.web.touch(snapshot)  # new validators: the next refresh can be a 304
            self._item(article.path, existing, "unchanged")
            return None
        other = earlier[0] if earlier else self.by_hash.get(digest)
        if other is not None and other != existing:
            if existing is None and earlier is None and self._movable(other):
                self._move(article, other)
                return None
            other_path = earlier[1] if earlier else self.heads[other].path
            self._item(article.path, None, "skipped", f"duplicate of {other} ({other_path})")
            return None
        status: Status = "added" if existing is None else "updated"
        article_id = existing if existing is not None else self._new_id(article)
        article = dataclasses.replace(article, id=article_id)
        self._claim(article.path, article_id, digest)
        try:
            records = _records(article, self.settings)
        except Exception as exc:  # a chunker bug must not abort the batch
            self._item(article.path, article_id, "skipped", f"chunking failed: {_reason(exc)}")
            return None
        if not records:
            self._item(article.path, article_id, "skipped", "no text to index")
            return None
        return _Work(article, status, "", records, snapshot)

    def _claim(self, path: str, article_id: str, digest: str) -> None:
        self.claimed_ids.add(article_id)
        self.batch_hashes.setdefault(digest, (article_id, path))

    def _movable(self, article_id: str) -> bool:
        old_path = self.heads[article_id].path
        if is_url(old_path):
            return False
        return article_id not in self.claimed_ids and not Path(old_path).exists()

    def _new_id(self, article: Article) -> str:
        base = article.id
        taken = base in self.heads or base in self.claimed_ids
        if not taken:
            return base
        suffix = hashlib.sha1(article.path.encode("utf-8")).hexdigest()[:6]
        return f"{base}-{suffix}"

    def _move(self, article: Article, article_id: str) -> None:
        """Same content at a new path, old file gone: rewrite metadata, keep vectors."""
        old_path = self.heads[article_id].path
        self._claim(article.path, article_id, article.content_hash)
        self.moved_from.add(article_id)
        try:
            chunks = [
                dataclasses.replace(c, path=article.path) for c in self.store.chunks_of(article_id)
            ]
            self._begin_write()
            self.store.update_metadata([c for c in chunks if c.chunk_no != 0])
            self.store.update_metadata([c for c in chunks if c.chunk_no == 0])  # commit
        except Exception as exc:
            self._item(article.path, article_id, "skipped", f"could not move: {_reason(exc)}")
            return
        self._item(article.path, article_id, "updated", f"moved from {old_path}")

    # -- writing ---------------------------------------------------------------------
    def write(self, batch: list[_Work]) -> None:
        """Embed and commit ``batch``; on failure retry one article at a time."""
        if not batch:
            return
        try:
            self._write(batch)
        except Exception as exc:
            if len(batch) == 1:
                work = batch[0]
                reason = f"could not embed or store: {_reason(exc)}"
                self._item(work.article.path, work.article.id, "skipped", reason)
                return
            logger.info("batch write failed (%s); retrying article by article", exc)
            for work in batch:
                self.write([work])
            return
        for work in batch:
            self._item(work.article.path, work.article.id, work.status, work.reason)

    def _write(self, batch: list[_Work]) -> None:
        records = [r for work in batch for r in work.records]
        vectors = np.asarray(
            self.embedder.embed_documents([r.text for r in records], batch_size=EMBED_BATCH_SIZE),
            dtype=np.float32,
        )
        if vectors.shape[0] != len(records):
            raise ChipbotError(f"the embedder returned {vectors.shape[0]} vectors")
        heads = [i for i, r in enumerate(records) if r.chunk_no == 0]
        rest = [i for i, r in enumerate(records) if r.chunk_no != 0]
        ids = {w.article.id for w in batch}
        self._begin_write(ids)
        # Snapshots (and text files' copies) are content-addressed: safe before the commit.
        self.web.save([w.snapshot or self.web.copy_of(w.article) for w in batch])
        self.store.upsert([records[i] for i in rest], vectors[rest])
        self.store.delete_tails({w.article.id: len(w.records) for w in batch})
        self.store.upsert([records[i] for i in heads], vectors[heads])  # the commit markers
        self._end_write(ids)
        self._prefill_sentences(records)

    def _prefill_sentences(self, records: list[ChunkRecord]) -> None:
        """Encode the chunks' sentences now, so questions find their vectors cached."""
        cache = open_cache(self.settings.data_dir, self.settings.embedding_model)
        try:
            CachedEmbedder(self.embedder, cache).embed_documents(
                record_sentences(records), batch_size=EMBED_BATCH_SIZE
            )
        except Exception as exc:  # an optimisation only: questions encode what is missing
            logger.warning("sentence vectors not stored: %s", _reason(exc))
        finally:
            cache.close()

    def prune(self) -> None:
        """Remove articles whose files are gone (and were not just moved), and web
        articles whose URL now answers 404 or 410."""
        for article_id, head in sorted(self.heads.items()):
            if article_id in self.moved_from or article_id in self.claimed_ids:
                continue
            if is_url(head.path):
                why = self.gone.get(head.path) or self.web.is_gone(head.path)
                if why is None:
                    continue
                reason = f"the URL answers {why}"
            elif Path(head.path).exists():
                continue
            else:
                reason = "file no longer exists"
            self._begin_write()
            self.store.delete_tails({article_id: 0})
            self._item(head.path, article_id, "removed", reason)

    def finish(self, data_dir: Path) -> None:
        """Drop orphaned leftovers, bump the generation, rebuild BM25 if anything changed."""
        orphans = {a for a in self.pending if a not in self.heads and a not in self.claimed_ids}
        if orphans:  # chunks of a never-committed new article whose file was not seen again
            self._begin_write()
            self.store.delete_tails(dict.fromkeys(orphans, 0))
            self.pending -= orphans
        if not self.changed:
            return
        generation = new_generation()
        self.store.set_info(generation=generation, pending=sorted(self.pending))
        rebuild_lexical(self.store, lexical_dir(data_dir, self.store.name), generation)


def _discover(paths: Sequence[Path | str], report: IngestReport) -> list[Target]:
    files: dict[str, Target] = {}
    for path in paths:
        if is_url(path):
            files.setdefault(str(path), str(path))
            continue
        try:
            found = discover([Path(path)], SUPPORTED_SUFFIXES + WEB_SUFFIXES)
        except ChipbotError as exc:
            report.items.append(IngestItem(str(path), None, "skipped", _reason(exc)))
            continue
        for f in found:
            files.setdefault(str(f), f)
    return list(files.values())


def _rebuild_name(collection: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    return f"{collection}-r{stamp}{secrets.token_hex(2)}"


def _is_rebuild_name(collection: str, name: str) -> bool:
    return re.fullmatch(re.escape(collection) + r"-r\d{14}[0-9a-f]{4}", name) is not None


def _open_for_ingest(backend: VectorBackend, settings: Settings, embedder: Embedder) -> VectorStore:
    params = expected_chunk_params(settings)
    name = backend.active_name()
    if name is None:
        return backend.create(settings.collection, index_meta(embedder.name, embedder.dim, params))
    store = backend.open(name)
    info = store.info()
    check_compatible(info, embedder.name, params, embedder.dim)
    if not info.get("dim"):
        store.set_info(dim=embedder.dim)
    return store


def ingest(
    paths: Sequence[Path | str],
    settings: Settings,
    embedder: Embedder,
    *,
    prune: bool = False,
    rebuild: bool = False,
    progress: Progress | None = None,
    hints: UrlHints | None = None,
) -> IngestReport:
    """Bring the index up to date with the article files under ``paths`` and the URLs.

    Unchanged files cost a parse and a hash, unchanged URLs one (conditional) request;
    bad files and pages are reported as skipped and never abort the batch. ``prune``
    removes articles whose files are gone or whose URL answers 404/410; ``rebuild`` builds
    a fresh collection from ``paths`` plus every still-existing file of the old index
    (web articles from their stored snapshots). ``hints`` name the source (and a date for
    pages without one) of some URLs, as a feed does, and may lend the HTTP client.
    """
    backend = open_backend(settings)
    try:
        return _ingest(backend, paths, settings, embedder, prune, rebuild, progress, hints)
    finally:
        backend.close()  # lets readers in this process see the writes (see ChromaBackend)


def _ingest(
    backend: VectorBackend,
    paths: Sequence[Path | str],
    settings: Settings,
    embedder: Embedder,
    prune: bool,
    rebuild: bool,
    progress: Progress | None,
    hints: UrlHints | None = None,
) -> IngestReport:
    report = IngestReport()
    files = _discover(paths, report)
    old_name = backend.active_name()
    if rebuild:
        if old_name is not None:
            files += _carry_over(backend.open(old_name), files, report)
        name = _rebuild_name(settings.collection)
        params = expected_chunk_params(settings)
        store = backend.create(name, index_meta(embedder.name, embedder.dim, params))
    else:
        store = _open_for_ingest(backend, settings, embedder)

    web = WebSources(settings, backend, hints.fetcher if hints else None)
    try:
        run = _Run(store, settings, embedder, progress, web, hints)
        run.report.items.extend(report.items)
        run.total = len(files)
        batch: list[_Work] = []
        size = 0
        for path in sorted(files, key=_target_key):
            work = run.plan(path)
            if work is None:
                continue
            batch.append(work)
            size += len(work.records)
            if size >= BATCH_CHUNKS:
                run.write(batch)
                batch, size = [], 0
        run.write(batch)
        if prune and not rebuild:
            run.prune()
        if rebuild:
            run.changed = True
        run.finish(settings.data_dir)
        if rebuild:
            _switch(backend, settings, store.name, old_name)
        if run.changed:
            web.collect_garbage(store.heads().values())
    finally:
        web.close()
    logger.info("ingest: %s", run.report.summary())
    return run.report


def _target_key(target: Target) -> str:
    return target.path if isinstance(target, ChunkRecord) else str(target)


def _carry_over(old: VectorStore, files: list[Target], report: IngestReport) -> list[Target]:
    """The old index's files a rebuild must include too (gone ones are reported removed);
    web articles come back from their stored snapshots."""
    known = {_target_key(f) for f in files}
    extra: list[Target] = []
    for head in sorted(old.heads().values(), key=lambda h: h.path):
        if head.path in known:
            continue
        known.add(head.path)
        if is_url(head.path) and head.snapshot:
            extra.append(head)
        elif Path(head.path).is_file():
            extra.append(Path(head.path))
        else:
            report.items.append(
                IngestItem(head.path, head.article_id, "removed", "file no longer exists")
            )
    return extra


def _switch(backend: VectorBackend, settings: Settings, new: str, old: str | None) -> None:
    """Activate the rebuilt collection, then drop the old one and any killed rebuilds."""
    backend.activate(new)
    stale = {old} if old else set()
    stale.update(
        n for n in backend.names() if _is_rebuild_name(settings.collection, n) and n != new
    )
    for name in stale - {new}:
        try:
            backend.drop(name)
        except Exception as exc:  # the new index is live; a leftover is only disk space
            logger.warning("could not delete the old collection %s: %s", name, exc)
        shutil.rmtree(lexical_dir(settings.data_dir, name), ignore_errors=True)
