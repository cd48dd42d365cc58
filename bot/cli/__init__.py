"""The ``chipbot`` command line.

Commands are loaded lazily from :data:`COMMANDS` (name -> "module:attribute"), so
``chipbot ask`` does not pay for importing the Slack app, and vice versa.
"""

from __future__ import annotations

import importlib

import click

#: name -> ("module:attribute", one-line help shown by `chipbot --help`).
COMMANDS: dict[str, tuple[str, str]] = {
    "ask": ("bot.cli.ask:ask", "Answer a question from the indexed articles, with citations."),
    "chat": ("bot.cli.chat:chat", "Ask questions interactively; follow-ups use the conversation."),
    "db": ("bot.cli.db:db", "The Slack app's database: migrations, revision, importing a store."),
    "docs": ("bot.cli.docs:docs", "List the indexed articles."),
    "eval": ("bot.cli.eval:eval_command", "Score answers against a gold question set."),
    "feedback": ("bot.cli.feedback:feedback", "List feedback given on answers in Slack."),
    "feeds": ("bot.cli.feeds:feeds", "Add, list or remove the RSS/Atom feeds `watch` follows."),
    "ingest": ("bot.cli.ingest:ingest", "Index article files and folders (incremental)."),
    "prompts": ("bot.cli.prompts:prompts", "List the LLM prompt templates and their versions."),
    "show": ("bot.cli.show:show", "Show a cited passage in its article."),
    "slack": ("bot.cli.slack:slack", "Run the Slack app (Socket Mode or HTTP)."),
    "status": ("bot.cli.status:status", "Show where things are and check that everything loads."),
    "timeline": ("bot.cli.timeline:timeline", "The dated, cited statements on a topic, in order."),
    "watch": ("bot.cli.watch:watch", "Ingest new items of the followed feeds, once or forever."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use.

    ``chipbot --help`` lists them from :data:`COMMANDS` without importing any.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attr = entry[0].split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup)
@click.version_option(package_name="chipbot")
def main() -> None:
    """Cited answers about the semiconductor export-control negotiations."""
