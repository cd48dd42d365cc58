"""Evaluate chipbot on the seed gold set and write the figures into README.md.

    python benchmarks/seeds_eval.py [--no-readme] [--json]

Builds a fresh index of the shipped seeds (default settings) in a temporary directory,
runs every question of eval/seeds_gold.jsonl through the offline generator and prints
the report (overall and per question type).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.readme import machine, update_block  # noqa: E402
from retrieval.engine import Chipbot, read_article_text  # noqa: E402
from retrieval.evaluation import EvalReport, format_report, load_gold, run_evaluation  # noqa: E402
from retrieval.settings import Settings  # noqa: E402

GOLD = ROOT / "eval" / "seeds_gold.jsonl"
COLUMNS = [
    ("hit_at_k", "hit@5"),
    ("mrr", "MRR"),
    ("correctness", "correct"),
    ("citation_precision", "cit. precision"),
    ("citation_recall", "cit. recall"),
    ("abstention_precision", "abst. precision"),
    ("abstention_recall", "abst. recall"),
]


def evaluate(data_dir: Path, document_encoder: str | None = None) -> EvalReport:
    """The report for the offline generator on a fresh seed index (passages embedded by
    ``document_encoder``, the default one when ``None``)."""
    settings = Settings(data_dir=data_dir, seeds_dir=ROOT / "seeds")
    if document_encoder is not None:
        settings = settings.with_overrides(document_encoder=document_encoder)
    bot = Chipbot(settings)
    bot.ensure_index()
    texts = {a.id: read_article_text(a.path) for a in bot.articles()}
    questions = load_gold(GOLD, texts)

    def ask(question):  # type: ignore[no-untyped-def]
        answer = bot.ask(question.question)
        return answer, list(answer.passages)

    return run_evaluation(questions, ask, k=bot.settings.top_k)


def markdown(report: EvalReport) -> str:
    """The README table: overall, then one row per question type."""
    header = "| questions | n | " + " | ".join(label for _, label in COLUMNS) + " |"
    lines = [header, "|" + "---|" * (len(COLUMNS) + 2)]
    rows = [("all", report.overall()), *sorted(report.by_type().items())]
    for name, metrics in rows:
        # Abstention precision/recall mean something only where unanswerable questions are.
        shown = {
            key: value
            for key, value in metrics.items()
            if not key.startswith("abstention") or name in ("all", "unanswerable")
        }
        cells = [f"{shown[key]:.3f}" if shown.get(key) is not None else "–" for key, _ in COLUMNS]
        lines.append(f"| {name} | {int(metrics['n'])} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"Measured {dt.date.today().isoformat()} on {machine()} by "
        "`python benchmarks/seeds_eval.py`."
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-readme", action="store_true", help="Do not touch README.md.")
    parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = evaluate(Path(tmp))
    print(json.dumps(report.to_dict()["overall"]) if args.json else format_report(report))
    if not args.no_readme:
        update_block("seeds-eval", markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
