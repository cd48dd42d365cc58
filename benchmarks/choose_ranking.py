"""Choose RealTime QA's article-ranking setting by cross-validation over the tuning weeks.

    python benchmarks/choose_ranking.py [--data DIR] [--cache DIR] [--quick] [--check]

Indexes the pool as the runner does (same cache), fetches each tuning-week CNN question's
dense and lexical lists once, ranks the articles under every setting of
:func:`benchmarks.article_ranking.grid`, and leaves one tuning week out at a time: the
setting best on the other weeks (Hits@5, then MRR) is scored on the week left out. The
setting best on all tuning weeks is the runner's default. Only questions of
:data:`~benchmarks.realtimeqa.TUNING_WEEKS` are scored; the other weeks' questions are
never looked at (their articles are in the pool, as in the runner's index).

Writes ``benchmarks/article_ranking.json``: the setting, the procedure, the folds and the
cross-validated figures. ``--quick`` repeats the procedure on a small slice (each tuning
question's gold article and first stored search results, shortened) and records it under
``quick``, which a test reproduces; ``--check`` recomputes and compares instead of writing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.article_ranking import (  # noqa: E402
    AGGREGATIONS,
    CHOICE_FILE,
    DENSE_WEIGHTS,
    DEPTHS,
    HALF_LIVES,
    INCUMBENT,
    cross_validate,
    first_hit_ranks,
    grid,
)
from benchmarks.data import RealTimeQA, hits_and_mrr, load_realtimeqa  # noqa: E402
from benchmarks.realtimeqa import (  # noqa: E402
    DEFAULT_DATA,
    TUNING_WEEKS,
    chipbot_index,
    gold_articles,
    question_candidates,
    quick_slice,
)

log = logging.getLogger(__name__)

#: The quick slice: per tuning-week CNN question, its gold article and this many of its
#: stored search results, each cut to QUICK_CHARS characters (an index built in a minute).
QUICK_RESULTS = 2
QUICK_CHARS = 1200


def small_slice(pool: RealTimeQA) -> RealTimeQA:
    """The CNN questions with their gold article and first few search results, shortened."""
    pool = quick_slice(pool)
    keep = {u for q in pool.questions for u in (*q.gold_urls, *q.gcs_urls[:QUICK_RESULTS])}
    articles = {
        u: dataclasses.replace(a, text=a.text[:QUICK_CHARS])
        for u, a in pool.articles.items()
        if u in keep
    }
    return dataclasses.replace(pool, articles=articles)


def choose(
    data: Path, *, quick: bool = False, cache: Path | None = None, show_progress: bool = False
) -> dict[str, Any]:
    """The cross-validated choice over the tuning weeks, as recorded in the JSON file."""
    if quick:
        pool, name = small_slice(load_realtimeqa(data, sorted(TUNING_WEEKS))), "choose-quick"
    else:
        pool, name = load_realtimeqa(data), "realtimeqa-pool"  # the runner's full index
    bot = chipbot_index(pool, name, show_progress, cache)
    tuning = {q.id: q.week for q in pool.questions if q.week in TUNING_WEEKS}
    gold = {q: g for q, g in gold_articles(pool).items() if q in tuning}
    week_of = {q: tuning[q] for q in gold}
    candidates = question_candidates(pool, bot, gold)
    settings = grid()
    ranks = first_hit_ranks(candidates, gold, settings)
    cv = cross_validate(ranks, week_of, settings)

    def on_all(setting: Any) -> dict[str, float]:
        found = hits_and_mrr([ranks[setting][q] for q in week_of])
        return {m: round(v, 4) for m, v in found.items()}

    return {
        **cv.to_json(),
        "label": cv.chosen.label(),
        "in_sample": on_all(cv.chosen),
        "incumbent": {"setting": INCUMBENT.to_json(), "in_sample": on_all(INCUMBENT)},
        "weeks": sorted(set(week_of.values())),
        "n_articles": len(pool.articles),
    }


def procedure() -> dict[str, Any]:
    """How the choice is made, recorded beside it."""
    return {
        "selection_weeks": sorted(TUNING_WEEKS),
        "cross_validation": "leave one week out",
        "criterion": "Hits@5 of the gold article, then MRR; ties: the earlier setting",
        "grid": {
            "depth": list(DEPTHS),
            "dense_weight": list(DENSE_WEIGHTS),
            "aggregation (top, decay)": [list(a) for a in AGGREGATIONS],
            "half_life_days": list(HALF_LIVES),
            "size": len(grid()),
            "first": INCUMBENT.to_json(),
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="RealTime QA folder.")
    parser.add_argument("--cache", type=Path, help="Index cache (default ~/.cache/chipbot-bench).")
    parser.add_argument("--quick", action="store_true", help="The small slice (for the test).")
    parser.add_argument("--check", action="store_true", help="Compare with the file; no write.")
    parser.add_argument("--out", type=Path, default=CHOICE_FILE, help="The JSON file.")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    found = choose(args.data, quick=args.quick, cache=args.cache, show_progress=not args.check)
    recorded: dict[str, Any] = (
        json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
    )
    key = "quick" if args.quick else None
    if args.check:
        expected = recorded.get("quick") if key else _full_part(recorded)
        same = expected == found
        print(json.dumps({"reproduced": same, "setting": found["setting"]}))
        return 0 if same else 1
    if key:
        recorded["quick"] = found
    else:
        recorded = {**procedure(), **found, "quick": recorded.get("quick")}
    args.out.write_text(json.dumps(recorded, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"setting": found["setting"], "cv": found["cv"]}))
    return 0


def _full_part(recorded: dict[str, Any]) -> dict[str, Any]:
    """The full run's fields of the file (without the procedure and the quick run)."""
    skip = {*procedure(), "quick"}
    return {k: v for k, v in recorded.items() if k not in skip}


if __name__ == "__main__":
    raise SystemExit(main())
