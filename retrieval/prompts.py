"""Versioned prompt templates, kept as files and loaded into LangChain ``ChatPromptTemplate``.

Layout: ``prompts/<name>/v<N>/system.txt`` and ``prompts/<name>/v<N>/user.txt`` (LangChain
f-string templates: ``{variable}``; a literal brace is doubled). A prompt is never edited
in place once answers were recorded with it: a change is a new ``v<N+1>`` directory, so the
``prompt_version`` stored with each answer (``"answer/v1"``) always names the exact text used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.errors import ConfigError

if TYPE_CHECKING:
    from langchain_core.prompts import ChatPromptTemplate

#: The repository's prompt directory (next to the ``retrieval`` package).
PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"

PARTS = ("system", "user")
_VERSION_RE = re.compile(r"^v(\d+)$")
_VARIABLE_RE = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


@dataclass(frozen=True)
class PromptInfo:
    """One versioned prompt on disk."""

    name: str
    version: int
    path: Path
    variables: tuple[str, ...]
    summary: str

    @property
    def ref(self) -> str:
        """The ``name/vN`` form recorded as ``Answer.prompt_version``."""
        return f"{self.name}/v{self.version}"


@dataclass(frozen=True)
class LoadedPrompt:
    """A prompt ready to format, with the reference of the version it came from."""

    info: PromptInfo
    template: ChatPromptTemplate

    @property
    def ref(self) -> str:
        """The ``name/vN`` form recorded as ``Answer.prompt_version``."""
        return self.info.ref


def _versions(name_dir: Path) -> list[int]:
    found = []
    for child in name_dir.iterdir():
        match = _VERSION_RE.match(child.name)
        if match and child.is_dir() and all((child / f"{p}.txt").is_file() for p in PARTS):
            found.append(int(match.group(1)))
    return sorted(found)


def _read_parts(version_dir: Path) -> dict[str, str]:
    return {p: (version_dir / f"{p}.txt").read_text(encoding="utf-8").strip() for p in PARTS}


def _info(name: str, version: int, root: Path) -> PromptInfo:
    path = root / name / f"v{version}"
    parts = _read_parts(path)
    variables = tuple(dict.fromkeys(v for p in PARTS for v in _VARIABLE_RE.findall(parts[p])))
    first_line = parts["system"].splitlines()[0] if parts["system"] else ""
    summary = first_line if len(first_line) <= 100 else first_line[:99].rstrip() + "…"
    return PromptInfo(name=name, version=version, path=path, variables=variables, summary=summary)


def list_prompts(root: Path | None = None) -> list[PromptInfo]:
    """Every prompt version under ``root`` (default :data:`PROMPTS_DIR`), by name then version."""
    root = root or PROMPTS_DIR
    if not root.is_dir():
        raise ConfigError(f"prompt directory {root} does not exist")
    infos: list[PromptInfo] = []
    for name_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        infos.extend(_info(name_dir.name, v, root) for v in _versions(name_dir))
    return infos


def parse_ref(ref: str) -> tuple[str, int | None]:
    """``"answer"`` -> ``("answer", None)`` (latest); ``"answer/v2"`` -> ``("answer", 2)``."""
    name, _, version = ref.partition("/")
    if not version:
        return name, None
    match = _VERSION_RE.match(version)
    if not match or not name:
        raise ConfigError(f"bad prompt reference {ref!r}; use NAME or NAME/vN, e.g. answer/v1")
    return name, int(match.group(1))


def load_prompt(ref: str, root: Path | None = None) -> LoadedPrompt:
    """Load ``name`` (its latest version) or ``name/vN`` into a ``ChatPromptTemplate``."""
    from langchain_core.prompts import ChatPromptTemplate

    root = root or PROMPTS_DIR
    name, version = parse_ref(ref)
    name_dir = root / name
    versions = _versions(name_dir) if name_dir.is_dir() else []
    if not versions:
        raise ConfigError(f"no prompt named {name!r} in {root}")
    if version is None:
        version = versions[-1]
    elif version not in versions:
        shown = ", ".join(f"v{v}" for v in versions)
        raise ConfigError(f"prompt {name!r} has no version v{version}; it has {shown}")
    info = _info(name, version, root)
    parts = _read_parts(info.path)
    template = ChatPromptTemplate.from_messages(
        [("system", parts["system"]), ("human", parts["user"])], template_format="f-string"
    )
    return LoadedPrompt(info=info, template=template)
