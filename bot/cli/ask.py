"""``chipbot ask``: answer one question, or one a line from a file or stdin."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from bot.cli.common import EXIT_FAILURE, common_options, handle_errors, load_settings
from bot.cli.options import DATE, retrieval_options, search_filter
from bot.cli.render import console, dumps, print_answer, print_timeline
from bot.cli.state import save_last
from retrieval.engine import Chipbot, validate_question
from retrieval.errors import ChipbotError, QuestionError
from retrieval.models import Answer, SearchFilter

if TYPE_CHECKING:
    from rich.console import Console

    from retrieval.timeline import Timeline


@dataclass(frozen=True)
class Answered:
    """An answer, and the timeline that follows it when its question asked how something
    changed, its statements numbered after the answer's sources: what ``show N`` opens."""

    answer: Answer
    timeline: Timeline | None = None

    def to_dict(self) -> dict[str, Any]:
        """The answer's JSON form, with ``timeline`` (the timeline's) when one follows."""
        data = self.answer.to_dict()
        if self.timeline is not None:
            data["timeline"] = self.timeline.to_dict()
        return data


def followed(engine: Chipbot, answer: Answer, flt: SearchFilter | None) -> Answered:
    """``answer`` with the timeline that follows it, if any (see
    :meth:`retrieval.engine.Chipbot.timeline_after`)."""
    timeline = engine.timeline_after(answer, flt)
    if timeline is None or not timeline.entries:
        return Answered(answer)
    return Answered(answer, timeline.numbered_from(len(answer.citations) + 1))


def print_answered(out: Console, answered: Answered, *, text: bool = True) -> None:
    """The answer and its sources, then the timeline that follows it."""
    print_answer(out, answered.answer, text=text)
    if answered.timeline is not None:
        out.print()
        print_timeline(out, answered.timeline)


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
            answered = followed(engine, engine.ask(text, k=top_k, flt=flt, as_of=day), flt)
            save_last(settings.data_dir, answered)
            if as_json:
                click.echo(dumps(answered.to_dict()))
            else:
                print_answered(console(), answered)
            return
        save_last(settings.data_dir, ask_streaming(engine, text, top_k, flt, as_of=day))
        return
    engine.ensure_index(progress=lambda msg: click.echo(msg, err=True))
    failures = 0
    out = console()
    for line in _lines(file_ or sys.stdin):
        try:
            answered = followed(engine, engine.ask(line, k=top_k, flt=flt, as_of=day), flt)
        except ChipbotError as exc:
            failures += 1
            _report_error(line, exc, as_json)
            continue
        save_last(settings.data_dir, answered)
        if as_json:
            click.echo(dumps(answered.to_dict()))
        else:
            out.rule(f"[bold]{line}[/bold]", align="left")
            print_answered(out, answered)
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
) -> Answered:
    """Print the model's tokens as they come, then the checked answer and its sources
    (and the timeline that follows it, when one does).

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
    answered = followed(engine, answer, flt)
    print_answered(out, answered, text=not same)
    return answered


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
