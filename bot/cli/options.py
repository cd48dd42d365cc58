"""Options shared by the question-asking commands (ask, chat, eval)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import click

from retrieval.models import SearchFilter

F = TypeVar("F", bound=Callable[..., Any])
DATE = click.DateTime(formats=["%Y-%m-%d"])


def retrieval_options(func: F) -> F:
    """``-k``, ``--since``, ``--until``, ``--source`` and ``--llm``."""
    for option in reversed(
        [
            click.option(
                "-k",
                "top_k",
                type=click.IntRange(1, 50),
                default=None,
                help="How many passages to retrieve [default: 5].",
            ),
            click.option(
                "--since",
                type=DATE,
                default=None,
                help="Only articles dated on or after YYYY-MM-DD.",
            ),
            click.option(
                "--until",
                type=DATE,
                default=None,
                help="Only articles dated on or before YYYY-MM-DD.",
            ),
            click.option("--source", default=None, help="Only articles from this source."),
            click.option(
                "--llm",
                default=None,
                metavar="PROVIDER:MODEL",
                help="Answer with a chat model, e.g. openai:gpt-4o-mini [env CHIPBOT_LLM].",
            ),
        ]
    ):
        func = option(func)
    return func


def search_filter(
    since: dt.datetime | None, until: dt.datetime | None, source: str | None
) -> SearchFilter | None:
    """The filter the options describe (``None`` when they describe none)."""
    flt = SearchFilter(
        since=since.date() if since else None,
        until=until.date() if until else None,
        source=source,
    )
    if flt.since and flt.until and flt.since > flt.until:
        raise click.BadParameter("--since is after --until", param_hint="--since/--until")
    return None if flt.empty else flt
