"""Evaluate chipbot on a gold question set and write the figures into docs/benchmarks.md.

    python benchmarks/seeds_eval.py [--set seeds|export-controls] [--no-readme] [--json]
    python benchmarks/seeds_eval.py --gold FILE --corpus DIR [--corpus DIR ...]

Builds a fresh index (default settings) of the set's corpora in a temporary directory,
runs every question of its gold file through the offline generator, each under its own
``since``/``until`` bounds, and prints the report (overall and per question type) and the
questions answered wrongly. Presets:

- ``seeds`` (default): eval/seeds_gold.jsonl on the shipped seeds; block ``seeds-eval``.
- ``export-controls``: eval/export_controls_gold.jsonl on the seeds plus
  ``../shared/corpora/export-controls`` (read in place); block ``export-controls-eval``.
- ``off-topic``: eval/offtopic_probe.jsonl, questions about other things entirely, on
  the same corpus; block ``off-topic-eval``. Nothing is fitted on them.

``--gold`` and ``--corpus`` replace the preset's gold file and corpora; such a run prints
its report but leaves the docs alone, since its figures are not the preset's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.readme import machine, update_block  # noqa: E402
from retrieval.engine import Chipbot  # noqa: E402
from retrieval.evaluation import EvalReport, format_report, load_gold, run_evaluation  # noqa: E402
from retrieval.evaluation.gold import UNANSWERABLE_TYPES  # noqa: E402
from retrieval.parsing import discover  # noqa: E402
from retrieval.reading import read_article_text  # noqa: E402
from retrieval.settings import Settings  # noqa: E402

SEEDS = ROOT / "seeds"
GOLD = ROOT / "eval" / "seeds_gold.jsonl"
# Shared data lives beside the repository and is read in place, never copied into it.
EXPORT_CONTROLS = ROOT.parent / "shared" / "corpora" / "export-controls"
COLUMNS = [
    ("hit_at_k", "hit@5"),
    ("mrr", "MRR"),
    ("correctness", "correct"),
    ("citation_precision", "cit. precision"),
    ("citation_recall", "cit. recall"),
    ("abstention_precision", "abst. precision"),
    ("abstention_recall", "abst. recall"),
    ("newest_first", "right, newest cited first"),
]


@dataclass(frozen=True)
class Preset:
    """A named gold set: its questions, the folders indexed for it and its README block."""

    gold: Path
    corpora: tuple[Path, ...]
    block: str
    intro: str = ""


PRESETS = {
    "seeds": Preset(GOLD, (SEEDS,), "seeds-eval"),
    "export-controls": Preset(
        ROOT / "eval" / "export_controls_gold.jsonl",
        (SEEDS, EXPORT_CONTROLS),
        "export-controls-eval",
        "Export-controls gold set (`eval/export_controls_gold.jsonl`): the seeds plus the 15 "
        "dated documents of `../shared/corpora/export-controls` (Oct 2022 – Aug 2023), "
        "indexed together; questions with `since`/`until` dates (the `as-of` ones) are "
        "asked under those bounds.",
    ),
    "off-topic": Preset(
        ROOT / "eval" / "offtopic_probe.jsonl",
        (SEEDS, EXPORT_CONTROLS),
        "off-topic-eval",
        "Off-topic probe (`eval/offtopic_probe.jsonl`): 20 questions about other things "
        "entirely, asked of the same corpus; written before the decline rule learnt from "
        "the gold sets' off-topic questions, and never fitted on.",
    ),
}


def corpus_files(folders: Sequence[Path]) -> list[Path]:
    """The article files under ``folders``; a folder's README describes it and is skipped."""
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        raise SystemExit(f"corpus folder not found: {', '.join(missing)}")
    return [p for p in discover(folders) if p.stem.lower() != "readme"]


def evaluate(
    data_dir: Path,
    document_encoder: str | None = None,
    *,
    gold: Path = GOLD,
    corpora: Sequence[Path] = (SEEDS,),
) -> EvalReport:
    """The report for the offline generator on a fresh index of ``corpora`` (passages
    embedded by ``document_encoder``, the default one when ``None``), each question of
    ``gold`` asked under its own date bounds."""
    settings = Settings(data_dir=data_dir, seeds_dir=SEEDS)
    if document_encoder is not None:
        settings = settings.with_overrides(document_encoder=document_encoder)
    bot = Chipbot(settings)
    bot.ingest(corpus_files(corpora))
    texts = {a.id: read_article_text(a.path) for a in bot.articles()}
    questions = load_gold(gold, texts)

    def ask(question):  # type: ignore[no-untyped-def]
        answer = bot.ask(question.question, flt=question.search_filter())
        return answer, list(answer.passages)

    return run_evaluation(questions, ask, k=bot.settings.top_k)


def markdown(report: EvalReport, command: str, intro: str = "") -> str:
    """The README table: overall, then one row per question type."""
    header = "| questions | n | " + " | ".join(label for _, label in COLUMNS) + " |"
    lines = [intro, ""] if intro else []
    lines += [header, "|" + "---|" * (len(COLUMNS) + 2)]
    rows = [("all", report.overall()), *sorted(report.by_type().items())]
    for name, metrics in rows:
        # Abstention precision/recall mean something only where unanswerable questions are.
        shown = {
            key: value
            for key, value in metrics.items()
            if not key.startswith("abstention") or name == "all" or name in UNANSWERABLE_TYPES
        }
        cells = [f"{shown[key]:.3f}" if shown.get(key) is not None else "–" for key, _ in COLUMNS]
        lines.append(f"| {name} | {int(metrics['n'])} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"Measured {dt.date.today().isoformat()} on {machine()} by `{command}`.")
    return "\n".join(lines)


def wrong_answers(report: EvalReport) -> list[str]:
    """One line per question answered wrongly: an answerable one not answered correctly,
    or an unanswerable one the bot answered instead of declining."""
    lines = []
    for r in report.results:
        q = r.question
        if q.answerable and not r.correct:
            why = "declined" if r.abstained else "wrong"
        elif not q.answerable and not r.abstained:
            why = "answered"
        else:
            continue
        lines.append(f"{q.id:<4} {q.type:<15} {why:<9} {q.question}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=sorted(PRESETS), default="seeds", help="Gold set preset.")
    parser.add_argument("--gold", type=Path, help="Gold file instead of the preset's.")
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help="Folder to index instead of the preset's (repeatable).",
    )
    parser.add_argument("--no-readme", action="store_true", help="Do not touch the docs.")
    parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
    args = parser.parse_args()
    preset = PRESETS[args.set]
    custom = args.gold is not None or args.corpus is not None
    gold = args.gold or preset.gold
    corpora = tuple(args.corpus) if args.corpus else preset.corpora
    with tempfile.TemporaryDirectory() as tmp:
        report = evaluate(Path(tmp), gold=gold, corpora=corpora)
    if args.json:
        data = report.to_dict()
        wrong = [line.split()[0] for line in wrong_answers(report)]
        print(json.dumps({"overall": data["overall"], "by_type": data["by_type"], "wrong": wrong}))
    else:
        print(format_report(report))
        wrong = wrong_answers(report)
        print(f"\n{len(wrong)} questions answered wrongly:" if wrong else "\nNo wrong answers.")
        print("\n".join(wrong))
    if not args.no_readme and not custom:
        command = "python benchmarks/seeds_eval.py"
        if args.set != "seeds":
            command += f" --set {args.set}"
        update_block(preset.block, markdown(report, command, preset.intro))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
