"""``chipbot ingest``: add, update, prune or rebuild the index."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import common_options, handle_errors, load_settings
from bot.cli.render import console
from retrieval.engine import Chipbot

PROGRESS_MIN_FILES = 5


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--prune", is_flag=True, help="Remove articles whose files are gone.")
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
    paths: tuple[Path, ...],
    prune: bool,
    rebuild: bool,
    chunk_chars: int | None,
    embedding_model: str | None,
    data_dir: Path | None,
    debug: bool,
    verbose: bool,
) -> None:
    """Index article files and folders (recursively); unchanged files are skipped.

    Files: .txt/.md with a `date YYYY-MM-DD` header, YAML front matter
    (title, date, url, source) or plain text.
    """
    settings = load_settings(
        data_dir=data_dir, chunk_chars=chunk_chars, embedding_model=embedding_model
    )
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise click.BadParameter(f"no such file or folder: {missing[0]}", param_hint="PATHS")
    engine = Chipbot.from_settings(settings)
    if not paths and not prune and not rebuild:
        raise click.UsageError("give files or folders to ingest (or --prune / --rebuild)")
    targets = list(paths)
    if not targets and engine.has_index():
        # --rebuild / --prune alone: the files of the articles indexed now.
        targets = sorted({Path(a.path) for a in engine.articles() if Path(a.path).exists()})
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
