"""The last answer (or timeline), kept in the data dir so ``chipbot show N`` can find
citation N."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from retrieval.errors import CitationError
from retrieval.models import Citation

STATE_FILE = "last_answer.json"


class Citing(Protocol):
    """An answer or a timeline: anything whose JSON form lists numbered citations."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form with ``citations`` (an answer, and ``timeline`` when one follows it)
        or ``entries`` (a timeline)."""
        ...


def save_last(data_dir: Path, answer: Citing) -> None:
    """Remember ``answer`` (atomically: a crash never leaves half a file)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".last-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(answer.to_dict(), handle, ensure_ascii=False)
    os.replace(tmp, data_dir / STATE_FILE)


def load_citation(data_dir: Path, n: int) -> Citation:
    """Citation ``n`` of the last answer."""
    path = data_dir / STATE_FILE
    if not path.exists():
        raise CitationError('there is no earlier answer; run `chipbot ask "…"` first')
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    # A timeline's entries carry the citation fields too; an answer followed by its
    # timeline numbers the timeline's after its own sources.
    cited = [
        *(data.get("citations") or data.get("entries") or []),
        *((data.get("timeline") or {}).get("entries") or []),
    ]
    for raw in cited:
        if raw["n"] == n:
            return _citation(raw)
    count = len(cited)
    raise CitationError(
        f"the last answer has no citation {n}"
        + (f"; it has {count} (1-{count})" if count else "; it cited nothing")
    )


def _citation(raw: dict[str, Any]) -> Citation:
    return Citation(
        n=int(raw["n"]),
        article_id=raw["article_id"],
        title=raw["title"],
        date=dt.date.fromisoformat(raw["date"]) if raw.get("date") else None,
        path=raw["path"],
        start=int(raw["start"]),
        end=int(raw["end"]),
        quote=raw["quote"],
    )
