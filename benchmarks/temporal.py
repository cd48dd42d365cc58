"""Does leaving a question's date phrase out of the search query help ranking?

    python benchmarks/temporal.py [--gold eval/export_controls_gold.jsonl] [-k 5]

Indexes the seeds and ../shared/corpora/export-controls (the .txt files: the corpus of the
export-controls gold set) in a temporary directory and,
for every gold question in which :func:`retrieval.temporal.parse_intent` reads a date
phrase, searches twice within the bounds it read: with the whole question, and with the
phrase stripped (:func:`retrieval.temporal.strip_temporal`), and once with neither the
bounds nor stripping. Prints hit@k and MRR of the gold articles for each.
``retrieval.reading.STRIP_DATE_PHRASES`` follows this measurement.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.engine import Chipbot  # noqa: E402
from retrieval.models import Passage  # noqa: E402
from retrieval.settings import Settings  # noqa: E402
from retrieval.temporal import parse_intent, strip_temporal  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "export-controls"
GOLD = ROOT / "eval" / "export_controls_gold.jsonl"


def reciprocal_rank(passages: list[Passage], gold: set[str]) -> float:
    """1/rank of the first passage from a gold article (0 when none is retrieved)."""
    for rank, passage in enumerate(passages, start=1):
        if passage.article_id in gold:
            return 1.0 / rank
    return 0.0


def main() -> None:
    """Run the comparison and print one line per variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.gold.read_text("utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory() as tmp:
        bot = Chipbot(Settings(data_dir=Path(tmp)))
        bot.ingest([ROOT / "seeds", *sorted(CORPUS.glob("*.txt"))])
        newest = bot.newest_date()
        scores: dict[str, list[float]] = {
            "no bounds": [],
            "whole question": [],
            "phrase stripped": [],
        }
        for row in rows:
            gold = {g["article_id"] for g in row.get("gold", [])}
            intent = parse_intent(row["question"], newest)
            if not gold or not intent.spans:
                continue
            flt = intent.search_filter(None)
            for name, query, bounds in (
                ("no bounds", row["question"], None),
                ("whole question", row["question"], flt),
                ("phrase stripped", strip_temporal(row["question"], intent), flt),
            ):
                passages = bot.retriever.search(query, k=args.k, flt=bounds)
                scores[name].append(reciprocal_rank(passages, gold))
        for name, values in scores.items():
            n = len(values)
            hits = sum(v > 0 for v in values)
            mrr = sum(values) / n if n else 0.0
            print(f"{name:16} n={n} hit@{args.k}={hits}/{n} MRR={mrr:.3f}")


if __name__ == "__main__":
    main()
