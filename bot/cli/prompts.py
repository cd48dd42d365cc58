"""``chipbot prompts``: the versioned prompt templates used in LLM mode."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.cli.common import handle_errors
from retrieval.errors import ConfigError
from retrieval.prompts import PROMPTS_DIR, list_prompts, load_prompt, parse_ref


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object a prompt version.")
@click.option(
    "--show", "show_ref", metavar="NAME[/vN]", default=None, help="Print one prompt's text."
)
@click.option(
    "--dir",
    "prompts_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Prompt directory [default: the shipped prompts/].",
)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@handle_errors
def prompts(
    as_json: bool,
    show_ref: str | None,
    prompts_dir: Path | None,
    debug: bool,
    verbose: bool,
) -> None:
    """List the prompt templates and their versions (the version is recorded on answers)."""
    root = prompts_dir or PROMPTS_DIR
    if show_ref:
        loaded = load_prompt(show_ref, root)
        name, version = parse_ref(show_ref)
        if version is None and not loaded.ref.startswith(f"{name}/"):
            raise ConfigError(f"no prompt named {name!r}")
        click.echo(f"# {loaded.ref}  ({loaded.info.path})")
        for part in ("system", "user"):
            click.echo(f"\n## {part}\n")
            click.echo((loaded.info.path / f"{part}.txt").read_text(encoding="utf-8").rstrip())
        return
    infos = list_prompts(root)
    latest = {i.name: i.version for i in infos}
    for info in infos:
        is_latest = latest[info.name] == info.version
        if as_json:
            record = {
                "ref": info.ref,
                "name": info.name,
                "version": info.version,
                "latest": is_latest,
                "variables": list(info.variables),
                "path": str(info.path),
                "summary": info.summary,
            }
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            mark = " (latest)" if is_latest else ""
            click.echo(f"{info.ref}{mark}  vars: {', '.join(info.variables)}  - {info.summary}")
