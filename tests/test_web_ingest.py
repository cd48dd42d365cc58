"""Articles from where they live: web pages, HTML and PDF files, stored snapshots.

A real site on 127.0.0.1 (tests/web_site.py) serves the export-controls corpus as news
pages with their furniture, as PDFs, and every way a fetch fails; the index is real
(Chroma in a temp dir, the real embedding model).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from retrieval.engine import Chipbot
from retrieval.ingest import IngestReport, ingest
from retrieval.settings import Settings
from retrieval.store import open_backend
from retrieval.text import split_sentences
from retrieval.web.snapshots import SnapshotStore, cache_dir, content_hash
from tests.web_site import (
    BOILERPLATE,
    STUB_PAGE,
    CorpusArticle,
    Route,
    Site,
    article_page,
    corpus_articles,
    pdf_bytes,
    serve,
)

pytestmark = pytest.mark.slow

ARTICLES = corpus_articles()
PDF_ARTICLES = (ARTICLES[11], ARTICLES[4])  # the Dutch ministerial order, Biden-Rutte
REDIRECTED = ARTICLES[2]
OG_DATED = {ARTICLES[3].stem, ARTICLES[9].stem}  # article:published_time, not JSON-LD
#: bad input -> what its one summary line must say
BAD = {
    "missing": "HTTP 404",
    "error": "HTTP 500",
    "slow": "timed out",
    "loop": "redirect loop",
    "image": "not an article page (image/png)",
    "huge": "larger than the 300,000-byte cap",
    "endless": "larger than the 300,000-byte cap",
    "stub": "too little article text",
    "broken": "broken text encoding",
    "scan": "PDF has no text layer",
    "robots": "disallowed by robots.txt",
    "tls": "TLS error",
}


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """The corpus site with its bad corners, shared by the module."""
    gen = serve()
    running = next(gen)
    for article in ARTICLES:
        if article is REDIRECTED:  # served only behind a redirect
            continue
        meta = "og" if article.stem in OG_DATED else "json-ld"
        running.page(f"/news/{article.stem}.html", article_page(article, meta_date=meta))
    for article in PDF_ARTICLES:
        running.add(
            f"/docs/{article.stem}.pdf", Route(pdf_bytes(article), content_type="application/pdf")
        )
    running.page(f"/2023/{REDIRECTED.stem}.html", article_page(REDIRECTED))
    running.add(
        f"/old/{REDIRECTED.stem}",
        Route(status=301, headers={"Location": f"/2023/{REDIRECTED.stem}.html"}),
    )
    running.add("/error", Route(b"oops", status=500))
    running.add("/slow.html", Route(article_page(ARTICLES[0]).encode(), delay=3.0))
    running.add("/loop-a", Route(status=302, headers={"Location": "/loop-b"}))
    running.add("/loop-b", Route(status=302, headers={"Location": "/loop-a"}))
    running.add("/photo.png", Route(b"\x89PNG\r\n\x1a\n" + bytes(200), content_type="image/png"))
    running.page("/huge.html", article_page(ARTICLES[0]) + "<!-- pad -->" * 30_000)
    running.add(
        "/endless.html",  # no Content-Length: the cap is enforced while reading
        Route((article_page(ARTICLES[0]) + " " * 400_000).encode(), content_length=False),
    )
    running.page("/stub.html", STUB_PAGE)
    broken = article_page(ARTICLES[1]).encode("utf-8").replace(b"the ", b"\xff\xfe ")
    running.add("/broken.html", Route(broken))
    running.add(
        "/scan.pdf",
        Route(pdf_bytes(ARTICLES[0], with_text=False), content_type="application/pdf"),
    )
    running.page("/private/secret.html", article_page(ARTICLES[0]))
    yield running
    gen.close()


def bad_urls(site: Site) -> dict[str, str]:
    """bad input name -> its URL."""
    return {
        "missing": site.url("/missing"),
        "error": site.url("/error"),
        "slow": site.url("/slow.html"),
        "loop": site.url("/loop-a"),
        "image": site.url("/photo.png"),
        "huge": site.url("/huge.html"),
        "endless": site.url("/endless.html"),
        "stub": site.url("/stub.html"),
        "broken": site.url("/broken.html"),
        "scan": site.url("/scan.pdf"),
        "robots": site.url("/private/secret.html"),
        "tls": site.url("/news/anything.html").replace("http://", "https://"),
    }


def page_url(site: Site, article: CorpusArticle) -> str:
    """Where ``article`` is asked for (one of them is redirected elsewhere)."""
    if article is REDIRECTED:
        return site.url(f"/old/{article.stem}")
    return site.url(f"/news/{article.stem}.html")


def web_settings(data_dir: Path, **extra: Any) -> Settings:
    """Settings with short HTTP limits (the slow page sleeps 3 s)."""
    return Settings(data_dir=data_dir, fetch_timeout=1.0, max_page_bytes=300_000, **extra)


@pytest.fixture(scope="module")
def web_index(
    site: Site, tmp_path_factory: pytest.TempPathFactory, embedder: Any
) -> tuple[Settings, IngestReport]:
    """One index of every page, PDF and bad input, ingested in one batch."""
    settings = web_settings(tmp_path_factory.mktemp("web-index"))
    urls = [page_url(site, a) for a in ARTICLES]
    urls += bad_urls(site).values()
    return settings, ingest(urls, settings, embedder)


@pytest.fixture(scope="module")
def pdf_index(
    site: Site, tmp_path_factory: pytest.TempPathFactory, embedder: Any
) -> tuple[Settings, IngestReport]:
    """An index of the PDFs alone (the pages carry the same articles)."""
    settings = web_settings(tmp_path_factory.mktemp("pdf-index"))
    return settings, ingest(
        [site.url(f"/docs/{a.stem}.pdf") for a in PDF_ARTICLES], settings, embedder
    )


@pytest.fixture(scope="module")
def web_engine(web_index: tuple[Settings, IngestReport], embedder: Any) -> Chipbot:
    """A Chipbot over the module's web index."""
    return Chipbot(web_index[0], embedder=embedder)


