"""Finding article files and parsing them into :class:`~retrieval.models.Article` objects.

``Article.text`` is exactly what ``open(path, encoding="utf-8").read()`` returns (strict
UTF-8, universal newlines, a BOM kept as ``"\\ufeff"``), because every citation offset
is checked against that string.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import stat
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from retrieval.errors import IngestError
from retrieval.models import Article
from retrieval.text import split_sentences

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown")
DEFAULT_MAX_BYTES = 5_000_000

_SPACE = " \t\n\r\f\v\ufeff\u200b"
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f")
_BINARY_CONTROL_SHARE = 0.10
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SEED_DATE_RE = re.compile(r"(?i:date):?[ \t]+(\S+)")
_FRONT_MATTER_OPEN_RE = re.compile(r"\ufeff?---[ \t]*\n")
_FRONT_MATTER_CLOSE_RE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_DATELINE_RE = re.compile(
    r"^[A-Z][A-Z.'’&/ ]+[A-Z.]"  # WASHINGTON, NEW YORK, U.S.
    r"(?:,[^-–—()\n]{0,30})?"  # , Jan 5
    r"(?:\s*\([^)\n]{1,40}\))?"  # (Reuters)
    r"\s*[-–—]{1,2}\s+"
)
_TITLE_MAX_CHARS = 90
_HEADING_TITLE_MAX_CHARS = 120


class ArticleSkipped(IngestError):  # noqa: N818 - the name is the shared contract
    """An article file that cannot be ingested, with a one-line reason."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"skipped {path}: {reason}")

    def __reduce__(self) -> tuple[type[ArticleSkipped], tuple[Path, str]]:
        # Keeps the exception picklable (e.g. across worker processes) despite custom args.
        return (type(self), (self.path, self.reason))


def discover(paths: Iterable[Path], suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES) -> list[Path]:
    """Article files named by ``paths``: files as given, folders walked for ``suffixes``.

    Hidden files and folders under a walked folder are skipped. The result holds resolved
    paths, sorted and without duplicates. A missing path raises :class:`IngestError`.
    """
    found: set[Path] = set()
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise IngestError(f"no such file or folder: {path}")
        if not path.is_dir():
            found.add(path.resolve())
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if not name.startswith(".") and name.lower().endswith(suffixes):
                    found.add((Path(root) / name).resolve())
    return sorted(found, key=str)


def article_id_for(path: Path) -> str:
    """The article id derived from a file name: a slug of its stem (``"article"`` if empty)."""
    return slugify(Path(path).stem)


