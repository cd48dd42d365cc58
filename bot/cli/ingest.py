"""``chipbot ingest``: add, update, prune or rebuild the index."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import common_options, handle_errors, load_settings
from bot.cli.render import console
from retrieval.engine import Chipbot

PROGRESS_MIN_FILES = 5


@click.command()
@click.argument("paths", nargs=-1)
@click.option(
    "--prune", is_flag=True, help="Remove articles whose files are gone or URLs answer 404/410."
)
@click.option(
    "--rebuild", is_flag=True, help="Start over (needed after changing the model or chunking)."
)
@click.option(
    "--chunk-chars",
    type=click.IntRange(100, 20_000),
    default=None,
    help="Largest chunk in characters [env CHIPBOT_CHUNK_CHARS; default 350].",
)
@click.option(
    "--model",
    "embedding_model",
    default=None,
    help="Embedding model name or local path [env CHIPBOT_EMBEDDING_MODEL].",
)
@common_options
@handle_errors
def ingest(
    paths: tuple[str, ...],
    prune: bool,
    rebuild: bool,
    chunk_chars: int | None,
    embedding_model: str | None,
    data_dir: Path | None,
    debug: bool,
    verbose: bool,
) -> None:
    """Index article files, folders (recursively) and web pages; unchanged ones are skipped.

    PATHS are files, folders or http(s):// URLs, mixed freely. Files: .txt/.md with a
    `date YYYY-MM-DD` header, YAML front matter (title, date, url, source) or plain text;
    .html/.htm pages and .pdf documents (their extracted text is stored as a snapshot,
    which citations quote). URLs are fetched politely (robots.txt, size and time caps);
    re-ingesting one costs a conditional request when it has not changed.
    """
    settings = load_settings(
        data_dir=data_dir, chunk_chars=chunk_chars, embedding_model=embedding_model
    )
    from retrieval.web.sources import is_url

    missing = [p for p in paths if not is_url(p) and not Path(p).exists()]
    if missing:
        raise click.BadParameter(f"no such file or folder: {missing[0]}", param_hint="PATHS")
    engine = Chipbot.from_settings(settings)
    if not paths and not prune and not rebuild:
        raise click.UsageError("give files or folders to ingest (or --prune / --rebuild)")
    targets: list[Path | str] = [p if is_url(p) else Path(p) for p in paths]
    if not targets and engine.has_index():
        # --rebuild / --prune alone: the files and URLs of the articles indexed now (a
        # rebuild takes web articles from their snapshots, without fetching them again).
        indexed = engine.articles()
        targets = [] if rebuild else [a.path for a in indexed if is_url(a.path)]
        targets += sorted({Path(a.path) for a in indexed if Path(a.path).exists()})
    out = console(stderr=True)
    with out.status("Loading the embedding model…"):
        _ = engine.embedder
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[current]}", style="dim"),
        console=out,
        transient=True,
    ) as bar:
        task = bar.add_task("Ingesting", total=None, current="")

        def progress(done: int, total: int, current: str) -> None:
            bar.update(task, completed=done, total=total, current=Path(current).name[:40])

        report = engine.ingest(targets, prune=prune, rebuild=rebuild, progress=progress)
    result = console()
    for item in report.items:
        if item.status == "skipped":
            result.print(f"[yellow]skipped[/yellow] {item.path}: {item.reason}")
        elif verbose or item.status == "removed":
            result.print(f"{item.status} {item.path}")
    result.print(report.summary())
    # A file (or URL) named on the command line that could not be indexed fails the
    # command; files skipped inside a named folder are only reported.
    named = {_key(p) for p in paths}
    failed = [i for i in report.items if i.status == "skipped" and _key(i.path) in named]
    if failed:
        listed = "; ".join(f"{i.path} ({i.reason})" for i in failed)
        raise click.ClickException(f"could not index what was named: {listed}")


def _key(path: str) -> str:
    """``path`` as the ingest report names it: a URL as it is, a file resolved."""
    from retrieval.web.sources import is_url

    return path if is_url(path) else str(Path(path).resolve())
