"""``chipbot ask``: answer one question, or one a line from a file or stdin."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import click

from bot.cli.common import EXIT_FAILURE, common_options, handle_errors, load_settings
from bot.cli.options import DATE, retrieval_options, search_filter
from bot.cli.render import console, dumps, print_answer
from bot.cli.state import save_last
from retrieval.engine import Chipbot, validate_question
from retrieval.errors import ChipbotError, QuestionError
from retrieval.models import Answer, SearchFilter


@click.command()
@click.argument("question", nargs=-1)
@click.option(
    "--file",
    "file_",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Ask every line of FILE ('-' for stdin).",
)
@click.option("--json", "as_json", is_flag=True, help="JSON output (JSON Lines for several).")
@click.option(
    "--as-of",
    "as_of",
    type=DATE,
    default=None,
    help="Answer as things stood on YYYY-MM-DD: only articles up to that day, "
    "and the answer starts “As of …”.",
)
@retrieval_options
@common_options
@handle_errors
def ask(
    question: tuple[str, ...],
    file_: IO[str] | None,
    as_json: bool,
    as_of: dt.datetime | None,
    top_k: int | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    source: str | None,
    llm: str | None,
    data_dir: Path | None,
    debug: bool,
    verbose: bool,
) -> None:
    """Answer QUESTION from the indexed articles, citing every sentence.

    With no QUESTION (or --file), questions are read one a line from stdin. Dates in
    the question ("as of March 2023", "since October", "in January 2023") narrow the
    articles searched like --since/--until; those options win where both set a date.
    """
    if as_of and until:
        raise click.UsageError("--as-of sets the last day already; drop --until")
    settings = load_settings(data_dir=data_dir, llm=llm)
    flt = search_filter(since, until, source)
    day = as_of.date() if as_of else None
    if day and since and since.date() > day:
        raise click.BadParameter("--since is after --as-of", param_hint="--since/--as-of")
    engine = Chipbot.from_settings(settings)
    text = " ".join(question).strip()
    if file_ is None and not question and sys.stdin.isatty():
        raise click.UsageError("give a QUESTION, --file FILE, or questions on stdin")
    if file_ is None and question:
        try:
            validate_question(text, settings.max_question_chars)
        except QuestionError as exc:
            raise click.UsageError(str(exc)) from None
        engine.ensure_index(progress=lambda msg: click.echo(msg, err=True))
        if as_json or not settings.llm:
            answer = engine.ask(text, k=top_k, flt=flt, as_of=day)
            save_last(settings.data_dir, answer)
            if as_json:
                click.echo(dumps(answer.to_dict()))
            else:
                print_answer(console(), answer)
            return
        answer = ask_streaming(engine, text, top_k, flt, as_of=day)
        save_last(settings.data_dir, answer)
        return
    engine.ensure_index(progress=lambda msg: click.echo(msg, err=True))
    failures = 0
    out = console()
    for line in _lines(file_ or sys.stdin):
        try:
            answer = engine.ask(line, k=top_k, flt=flt, as_of=day)
        except ChipbotError as exc:
            failures += 1
            _report_error(line, exc, as_json)
            continue
        save_last(settings.data_dir, answer)
        if as_json:
            click.echo(dumps(answer.to_dict()))
        else:
            out.rule(f"[bold]{line}[/bold]", align="left")
            print_answer(out, answer)
            out.print()
    if failures:
        sys.exit(EXIT_FAILURE)


def ask_streaming(
    engine: Chipbot,
    text: str,
    top_k: int | None,
    flt: SearchFilter | None,
    history: Sequence[str] = (),
    *,
    as_of: dt.date | None = None,
) -> Answer:
    """Print the model's tokens as they come, then the checked answer and its sources.

    The checked answer can differ from the stream (markers renumbered or removed,
    unsupported sentences flagged, or the extractive fallback); then it is printed again.
    """
    streamed: list[str] = []

    def on_token(token: str) -> None:
        streamed.append(token)
        click.echo(token, nl=False)

    answer = engine.ask(text, k=top_k, flt=flt, history=history, on_token=on_token, as_of=as_of)
    out = console()
    if streamed:
        click.echo()
    same = "".join(streamed).strip() == answer.answer.strip()
    if streamed and not same:
        out.rule("checked answer", align="left", style="dim")
    print_answer(out, answer, text=not same)
    return answer


def _lines(handle: IO[str]) -> Iterator[str]:
    for raw in handle:
        line = raw.strip()
        if line:
            yield line


def _report_error(question: str, exc: Exception, as_json: bool) -> None:
    if as_json:
        record: dict[str, Any] = {"question": question, "error": str(exc)}
        click.echo(dumps(record))
    else:
        click.echo(f"Error for {question[:80]!r}: {exc}", err=True)
