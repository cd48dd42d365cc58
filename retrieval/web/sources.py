"""A URL, an HTML file or a PDF file made an :class:`~retrieval.models.Article` plus the
:class:`~retrieval.web.snapshots.Snapshot` its citations count into.

Local ``.txt``/``.md`` files are not handled here: they keep citing the file itself
(:mod:`retrieval.parsing`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from retrieval.models import Article
from retrieval.parsing import ArticleSkipped, article_id_for, slugify
from retrieval.web.extract import MIN_ARTICLE_CHARS, ExtractionError, decode_html, extract_html
from retrieval.web.fetch import Fetcher, FetchError, Page
from retrieval.web.snapshots import Snapshot

logger = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
WEB_SUFFIXES = HTML_SUFFIXES + PDF_SUFFIXES
_URL = re.compile(r"^https?://", re.I)
_ID_MAX = 60


def is_url(value: object) -> bool:
    """True for an ``http(s)://`` address (as given on the command line)."""
    return isinstance(value, str) and bool(_URL.match(value))


def article_id_for_url(url: str) -> str:
    """A readable id from a URL: host and path, slugged (``example-com-news-rules``)."""
    parts = urlsplit(url)
    host = parts.hostname or "web"
    if host.startswith("www."):
        host = host[4:]
    path = re.sub(r"\.(html?|php|aspx?|pdf)$", "", parts.path, flags=re.I)
    slug = slugify(f"{host}/{path}")
    return slug[:_ID_MAX].strip("-") or "web"


def now_iso() -> str:
    """The current UTC time as recorded on snapshots."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Loaded:
    """An article and its snapshot, ready to index."""

    article: Article
    snapshot: Snapshot


def _article(
    article_id: str,
    location: str,
    snapshot: Snapshot,
    title: str | None,
    date: dt.date | None,
    *,
    url: str | None,
    source: str | None,
) -> Article:
    text = snapshot.text
    first_line = text.split("\n", 1)[0].strip()
    return Article(
        id=article_id,
        title=title or first_line[:120] or article_id,
        date=date,
        path=location,
        content_hash=snapshot.content_hash,
        text=text,
        body_start=0,
        source=source,
        url=url,
        snapshot=True,
    )


def _snapshot(
    text: str, location: str, kind: str, extractor: str, fetched: Page | None, **extra: str
) -> Snapshot:
    """The snapshot of ``text`` extracted now, with the validators of the fetch (if any)."""
    return Snapshot(
        text=text,
        url=location,
        fetched_at=now_iso(),
        extractor=extractor,
        kind=kind,
        final_url=fetched.final_url if fetched else "",
        etag=(fetched.etag or "") if fetched else "",
        last_modified=(fetched.last_modified or "") if fetched else "",
        **extra,
    )


def from_html(
    html: str,
    *,
    article_id: str,
    location: str,
    url: str | None,
    fetched: Page | None = None,
    min_chars: int = MIN_ARTICLE_CHARS,
) -> Loaded:
    """The article in ``html`` found at ``location`` (a URL, or a file's path)."""
    from retrieval.web.extract import extractor_version

    found = extract_html(html, url, min_chars=min_chars)
    snapshot = _snapshot(
        found.text,
        location,
        "html",
        extractor_version(),
        fetched,
        canonical=found.canonical or "",
        author=found.author or "",
    )
    article = _article(
        article_id, location, snapshot, found.title, found.date, url=url, source=found.sitename
    )
    return Loaded(article, snapshot)


def from_pdf(
    data: bytes, *, article_id: str, location: str, url: str | None, fetched: Page | None = None
) -> Loaded:
    """The article in PDF ``data`` found at ``location``."""
    from retrieval.web.pdf import extract_pdf, extractor_version

    found = extract_pdf(data)
    snapshot = _snapshot(
        found.text, location, "pdf", extractor_version(), fetched, author=found.author or ""
    )
    source = urlsplit(url).hostname if url else None
    article = _article(
        article_id, location, snapshot, found.title, found.date, url=url, source=source
    )
    return Loaded(article, snapshot)


def load_file(path: Path, *, max_bytes: int, min_chars: int = MIN_ARTICLE_CHARS) -> Loaded:
    """A local ``.html``/``.htm``/``.pdf`` file; :class:`ArticleSkipped` with a reason."""
    path = Path(path).resolve()
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleSkipped(path, f"larger than {max_bytes:,} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleSkipped(path, f"unreadable: {exc.strerror or exc}") from None
    article_id, location = article_id_for(path), str(path)
    try:
        if path.suffix.lower() in PDF_SUFFIXES:
            return from_pdf(data, article_id=article_id, location=location, url=None)
        html = decode_html(data, None)
        return from_html(
            html, article_id=article_id, location=location, url=None, min_chars=min_chars
        )
    except ExtractionError as exc:
        raise ArticleSkipped(path, exc.reason) from None


def load_page(page: Page, *, article_id: str, min_chars: int = MIN_ARTICLE_CHARS) -> Loaded:
    """A fetched page; :class:`ExtractionError` when it holds no article."""
    if page.is_pdf:
        return from_pdf(
            page.content, article_id=article_id, location=page.url, url=page.url, fetched=page
        )
    html = decode_html(page.content, page.charset)
    return from_html(
        html,
        article_id=article_id,
        location=page.url,
        url=page.url,
        fetched=page,
        min_chars=min_chars,
    )


def fetch_page(fetcher: Fetcher, url: str, previous: Snapshot | None) -> Page:
    """``url`` fetched, conditionally when a previous snapshot recorded validators."""
    etag = previous.etag if previous else None
    modified = previous.last_modified if previous else None
    return fetcher.get(url, etag=etag or None, last_modified=modified or None)


__all__ = [
    "HTML_SUFFIXES",
    "PDF_SUFFIXES",
    "WEB_SUFFIXES",
    "ExtractionError",
    "FetchError",
    "Loaded",
    "article_id_for_url",
    "fetch_page",
    "from_html",
    "from_pdf",
    "is_url",
    "load_file",
    "load_page",
]
