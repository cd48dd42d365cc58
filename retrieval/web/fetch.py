"""Polite HTTP for ingest: timeouts, capped redirects, a size cap, content types, robots.txt.

Every failure is a :class:`FetchError` whose message is one line fit for the ingest
summary ("HTTP 404 Not Found", "timed out after 20 s", "redirect loop", ...), so a bad
URL costs its own line and never the batch.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import time
import urllib.robotparser
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from retrieval.errors import IngestError

logger = logging.getLogger(__name__)

USER_AGENT = "chipbot/0.1 (article ingest for cited answers; honours robots.txt)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf",)
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "application/feed+json",
)
_ROBOTS_MAX_BYTES = 500_000
# A robots.txt Crawl-delay is honoured up to this many seconds (a larger one would stall
# a whole run on one host).
MAX_CRAWL_DELAY = 30.0


class FetchError(IngestError):
    """A URL that could not be fetched, with a one-line reason (and the HTTP status)."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        super().__init__(f"{url}: {reason}")

    def __reduce__(self) -> tuple[type[FetchError], tuple[str, str, int | None]]:
        return (type(self), (self.url, self.reason, self.status))


@dataclass(frozen=True)
class FetchLimits:
    """How long, how far and how much one fetch may go."""

    timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    # Seconds between two requests to the same host (feeds ask for politeness); a
    # robots.txt Crawl-delay raises it for its host.
    per_host_interval: float = 0.0


@dataclass
class Page:
    """A fetched resource (or, with ``not_modified``, the news that it did not change)."""

    url: str
    final_url: str
    status: int
    content: bytes = b""
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def is_pdf(self) -> bool:
        """True for a PDF (by its type, or its magic number when the type is vague)."""
        return self.content_type in PDF_TYPES or self.content[:5] == b"%PDF-"


def parse_content_type(value: str) -> tuple[str, str | None]:
    """``("text/html", "utf-8")`` from ``text/html; charset=UTF-8`` (charset may be None)."""
    msg = Message()
    msg["content-type"] = value or ""
    charset = msg.get_param("charset")
    return msg.get_content_type() if value else "", str(charset).lower() if charset else None


