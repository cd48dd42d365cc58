"""Write measured figures into README.md between ``<!-- BEGIN name -->`` markers.

Every figure in the README's tables comes from a runner through this module, so none is
typed by hand. A runner calls :func:`update_block` with the Markdown it measured.
"""

from __future__ import annotations

import platform
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


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


def update_block(name: str, body: str, readme: Path = README) -> None:
    """Replace the text between the ``name`` markers (which must exist) with ``body``."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(
        rf"(<!-- BEGIN {re.escape(name)} -->\n).*?(<!-- END {re.escape(name)} -->)", re.S
    )
    if not pattern.search(text):
        raise SystemExit(f"README.md has no <!-- BEGIN {name} --> block")
    readme.write_text(pattern.sub(lambda m: m[1] + body.rstrip() + "\n" + m[2], text), "utf-8")
