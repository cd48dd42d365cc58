"""What every CLI command shares: settings from flags + env, logging, error handling."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from retrieval.errors import ChipbotError
from retrieval.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILURE = 1
EXIT_USAGE = 2
# --chroma-url is not passed to the commands: load_settings picks it up from the context.
_CHROMA_URL = "chipbot.chroma_url"


def _remember_chroma_url(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[_CHROMA_URL] = value


def common_options(func: F) -> F:
    """Add ``--data-dir``, ``--chroma-url``, ``--debug`` and ``--verbose`` to a command."""
    func = click.option(
        "--chroma-url",
        default=None,
        expose_value=False,
        callback=_remember_chroma_url,
        help="Use the Chroma server at this URL instead of the local index "
        "[env CHIPBOT_CHROMA_URL].",
    )(func)
    func = click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Where the index lives [env CHIPBOT_DATA_DIR; default: the user data dir].",
    )(func)
    func = click.option("--debug", is_flag=True, help="Show tracebacks on errors.")(func)
    return click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")(func)


def load_settings(**overrides: Any) -> Settings:
    """Read settings once (env, then flag overrides); a bad value is a usage error."""
    from pydantic import ValidationError

    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(_CHROMA_URL):
        overrides.setdefault("chroma_url", ctx.meta[_CHROMA_URL])

    try:
        return Settings().with_overrides(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "CHIPBOT_" + str(first["loc"][0]).upper() if first["loc"] else "setting"
        raise click.UsageError(f"invalid setting {name}: {first['msg']}") from None


def configure_logging(verbose: bool, debug: bool) -> None:
    """Logging is configured here, at the edge, and nowhere in the library."""
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


def handle_errors(func: F) -> F:
    """Turn library errors into a one-line message and exit code 1 (traceback with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(kwargs.get("debug"))
        configure_logging(bool(kwargs.get("verbose")), debug)
        try:
            return func(*args, **kwargs)
        except ChipbotError as exc:
            if debug:
                raise
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_FAILURE)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
