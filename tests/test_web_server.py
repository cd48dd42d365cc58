"""Web articles in server mode: a process with no access to the pages or the files (and
no snapshot cache) shows their citations from the snapshots on the Chroma server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.chroma_server import ChromaServer, chroma_binary
from bot.slack.buttons import source_item
from retrieval.engine import Chipbot
from retrieval.settings import Settings
from retrieval.web.snapshots import cache_dir
from tests.web_site import Route, Site, article_page, corpus_articles, serve

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = corpus_articles()
PAGE = ARTICLES[11]  # the Dutch ministerial order, served as a web page
LOCAL = ARTICLES[12]  # the Chinese embassy's comments, as a local HTML file
TEXT = ARTICLES[10]  # the Wikinews report, as a local text file
QUESTION = "When will the additional Dutch export control measures enter into force?"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.server,
    pytest.mark.skipif(chroma_binary() is None, reason="the `chroma` command is not installed"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """One real Chroma server for this module."""
    with ChromaServer(tmp_path_factory.mktemp("chroma-web") / "db") as running:
        yield running


@pytest.fixture
def site() -> Iterator[Site]:
    """The site serving the page (taken down during the test)."""
    gen = serve()
    yield next(gen)
    gen.close()


def chipbot(*args: str, data_dir: Path, server: ChromaServer) -> subprocess.CompletedProcess[str]:
    """The real CLI in a fresh process using the server and its own data dir."""
    env = {
        **os.environ,
        "CHIPBOT_CHROMA_URL": server.url,
        "CHIPBOT_COLLECTION": "webserver",
        "CHIPBOT_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_citations_of_web_and_html_articles_show_from_a_process_without_the_originals(
    server: ChromaServer, site: Site, tmp_path: Path, embedder: Any
) -> None:
    url = site.page(f"/news/{PAGE.stem}.html", article_page(PAGE))
    html_file = tmp_path / "files" / "embassy.html"
    html_file.parent.mkdir()
    html_file.write_text(article_page(LOCAL), encoding="utf-8")
    text_file = tmp_path / "files" / "wikinews.txt"  # cites the file; its copy is stored
    text = f"date {TEXT.date.isoformat()}\n\n{TEXT.body}\n"
    text_file.write_text(text, encoding="utf-8")
    ingested = chipbot(
        "ingest", url, str(html_file), str(text_file), data_dir=tmp_path / "ingester", server=server
    )
    assert ingested.returncode == 0, ingested.stderr
    assert "3 added" in ingested.stdout
    # The originals go away; the answering process has its own, empty data dir.
    site.add(f"/news/{PAGE.stem}.html", Route(b"gone", status=404))
    html_file.unlink()
    text_file.unlink()
    reader_dir = tmp_path / "reader"
    asked = chipbot("ask", "--json", QUESTION, data_dir=reader_dir, server=server)
    assert asked.returncode == 0, asked.stderr
    citations = json.loads(asked.stdout)["citations"]
    assert any(c["path"] == url for c in citations)
    for citation in citations:
        ref = f"{citation['article_id']}:{citation['start']}-{citation['end']}"
        shown = chipbot("show", "--json", ref, data_dir=reader_dir, server=server)
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["quote"] == citation["quote"]
    sentence = TEXT.paragraphs[1]
    start = text.index(sentence)
    ref = f"wikinews:{start}-{start + len(sentence)}"
    shown = chipbot("show", "--json", ref, data_dir=reader_dir, server=server)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["quote"] == sentence
    assert json.loads(shown.stdout)["path"] == str(text_file)  # still cites the file
    assert not (reader_dir / "chroma").exists()  # nothing but the server held them
    assert any(cache_dir(reader_dir).glob("*.txt"))  # read once, cached locally


def test_slack_show_sources_reads_snapshots_from_the_server(
    server: ChromaServer, site: Site, tmp_path: Path, embedder: Any
) -> None:
    url = site.page(f"/news/{PAGE.stem}.html", article_page(PAGE))
    settings = Settings(
        data_dir=tmp_path / "ingester", chroma_url=server.url, collection="webslack"
    )
    Chipbot(settings, embedder=embedder).ingest([url])
    site.add(f"/news/{PAGE.stem}.html", Route(b"gone", status=404))
    reader = Chipbot(
        settings.model_copy(update={"data_dir": tmp_path / "reader"}), embedder=embedder
    )
    answer = reader.ask(QUESTION)
    assert answer.citations
    for citation in answer.citations:
        item = source_item(reader, citation)
        assert item.quote == citation.quote
        assert item.before or item.after  # the context came from the snapshot
