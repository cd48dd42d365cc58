"""Incremental, idempotent, crash-safe ingestion (real Chroma, real model)."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retrieval.errors import CitationError, IndexMismatchError, MissingIndexError
from retrieval.index import Index
from retrieval.ingest import IngestReport, ingest
from retrieval.lexical import lexical_dir
from retrieval.settings import Settings
from retrieval.store import ChromaBackend, ChromaStore, is_committed
from tests.ingest_helpers import ROOT, article_text, write_corpus

HELPER = Path(__file__).with_name("ingest_helpers.py")


KOREA = (
    "date 2023-10-09 Samsung and SK Hynix, the Korean memory makers, received indefinite "
    "waivers from Washington to keep shipping chipmaking equipment to their plants in China.\n"
)


class CountingEmbedder:
    """The real embedder, counting the texts it embeds and failing on a marker word."""

    def __init__(self, inner: Any, poison: str | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.poison = poison
        self.texts = 0

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if self.poison and any(self.poison in t for t in texts):
            raise RuntimeError("the encoder crashed")
        self.texts += len(texts)
        return self.inner.embed_documents(texts, batch_size=batch_size)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    write_corpus(folder, 4)
    return folder


@pytest.fixture(scope="module")
def base_index(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> tuple[Path, Path]:
    """Four articles and their index, built once per module (the model is slow on CPU)."""
    root = tmp_path_factory.mktemp("ingest-base")
    write_corpus(root / "articles", 4)
    ingest([root / "articles"], Settings(data_dir=root / "data"), embedder)
    return root / "articles", root / "data"


@pytest.fixture
def indexed(base_index: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Settings]:
    """The base corpus (restored to its original files) and a private copy of its index.

    The corpus keeps its path because the index records absolute paths.
    """
    corpus, data = base_index
    shutil.rmtree(corpus)
    write_corpus(corpus, 4)
    shutil.copytree(data, tmp_path / "data")
    return corpus, Settings(data_dir=tmp_path / "data")


def statuses(report: IngestReport) -> dict[str, str]:
    return {Path(i.path).name: i.status for i in report.items}


def assert_chunks_match_files(index: Index) -> None:
    """Every committed chunk quotes its file exactly, and no article has extra chunks."""
    for info in index.articles():
        text = Path(info.path).read_text(encoding="utf-8")
        chunks = index.store.chunks_of(info.id)
        assert [c.chunk_no for c in chunks] == list(range(info.n_chunks)), info.id
        for c in chunks:
            assert c.content_hash == info.content_hash
            assert c.text == text[c.start : c.end]


def test_first_run_adds_every_article(corpus: Path, settings: Settings, embedder: Any) -> None:
    report = ingest([corpus], settings, embedder)
    assert report.summary() == "4 added, 0 updated, 0 unchanged, 0 skipped, 0 removed"
    index = Index.open(settings)
    assert [a.id for a in index.articles()] == ["gen_00", "gen_01", "gen_02", "gen_03"]
    assert_chunks_match_files(index)


def test_second_run_writes_nothing(indexed: tuple[Path, Settings], embedder: Any) -> None:
    corpus, settings = indexed
    index = Index.open(settings)
    before = (index.store.count(), index.stats()["generation"])
    counting = CountingEmbedder(embedder)
    report = ingest([corpus], settings, counting)
    assert report.counts["unchanged"] == 4
    assert counting.texts == 0
    assert (index.store.count(), index.stats()["generation"]) == before


def test_changed_file_replaces_its_chunks(indexed: tuple[Path, Settings], embedder: Any) -> None:
    corpus, settings = indexed
    (corpus / "gen_01.txt").write_text(article_text(1, version=2), encoding="utf-8")
    report = ingest([corpus], settings, embedder)
    assert statuses(report)["gen_01.txt"] == "updated"
    assert report.counts["unchanged"] == 3
    index = Index.open(settings)
    assert all("version 2" in c.text for c in index.chunks_of("gen_01"))
    assert_chunks_match_files(index)


def test_shorter_version_leaves_no_old_extra_chunks(
    indexed: tuple[Path, Settings], embedder: Any
) -> None:
    corpus, settings = indexed
    index = Index.open(settings)
    old_n = len(index.chunks_of("gen_02"))
    (corpus / "gen_02.txt").write_text(article_text(2, version=2, paragraphs=1), encoding="utf-8")
    ingest([corpus], settings, embedder)
    new_n = len(index.store.chunks_of("gen_02"))
    assert new_n < old_n
    assert new_n == index.article("gen_02").n_chunks
    assert_chunks_match_files(index)


def test_updated_article_is_found_by_both_searches(
    indexed: tuple[Path, Settings], embedder: Any
) -> None:
    corpus, settings = indexed
    index = Index.open(settings)
    assert index.lexical_search("xylophone", k=3) == []
    text = article_text(3, version=2).replace("Report kw03", "Xylophone report kw03")
    (corpus / "gen_03.txt").write_text(text, encoding="utf-8")
    ingest([corpus], settings, embedder)
    assert index.lexical_search("xylophone", k=1)[0][0].article_id == "gen_03"
    hits = index.dense_search(embedder.embed_query("Xylophone report kw03"), k=1)
    assert hits[0][0].article_id == "gen_03"


def test_prune_removes_articles_whose_files_are_gone(
    indexed: tuple[Path, Settings], embedder: Any
) -> None:
    corpus, settings = indexed
    (corpus / "gen_00.txt").unlink()
    assert ingest([corpus], settings, embedder).counts["removed"] == 0
    report = ingest([corpus], settings, embedder, prune=True)
    assert [(i.article_id, i.status) for i in report.items if i.status == "removed"] == [
        ("gen_00", "removed")
    ]
    index = Index.open(settings)
    assert index.store.chunks_of("gen_00") == []
    assert index.lexical_search("kw00", k=3) == []


def test_moved_file_keeps_its_id_and_vectors(indexed: tuple[Path, Settings], embedder: Any) -> None:
    corpus, settings = indexed
    (corpus / "sub").mkdir()
    new_path = corpus / "sub" / "renamed.txt"
    (corpus / "gen_01.txt").rename(new_path)
    counting = CountingEmbedder(embedder)
    report = ingest([corpus], settings, counting, prune=True)
    (moved,) = [i for i in report.items if i.status == "updated"]
    assert (moved.article_id, moved.reason) == ("gen_01", f"moved from {corpus / 'gen_01.txt'}")
    assert report.counts["removed"] == 0
    assert counting.texts == 0
    index = Index.open(settings)
    assert {c.path for c in index.store.chunks_of("gen_01")} == {str(new_path)}
    assert ingest([corpus], settings, embedder).counts["unchanged"] == 4


def test_same_content_as_an_indexed_article_is_a_duplicate(
    indexed: tuple[Path, Settings], embedder: Any
) -> None:
    corpus, settings = indexed
    shutil.copy(corpus / "gen_00.txt", corpus / "copy.txt")
    report = ingest([corpus], settings, embedder)
    (dup,) = [i for i in report.items if i.status == "skipped"]
    assert dup.reason == f"duplicate of gen_00 ({corpus / 'gen_00.txt'})"


def test_same_content_twice_in_one_batch_is_a_duplicate(
    corpus: Path, settings: Settings, embedder: Any
) -> None:
    shutil.copy(corpus / "gen_00.txt", corpus / "zz_copy.txt")
    report = ingest([corpus], settings, embedder)
    assert statuses(report)["zz_copy.txt"] == "skipped"
    assert report.counts["added"] == 4


def test_same_file_name_in_two_folders_gets_a_distinct_id(
    tmp_path: Path, settings: Settings, embedder: Any
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "report.txt").write_text(article_text(1), encoding="utf-8")
    second = tmp_path / "b" / "report.txt"
    second.write_text(article_text(2), encoding="utf-8")
    report = ingest([tmp_path / "a", tmp_path / "b"], settings, embedder)
    suffix = hashlib.sha1(str(second).encode()).hexdigest()[:6]
    assert sorted(i.article_id or "" for i in report.items) == ["report", f"report-{suffix}"]
    assert ingest([tmp_path / "a", tmp_path / "b"], settings, embedder).counts["unchanged"] == 2


def test_bad_files_are_skipped_with_reasons_and_the_batch_goes_on(
    indexed: tuple[Path, Settings], embedder: Any
) -> None:
    corpus, settings = indexed
    (corpus / "zz_new.txt").write_text(article_text(30), encoding="utf-8")
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (corpus / "latin1.txt").write_bytes("date 2023-01-01 Caf\xe9 talks".encode("latin-1"))
    (corpus / "huge.txt").write_text("date 2023-01-01 " + "word " * 2000, encoding="utf-8")
    report = ingest(
        [corpus, corpus / "missing.txt"], settings.with_overrides(max_file_bytes=5000), embedder
    )
    reasons = {Path(i.path).name: i.reason for i in report.items if i.status == "skipped"}
    assert set(reasons) == {"empty.txt", "binary.txt", "latin1.txt", "huge.txt", "missing.txt"}
    assert all(reasons.values())
    assert "UTF-8" in reasons["latin1.txt"]
    assert (report.counts["added"], report.counts["unchanged"]) == (1, 4)


def test_an_article_failing_to_embed_is_skipped_and_others_are_stored(
    corpus: Path, settings: Settings, embedder: Any
) -> None:
    (corpus / "gen_02.txt").write_text(article_text(2) + "\nPOISON\n", encoding="utf-8")
    report = ingest([corpus], settings, CountingEmbedder(embedder, poison="POISON"))
    assert statuses(report)["gen_02.txt"] == "skipped"
    assert "the encoder crashed" in report.items[2].reason
    assert report.counts["added"] == 3
    assert [a.id for a in Index.open(settings).articles()] == ["gen_00", "gen_01", "gen_03"]


def test_ingest_with_other_chunking_is_a_mismatch_and_writes_nothing(
    indexed: tuple[Path, Settings], embedder: Any
) -> None:
    corpus, settings = indexed
    count = Index.open(settings).store.count()
    (corpus / "gen_00.txt").write_text(article_text(0, version=2), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        ingest([corpus], settings.with_overrides(chunk_chars=400), embedder)
    index = Index.open(settings)
    assert index.store.count() == count
    assert "version 1" in index.chunks_of("gen_00")[0].text


def test_rebuild_switches_to_a_fresh_collection_with_the_new_settings(
    indexed: tuple[Path, Settings], tmp_path: Path, embedder: Any
) -> None:
    corpus, settings = indexed
    other = tmp_path / "other"
    write_corpus(other, 1, start=10)
    ingest([corpus, other], settings, embedder)
    old = Index.open(settings).store.name
    small = settings.with_overrides(chunk_chars=300)
    report = ingest([corpus], small, embedder, rebuild=True)  # other/ is carried over
    assert report.counts["added"] == 5
    index = Index.open(small)
    assert index.store.name != old
    assert old not in ChromaBackend(settings).names()
    assert not lexical_dir(settings.data_dir, old).exists()
    assert len(index.articles()) == 5
    assert index.lexical_search("kw10", k=1)[0][0].article_id == "gen_10"
    assert_chunks_match_files(index)
    with pytest.raises(IndexMismatchError):
        Index.open(settings)


def test_progress_is_reported_for_every_file(indexed: tuple[Path, Settings], embedder: Any) -> None:
    corpus, settings = indexed
    (corpus / "gen_01.txt").write_text(article_text(1, version=2), encoding="utf-8")
    seen: list[tuple[int, int]] = []
    ingest([corpus], settings, embedder, progress=lambda d, n, _p: seen.append((d, n)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_index_lists_articles_by_date_and_rejects_unknown_ids(
    indexed: tuple[Path, Settings], embedder: Any
) -> None:
    corpus, settings = indexed
    (corpus / "undated.txt").write_text("An undated note about export rules.\n", encoding="utf-8")
    ingest([corpus], settings, embedder)
    index = Index.open(settings)
    assert [a.id for a in index.articles()][-1] == "undated"
    assert index.article("gen_01").title
    with pytest.raises(CitationError, match="nope"):
        index.article("nope")
    stats = index.stats()
    assert (stats["n_articles"], stats["model"]) == (5, embedder.name)


def test_missing_index_is_reported_before_any_ingest(settings: Settings) -> None:
    with pytest.raises(MissingIndexError, match=r"chipbot ingest PATH"):
        Index.open(settings)


class Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing may catch it)."""


