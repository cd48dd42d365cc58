"""An HTML page's article: its text without menus, banners and footers, and its metadata.

trafilatura finds the main text and the metadata (title, author, site name, and the date
via htmldate, which reads JSON-LD and ``article:published_time`` among others); when it
finds no date, the page's own JSON-LD ``datePublished`` or ``article:published_time`` is
read here. Text is decoded here, not by the extractor, so that a page whose bytes do not
match its declared encoding is refused rather than indexed as mojibake.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass

from retrieval.errors import IngestError

logger = logging.getLogger(__name__)

#: Extracted text shorter than this is a stub: a paywall, a cookie wall, an index page.
MIN_ARTICLE_CHARS = 250
# Undecodable bytes tolerated (as a share of the text) before a page counts as broken.
_MAX_REPLACEMENT_SHARE = 0.002
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_JSON_LD = re.compile(
    r"""<script[^>]+type\s*=\s*["']application/ld\+json["'][^>]*>(.*?)</script>""", re.I | re.S
)
_PUBLISHED_META = re.compile(
    r"""<meta[^>]+(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|"""
    r"""datePublished|date|dc\.date|DC\.date\.issued)["'][^>]*>""",
    re.I,
)
_CONTENT_ATTR = re.compile(r"""content\s*=\s*["']([^"']+)["']""", re.I)
_CANONICAL = re.compile(r"""<link[^>]+rel\s*=\s*["']canonical["'][^>]*>""", re.I)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)


class ExtractionError(IngestError):
    """A page with no usable article text, with a one-line reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Extracted:
    """What an article page says, text first."""

    text: str
    title: str | None
    date: dt.date | None
    author: str | None
    sitename: str | None
    canonical: str | None


def extractor_version() -> str:
    """Recorded on every snapshot so text extracted by another version can be told apart."""
    import trafilatura

    return f"trafilatura {trafilatura.__version__}; chipbot-html 1"


def decode_html(data: bytes, declared: str | None) -> str:
    """The page's text: the header's charset, else the page's ``<meta charset>``, else UTF-8.

    Raises :class:`ExtractionError` when too many bytes do not decode.
    """
    charset = declared
    if not charset:
        found = _META_CHARSET.search(data[:4096])
        charset = found.group(1).decode("ascii").lower() if found else "utf-8"
    try:
        text = data.decode(charset, errors="replace")
    except LookupError:
        charset = "utf-8"
        text = data.decode(charset, errors="replace")
    bad = text.count("\ufffd")
    if bad and bad > max(3, _MAX_REPLACEMENT_SHARE * len(text)):
        raise ExtractionError(f"broken text encoding: {bad} undecodable bytes as {charset}")
    return text


def _parse_date(value: object) -> dt.date | None:
    text = str(value or "").strip()
    if len(text) < 10:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _json_ld_date(html: str) -> dt.date | None:
    for block in _JSON_LD.findall(html):
        try:
            data = json.loads(block)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                for key in ("datePublished", "dateCreated"):
                    found = _parse_date(item.get(key))
                    if found:
                        return found
                stack.extend(v for v in item.values() if isinstance(v, dict | list))
    return None


def page_date(html: str) -> dt.date | None:
    """The publication date the page declares: JSON-LD, then ``article:published_time``."""
    found = _json_ld_date(html)
    if found:
        return found
    for tag in _PUBLISHED_META.findall(html):
        content = _CONTENT_ATTR.search(tag)
        if content and (date := _parse_date(content.group(1))):
            return date
    return None


def canonical_url(html: str) -> str | None:
    """The page's ``<link rel="canonical">`` target, if any."""
    tag = _CANONICAL.search(html)
    href = _HREF.search(tag.group(0)) if tag else None
    return href.group(1).strip() if href else None


def _paragraphs(text: str) -> str:
    """trafilatura's one-line paragraphs, made blank-line separated like article files."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n\n".join(line for line in lines if line)


def extract_html(
    html: str, url: str | None = None, *, min_chars: int = MIN_ARTICLE_CHARS
) -> Extracted:
    """The article in ``html``; :class:`ExtractionError` when there is too little of one."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        date_extraction_params={"original_date": True, "extensive_search": False},
    )
    raw = "" if doc is None else str(getattr(doc, "text", "") or "")
    body = _paragraphs(raw)
    if len(body) < min_chars:
        raise ExtractionError(
            f"too little article text ({len(body)} characters): "
            "a paywall, a cookie wall or not an article"
        )
    title = " ".join(str(getattr(doc, "title", "") or "").split()) or None
    date = _parse_date(getattr(doc, "date", None)) or page_date(html)
    author = str(getattr(doc, "author", "") or "").strip() or None
    sitename = str(getattr(doc, "sitename", "") or "").strip() or None
    text = body
    if title and not body.startswith(title):
        text = f"{title}\n\n{body}"
    return Extracted(
        text=text + "\n",
        title=title,
        date=date,
        author=author,
        sitename=sitename,
        canonical=canonical_url(html),
    )
