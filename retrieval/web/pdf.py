"""A PDF's text layer, title and date (pypdf); no OCR.

Lines of a paragraph are joined with spaces and paragraphs separated by a blank line, so
the text reads (and splits into sentences) like an article file. A PDF whose pages carry
no text (a scan) is refused with a reason that says so.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import statistics
from dataclasses import dataclass

from retrieval.web.extract import ExtractionError

logger = logging.getLogger(__name__)

#: Fewer characters than this on all pages together: no text layer.
MIN_PDF_CHARS = 40
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}}) ({_MONTHS}) (\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTHS}) (\d{{1,2}}), (\d{{4}})\b", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_NAMES = _MONTHS.split("|")


@dataclass(frozen=True)
class PdfText:
    """A PDF's text with its title and date (either may be unknown)."""

    text: str
    title: str | None
    date: dt.date | None
    author: str | None
    pages: int


def extractor_version() -> str:
    """Recorded on every PDF snapshot."""
    import pypdf

    return f"pypdf {pypdf.__version__}; chipbot-pdf 1"


def _date_in(text: str) -> dt.date | None:
    """The first date written out on the page (``7 October 2022``, ``October 7, 2022``, ISO)."""
    candidates: list[tuple[int, dt.date | None]] = []
    for m in _DAY_MONTH_YEAR.finditer(text):
        month = _MONTH_NAMES.index(m.group(2).lower()) + 1
        candidates.append((m.start(), _safe_date(int(m.group(3)), month, int(m.group(1)))))
    for m in _MONTH_DAY_YEAR.finditer(text):
        month = _MONTH_NAMES.index(m.group(1).lower()) + 1
        candidates.append((m.start(), _safe_date(int(m.group(3)), month, int(m.group(2)))))
    for m in _ISO.finditer(text):
        candidates.append((m.start(), _safe_date(*(int(g) for g in m.groups()))))
    valid = sorted((pos, d.toordinal()) for pos, d in candidates if d is not None)
    return dt.date.fromordinal(valid[0][1]) if valid else None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def reflow(page_text: str) -> list[str]:
    """A page's lines joined into paragraphs: a short line ends one."""
    lines = [" ".join(line.split()) for line in page_text.splitlines()]
    widths = [len(line) for line in lines if line]
    if not widths:
        return []
    full = statistics.quantiles(widths, n=4)[2] if len(widths) >= 4 else max(widths)
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if not line:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(line)
        # Wrapped lines run nearly full width: a short one ends its paragraph (or is a
        # heading or a date line of its own).
        if len(line) < 0.8 * full:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def extract_pdf(data: bytes) -> PdfText:
    """The text layer of PDF ``data``; :class:`ExtractionError` when there is none."""
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise ExtractionError(f"unreadable PDF: {exc}") from None
    paragraphs = [p for page in pages for p in reflow(page)]
    text = "\n\n".join(paragraphs)
    if len(text.strip()) < MIN_PDF_CHARS:
        raise ExtractionError(
            f"PDF has no text layer ({len(pages)} pages of images?); OCR is not supported"
        )
    title = " ".join(str(meta.title or "").split()) if meta else ""
    if not title and paragraphs and len(paragraphs[0]) <= 150:
        title = paragraphs[0]
    date = None
    if meta is not None:
        try:
            created = meta.creation_date
        except (ValueError, TypeError):  # a malformed date string in the metadata
            created = None
        date = created.date() if created else None
    first_page = "\n".join(reflow(pages[0])) if pages else ""
    date = _date_in(first_page) or date
    author = " ".join(str(meta.author or "").split()) if meta else ""
    return PdfText(
        text=text + "\n",
        title=title or None,
        date=date,
        author=author or None,
        pages=len(pages),
    )
