"""WikiQA: the shipped reader alone on each question's candidate sentences (no retrieval).

    python benchmarks/wikiqa.py [--data DIR] [--split dev|test] [--json] [--no-readme]

MAP and MRR over the questions of ``WikiQA-<split>-filtered.ref`` (those with a right and
a wrong candidate); answer triggering (precision / recall / F1) over all questions: a
question is answered, as chipbot answers, when its decline rule finds the candidates
likely to answer it (its probability on the reader's evidence, the candidates read as
one retrieved passage), and the reader's best sentence is the one given. For the plain
cosines a question is answered when the best cosine clears the threshold. The
threshold is chosen on dev (best F1, as the paper did) and stored in
``benchmarks/results/wikiqa_threshold.json``; any other split uses the stored one, fixed
before looking at it. The plain question↔sentence cosine is measured the same way.

The reader was never fitted on WikiQA (its licence forbids shipping anything fitted on
it): only this threshold is, and it is a benchmark setting, not a shipped one. Questions
are embedded as chipbot embeds them, through the query adapter (fitted on SelQA); the
plain cosine without it is measured too.
The last line of stdout is one JSON object:
``{"split", "n_questions", "n_ranked", "map", "mrr", "triggering": {...}}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.answer_selection import (  # noqa: E402
    SelectionQuestion,
    SelectionReport,
    best_triggering,
    evaluate,
    load_wikiqa,
    triggering,
)
from benchmarks.readme import machine, update_block  # noqa: E402
from retrieval.answer.absent import missing_entities  # noqa: E402
from retrieval.answer.decline import calibrated_rule, evidence_vector  # noqa: E402
from retrieval.answer.reader import Sentence, features, shipped_model  # noqa: E402
from retrieval.models import Passage  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "wikiqa"
THRESHOLD_FILE = ROOT / "benchmarks" / "results" / "wikiqa_threshold.json"
RESULTS_FILE = ROOT / "benchmarks" / "results" / "wikiqa.json"
README_BLOCK = "wikiqa"
PUBLISHED = (
    ("CNN-Cnt (Yang et al. 2015)", "test", 0.6520, 0.6652, 0.3061),
    ("AP-CNN", "test", 0.6886, None, None),
    ("BiMPM", "test", 0.7180, None, None),
    ("Compare-Aggregate", "test", 0.7433, None, None),
)


def sentences_of(q: SelectionQuestion) -> list[Sentence]:
    """The candidates in page order, each with its predecessor and position."""
    c = q.candidates
    return [Sentence(text, c[i - 1] if i else "", i) for i, text in enumerate(c)]


class Scorer:
    """Embeds every text once, then scores questions with the reader or plain cosine."""

    def __init__(self, questions: Sequence[SelectionQuestion]) -> None:
        from retrieval.answer.fit_reader import embed_questions
        from retrieval.embedding import load_embedder

        texts = sorted({t for q in questions for t in (q.question, *q.candidates)})
        embedder = load_embedder("all-MiniLM-L6-v2", "onnx")
        vectors = embedder.embed_documents(texts, batch_size=64)
        self.vectors = dict(zip(texts, vectors, strict=True))
        # As chipbot asks: questions through the query adapter, sentences as indexed.
        self.adapted = embed_questions([(q.question, [], []) for q in questions])
        self.model = shipped_model()
        # The candidates of a question, read together, are its one retrieved passage.
        joined = [" ".join(q.candidates) for q in questions]
        self.passages = dict(zip(joined, embedder.embed_documents(joined), strict=True))
        self.rule = calibrated_rule()
        self._rows_of: dict[str, Any] = {}  # question id -> reader rows (ranking, triggering)

    def cosines(self, q: SelectionQuestion) -> list[float]:
        """Question↔candidate cosines of the plain model."""
        qv = self.vectors[q.question]
        return [float(self.vectors[c] @ qv) for c in q.candidates]

    def adapted_cosines(self, q: SelectionQuestion) -> list[float]:
        """Question↔candidate cosines, the question through the query adapter."""
        qv = self.adapted[q.question]
        return [float(self.vectors[c] @ qv) for c in q.candidates]

    def reader(self, q: SelectionQuestion) -> list[float]:
        """The shipped reader's probabilities."""
        return [float(p) for p in self.model.probabilities(self._rows(q))]

    def _rows(self, q: SelectionQuestion) -> Any:
        if q.id not in self._rows_of:
            cos = self.adapted_cosines(q)
            prev = [cos[i - 1] if i else 0.0 for i in range(len(cos))]
            self._rows_of[q.id] = features(q.question, sentences_of(q), cos, prev)
        return self._rows_of[q.id]

    def answers_at_all(self, q: SelectionQuestion, probabilities: Sequence[float]) -> float:
        """How likely chipbot's decline rule finds it that the candidates answer ``q``:
        its probability on the evidence, the candidates read as one retrieved passage."""
        text = " ".join(q.candidates)
        passage = Passage(
            article_id="wikiqa", chunk_no=0, start=0, end=len(text), text=text, title="",
            date=None, path="", dense_score=float(self.passages[text] @ self.adapted[q.question]),
        )  # fmt: skip
        missing = len(missing_entities(q.question, [passage]))
        probs = np.asarray(probabilities, dtype=np.float64)
        vector = evidence_vector(q.question, [passage], probs, self._rows(q), missing)
        return self.rule.probability(vector)


