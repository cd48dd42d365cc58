"""A small web site on 127.0.0.1 for the web-ingest tests, built from the export-controls
corpus: realistic article pages (navigation, related links, a cookie banner, a footer,
a JSON-LD date), PDFs made with fpdf2, and every way a fetch goes wrong.

Nothing here reaches beyond the loopback interface.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import http.server
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "export-controls"

#: Lines of page furniture; none of them may reach the index.
BOILERPLATE = (
    "We use cookies to personalise content on Trade Policy Watch",
    "Accept all cookies",
    "Manage cookie preferences",
    "Trade Policy Watch front page",
    "Briefings archive and newsletters",
    "Our editorial standards",
    "Related coverage",
    "Opinion: what the chip truce means for suppliers",
    "Explainer: the entity list in five charts",
    "Subscribe to the Trade Policy Watch morning digest",
    "© 2023 Trade Policy Watch Ltd. All rights reserved.",
    "Privacy notice",
    "Terms of service",
)


@dataclass(frozen=True)
class CorpusArticle:
    """One corpus document: its stem, title, date and paragraphs."""

    stem: str
    title: str
    date: dt.date
    paragraphs: list[str]

    @property
    def body(self) -> str:
        """The document's text as the corpus file holds it (header removed)."""
        return "\n\n".join(self.paragraphs)


def corpus_articles() -> list[CorpusArticle]:
    """The 15 corpus documents, read in place (the calling test module is skipped, as the
    gold-set tests are, when ../shared is not beside the repository)."""
    if not CORPUS.is_dir():
        pytest.skip(f"the export-controls corpus is not at {CORPUS}", allow_module_level=True)
    with (CORPUS / "SOURCES.tsv").open(encoding="utf-8") as f:
        titles = {row["file"]: row["title"] for row in csv.DictReader(f, delimiter="\t")}
    out = []
    for path in sorted(CORPUS.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n", 1)
        date = dt.date.fromisoformat(lines[0].split()[1])
        paragraphs = [" ".join(p.split()) for p in lines[1].split("\n\n") if p.strip()]
        out.append(CorpusArticle(path.stem, titles[path.name], date, paragraphs))
    return out


def article_page(
    article: CorpusArticle,
    *,
    canonical: str | None = None,
    extra_paragraph: str | None = None,
    meta_date: str = "json-ld",
) -> str:
    """A news-site page carrying ``article`` amid the usual furniture."""
    date_meta = ""
    if meta_date == "json-ld":
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": f"{article.date.isoformat()}T09:30:00+00:00",
            "author": {"@type": "Person", "name": "Staff Reporter"},
            "publisher": {"@type": "Organization", "name": "Trade Policy Watch"},
        }
        date_meta = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    elif meta_date == "og":
        date_meta = (
            f'<meta property="article:published_time" '
            f'content="{article.date.isoformat()}T09:30:00Z">'
        )
    paragraphs = list(article.paragraphs)
    if extra_paragraph:
        paragraphs.append(extra_paragraph)
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    link = f'<link rel="canonical" href="{html.escape(canonical)}">' if canonical else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(article.title)} | Trade Policy Watch</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:site_name" content="Trade Policy Watch">
<meta property="og:title" content="{html.escape(article.title)}">
{link}
{date_meta}
</head><body>
<div id="cookie-banner" class="cookie-consent" role="dialog">
<p>{BOILERPLATE[0]} and to analyse our traffic. You can change your mind at any time.</p>
<button>{BOILERPLATE[1]}</button> <a href="/cookies">{BOILERPLATE[2]}</a></div>
<header class="site-header"><nav class="main-nav"><ul>
<li><a href="/">{BOILERPLATE[3]}</a></li>
<li><a href="/briefings">{BOILERPLATE[4]}</a></li>
<li><a href="/standards">{BOILERPLATE[5]}</a></li>
</ul></nav></header>
<main><article class="story">
<h1>{html.escape(article.title)}</h1>
<div class="byline">By Staff Reporter</div>
{body}
</article>
<aside class="related"><h2>{BOILERPLATE[6]}</h2><ul>
<li><a href="/opinion/truce">{BOILERPLATE[7]}</a></li>
<li><a href="/explainers/entity-list">{BOILERPLATE[8]}</a></li>
</ul></aside></main>
<footer class="site-footer"><p><a href="/subscribe">{BOILERPLATE[9]}</a></p>
<p>{BOILERPLATE[10]}</p>
<p><a href="/privacy">{BOILERPLATE[11]}</a> · <a href="/terms">{BOILERPLATE[12]}</a></p>
</footer></body></html>
"""


STUB_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Subscribe</title></head>
<body><div class="paywall"><h1>Chip curbs deepen</h1><p>This article is for subscribers.
Subscribe to keep reading, or accept cookies to continue.</p></div></body></html>"""


