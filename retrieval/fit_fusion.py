"""Choose how much the dense list counts for questions, and write ``fusion_weights.json``.

    python -m retrieval.fit_fusion [--check]

Questions are embedded through the query adapter (:mod:`retrieval.query_adapter`),
which moves them towards the passages that answer them; BM25 gains nothing from it. So
the dense list of an adapted question may deserve more than the equal share of
reciprocal rank fusion that statements (a claim to check, a timeline topic) keep: on
SciFact's claims a dense weight of 3 costs 0.03 of nDCG@10.

For each gold set (seeds; seeds plus ``../shared/corpora/export-controls``) the set's
corpus is indexed in a temporary directory and every answerable question is searched
with each weight of the grid (the answers' retrieval: hybrid, diversified, the
question's own date bounds). The score is the mean reciprocal rank of the first passage
holding a gold quote within the 10 passages the reader reads. The shipped weight is the
best mean over the sets; each set's held-out figure is what the weight chosen on the
other set gets on it. ``--check`` refits and exits 1 unless the result matches the
shipped file.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from retrieval.answer.gold_cases import available, gold_index
from retrieval.evaluation.scoring import hits_any
from retrieval.retriever import WEIGHTS_FILE, HybridRetriever, RetrievalConfig

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
GRID = (1.0, 1.5, 2.0, 3.0, 5.0)
DEPTH = 10  # the passages the extractive reader reads


def first_gold_ranks(name: str, grid: Sequence[float] = GRID) -> dict[float, list[int | None]]:
    """For each weight, the 0-based rank of the first gold passage of each answerable
    question of gold set ``name`` (``None`` when it is not among the first ``DEPTH``)."""
    ranks: dict[float, list[int | None]] = {w: [] for w in grid}
    with gold_index(name) as (bot, gold_questions):
        questions = [q for q in gold_questions if q.answerable]
        for w in grid:
            retriever = HybridRetriever(
                bot.index, bot.embedder, RetrievalConfig(question_dense_weight=w)
            )
            for q in questions:
                found = retriever.search(q.question, k=DEPTH, flt=q.search_filter())
                ranks[w].append(
                    next(
                        (
                            i
                            for i, p in enumerate(found)
                            if hits_any(p.article_id, p.start, p.end, q.gold)
                        ),
                        None,
                    )
                )
    return ranks


def figures(ranks: Sequence[int | None]) -> dict[str, float]:
    """MRR within the reader's passages, hit@5 and hit@10."""
    n = len(ranks) or 1
    return {
        "mrr": round(sum(1 / (r + 1) for r in ranks if r is not None) / n, 4),
        "hit@5": round(sum(r is not None and r < 5 for r in ranks) / n, 4),
        "hit@10": round(sum(r is not None for r in ranks) / n, 4),
    }


def best_weight(by_weight: dict[float, float]) -> float:
    """The weight with the best score; the one nearest equal weighting on a tie."""
    return max(by_weight, key=lambda w: (by_weight[w], -abs(w - 1.0)))


def fit(gold_sets: Sequence[str]) -> dict[str, Any]:
    """The weights file: the chosen weight, every set's figures per weight, held out."""
    per_set = {name: first_gold_ranks(name) for name in gold_sets}
    table = {
        name: {str(w): figures(r) for w, r in ranks.items()} for name, ranks in per_set.items()
    }
    mean_mrr = {
        w: sum(table[name][str(w)]["mrr"] for name in gold_sets) / len(gold_sets) for w in GRID
    }
    chosen = best_weight(mean_mrr)
    held_out: dict[str, Any] = {}
    for name in gold_sets:
        others = [o for o in gold_sets if o != name]
        if not others:
            continue
        on_others = {w: sum(table[o][str(w)]["mrr"] for o in others) / len(others) for w in GRID}
        w_other = best_weight(on_others)
        held_out[name] = {
            "weight_chosen_on_the_other_set": w_other,
            **table[name][str(w_other)],
            "equal_weighting": table[name]["1.0"],
        }
    return {
        "about": "RRF weight of the dense list for questions embedded through the query "
        "adapter, fitted by `python -m retrieval.fit_fusion` on chipbot's gold sets.",
        "question_dense_weight": chosen,
        "grid": list(GRID),
        "depth": DEPTH,
        "by_set": table,
        "held_out": held_out,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: fit (and write the file), or ``--check`` against the shipped one."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="Compare with the shipped file.")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    gold_sets = available()
    if not gold_sets:
        print("no gold set is available (../shared/corpora missing?)", file=sys.stderr)
        return 2
    result = fit(gold_sets)
    print(json.dumps(result, indent=2))
    path = HERE / WEIGHTS_FILE
    if args.check:
        shipped = json.loads(path.read_text(encoding="utf-8"))
        if shipped != result:
            print("the refitted fusion weight differs from the shipped one", file=sys.stderr)
            return 1
        print("the shipped fusion weight is reproduced")
        return 0
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
