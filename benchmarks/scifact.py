"""SciFact (BEIR test split): chipbot's retrieval against the published nDCG@10 table.

    python benchmarks/scifact.py [--data DIR] [--quick] [--json] [--no-readme]

Rebuilds BEIR's SciFact test split from the CSV export (5,183 abstracts, 300 claims,
339 judgements), writes every abstract as an article file (title, then the sentences),
indexes it with chipbot's own ingestion (cached under ``~/.cache/chipbot-bench``) and
ranks documents for every claim; a document ranks by its best passage. Reported:
nDCG@10 and Recall@100 for dense-only, BM25-only and chipbot's hybrid retrieval.

Each abstract is one chunk (as the published figures embed "title + abstract" as one
text, truncated by the model at 256 tokens), so the dense run checks the embedding path.
``--quick`` runs a fixed slice (300 abstracts, the claims they answer) for CI.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.data import (  # noqa: E402
    SciFact,
    article_file_text,
    cached_index,
    dedupe,
    load_scifact,
    ndcg_at_k,
    recall_at_k,
    scifact_slice,
)
from benchmarks.readme import machine, update_block  # noqa: E402
from retrieval.engine import Chipbot  # noqa: E402
from retrieval.retriever import HybridRetriever, Mode, RetrievalConfig  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "scifact"
PUBLISHED = {"dense": 0.645, "bm25": 0.665}  # MTEB all-MiniLM-L6-v2; BEIR BM25
MODES: dict[str, Mode] = {"dense": "dense", "bm25": "lexical", "hybrid": "hybrid"}
#: Large enough that every abstract is one chunk (the longest is about 6,000 characters).
WHOLE_ABSTRACT_CHARS = 20_000
DEPTH = 100  # documents ranked per claim (Recall@100)
README_BLOCK = "public-benchmarks-scifact"


def article_files(collection: SciFact) -> dict[str, str]:
    """One article file per abstract: ``{file stem: text}``."""
    return {
        f"doc-{doc_id}": article_file_text(f"doc-{doc_id}", title, text)
        for doc_id, (title, text) in collection.corpus.items()
    }


def doc_id_of(article_id: str) -> str:
    """The SciFact document id of an article written by :func:`article_files`."""
    return article_id.removeprefix("doc-")


def rank_documents(bot: Chipbot, query: str, mode: Mode, depth: int = DEPTH) -> list[str]:
    """Document ids for ``query``, best first: each document at its best passage's rank."""
    passages = bot.retrieve(query, k=depth, mode=mode)
    return dedupe(doc_id_of(p.article_id) for p in passages)[:depth]


def document_config(base: RetrievalConfig, depth: int = DEPTH) -> RetrievalConfig:
    """``base`` deep enough for Recall@``depth``, without MMR.

    MMR reorders passages to diversify an answer's context; ranking documents by their
    best passage already removes same-article redundancy, so it is left out here.
    """
    return dataclasses.replace(base, candidates=max(base.candidates, depth), mmr_lambda=1.0)


def evaluate(bot: Chipbot, collection: SciFact, modes: dict[str, Mode] = MODES) -> dict[str, Any]:
    """``{"ndcg@10": {name: x}, "recall@100": {name: x}, "n_queries": n}`` for ``modes``."""
    ndcg: dict[str, float] = {}
    recall: dict[str, float] = {}
    qids = sorted(collection.qrels, key=int)
    for name, mode in modes.items():
        rankings = {q: rank_documents(bot, collection.queries[q], mode) for q in qids}
        ndcg[name] = sum(ndcg_at_k(rankings[q], collection.qrels[q]) for q in qids) / len(qids)
        recall[name] = sum(recall_at_k(rankings[q], collection.qrels[q]) for q in qids) / len(qids)
    return {
        "ndcg@10": {k: round(v, 4) for k, v in ndcg.items()},
        "recall@100": {k: round(v, 4) for k, v in recall.items()},
        "n_queries": len(qids),
    }


def answer_path_ndcg(bot: Chipbot, collection: SciFact) -> float:
    """nDCG@10 of the hybrid ranking exactly as answers get it: default config, MMR on."""
    retriever = HybridRetriever(bot.index, bot.embedder, RetrievalConfig())
    total = 0.0
    for qid, relevant in collection.qrels.items():
        passages = retriever.search(collection.queries[qid], k=10)
        total += ndcg_at_k(dedupe(doc_id_of(p.article_id) for p in passages), relevant)
    return round(total / len(collection.qrels), 4)


def run(
    data: Path, *, quick: bool, show_progress: bool = True, cache: Path | None = None
) -> dict[str, Any]:
    """Load, index (cached) and evaluate; the result also holds the corpus size."""
    collection = load_scifact(data)
    if quick:
        collection = scifact_slice(collection)
    name = "scifact-quick" if quick else "scifact"
    bot = cached_index(
        name,
        article_files(collection),
        collection.digest(),
        chunk_chars=WHOLE_ABSTRACT_CHARS,
        chunk_overlap=0,
        show_progress=show_progress,
        root=cache,
    )
    bot.retrieval_config = document_config(bot.retrieval_config)
    result = evaluate(bot, collection)
    result["hybrid_mmr_ndcg@10"] = answer_path_ndcg(bot, collection)
    result["n_docs"] = len(collection.corpus)
    return result


def markdown(result: dict[str, Any], command: str) -> str:
    """The README table of one run: ours next to the published figures."""
    published = {"dense": "0.645 (MTEB)", "bm25": "0.665 (BEIR)", "hybrid": "–"}
    lines = [
        f"SciFact (BEIR test split, {result['n_queries']} claims, {result['n_docs']:,} "
        "abstracts), document level; all-MiniLM-L6-v2:",
        "",
        "| retrieval | nDCG@10 | published nDCG@10 | Recall@100 |",
        "|---|---|---|---|",
    ]
    for name in MODES:
        lines.append(
            f"| {name} | {result['ndcg@10'][name]:.3f} | {published[name]} | "
            f"{result['recall@100'][name]:.3f} |"
        )
    lines.append(
        f"| hybrid with MMR, as answers retrieve (top 10) | {result['hybrid_mmr_ndcg@10']:.3f} "
        "| – | – |"
    )
    lines += [
        "",
        "Each abstract is indexed as one chunk (title line + sentences; the model truncates "
        "at 256 tokens, as in MTEB); BM25 is chipbot's (bm25s over Snowball-stemmed, "
        "stopword-free tokens); hybrid is chipbot's reciprocal-rank fusion of the two "
        "lists (100 candidates each, MMR off: a document ranks by its best passage).",
    ]
    lines += ["", f"Measured {dt.date.today().isoformat()} on {machine()} by `{command}`."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="SciFact folder.")
    parser.add_argument("--quick", action="store_true", help="A small fixed slice (for CI).")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    parser.add_argument("--no-readme", action="store_true", help="Do not touch the docs.")
    parser.add_argument("--cache", type=Path, help="Index cache (default ~/.cache/chipbot-bench).")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    result = run(args.data, quick=args.quick, show_progress=not args.json, cache=args.cache)
    if args.json:
        print(json.dumps({k: result[k] for k in ("ndcg@10", "recall@100", "n_queries")}))
    else:
        print(markdown(result, "python benchmarks/scifact.py"))
        print(f"({time.perf_counter() - t0:.0f} s)")
    if not args.quick and not args.no_readme:
        update_block(README_BLOCK, markdown(result, "python benchmarks/scifact.py"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