def crash_after_upserts(monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    original = ChromaStore.upsert
    calls = {"n": 0}

    def upsert(self: ChromaStore, records: Any, embeddings: Any) -> None:
        original(self, records, embeddings)
        calls["n"] += 1
        if calls["n"] >= after:
            raise Crash

    monkeypatch.setattr(ChromaStore, "upsert", upsert)


def test_a_file_reverted_after_an_interrupted_update_is_redone(
    indexed: tuple[Path, Settings], embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, settings = indexed
    original = (corpus / "gen_01.txt").read_text(encoding="utf-8")
    (corpus / "gen_01.txt").write_text(article_text(1, version=2), encoding="utf-8")
    with monkeypatch.context() as m:
        crash_after_upserts(m, 1)  # new chunks 1..n written, head not yet
        with pytest.raises(Crash):
            ingest([corpus], settings, embedder)
    (corpus / "gen_01.txt").write_text(original, encoding="utf-8")  # head hash matches again
    report = ingest([corpus], settings, embedder)
    assert statuses(report)["gen_01.txt"] == "updated"
    assert_chunks_match_files(Index.open(settings))


def test_chunks_of_a_never_committed_new_article_are_cleaned_up(
    indexed: tuple[Path, Settings], embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, settings = indexed
    extra = write_corpus(corpus, 1, start=20)[0]
    with monkeypatch.context() as m:
        crash_after_upserts(m, 1)
        with pytest.raises(Crash):
            ingest([corpus], settings, embedder)
    index = Index.open(settings)
    assert index.store.chunks_of("gen_20")  # orphans on disk ...
    assert index.chunks_of("gen_20") == []  # ... never served
    assert all(r.article_id != "gen_20" for r, _ in index.lexical_search("kw20", k=5))
    extra.unlink()
    ingest([corpus], settings, embedder)
    assert index.store.chunks_of("gen_20") == []


# -- a real kill -9 in the middle of an ingest --------------------------------------


def run_helper(
    data_dir: Path, paths: Sequence[Path], env: dict[str, str] | None = None, *extra: str
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, str(HELPER), str(data_dir), *extra, *map(str, paths)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def make_big_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "big"
    write_corpus(folder, 30)
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    return folder


def change_corpus(folder: Path) -> None:
    """Edit a seed, rewrite some articles (one much shorter) and add new ones."""
    seed = sorted(folder.glob("0*.txt"))[0]
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("Japan", "Nippon", 3), encoding="utf-8")
    for n in (3, 11, 17, 25):
        (folder / f"gen_{n:02d}.txt").write_text(article_text(n, version=2), encoding="utf-8")
    (folder / "gen_07.txt").write_text(article_text(7, 2, paragraphs=1), encoding="utf-8")
    write_corpus(folder, 3, start=40)


def snapshot(settings: Settings) -> dict[str, list[tuple[str, str]]]:
    with Index.open(settings) as index:
        store = index.store
        return {
            aid: [(c.content_hash, c.text) for c in store.chunks_of(aid)] for aid in store.heads()
        }


def assert_consistent_after_kill(
    settings: Settings, folder: Path, before: dict[str, list[tuple[str, str]]], embedder: Any
) -> None:
    with Index.open(settings) as index:
        heads = index.store.heads()
        files = {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.txt")}
        for aid, chunks in before.items():
            old_hash = chunks[0][0]
            if hashlib.sha256(files[aid].encode()).hexdigest() == old_hash:  # file untouched
                assert [(c.content_hash, c.text) for c in index.store.chunks_of(aid)] == chunks
            if heads[aid].content_hash == old_hash:  # not (yet) redone: serves old chunks only
                served = [(c.content_hash, c.text) for c in index.chunks_of(aid)]
                assert served
                assert set(served) <= set(chunks)
        # No chunk can be cited wrongly: it quotes the current file, or its head is still old.
        for record in index.store.scan():
            head = heads.get(record.article_id)
            old_hash = before.get(record.article_id, [("", "")])[0][0]
            quotes_file = files[record.article_id][record.start : record.end] == record.text
            assert quotes_file or (head is not None and head.content_hash == old_hash)
        # Searches only ever return committed chunks.
        for query in ("lithography export controls", "Nippon", "kw03 version 2", "kw41"):
            hits = index.dense_search(embedder.embed_query(query), k=20)
            hits += index.lexical_search(query, k=20)
            for record, _ in hits:
                assert is_committed(record, heads.get(record.article_id))
        # Untouched articles still answer.
        assert index.lexical_search("kw05", k=1)[0][0].article_id == "gen_05"


def assert_complete(settings: Settings, folder: Path) -> None:
    with Index.open(settings) as index:
        files = {p.stem for p in folder.glob("*.txt")}
        assert {a.id for a in index.articles()} == files
        assert_chunks_match_files(index)
        assert index.store.count() == sum(a.n_chunks for a in index.articles())
        assert index.lexical_search("kw41", k=1)[0][0].article_id == "gen_41"
        assert index.lexical_search("Nippon", k=1)[0][0].article_id.startswith("000_")


@pytest.mark.slow
def test_ingest_killed_between_chunk_and_head_writes_recovers(
    tmp_path: Path, settings: Settings, embedder: Any
) -> None:
    folder = make_big_corpus(tmp_path)
    ingest([folder], settings, embedder)
    before = snapshot(settings)
    change_corpus(folder)
    hooks = {"INGEST_TEST_BATCH_CHUNKS": "8", "INGEST_TEST_KILL_AFTER_UPSERTS": "3"}
    killed = run_helper(settings.data_dir, [folder], hooks)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert "progress" in killed.stdout  # the first batch committed, the second did not
    assert_consistent_after_kill(settings, folder, before, embedder)
    done = run_helper(settings.data_dir, [folder])
    assert done.returncode == 0, done.stderr
    assert "unchanged" in done.stdout
    assert_complete(settings, folder)


@pytest.mark.slow
def test_ingest_killed_from_outside_mid_run_recovers(
    tmp_path: Path, settings: Settings, embedder: Any
) -> None:
    folder = make_big_corpus(tmp_path)
    ingest([folder], settings, embedder)
    before = snapshot(settings)
    change_corpus(folder)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INGEST_TEST_BATCH_CHUNKS": "8"}
    proc = subprocess.Popen(
        [sys.executable, str(HELPER), str(settings.data_dir), str(folder)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # kill -9 as soon as some article past the unchanged ones commits
        if line.startswith("progress") and "gen_1" in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert_consistent_after_kill(settings, folder, before, embedder)
    ingest([folder], settings, embedder)
    assert_complete(settings, folder)


@pytest.mark.slow
def test_killed_rebuild_leaves_the_old_index_answering(
    indexed: tuple[Path, Settings], embedder: Any
) -> None:
    corpus, settings = indexed
    before = snapshot(settings)
    killed = run_helper(
        settings.data_dir, [corpus], {"INGEST_TEST_KILL_AFTER_UPSERTS": "2"}, "--rebuild"
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with Index.open(settings) as index:
        assert index.store.name == settings.collection
        assert index.lexical_search("kw02", k=1)[0][0].article_id == "gen_02"
    assert snapshot(settings) == before
    ingest([corpus], settings, embedder, rebuild=True)
    backend = ChromaBackend(settings)
    # The old index and the killed rebuild's leftovers are gone (the snapshots stay).
    assert [n for n in backend.names() if not n.endswith("-snapshots")] == [backend.active_name()]
    backend.close()
    assert_complete_small(settings, corpus)


def assert_complete_small(settings: Settings, folder: Path) -> None:
    with Index.open(settings) as index:
        assert {a.id for a in index.articles()} == {p.stem for p in folder.glob("*.txt")}
        assert_chunks_match_files(index)


@pytest.mark.slow
def test_an_open_index_sees_what_another_process_ingested(
    indexed: tuple[Path, Settings], embedder: Any
) -> None:
    corpus, settings = indexed
    with Index.open(settings) as index:
        query = embedder.embed_query("Which Korean memory makers got waivers?")
        assert index.dense_search(query, k=1)[0][0].article_id != "korea"
        (corpus / "korea.txt").write_text(KOREA, encoding="utf-8")
        (corpus / "gen_02.txt").write_text(article_text(2, 2, paragraphs=1), encoding="utf-8")
        done = run_helper(settings.data_dir, [corpus])
        assert done.returncode == 0, done.stderr
        assert index.dense_search(query, k=1)[0][0].article_id == "korea"
        assert index.lexical_search("Hynix", k=1)[0][0].article_id == "korea"
        hits = index.dense_search(embedder.embed_query("kw02 revision"), k=50)
        assert all(r.text in (corpus / f"{r.article_id}.txt").read_text() for r, _ in hits)
