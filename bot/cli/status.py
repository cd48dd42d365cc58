"""``chipbot status``: where things are, and whether everything loads."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bot.cli.common import EXIT_FAILURE, common_options, handle_errors, load_settings
from bot.cli.render import console, dumps
from retrieval.engine import Chipbot
from retrieval.errors import ChipbotError
from retrieval.models import format_date


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@common_options
@handle_errors
def status(as_json: bool, data_dir: Path | None, debug: bool, verbose: bool) -> None:
    """Show the data dir, model, counts and newest article date; check that all loads."""
    settings = load_settings(data_dir=data_dir)
    engine = Chipbot.from_settings(settings)
    report: dict[str, Any] = {
        "data_dir": str(settings.data_dir),
        "store": settings.chroma_url or str(settings.data_dir / "chroma"),
        "embedding_model": settings.embedding_model,
        "encoder": settings.encoder,
        "document_encoder": settings.document_encoder,
        "generator": "llm" if settings.llm else settings.generator,
        "llm": settings.llm,
        "checks": {},
    }
    checks: dict[str, str] = report["checks"]

    def check(name: str, func: Callable[[], str]) -> None:
        t0 = time.perf_counter()
        try:
            detail = func()
        except ChipbotError as exc:
            checks[name] = f"FAILED: {exc}"
            return
        checks[name] = f"ok ({detail}, {(time.perf_counter() - t0) * 1000:.0f} ms)"

    check("embedding model", lambda: f"dim {engine.embedder.embed_query('status').shape[0]}")

    def index_check() -> str:
        stats = engine.index.stats()
        report["index"] = {k: v for k, v in stats.items() if _jsonable(v)}
        newest = engine.newest_date()
        report["newest_article"] = newest.isoformat() if newest else None
        return (
            f"{stats.get('n_articles', '?')} articles, {stats.get('n_chunks', '?')} chunks, "
            f"newest {format_date(newest) if newest else 'none dated'}"
        )

    check("index", index_check)
    if not checks["index"].startswith("FAILED"):
        check("lexical index", lambda: f"{len(engine.index.lexical_search('japan', 3))} hits")
    failed = any(v.startswith("FAILED") for v in checks.values())
    if as_json:
        click.echo(dumps(report))
    else:
        out = console()
        for key in (
            "data_dir",
            "store",
            "embedding_model",
            "encoder",
            "document_encoder",
            "generator",
        ):
            out.print(f"[bold]{key:16}[/bold] {report[key]}")
        for name, result in checks.items():
            colour = "red" if result.startswith("FAILED") else "green"
            out.print(f"[bold]{name:16}[/bold] [{colour}]{result}[/{colour}]")
    if failed:
        sys.exit(EXIT_FAILURE)


def _jsonable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | type(None) | dict | list)
