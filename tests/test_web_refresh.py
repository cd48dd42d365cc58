"""Re-ingesting web articles: conditional requests, changed pages, duplicates, --prune,
--rebuild, and local HTML/PDF files beside text files (real site on 127.0.0.1, real index)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import main
from retrieval.engine import Chipbot
from retrieval.ingest import ingest
from retrieval.settings import Settings
from retrieval.store import open_backend
from retrieval.web.snapshots import SnapshotStore
from tests.web_site import Route, Site, article_page, corpus_articles, pdf_bytes, serve

pytestmark = pytest.mark.slow

ARTICLES = corpus_articles()
SHORT = [ARTICLES[i] for i in (6, 13, 14)]  # three short METI press conferences


@pytest.fixture
def site() -> Iterator[Site]:
    """A fresh site per test: its routes change during the test."""
    gen = serve()
    yield next(gen)
    gen.close()


@pytest.fixture
def settings(isolated_data_dir: Path) -> Settings:
    """Settings on this test's own data dir."""
    return Settings(data_dir=isolated_data_dir, fetch_timeout=5.0)


def serve_short(site: Site, **route: Any) -> list[str]:
    """The three short articles as pages; their URLs."""
    return [site.page(f"/news/{a.stem}.html", article_page(a), **route) for a in SHORT]


def page_hits(site: Site) -> dict[str, int]:
    """Requests per path, robots.txt left out."""
    return {p: n for p, n in site.hits.items() if p != "/robots.txt"}


def statuses(report: Any) -> dict[str, str]:
    """path -> status of one ingest report."""
    return {i.path: i.status for i in report.items}


def test_refreshing_unchanged_urls_costs_one_conditional_request_each(
    site: Site, settings: Settings, embedder: Any
) -> None:
    urls = serve_short(site)
    ingest(urls, settings, embedder)
    site.hits.clear()
    report = ingest(urls, settings, embedder)
    assert set(statuses(report).values()) == {"unchanged"}
    assert page_hits(site) == {f"/news/{a.stem}.html": 1 for a in SHORT}
    assert site.hits["/robots.txt"] == 1  # once per host and run


def test_a_page_without_validators_is_unchanged_when_its_text_hashes_the_same(
    site: Site, settings: Settings, embedder: Any
) -> None:
    urls = serve_short(site, validators=False)
    ingest(urls, settings, embedder)
    report = ingest(urls, settings, embedder)
    assert set(statuses(report).values()) == {"unchanged"}


def test_a_changed_page_replaces_its_chunks_and_snapshot(
    site: Site, settings: Settings, embedder: Any
) -> None:
    urls = serve_short(site)
    ingest(urls, settings, embedder)
    engine = Chipbot(settings, embedder=embedder)
    old = {a.path: a for a in engine.articles()}[urls[0]]
    added = "A correction was issued: the minister spoke on zirconium quotas (kwzirc)."
    site.page(f"/news/{SHORT[0].stem}.html", article_page(SHORT[0], extra_paragraph=added))
    report = ingest(urls, settings, embedder)
    assert statuses(report) == {urls[0]: "updated", urls[1]: "unchanged", urls[2]: "unchanged"}
    engine = Chipbot(settings, embedder=embedder)
    new = {a.path: a for a in engine.articles()}[urls[0]]
    assert new.id == old.id
    assert new.content_hash != old.content_hash
    chunks = engine.index.chunks_of(new.id)
    assert any("kwzirc" in c.text for c in chunks)
    text = engine.article_text(new)
    assert all(text[c.start : c.end] == c.text for c in chunks)
    backend = open_backend(settings)
    try:
        kept = SnapshotStore(backend, settings.collection).ids()
    finally:
        backend.close()
    assert new.content_hash in kept
    assert old.content_hash not in kept  # the replaced snapshot is collected


def test_a_copy_naming_an_indexed_url_as_canonical_is_not_indexed_twice(
    site: Site, settings: Settings, embedder: Any
) -> None:
    original = serve_short(site)[0]
    copy = site.page(
        "/syndicated/copy.html",
        article_page(SHORT[0], canonical=original, extra_paragraph="Syndicated with permission."),
    )
    report = ingest([original, copy], settings, embedder)
    items = {i.path: i for i in report.items}
    assert items[original].status == "added"
    assert items[copy].status == "skipped"
    assert "canonical" in items[copy].reason


def test_a_near_identical_copy_under_another_url_is_not_indexed_twice(
    site: Site, settings: Settings, embedder: Any
) -> None:
    original = serve_short(site)[1]
    mirror = site.page(
        "/mirror/page.html", article_page(SHORT[1], extra_paragraph="Mirrored from the source.")
    )
    ingest([original], settings, embedder)
    report = ingest([mirror], settings, embedder)
    item = report.items[0]
    assert item.status == "skipped"
    assert "near-identical" in item.reason


