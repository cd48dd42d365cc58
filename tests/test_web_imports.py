"""Asking never pays for the web: trafilatura, pypdf, feedparser and chipbot's fetching
code are imported by ingest only (the issue keeps cold `chipbot ask` as fast as before)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WEB_MODULES = (
    "trafilatura",
    "pypdf",
    "feedparser",
    "htmldate",
    "retrieval.web.fetch",
    "retrieval.web.extract",
    "retrieval.web.pdf",
    "retrieval.web.sources",
)
SCRIPT = """
import json, sys
from retrieval.engine import Chipbot
from retrieval.settings import Settings
bot = Chipbot(Settings())
answer = bot.ask("Which company is Japan's leading maker of chip manufacturing equipment?")
bot.context(answer.citations[0])
print(json.dumps(sorted(m for m in {modules} if m in sys.modules)))
"""


@pytest.mark.slow
def test_asking_and_showing_import_no_web_library(seed_settings) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "CHIPBOT_DATA_DIR": str(seed_settings.data_dir), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(modules=repr(WEB_MODULES))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