def _tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "SSL" in type(seen).__name__:
            return True
        if "ssl" in str(seen).lower() or "certificate" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class Fetcher:
    """One HTTP client for a run: robots.txt is read once per host, connections reused."""

    def __init__(
        self, limits: FetchLimits | None = None, *, verify: Any = True, allow_private: bool = True
    ) -> None:
        self.limits = limits or FetchLimits()
        # False for URLs from chat users: no loopback, private or link-local hosts.
        self.allow_private = allow_private
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(self.limits.timeout),
            follow_redirects=False,  # followed by hand: each hop is checked and counted
            verify=verify,
        )
        self._robots: dict[str, urllib.robotparser.RobotFileParser | str] = {}
        self._last_request: dict[str, float] = {}
        self._crawl_delay: dict[str, float] = {}  # host -> robots.txt Crawl-delay
        self.requests = 0

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- politeness --------------------------------------------------------------------
    def _wait_for(self, host: str) -> None:
        # Every request is recorded: a Crawl-delay learnt from robots.txt counts from it.
        interval = max(self.limits.per_host_interval, self._crawl_delay.get(host, 0.0))
        last = self._last_request.get(host)
        if last is not None and interval > 0:
            delay = last + interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        self._last_request[host] = time.monotonic()

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser | str:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin in self._robots:
            return self._robots[origin]
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        verdict: urllib.robotparser.RobotFileParser | str = parser
        try:
            self._wait_for(parts.netloc)
            self.requests += 1
            response = self._client.get(origin + "/robots.txt", follow_redirects=True)
            if response.status_code in (401, 403):
                parser.disallow_all = True  # type: ignore[attr-defined]
            elif response.status_code >= 500:
                # RFC 9309: an unreachable robots.txt means "assume everything disallowed".
                verdict = f"robots.txt answered HTTP {response.status_code}"
            elif response.status_code >= 400:
                parser.allow_all = True  # type: ignore[attr-defined]
            else:
                body = response.content[:_ROBOTS_MAX_BYTES].decode("utf-8", "replace")
                parser.parse(body.splitlines())
                delay = parser.crawl_delay(USER_AGENT)
                if delay:
                    self._crawl_delay[parts.netloc] = min(float(delay), MAX_CRAWL_DELAY)
        except httpx.HTTPError as exc:
            # The page itself would fail the same way: say why, not "robots.txt".
            verdict = self._reason(exc)
        self._robots[origin] = verdict
        return verdict

    def allowed(self, url: str) -> str | None:
        """None when robots.txt lets chipbot fetch ``url``, else why not."""
        robots = self._robots_for(url)
        if isinstance(robots, str):
            return robots
        if not robots.can_fetch(USER_AGENT, url):
            return "disallowed by robots.txt"
        return None

    # -- fetching ----------------------------------------------------------------------
    def _reason(self, exc: BaseException) -> str:
        if isinstance(exc, httpx.TimeoutException):
            return f"timed out after {self.limits.timeout:g} s"
        if isinstance(exc, httpx.ConnectError | httpx.ReadError) and _tls_failure(exc):
            return f"TLS error: {exc}"
        if isinstance(exc, httpx.ConnectError):
            return f"cannot connect: {exc}"
        return f"{type(exc).__name__}: {exc}"

    def get(
        self,
        url: str,
        *,
        accept: tuple[str, ...] = HTML_TYPES + PDF_TYPES,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Page:
        """Fetch ``url`` (following at most ``max_redirects`` redirects).

        With ``etag``/``last_modified`` the request is conditional and an unchanged
        resource comes back as ``Page(not_modified=True)``. Raises :class:`FetchError`.
        """
        headers = {"Accept": ", ".join((*accept, "*/*;q=0.1"))}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        seen = {url}
        for _hop in range(self.limits.max_redirects + 1):
            if urlsplit(current).scheme not in ("http", "https"):
                raise FetchError(url, f"unsupported URL scheme in {current}")
            if not self.allow_private:
                private = private_address(current)
                if private:
                    raise FetchError(url, f"refused: {private} is not a public address")
            refusal = self.allowed(current)
            if refusal:
                raise FetchError(url, refusal)
            try:
                page = self._get_once(url, current, headers, accept)
            except httpx.HTTPError as exc:
                raise FetchError(url, self._reason(exc)) from None
            if isinstance(page, Page):
                return page
            current = urljoin(current, page)
            if current in seen:
                raise FetchError(url, "redirect loop")
            seen.add(current)
        raise FetchError(url, f"more than {self.limits.max_redirects} redirects")

    def _get_once(
        self, url: str, current: str, headers: dict[str, str], accept: tuple[str, ...]
    ) -> Page | str:
        """The page, or the next URL of a redirect."""
        self._wait_for(urlsplit(current).netloc)
        self.requests += 1
        with self._client.stream("GET", current, headers=headers) as response:
            status = response.status_code
            if status in (301, 302, 303, 307, 308):
                location = response.headers.get("location")
                if not location:
                    raise FetchError(url, f"HTTP {status} redirect without a Location")
                return location
            common = {
                "url": url,
                "final_url": current,
                "status": status,
                "etag": response.headers.get("etag"),
                "last_modified": response.headers.get("last-modified"),
                "headers": dict(response.headers),
            }
            if status == 304:
                return Page(**common, not_modified=True)
            if status >= 400:
                phrase = response.reason_phrase or ""
                raise FetchError(url, f"HTTP {status} {phrase}".strip(), status=status)
            content_type, charset = parse_content_type(response.headers.get("content-type", ""))
            declared = response.headers.get("content-length")
            cap = self.limits.max_bytes
            if declared and declared.isdigit() and int(declared) > cap:
                raise FetchError(url, f"larger than the {cap:,}-byte cap ({int(declared):,} bytes)")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise FetchError(url, f"larger than the {cap:,}-byte cap")
                chunks.append(chunk)
        content = b"".join(chunks)
        page = Page(**common, content=content, content_type=content_type, charset=charset)
        if not _acceptable(page, accept):
            shown = content_type or "no content type"
            raise FetchError(url, f"not an article page ({shown})")
        return page


def private_address(url: str) -> str | None:
    """The loopback, private, link-local or reserved address ``url``'s host resolves to,
    if any (checked before each hop; a DNS answer that changes between this check and
    the connection is not caught)."""
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return None  # the request itself will fail with a clear reason
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            return str(address)
    return None


def _acceptable(page: Page, accept: tuple[str, ...]) -> bool:
    if page.content_type in accept:
        return True
    if page.content_type in ("", "application/octet-stream"):
        # A server that does not say: trust the content's own signature.
        head = page.content[:1024].lstrip().lower()
        if PDF_TYPES[0] in accept and page.content[:5] == b"%PDF-":
            return True
        return HTML_TYPES[0] in accept and (head.startswith((b"<!doctype html", b"<html")))
    return False