def snapshot_of(settings: Settings, digest: str) -> str:
    """A snapshot's text read from the store (never the local cache)."""
    backend = open_backend(settings)
    try:
        found = SnapshotStore(backend, settings.collection).get(digest)
    finally:
        backend.close()
    assert found is not None
    return found.text


def by_url(engine: Chipbot) -> dict[str, Any]:
    """path (the URL for web articles) -> article info."""
    return {a.path: a for a in engine.articles()}


# -- ingest and extraction -----------------------------------------------------------


def test_every_page_and_pdf_is_added_as_a_snapshot_article(
    web_index: tuple[Settings, IngestReport], web_engine: Chipbot, site: Site
) -> None:
    report = web_index[1]
    assert report.counts["added"] == len(ARTICLES)
    infos = by_url(web_engine)
    for article in ARTICLES:
        info = infos[page_url(site, article)]
        assert info.snapshot
        assert info.url == info.path


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_summary_line_and_leaves_the_index_untouched(
    name: str, web_index: tuple[Settings, IngestReport], web_engine: Chipbot, site: Site
) -> None:
    url = bad_urls(site)[name]
    items = [i for i in web_index[1].items if i.path == url]
    assert len(items) == 1
    assert items[0].status == "skipped"
    assert BAD[name] in items[0].reason
    assert "\n" not in items[0].reason
    assert url not in by_url(web_engine)


def test_a_batch_of_bad_input_alone_leaves_the_index_as_it_was(
    web_index: tuple[Settings, IngestReport], web_engine: Chipbot, embedder: Any, site: Site
) -> None:
    store = web_engine.index.store
    before = (store.info()["generation"], store.count())
    report = ingest(list(bad_urls(site).values()), web_index[0], embedder)
    assert report.counts["skipped"] == len(BAD)
    assert (store.info()["generation"], store.count()) == before


def test_extraction_keeps_95_percent_of_each_articles_sentences(
    web_index: tuple[Settings, IngestReport], web_engine: Chipbot, site: Site
) -> None:
    infos = by_url(web_engine)
    coverage: dict[str, float] = {}
    for article in ARTICLES:
        info = infos[page_url(site, article)]
        snapshot = _norm(snapshot_of(web_index[0], info.content_hash))
        body = article.body
        sentences = [_norm(body[s:e]) for s, e in split_sentences(body)]
        coverage[article.stem] = sum(s in snapshot for s in sentences) / len(sentences)
    print("sentence coverage per article:", json.dumps(coverage, indent=1))
    print(f"lowest {min(coverage.values()):.3f}, mean {sum(coverage.values()) / len(coverage):.3f}")
    assert min(coverage.values()) >= 0.95


def test_no_boilerplate_line_is_indexed(
    web_index: tuple[Settings, IngestReport], web_engine: Chipbot
) -> None:
    chunks = " ".join(r.text for r in web_engine.index.store.scan())
    snapshots = " ".join(snapshot_of(web_index[0], a.content_hash) for a in web_engine.articles())
    for line in BOILERPLATE:
        assert line not in chunks
        assert line not in snapshots


