"""Connecting to Chroma (embedded, or a server with an optional token) and its errors.

A server that is down, goes away mid-session or refuses the credentials becomes one
:class:`~retrieval.errors.ChipbotError` line instead of an HTTP library traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from retrieval.errors import ChipbotError
from retrieval.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def server_error(exc: BaseException, location: str) -> ChipbotError | None:
    """The one-line error for a Chroma server that is gone or refuses us (else ``None``).

    Only connection-level failures and refused credentials are translated: anything else
    is a bug or a data problem and keeps its own type. Chroma re-raises some failures as
    ``ValueError``; the exception chain is searched for the original.
    """
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            break
        error = _server_error(seen, location)
        if error is not None:
            return error
        seen = seen.__cause__ or seen.__context__
    return None


def _server_error(exc: BaseException, location: str) -> ChipbotError | None:
    import httpx

    if isinstance(exc, httpx.TransportError):
        return ChipbotError(
            f"lost the connection to the Chroma server at {location} ({type(exc).__name__}); "
            "check that it is running, or unset CHIPBOT_CHROMA_URL to use the local index"
        )
    status = exc.response.status_code if isinstance(exc, httpx.HTTPStatusError) else None
    if status in (401, 403) or type(exc).__name__ in ("AuthorizationError", "AuthenticationError"):
        return ChipbotError(
            f"the Chroma server at {location} refused the credentials; "
            "check CHIPBOT_CHROMA_TOKEN and CHIPBOT_CHROMA_AUTH_HEADER"
        )
    return None


def guarded(method: F) -> F:
    """Turn a lost or refusing Chroma server into a :class:`ChipbotError` (remote only)."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except ChipbotError:
            raise
        except Exception as exc:
            error = server_error(exc, self.location) if self.remote else None
            if error is None:
                raise
            raise error from None

    return wrapper  # type: ignore[return-value]


def connect(settings: Settings) -> Any:
    """A Chroma client: embedded under ``data_dir/chroma``, or the server at ``chroma_url``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if not settings.chroma_url:
        path = settings.data_dir / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    from urllib.parse import urlparse

    url = urlparse(settings.chroma_url)
    headers: dict[str, str] = {}
    if settings.chroma_token is not None:
        token = settings.chroma_token.get_secret_value()
        header = settings.chroma_auth_header
        headers[header] = f"Bearer {token}" if header.lower() == "authorization" else token
    ssl = url.scheme == "https"
    try:
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if ssl else 8000),
            ssl=ssl,
            headers=headers,
            settings=chroma_settings,
        )
    except Exception as exc:  # chroma raises several types for an unreachable server
        refused = server_error(exc, settings.chroma_url)
        if refused is not None and "refused" in str(refused):
            raise refused from None
        raise ChipbotError(
            f"cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}); "
            "check that it is running, or unset CHIPBOT_CHROMA_URL to use the local index"
        ) from None
