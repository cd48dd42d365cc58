"""Fit the extractive generator's abstention rule on the seed gold set.

    python benchmarks/calibrate_abstention.py [--gold eval/seeds_gold.jsonl] [--check]

Builds a fresh index of the shipped seeds with the default settings in a temporary
directory, records each gold question's evidence, fits the rule (see
retrieval/answer/calibration.py) and writes retrieval/answer/calibration.json.
With --check it writes nothing and exits 1 if the stored calibration differs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.answer.calibration import Observation, fit, leave_one_out  # noqa: E402
from retrieval.answer.extractive import (  # noqa: E402
    CALIBRATION_FILE,
    AbstentionRule,
    ExtractiveConfig,
    ExtractiveGenerator,
)
from retrieval.engine import Chipbot, read_article_text  # noqa: E402
from retrieval.evaluation import facts_present, load_gold  # noqa: E402
from retrieval.settings import Settings  # noqa: E402

OUTPUT = ROOT / "retrieval" / "answer" / CALIBRATION_FILE


def observe(gold: Path, data_dir: Path) -> tuple[list[Observation], Settings]:
    """Evidence and would-be correctness for every gold question."""
    settings = Settings(data_dir=data_dir, seeds_dir=ROOT / "seeds")
    bot = Chipbot(settings)
    bot.ensure_index()
    texts = {a.id: read_article_text(a.path) for a in bot.articles()}
    never = ExtractiveGenerator(ExtractiveConfig(rule=AbstentionRule(0.0, float("-inf"))))
    observations = []
    for q in load_gold(gold, texts):
        passages = bot.retrieve(q.question)
        _, evidence = never.analyse(q.question, passages)
        answer = never.generate(q.question, passages)
        observations.append(
            Observation(
                top_dense=evidence.top_dense,
                best_coverage=evidence.best_coverage,
                answerable=q.answerable,
                correct_if_answered=facts_present(answer.answer, q.key_facts),
                missing_entities=len(evidence.missing_entities),
            )
        )
    return observations, settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "seeds_gold.jsonl")
    parser.add_argument("--check", action="store_true", help="Compare, do not write.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        observations, settings = observe(args.gold, Path(tmp))
    rule, accuracy = fit(observations)
    result = {
        "weight": rule.weight,
        "threshold": rule.threshold,
        "entity_veto": rule.entity_veto,
        "accuracy": round(accuracy, 4),
        "leave_one_out_accuracy": round(leave_one_out(observations), 4),
        "never_abstain_accuracy": round(
            sum(o.answerable and o.correct_if_answered for o in observations) / len(observations),
            4,
        ),
        "n_questions": len(observations),
        "n_unanswerable": sum(not o.answerable for o in observations),
        "gold_sha256": hashlib.sha256(args.gold.read_bytes()).hexdigest(),
        "embedding_model": settings.embedding_model,
        "chunk_chars": settings.chunk_chars,
        "chunk_overlap": settings.chunk_overlap,
        "top_k": settings.top_k,
        "fitted_on": dt.date.today().isoformat(),
    }
    print(json.dumps(result, indent=2))
    if args.check:
        stored = json.loads(OUTPUT.read_text("utf-8"))
        same = (stored["weight"], stored["threshold"], stored.get("entity_veto", False)) == (
            rule.weight,
            rule.threshold,
            rule.entity_veto,
        )
        print("calibration up to date" if same else "calibration differs from the stored one")
        return 0 if same else 1
    OUTPUT.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