def slugify(value: str) -> str:
    """``value`` lowercased, with runs of characters outside ``[a-z0-9_-]`` made ``-``."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", value.lower()).strip("-")
    return slug or "article"


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ArticleSkipped(path, "is a directory")
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise ArticleSkipped(path, "not a regular file")
        if info.st_size > max_bytes:
            raise ArticleSkipped(path, f"larger than {max_bytes:,} bytes")
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise ArticleSkipped(path, f"unreadable: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # grew since stat
        raise ArticleSkipped(path, f"larger than {max_bytes:,} bytes")
    return data


def _decode(path: Path, data: bytes) -> str:
    if not data:
        raise ArticleSkipped(path, "empty file")
    if not data.replace(b"\xef\xbb\xbf", b"").strip():
        raise ArticleSkipped(path, "empty file (whitespace only)")
    if b"\x00" in data:
        raise ArticleSkipped(path, "binary file")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > _BINARY_CONTROL_SHARE * len(data):
        raise ArticleSkipped(path, "binary file")
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleSkipped(path, f"not UTF-8 text (invalid byte at offset {exc.start})") from None
    # The same translation as open(..., encoding="utf-8") in universal-newline mode.
    return raw.replace("\r\n", "\n").replace("\r", "\n")


@lru_cache(maxsize=1)
def _front_matter_loader() -> type[Any]:
    """A SafeLoader that leaves timestamps as strings, so dates are validated in one
    place. Built on first use: answering reads article bodies without YAML."""
    import yaml

    class FrontMatterLoader(yaml.SafeLoader):
        pass

    FrontMatterLoader.yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return FrontMatterLoader


def _parse_date(path: Path, value: Any, shown: str, *, allow_time: bool = False) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if _ISO_DATE_RE.fullmatch(text):
            return dt.date.fromisoformat(text)
        if allow_time and _ISO_DATE_RE.match(text) and text[10:11] in ("T", " "):
            return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    raise ArticleSkipped(path, f"malformed date {shown!r} (expected date YYYY-MM-DD)")


def _optional_str(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _front_matter(path: Path, text: str) -> dict[str, Any] | None:
    """The front-matter mapping, if ``text`` opens with front matter."""
    opening = _FRONT_MATTER_OPEN_RE.match(text)
    if not opening:
        return None
    closing = _FRONT_MATTER_CLOSE_RE.search(text, opening.end())
    if not closing:
        raise ArticleSkipped(path, "malformed front matter: no closing '---' line")
    block = text[opening.end() : closing.start()]
    import yaml

    try:
        data = yaml.load(block, Loader=_front_matter_loader())
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ArticleSkipped(path, f"malformed front matter: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ArticleSkipped(path, "malformed front matter: expected 'key: value' lines")
    return {str(k).lower(): v for k, v in data.items()}


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SPACE:
        pos += 1
    return pos


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—") + "…"


def derive_title(text: str, body_start: int) -> str:
    """A title from the body opening: a heading line, else the first sentence (shortened)."""
    first_nl = text.find("\n", body_start)
    if first_nl >= 0:
        line = text[body_start:first_nl].strip(_SPACE)
        after = text[first_nl + 1 :]
        heading = line.lstrip("#").strip()
        followed_by_blank = after.split("\n", 1)[0].strip() == "" and after.strip() != ""
        if (
            heading
            and followed_by_blank
            and len(heading) < _HEADING_TITLE_MAX_CHARS
            and not heading.endswith(".")
        ):
            return heading
    spans = split_sentences(text, body_start)
    if not spans:
        return ""
    start, end = spans[0]
    sentence = " ".join(text[start:end].lstrip("#").split())
    sentence = _DATELINE_RE.sub("", sentence, count=1) or sentence
    return _truncate(sentence, _TITLE_MAX_CHARS)


def _seed_header(text: str) -> re.Match[str] | None:
    """The seed format's ``date YYYY-MM-DD`` header opening ``text``, if it has one."""
    seed = _SEED_DATE_RE.match(text, _skip_space(text, 0))
    return seed if seed and any(ch.isdigit() for ch in seed.group(1)) else None


def body_start(text: str) -> int:
    """Where the body of the article ``text`` starts: past its front matter or its
    ``date`` header (which may share the body's first line: "date 2023-01-13
    WASHINGTON - …") and the white space after it. Malformed front matter is not
    judged here (:func:`parse_text` does): its opening line is taken as the body."""
    front = _FRONT_MATTER_OPEN_RE.match(text)
    closing = _FRONT_MATTER_CLOSE_RE.search(text, front.end()) if front else None
    if closing:
        return _skip_space(text, closing.end())
    seed = _seed_header(text)
    return _skip_space(text, seed.end() if seed else 0)


def parse_text(path: Path, text: str) -> Article:
    """Parse already-decoded article ``text`` read from ``path`` (header, title, id, hash)."""
    date: dt.date | None = None
    meta = _front_matter(path, text)
    if meta is not None:
        if meta.get("date") is not None:
            date = _parse_date(path, meta["date"], str(meta["date"]), allow_time=True)
    else:
        meta = {}
        seed = _seed_header(text)
        if seed:
            date = _parse_date(path, seed.group(1), seed.group(0))
    start = body_start(text)
    if start >= len(text):
        raise ArticleSkipped(path, "no article text after the header")
    title = _optional_str(meta.get("title")) or derive_title(text, start)
    given_id = _optional_str(meta.get("id"))
    article_id = slugify(given_id) if given_id else article_id_for(path)
    return Article(
        id=article_id,
        title=title or article_id,
        date=date,
        path=str(Path(path).resolve()),
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text=text,
        body_start=start,
        source=_optional_str(meta.get("source")),
        url=_optional_str(meta.get("url")),
    )


def parse_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read and parse one article file; raises :class:`ArticleSkipped` with a reason."""
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    text = _decode(path, data)
    article = parse_text(path, text)
    logger.debug("parsed %s: id=%s date=%s", path, article.id, article.date)
    return article
