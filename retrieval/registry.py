"""A tiny name -> factory registry used for every pluggable seam."""

from collections.abc import Callable
from typing import Generic, TypeVar

from retrieval.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to factories; an unknown name raises :class:`UnknownNameError`."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[..., T]] = {}

    def register(self, name: str, factory: Callable[..., T]) -> None:
        """Register ``factory`` under ``name`` (replacing any earlier one)."""
        self._factories[name] = factory

    def names(self) -> list[str]:
        """The registered names, sorted."""
        return sorted(self._factories)

    def get(self, name: str) -> Callable[..., T]:
        """The factory registered under ``name``."""
        try:
            return self._factories[name]
        except KeyError:
            raise UnknownNameError(self.kind, name, list(self._factories)) from None

    def create(self, name: str, *args: object, **kwargs: object) -> T:
        """Build the object registered under ``name``."""
        return self.get(name)(*args, **kwargs)
