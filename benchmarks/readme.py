"""Write measured figures into the documentation between ``<!-- BEGIN name -->`` markers.

Every figure in the README's and ``docs/``'s tables comes from a runner through this
module, so none is typed by hand. A runner calls :func:`update_block` with the Markdown it
measured; the block is found wherever it lives (README.md or a page of ``docs/``), so a
table can move between pages without touching its runner. When the block is one the
README's headline figures quote, the headline block is rewritten from the tables too.
"""

from __future__ import annotations

import logging
import platform
import re
from pathlib import Path

from benchmarks import headline

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def machine() -> str:
    """A one-line description of the machine a measurement ran on."""
    import os

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"
    )


def documentation_files(root: Path = ROOT) -> list[Path]:
    """The pages that may hold blocks: README.md, then every ``docs/*.md``."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- BEGIN {re.escape(name)} -->\n)(.*?)(<!-- END {re.escape(name)} -->)", re.S
    )


def find_block(name: str, root: Path = ROOT) -> Path:
    """The one page under ``root`` holding block ``name``.

    Raises ``SystemExit`` naming the block when no page holds it or several do: a runner
    must never write its figures to the wrong copy or silently drop them.
    """
    marker = f"<!-- BEGIN {name} -->"
    holders = [
        p for p in documentation_files(root) if p.is_file() and marker in p.read_text("utf-8")
    ]
    where = "README.md or docs/*.md"
    if not holders:
        raise SystemExit(f"no page in {where} has a {marker} block")
    if len(holders) > 1:
        pages = ", ".join(str(p.relative_to(root)) for p in holders)
        raise SystemExit(f"the {marker} block is in several pages ({pages}); keep one")
    return holders[0]


def read_block(name: str, root: Path = ROOT) -> str:
    """The text between block ``name``'s markers, wherever the block lives."""
    match = _pattern(name).search(find_block(name, root).read_text("utf-8"))
    if match is None:
        raise SystemExit(f"the <!-- BEGIN {name} --> block has no <!-- END {name} --> marker")
    return match[2]


def update_block(name: str, body: str, path: Path | None = None, root: Path = ROOT) -> None:
    """Replace the text between the ``name`` markers with ``body``.

    The block is looked up in README.md and ``docs/*.md`` under ``root`` (exactly one page
    must hold it), or only in ``path`` when given. If the README's headline figures quote
    this block, they are rewritten from the updated tables.
    """
    page = path or find_block(name, root)
    text = page.read_text(encoding="utf-8")
    pattern = _pattern(name)
    if not pattern.search(text):
        raise SystemExit(f"{page.name} has no <!-- BEGIN {name} --> block")
    page.write_text(pattern.sub(lambda m: m[1] + body.rstrip() + "\n" + m[3], text), "utf-8")
    log.info("wrote block %s in %s", name, page)
    if path is None and name in headline.SOURCES:
        update_block(
            headline.BLOCK, headline.render(lambda block: read_block(block, root)), None, root
        )