#: A Unicode TrueType font for the generated PDFs (the corpus has curly quotes and dashes).
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def pdf_bytes(article: CorpusArticle, *, with_text: bool = True) -> bytes:
    """A PDF of ``article`` (title, date line, paragraphs), or one page of image only."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    pdf.set_title(article.title)
    pdf.add_page()
    if not with_text:
        pdf.set_fill_color(40, 40, 40)
        pdf.rect(20, 20, 170, 120, style="F")  # a "scan": drawing only, no text layer
        return bytes(pdf.output())
    if not FONT.is_file():
        raise RuntimeError(f"{FONT} is missing: install Debian's fonts-dejavu-core (.ci/run does)")
    pdf.add_font("dejavu", fname=str(FONT))
    pdf.set_font("dejavu", size=11)
    pdf.multi_cell(0, 6, article.title)
    pdf.ln(3)
    pdf.multi_cell(0, 6, f"{article.date.day} {article.date.strftime('%B %Y')}")
    for paragraph in article.paragraphs:
        pdf.ln(3)
        pdf.multi_cell(0, 6, paragraph)
    return bytes(pdf.output())


@dataclass
class Route:
    """What the site answers on one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    validators: bool = True  # send ETag / Last-Modified and honour conditional requests
    content_length: bool = True  # False: no Content-Length, the body ends when it closes


class Site:
    """The routes, a request counter, and the server thread."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path``."""
        return self.base + path

    def add(self, path: str, route: Route) -> str:
        """Serve ``route`` at ``path``; returns its URL."""
        with self.lock:
            self.routes[path] = route
        return self.url(path)

    def page(self, path: str, text: str, **kwargs: object) -> str:
        """Serve an HTML page."""
        return self.add(path, Route(text.encode("utf-8"), **kwargs))  # type: ignore[arg-type]

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with site.lock:
                    site.hits[self.path] += 1
                    route = site.routes.get(self.path)
                if route is None:
                    self._send(404, b"<html><body>Not found</body></html>", "text/html", {})
                    return
                if route.delay:
                    time.sleep(route.delay)
                headers = dict(route.headers)
                if route.validators and route.status == 200:
                    etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                    headers["ETag"] = etag
                    headers["Last-Modified"] = format_datetime(
                        dt.datetime(2023, 3, 9, 12, tzinfo=dt.UTC), usegmt=True
                    )
                    if self.headers.get("If-None-Match") == etag:
                        self._send(304, b"", "", headers)
                        return
                self._send(
                    route.status, route.body, route.content_type, headers, route.content_length
                )

            def _send(
                self,
                status: int,
                body: bytes,
                ctype: str,
                headers: dict[str, str],
                length: bool = True,
            ) -> None:
                try:
                    self.send_response(status)
                    if ctype:
                        self.send_header("Content-Type", ctype)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if status != 304 and length:
                        self.send_header("Content-Length", str(len(body)))
                    if not length:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    if status != 304:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        return Handler

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve() -> Iterator[Site]:
    """A running site with only a robots.txt (tests add their routes)."""
    with Site() as site:
        site.add(
            "/robots.txt",
            Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        )
        yield site


def rss_feed(items: list[tuple[str, str, dt.date]]) -> bytes:
    """An RSS 2.0 feed of (title, link, date) items."""
    entries = "\n".join(
        f"<item><title>{html.escape(title)}</title><link>{html.escape(link)}</link>"
        f"<pubDate>{format_datetime(dt.datetime(d.year, d.month, d.day, 9, tzinfo=dt.UTC))}"
        f"</pubDate><guid>{html.escape(link)}</guid></item>"
        for title, link, d in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        "<title>Trade Policy Watch</title><link>http://127.0.0.1/</link>"
        f"<description>Export controls</description>\n{entries}\n</channel></rss>\n"
    ).encode()


def atom_feed(items: list[tuple[str, str, dt.date]]) -> bytes:
    """An Atom 1.0 feed of (title, link, date) items (links may be relative)."""
    entries = "\n".join(
        f'<entry><title>{html.escape(title)}</title><link href="{html.escape(link)}"/>'
        f"<id>{html.escape(link)}</id><updated>{d.isoformat()}T09:00:00Z</updated></entry>"
        for title, link, d in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Ministry statements</title><id>urn:test:ministry</id>"
        f"<updated>2023-08-01T00:00:00Z</updated>\n{entries}\n</feed>\n"
    ).encode()
