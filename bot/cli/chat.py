"""``chipbot chat``: an interactive session; models load once, history is kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from bot.cli.ask import ask_streaming, followed, print_answered
from bot.cli.common import common_options, handle_errors, load_settings
from bot.cli.options import retrieval_options, search_filter
from bot.cli.render import console, print_citation
from bot.cli.state import load_citation, save_last
from retrieval.engine import Chipbot
from retrieval.errors import ChipbotError

HELP = (
    "Ask a question, or: `show N` (source N of the last answer), `history`, "
    "`new` (forget the conversation), `help`, `quit`."
)


@click.command()
@retrieval_options
@common_options
@handle_errors
def chat(
    top_k: int | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    source: str | None,
    llm: str | None,
    data_dir: Path | None,
    debug: bool,
    verbose: bool,
) -> None:
    """Ask questions interactively; follow-ups use the conversation so far."""
    settings = load_settings(data_dir=data_dir, llm=llm)
    flt = search_filter(since, until, source)
    engine = Chipbot.from_settings(settings)
    out = console()
    engine.ensure_index(progress=lambda msg: out.print(msg, style="dim"))
    with out.status("Loading…"):
        engine.warm()
    out.print(HELP, style="dim")
    history: list[str] = []
    while True:
        try:
            line = click.prompt("?", prompt_suffix=" ", default="", show_default=False).strip()
        except (EOFError, click.Abort):
            out.print()
            return
        if not line:
            continue
        command, _, arg = line.partition(" ")
        try:
            if command in {"quit", "exit", ":q"}:
                return
            if command == "help":
                out.print(HELP, style="dim")
            elif command == "history":
                for i, q in enumerate(history, start=1):
                    out.print(f"{i}. {q}")
            elif command == "new":
                history.clear()
                out.print("(conversation cleared)", style="dim")
            elif command == "show" and arg.strip().isdigit():
                citation = load_citation(settings.data_dir, int(arg))
                print_citation(out, citation, engine.context(citation))
            else:
                if settings.llm:
                    answered = ask_streaming(engine, line, top_k, flt, history)
                else:
                    answer = engine.ask(line, k=top_k, flt=flt, history=history)
                    answered = followed(engine, answer, flt)
                    print_answered(out, answered)
                history.append(answered.answer.standalone_question or line)
                save_last(settings.data_dir, answered)
        except ChipbotError as exc:
            out.print(f"[red]Error:[/red] {exc}")
        out.print()
