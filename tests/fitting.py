"""Running a fitting script's ``--check`` (it refits and compares with what ships)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def refit_matches(module: str) -> tuple[bool, str]:
    """Whether ``python -m module --check`` reproduces the shipped file; its output tail."""
    result = subprocess.run(
        [sys.executable, "-m", module, "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=3000,
    )
    return result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
