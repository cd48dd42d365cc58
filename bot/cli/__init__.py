"""The ``chipbot`` command line.

Commands are loaded lazily from :data:`COMMANDS` (name -> "module:attribute"), so
``chipbot ask`` does not pay for importing the Slack app, and vice versa.
"""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, str] = {
    "ask": "bot.cli.ask:ask",
    "chat": "bot.cli.chat:chat",
    "docs": "bot.cli.docs:docs",
    "eval": "bot.cli.eval:eval_command",
    "feedback": "bot.cli.feedback:feedback",
    "ingest": "bot.cli.ingest:ingest",
    "prompts": "bot.cli.prompts:prompts",
    "show": "bot.cli.show:show",
    "slack": "bot.cli.slack:slack",
    "status": "bot.cli.status:status",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup)
@click.version_option(package_name="chipbot")
def main() -> None:
    """Cited answers about the semiconductor export-control negotiations."""
