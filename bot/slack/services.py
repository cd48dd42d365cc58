"""What the listeners share: the engine, the store, the worker pool and the settings.

Built once per process by the app factory and handed to every listener through bolt's
context (``context["chipbot"]``), so listeners stay small and hold no state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from slack_bolt import BoltContext, BoltResponse

from bot.slack.jobs import JobPool
from bot.slack.settings import SlackSettings
from bot.slack.store import Store
from bot.slack.streaming import StreamSupport
from retrieval.models import Answer, Citation, SearchFilter

if TYPE_CHECKING:
    from retrieval.timeline import Timeline

CONTEXT_KEY = "chipbot"

SUGGESTED_PROMPTS: tuple[str, ...] = (
    "What has Japan agreed to?",
    "What is the US asking the Netherlands to do?",
    "Why is Japan hesitant to match the US controls?",
)


class Engine(Protocol):
    """The part of :class:`retrieval.engine.Chipbot` the Slack app uses."""

    def ask(
        self,
        question: str,
        *,
        history: Sequence[str] = (),
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer ``question`` with citations (``history``: earlier questions); a streaming
        generator hands ``on_token`` each piece of text as it is written."""
        ...

    def context(self, citation: Citation, chars: int = 400) -> tuple[str, str, str]:
        """(text before, quote, text after) for ``citation``, read from the article."""
        ...

    def timeline(
        self, topic: str, *, flt: SearchFilter | None = None, k: int | None = None
    ) -> Timeline:
        """The dated, cited statements on ``topic`` in date order."""
        ...


@dataclass
class Services:
    """The process-wide dependencies of the listeners."""

    engine: Engine
    store: Store
    pool: JobPool
    slack: SlackSettings
    suggested_prompts: tuple[str, ...] = SUGGESTED_PROMPTS
    streams: StreamSupport = field(default_factory=StreamSupport)

    def middleware(self) -> Callable[..., BoltResponse | None]:
        """A bolt global middleware that puts these services into every request's context."""

        def attach_services(context: BoltContext, next: Callable[[], None]) -> None:
            context[CONTEXT_KEY] = self
            next()

        return attach_services


def services_from(context: BoltContext) -> Services:
    """The services attached to ``context`` by :meth:`Services.middleware`."""
    services = context.get(CONTEXT_KEY)
    if not isinstance(services, Services):
        raise RuntimeError("chipbot services are missing from the bolt context")
    return services