def test_titles_dates_and_site_name_come_from_the_page(web_engine: Chipbot, site: Site) -> None:
    infos = by_url(web_engine)
    for article in ARTICLES:
        info = infos[page_url(site, article)]
        assert info.date == article.date, article.stem  # JSON-LD or article:published_time
        assert _norm(info.title) == _norm(article.title)
        assert info.source == "Trade Policy Watch"


def test_a_pdf_gives_its_text_title_and_first_page_date(
    pdf_index: tuple[Settings, IngestReport], embedder: Any, site: Site
) -> None:
    assert pdf_index[1].counts["added"] == len(PDF_ARTICLES)
    infos = by_url(Chipbot(pdf_index[0], embedder=embedder))
    for article in PDF_ARTICLES:
        info = infos[site.url(f"/docs/{article.stem}.pdf")]
        assert _norm(info.title) == _norm(article.title)  # the document's metadata
        assert info.date == article.date  # the first page, not the 2020 creation date
        text = _norm(snapshot_of(pdf_index[0], info.content_hash))
        sentences = [_norm(article.body[s:e]) for s, e in split_sentences(article.body)]
        assert sum(s in text for s in sentences) / len(sentences) >= 0.95


def test_the_same_article_as_a_pdf_and_a_page_is_indexed_once(
    web_index: tuple[Settings, IngestReport], embedder: Any, site: Site
) -> None:
    article = PDF_ARTICLES[0]
    report = ingest([site.url(f"/docs/{article.stem}.pdf")], web_index[0], embedder)
    [item] = report.items
    assert item.status == "skipped"
    assert "near-identical" in item.reason


def test_a_redirect_is_followed_and_the_requested_url_kept(
    web_index: tuple[Settings, IngestReport], web_engine: Chipbot, site: Site
) -> None:
    requested = site.url(f"/old/{REDIRECTED.stem}")
    info = by_url(web_engine)[requested]
    assert info.date == REDIRECTED.date
    backend = open_backend(web_index[0])
    try:
        meta = SnapshotStore(backend, web_index[0].collection).metas([info.content_hash])
    finally:
        backend.close()
    assert meta[info.content_hash].final_url == site.url(f"/2023/{REDIRECTED.stem}.html")


def test_each_snapshot_records_url_fetch_time_hash_and_extractor(
    web_index: tuple[Settings, IngestReport], web_engine: Chipbot
) -> None:
    backend = open_backend(web_index[0])
    try:
        store = SnapshotStore(backend, web_index[0].collection)
        for info in web_engine.articles():
            snapshot = store.get(info.content_hash)
            assert snapshot is not None
            assert content_hash(snapshot.text) == info.content_hash
            assert snapshot.url == info.path
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", snapshot.fetched_at)
            assert snapshot.extractor.startswith(("trafilatura ", "pypdf "))
            assert snapshot.etag  # the site sends ETags: the next refresh is conditional
    finally:
        backend.close()


# -- citations count into snapshots ---------------------------------------------------

QUESTIONS = (
    "When will the additional Dutch export control measures enter into force?",
    "What did Minister Nishimura say about the semiconductor export controls?",
    "What did the Chinese foreign ministry spokesperson say about the chip restrictions?",
)


@pytest.mark.parametrize("question", QUESTIONS)
def test_citations_are_verbatim_spans_of_the_snapshots(
    question: str, web_index: tuple[Settings, IngestReport], web_engine: Chipbot
) -> None:
    answer = web_engine.ask(question)
    assert answer.citations, answer.answer
    for citation in answer.citations:
        info = web_engine.index.article(citation.article_id)
        text = snapshot_of(web_index[0], info.content_hash)
        assert text[citation.start : citation.end] == citation.quote
        assert citation.path == info.url  # --json shows where the article lives


def test_show_reads_the_snapshot_without_the_page_or_the_local_cache(
    web_index: tuple[Settings, IngestReport], web_engine: Chipbot
) -> None:
    answer = web_engine.ask(QUESTIONS[0])
    citation = answer.citations[0]
    shutil.rmtree(cache_dir(web_index[0].data_dir))
    resolved = web_engine.resolve(citation.ref)
    assert resolved.quote == citation.quote
    before, span, after = web_engine.context(citation)
    assert span == citation.quote
    assert before or after
    assert (
        cache_dir(web_index[0].data_dir) / f"{resolved_hash(web_engine, citation)}.txt"
    ).exists()


def resolved_hash(engine: Chipbot, citation: Any) -> str:
    """The content hash of a citation's article."""
    return engine.index.article(citation.article_id).content_hash
