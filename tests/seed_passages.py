"""Passages cut from the shipped seed articles, as retrieval would return them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from retrieval.models import Passage

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
JAN13 = SEEDS / "000_35dad6a91730d5a0.txt"
JAN19 = SEEDS / "004_14cfe8a582b153d6.txt"


def passage(path: Path, needle: str, *, dense: float = 0.6, chunk_no: int = 1) -> Passage:
    """The paragraph of ``path`` containing ``needle``, as a retrieved passage."""
    text = open(path, encoding="utf-8").read()  # noqa: SIM115
    at = text.index(needle)
    start = text.rfind("\n\n", 0, at)
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", at)
    end = len(text) if end < 0 else end
    date = dt.date(2023, 1, 13) if path == JAN13 else dt.date(2023, 1, 19)
    return Passage(
        article_id=path.stem, chunk_no=chunk_no, start=start, end=end, text=text[start:end],
        title=path.stem, date=date, path=str(path), score=0.03, dense_score=dense,
    )  # fmt: skip
