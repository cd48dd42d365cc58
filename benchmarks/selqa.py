"""SelQA: the reader on each question's candidate sentences, cross-validated.

    python benchmarks/selqa.py [--data DIR] [--split dev] [--json] [--no-readme]

The shipped reader is fitted on SelQA's dev file, so its own scores there would be
in-sample. Reported instead: the reader refitted on k-1 folds of questions and scored on
the fold left out (the procedure of ``retrieval.answer.fit_reader``), next to the plain
question↔sentence cosine, with and without the query adapter. The test file trained the
query adapter (``retrieval.query_adapter.fit``), so it is not scored here.
Every SelQA question has an answer, so there is no triggering.
The last line of stdout is one JSON object
``{"split", "n_questions", "n_ranked", "map", "mrr", "cosine": {"map", "mrr"},
"cosine_without_adapter": {"map", "mrr"}}``.
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

from benchmarks.answer_selection import average_precision, reciprocal_rank  # noqa: E402
from benchmarks.readme import machine, update_block  # noqa: E402
from retrieval.answer import fit_reader  # noqa: E402

DEFAULT_DATA = fit_reader.DEFAULT_SELQA
README_BLOCK = "selqa"


def run(data: Path, split: str, k: int = 5, cache: Path | None = None) -> dict[str, Any]:
    """Cross-validated reader figures and plain-cosine figures on ``split``."""
    questions = fit_reader.load_questions(data)
    vectors = fit_reader.embed_all(questions, cache)
    plain = fit_reader.labelled_rows(questions, vectors)
    rows = fit_reader.labelled_rows(questions, vectors, fit_reader.embed_questions(questions))
    wanted = set(range(len(rows)))
    shipped_c = json.loads((fit_reader.HERE / fit_reader.MODEL_FILE).read_text("utf-8"))["c"]
    held: dict[int, list[float]] = {}
    for fold in fit_reader.folds(len(rows), k):
        fold_set = set(fold.tolist())
        model = fit_reader.fit_model(
            [r for i, r in enumerate(rows) if i not in fold_set], shipped_c
        )
        for i in fold_set:
            held[i] = [float(p) for p in model.probabilities(rows[i].x)]
    cos_col = fit_reader.FEATURES.index("cos")
    aps, rrs, caps, crrs, paps, prrs = [], [], [], [], [], []
    for i in sorted(wanted):
        y = rows[i].y.tolist()
        aps.append(average_precision(held[i], y))
        rrs.append(reciprocal_rank(held[i], y))
        cos = rows[i].x[:, cos_col].tolist()
        caps.append(average_precision(cos, y))
        crrs.append(reciprocal_rank(cos, y))
        cos = plain[i].x[:, cos_col].tolist()
        paps.append(average_precision(cos, y))
        prrs.append(reciprocal_rank(cos, y))
    return {
        "split": split,
        "n_questions": len(wanted),
        "n_ranked": len(wanted),
        "map": round(float(np.mean(aps)), 4),
        "mrr": round(float(np.mean(rrs)), 4),
        "cosine": {"map": round(float(np.mean(caps)), 4), "mrr": round(float(np.mean(crrs)), 4)},
        "cosine_without_adapter": {
            "map": round(float(np.mean(paps)), 4),
            "mrr": round(float(np.mean(prrs)), 4),
        },
        "folds": k,
    }


def markdown(result: dict[str, Any]) -> str:
    """The README table."""
    return "\n".join(
        [
            "| system | split | MAP | MRR |",
            "|---|---|---|---|",
            f"| MiniLM cosine alone | {result['split']} | "
            f"{result['cosine_without_adapter']['map']:.3f} | "
            f"{result['cosine_without_adapter']['mrr']:.3f} |",
            f"| MiniLM cosine, questions through chipbot's query adapter | {result['split']} | "
            f"{result['cosine']['map']:.3f} | {result['cosine']['mrr']:.3f} |",
            f"| chipbot reader ({result['folds']}-fold cross-validated) | {result['split']} | "
            f"{result['map']:.3f} | {result['mrr']:.3f} |",
            "",
            f"Measured {dt.date.today().isoformat()} on {machine()} by "
            "`python benchmarks/selqa.py`.",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="SelQA folder.")
    # The test file trained the query adapter: only dev is scored.
    parser.add_argument("--split", choices=("dev",), default="dev")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="Only the JSON line.")
    parser.add_argument("--no-readme", action="store_true", help="Do not touch the docs.")
    parser.add_argument("--cache", type=Path, default=None, help="Vector cache (.npy path).")
    args = parser.parse_args(argv)
    result = run(args.data, args.split, args.folds, args.cache)
    if not args.json:
        print(f"reader (cross-validated): MAP {result['map']:.4f}  MRR {result['mrr']:.4f}")
        print(
            f"cosine (query adapter):   MAP {result['cosine']['map']:.4f}  "
            f"MRR {result['cosine']['mrr']:.4f}"
        )
        plain = result["cosine_without_adapter"]
        print(f"cosine alone:             MAP {plain['map']:.4f}  MRR {plain['mrr']:.4f}")
    if not args.no_readme and args.data.resolve() == DEFAULT_DATA.resolve():
        update_block(README_BLOCK, markdown(result))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
