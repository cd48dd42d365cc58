"""Rendering answers, citations and tables for the terminal (rich)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from retrieval.models import Answer, ArticleInfo, Citation, format_date
from retrieval.temporal import describe_filter

if TYPE_CHECKING:
    from retrieval.timeline import Timeline

QUOTE_PREVIEW = 220
NEAREST_SHOWN = 3


def console(stderr: bool = False) -> Console:
    """A console that degrades to plain text when not on a terminal."""
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _preview(text: str, limit: int = QUOTE_PREVIEW) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def print_answer(out: Console, answer: Answer, *, text: bool = True) -> None:
    """The answer, then its numbered sources (or the nearest passages if it abstained).

    ``text=False`` prints only what follows the text (it was streamed already).
    """
    style = "yellow" if answer.abstained else ""
    if text:
        out.print(Text(answer.answer, style=style))
    for note in answer.notes:
        out.print(Text(f"({note})", style="dim"))
    if answer.unsupported:
        out.print(Text(f"Unsupported sentences: {len(answer.unsupported)}", style="red"))
    if answer.citations:
        out.print()
        out.print("[bold]Sources[/bold]")
        for c in answer.citations:
            out.print(
                f"[bold][{c.n}][/bold] {format_date(c.date)} · {escape(c.title)} "
                f"[dim]({escape(c.path)}:{c.start}-{c.end})[/dim]"
            )
            out.print(Text(f"    “{_preview(c.quote)}”", style="italic"))
        out.print(Text("Run `chipbot show N` to see source N in its article.", style="dim"))
    elif answer.passages:
        out.print()
        out.print("[bold]Nearest passages[/bold]")
        for p in answer.passages[:NEAREST_SHOWN]:
            out.print(
                f"[bold]·[/bold] {format_date(p.date)} · {escape(p.title)} "
                f"[dim]({escape(p.article_id)}:{p.start}-{p.end})[/dim]"
            )
            out.print(Text(f"    “{_preview(p.text)}”", style="italic"))


def print_citation(out: Console, citation: Citation, context: tuple[str, str, str]) -> None:
    """A citation in its paragraph, the cited span highlighted."""
    before, quote, after = context
    out.print(f"[bold]{escape(citation.title)}[/bold]")
    out.print(
        f"{format_date(citation.date)} · {escape(citation.path)} · "
        f"characters {citation.start}-{citation.end} · "
        f"[dim]{escape(citation.article_id)}:{citation.start}-{citation.end}[/dim]"
    )
    out.print()
    body = Text(before)
    body.append(quote, style="bold black on yellow")
    body.append(after)
    out.print(body)


def articles_table(articles: Sequence[ArticleInfo]) -> Table:
    """``chipbot docs`` as a table."""
    table = Table(show_lines=False)
    for column in ("id", "date", "title", "chunks"):
        table.add_column(column, justify="right" if column == "chunks" else "left")
    for a in articles:
        table.add_row(a.id, a.date.isoformat() if a.date else "undated", a.title, str(a.n_chunks))
    return table


def dumps(data: Any) -> str:
    """One line of JSON, UTF-8 kept readable."""
    return json.dumps(data, ensure_ascii=False)


def print_timeline(out: Console, result: Timeline) -> None:
    """Entries grouped under their article (date · title), relative dates resolved."""
    if not result.entries:
        kept = describe_filter(result.filter)
        article = f"indexed article {kept}" if kept else "indexed article"
        out.print(Text(f"No {article} says anything on “{result.topic}”.", style="yellow"))
        return
    articles = len({e.citation.article_id for e in result.entries})
    out.print(
        f"[bold]Timeline:[/bold] {escape(result.topic)} "
        f"[dim]({len(result.entries)} statements from {articles} articles, oldest first)[/dim]"
    )
    current: str | None = None
    for entry in result.entries:
        c = entry.citation
        if c.article_id != current:
            current = c.article_id
            out.print()
            out.print(f"[bold]{format_date(c.date)}[/bold] · {escape(c.title)}")
        said = f"{entry.label}: " if entry.label else ""
        out.print(Text(f"  [{c.n}] {said}“{' '.join(entry.annotated.split())}”"))
    out.print()
    out.print(Text("Run `chipbot show N` to see statement N in its article.", style="dim"))
