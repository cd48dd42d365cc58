"""The library's error hierarchy.

Every error a user can cause derives from :class:`ChipbotError`; its message is one
plain sentence fit to show at an edge (CLI, Slack) without a traceback.
"""


class ChipbotError(Exception):
    """Base class for errors the user can act on."""


class ConfigError(ChipbotError):
    """A setting is missing, malformed or inconsistent."""


class UnknownNameError(ConfigError):
    """A registry was asked for a name it does not know."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown {kind} {name!r}; choose one of: {', '.join(self.known)}")


class QuestionError(ChipbotError):
    """The question itself is unusable (empty, too long)."""


class IngestError(ChipbotError):
    """An article could not be ingested; the batch goes on without it."""


class MissingIndexError(ChipbotError):
    """No index exists where one was expected."""


class IndexMismatchError(ChipbotError):
    """The index was built with other settings (model, chunking) than the ones in use."""


class CitationError(ChipbotError):
    """A citation reference does not resolve (unknown number, article or span)."""


class GeneratorError(ChipbotError):
    """An answer generator failed (e.g. an LLM call after its retries)."""