@pytest.mark.parametrize("status", [404, 410])
def test_prune_drops_an_article_whose_url_now_answers_gone(
    status: int, site: Site, settings: Settings, embedder: Any
) -> None:
    urls = serve_short(site)
    ingest(urls, settings, embedder)
    site.add(f"/news/{SHORT[0].stem}.html", Route(b"gone", status=status))
    kept = ingest(urls, settings, embedder)  # without --prune: skipped, index untouched
    assert statuses(kept)[urls[0]] == "skipped"
    assert urls[0] in {a.path for a in Chipbot(settings, embedder=embedder).articles()}
    pruned = ingest([], settings, embedder, prune=True)  # URLs not named are checked too
    assert [(i.path, i.status) for i in pruned.items] == [(urls[0], "removed")]
    assert f"HTTP {status}" in pruned.items[0].reason
    remaining = {a.path for a in Chipbot(settings, embedder=embedder).articles()}
    assert remaining == set(urls[1:])


def test_a_robots_crawl_delay_spaces_requests_to_its_host(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retrieval.web import fetch

    site.add("/robots.txt", Route(b"User-agent: *\nCrawl-delay: 2\n", content_type="text/plain"))
    urls = serve_short(site)
    waits: list[float] = []
    monkeypatch.setattr(fetch.time, "sleep", waits.append)
    with fetch.Fetcher() as fetcher:
        for url in urls:
            fetcher.get(url)
    assert len(waits) == len(urls)  # after robots.txt, and before each later page
    assert all(1.0 < w <= 2.0 for w in waits)


def test_a_rebuild_keeps_web_articles_from_their_snapshots_without_fetching(
    site: Site, settings: Settings, embedder: Any
) -> None:
    urls = serve_short(site)
    ingest(urls, settings, embedder)
    before = {a.path: a.content_hash for a in Chipbot(settings, embedder=embedder).articles()}
    site.hits.clear()
    report = ingest([], settings, embedder, rebuild=True)
    assert report.counts["added"] == len(urls)
    assert page_hits(site) == {}
    after = {a.path: a.content_hash for a in Chipbot(settings, embedder=embedder).articles()}
    assert after == before


def test_local_html_and_pdf_files_cite_snapshots_while_text_files_cite_themselves(
    tmp_path: Path, settings: Settings, embedder: Any
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "statement.html").write_text(article_page(ARTICLES[12]), encoding="utf-8")
    (folder / "order.pdf").write_bytes(pdf_bytes(ARTICLES[11]))
    (folder / "remarks.txt").write_text(
        f"date {ARTICLES[4].date.isoformat()}\n\n{ARTICLES[4].body}\n", encoding="utf-8"
    )
    report = ingest([folder], settings, embedder)
    assert report.counts["added"] == 3
    engine = Chipbot(settings, embedder=embedder)
    infos = {Path(a.path).name: a for a in engine.articles()}
    assert infos["statement.html"].snapshot
    assert infos["order.pdf"].snapshot
    assert not infos["remarks.txt"].snapshot
    assert infos["statement.html"].date == ARTICLES[12].date
    # The original HTML can go: its citations quote the stored snapshot.
    statement = infos["statement.html"]
    (folder / "statement.html").unlink()
    chunk = engine.index.chunks_of(statement.id)[1]
    citation = engine.resolve(f"{statement.id}:{chunk.start}-{chunk.end}")
    assert citation.quote == chunk.text
    assert engine.context(citation)[1] == chunk.text


def test_the_cli_ingests_urls_mixed_with_files_and_shows_their_citations(
    site: Site, tmp_path: Path, settings: Settings
) -> None:
    url = site.page(f"/news/{ARTICLES[10].stem}.html", article_page(ARTICLES[10]))
    text_file = tmp_path / "note.txt"
    text_file.write_text(f"date 2023-03-08\n\n{ARTICLES[9].body}\n", encoding="utf-8")
    runner = CliRunner()
    data = ["--data-dir", str(settings.data_dir)]
    result = runner.invoke(main, ["ingest", *data, url, str(text_file), site.url("/missing")])
    # The missing page was named, so the command fails, after indexing the rest.
    assert result.exit_code == 1, result.output
    assert f"skipped {site.url('/missing')}: HTTP 404 Not Found" in result.output
    assert "could not index what was named" in result.output
    assert "2 added, 0 updated, 0 unchanged, 1 skipped, 0 removed" in result.output
    listed = runner.invoke(main, ["docs", *data, "--json"])
    article = next(json.loads(line) for line in listed.output.splitlines() if url in line)
    engine = Chipbot(settings)
    chunk = engine.index.chunks_of(article["id"])[0]
    shown = runner.invoke(
        main, ["show", *data, "--json", f"{article['id']}:{chunk.start}-{chunk.end}"]
    )
    assert shown.exit_code == 0, shown.output
    data_out = json.loads(shown.output)
    assert data_out["quote"] == chunk.text
    assert data_out["path"] == url
