"""The answer-generator seam.

A generator receives the question and the ranked passages (already retrieved) and
returns an :class:`~retrieval.models.Answer` whose every sentence carries a ``[n]``
marker resolving to one of ``answer.citations``. Generators are chosen by name from
:data:`generators`; registering a new one touches neither retrieval nor front ends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from retrieval.models import Answer, Passage
from retrieval.registry import Registry


@runtime_checkable
class AnswerGenerator(Protocol):
    """Anything that can answer a question from passages, with citations."""

    name: str

    def generate(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[str] = (),
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer ``question`` from ``passages``; ``history`` holds earlier questions.

        A streaming generator calls ``on_token`` with each piece of text as it arrives;
        the returned answer is the final, checked one (which may differ from the stream).
        """
        ...

    def condense(self, question: str, history: Sequence[str]) -> str:
        """Rewrite a follow-up (``"And the Netherlands?"``) into a standalone question.

        ``history`` holds the conversation's earlier questions, oldest first. Returns
        ``question`` unchanged when it already stands alone.
        """
        ...


#: Factories are called as ``factory(settings=..., embedder=...)`` and must accept and
#: ignore keyword arguments they do not use.
generators: Registry[AnswerGenerator] = Registry("answer generator")