def stored_threshold(kind: str, path: Path = THRESHOLD_FILE) -> float | None:
    """The dev-chosen triggering threshold for ``kind`` (``reader`` or ``cosine``)."""
    if not path.is_file():
        return None
    return float(json.loads(path.read_text("utf-8"))[kind])


def run(data: Path, split: str, thresholds: Path = THRESHOLD_FILE) -> dict[str, Any]:
    """Both scorers on ``split``: figures, with triggering at the dev threshold."""
    questions, ranked = load_wikiqa(data, split)
    scorer = Scorer(questions)
    out: dict[str, Any] = {}
    chosen: dict[str, float] = {}
    kinds = (
        ("reader", scorer.reader, scorer.answers_at_all),
        ("cosine", scorer.cosines, None),
        ("adapted", scorer.adapted_cosines, None),
    )
    for kind, fn, trigger in kinds:
        report: SelectionReport = evaluate(questions, ranked, fn, trigger)
        if split == "dev":
            trig = best_triggering(report.tops)
            chosen[kind] = trig.threshold
        else:
            threshold = stored_threshold(kind, thresholds)
            if threshold is None:
                raise SystemExit(f"no dev threshold in {thresholds}: run --split dev first")
            trig = triggering(report.tops, threshold)
        out[kind] = {
            "split": split,
            "n_questions": report.n_questions,
            "n_ranked": report.n_ranked,
            "map": round(report.map, 4),
            "mrr": round(report.mrr, 4),
            "triggering": {
                "precision": round(trig.precision, 4),
                "recall": round(trig.recall, 4),
                "f1": round(trig.f1, 4),
                "threshold": round(trig.threshold, 4),
            },
        }
    if chosen:
        out["_thresholds"] = chosen
    return out


def markdown(results: dict[str, dict[str, Any]]) -> str:
    """The README table: published rows beside the reader and the plain cosine."""
    lines = [
        "| system | split | MAP | MRR | triggering F1 (P / R) |",
        "|---|---|---|---|---|",
    ]
    for name, split, m, r, f1 in PUBLISHED:
        cells = [f"{m:.3f}", f"{r:.3f}" if r else "–", f"{f1:.3f}" if f1 else "–"]
        lines.append(f"| {name} | {split} | " + " | ".join(cells) + " |")
    labels = {
        "reader": "chipbot reader (SelQA + gold sets)",
        "cosine": "MiniLM cosine alone",
        "adapted": "MiniLM cosine, questions through chipbot's query adapter (SelQA)",
    }
    for split in sorted(results):
        for kind in ("cosine", "adapted", "reader"):
            if kind not in results[split]:
                continue
            f = results[split][kind]
            t = f["triggering"]
            lines.append(
                f"| {labels[kind]} | {split} | {f['map']:.3f} | {f['mrr']:.3f} | "
                f"{t['f1']:.3f} ({t['precision']:.2f} / {t['recall']:.2f}) |"
            )
    lines.append("")
    lines.append(
        f"Measured {dt.date.today().isoformat()} on {machine()} by "
        "`python benchmarks/wikiqa.py`. Triggering thresholds are chosen on dev."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="WikiQA folder.")
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--json", action="store_true", help="Only the JSON line.")
    parser.add_argument("--no-readme", action="store_true", help="Do not touch the docs.")
    parser.add_argument(
        "--thresholds",
        type=Path,
        default=THRESHOLD_FILE,
        help="Where dev runs store the triggering thresholds and other splits read them.",
    )
    args = parser.parse_args(argv)
    results = run(args.data, args.split, args.thresholds)
    thresholds = results.pop("_thresholds", None)
    if thresholds is not None:
        args.thresholds.parent.mkdir(parents=True, exist_ok=True)
        args.thresholds.write_text(json.dumps(thresholds, indent=2) + "\n", "utf-8")
    if not args.json:
        for kind, figures in results.items():
            print(
                f"{kind:>7}: MAP {figures['map']:.4f}  MRR {figures['mrr']:.4f}  "
                f"triggering {figures['triggering']}"
            )
    if not args.no_readme and args.data.resolve() == DEFAULT_DATA.resolve():
        # The README shows every split measured so far (dev here; test where it was run).
        saved = json.loads(RESULTS_FILE.read_text("utf-8")) if RESULTS_FILE.is_file() else {}
        saved[args.split] = results
        RESULTS_FILE.write_text(json.dumps(saved, indent=2) + "\n", "utf-8")
        update_block(README_BLOCK, markdown(saved))
    print(json.dumps(results["reader"]))
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
