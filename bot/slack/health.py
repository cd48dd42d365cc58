"""``/healthz``: whether this process can answer — its database, its vector store and its
embedding model — in one JSON object, HTTP 503 when any part fails.

Each check is a cheap round trip (``SELECT 1``, a count of the collection, one query
embedding), so a load balancer may poll it every few seconds. Failures are named by
exception type only: a health endpoint is often public, and messages can carry hosts.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.slack.services import Services

logger = logging.getLogger(__name__)

Check = Callable[[], dict[str, Any]]

# The app -> its services, for what runs beside bolt (the HTTP server's /healthz).
_BY_APP: weakref.WeakKeyDictionary[App, Services] = weakref.WeakKeyDictionary()


def attach(app: App, services: Services) -> None:
    """Remember ``services`` as ``app``'s, for :func:`services_of`."""
    _BY_APP[app] = services


def services_of(app: App) -> Services | None:
    """The services :func:`attach` gave ``app``, if any."""
    return _BY_APP.get(app)


def health_report(services: Services) -> dict[str, Any]:
    """``{"ok": …, "database": {…}, "store": {…}, "model": {…}, "queue": {…}}``."""
    engine = services.engine
    report: dict[str, Any] = {
        "database": _run(services.store.health),
        "store": _run(lambda: _vector_store(engine)),
        "model": _run(lambda: _model(engine)),
    }
    report["ok"] = all(part["ok"] for part in report.values())
    report["queue"] = {"waiting": services.pool.waiting, "workers": services.pool.workers}
    return report


def _run(check: Check) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as exc:
        logger.warning("health check failed: %s", type(exc).__name__, exc_info=True)
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, **detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _vector_store(engine: object) -> dict[str, Any]:
    index = getattr(engine, "index", None)
    if index is None:
        return {"checked": False}  # an engine without a vector store (tests' stand-ins)
    return {"backend": index.settings.vector_backend, "chunks": int(index.store.count())}


def _model(engine: object) -> dict[str, Any]:
    embedder = getattr(engine, "embedder", None)
    if embedder is None:
        return {"checked": False}
    settings = getattr(engine, "settings", None)
    vector = embedder.embed_query("health check")
    return {"name": getattr(settings, "embedding_model", None), "dim": int(vector.shape[-1])}
