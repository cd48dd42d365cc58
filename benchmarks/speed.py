"""chipbot against the LangChain-tutorial pipeline, measured in one run on one machine.

    python benchmarks/speed.py [--articles 60] [--cold-runs 7]

Three measures, each side in its own fresh processes (:mod:`benchmarks.peer` is the
tutorial pipeline: RecursiveCharacterTextSplitter 1000/200, HuggingFaceEmbeddings with
the same local model, Chroma, ``similarity_search(k=4)``):

- ingest throughput on the same articles (the seeds plus generated ones): chunks/s and
  characters of text/s, model load excluded (each side's store library is imported
  before the clock too), peak memory of the process included;
- warm latency over the seed gold questions: chipbot's retrieval + offline answer, the
  peer's retrieval alone (the tutorial's answer needs an LLM);
- cold wall time of a new process answering one question from the persisted seed
  index: ``chipbot ask`` versus loading the peer's store, embedding and searching.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.measure import (  # noqa: E402
    SEED_QUESTIONS,
    bench_env,
    latency_ms,
    peak_rss_mb,
    run_worker,
    wall_seconds,
)
from benchmarks.scratch import scratch_dir  # noqa: E402

SEEDS = ROOT / "seeds"
GOLD = ROOT / "eval" / "seeds_gold.jsonl"
COLD_QUESTION = SEED_QUESTIONS[0]


def gold_questions() -> list[str]:
    """The seed gold set's questions (distinct, so no cache is measured)."""
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def _texts(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.suffix == ".txt")


# -- workers (each runs in its own process) ---------------------------------------------


def ingest_chipbot(corpus: Path, data_dir: Path) -> dict[str, Any]:
    """Ingest ``corpus`` with chipbot (model and store library loaded first, not timed)."""
    import chromadb  # noqa: F401  (the peer, too, has its store loaded before the clock)

    from retrieval.encoders.batch import BIG_BATCH
    from retrieval.engine import Chipbot
    from retrieval.settings import Settings

    bot = Chipbot(Settings(data_dir=data_dir))
    t0 = time.perf_counter()
    # A warm-up batch big enough to load the encoder big batches go to (as the peer's
    # warm-up loads its model).
    bot.document_embedder.embed_documents(["warm up"] * BIG_BATCH)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    bot.ingest([corpus])
    seconds = time.perf_counter() - t0
    stats = bot.index.stats()
    chars = sum(len(r.text) for r in bot.index.store.scan())
    return _ingest_row(int(stats["n_chunks"]), chars, seconds, load_s)


def ingest_peer(corpus: Path, persist: Path) -> dict[str, Any]:
    """Ingest ``corpus`` with the tutorial pipeline (model loaded first, not timed)."""
    from benchmarks.peer import PeerDocument, PeerPipeline

    t0 = time.perf_counter()
    peer = PeerPipeline(persist)
    peer.embeddings.embed_documents(["warm up"])
    load_s = time.perf_counter() - t0
    docs = [PeerDocument(p.stem, p.read_text(encoding="utf-8")) for p in _texts(corpus)]
    t0 = time.perf_counter()
    chunks = peer.add(docs)
    seconds = time.perf_counter() - t0
    chars = sum(len(c.page_content) for c in peer.split(docs))
    return _ingest_row(chunks, chars, seconds, load_s)


def _ingest_row(chunks: int, chars: int, seconds: float, load_s: float) -> dict[str, Any]:
    return {
        "chunks": chunks,
        "chars": chars,
        "seconds": seconds,
        "chunks_per_s": chunks / seconds,
        "chars_per_s": chars / seconds,
        "model_load_s": load_s,
        "peak_rss_mb": peak_rss_mb(),
    }


def warm_chipbot(data_dir: Path, runs: int) -> dict[str, Any]:
    """Warm latency of chipbot's ask (retrieval + offline answer) and of retrieval alone."""
    from retrieval.engine import Chipbot
    from retrieval.settings import Settings

    # As `chipbot chat` and the Slack app run it.
    bot = Chipbot(Settings(data_dir=data_dir))
    bot.warm()
    questions = gold_questions()
    return {
        "ask": latency_ms(lambda q: bot.ask(q), questions, runs),
        "retrieve": latency_ms(lambda q: bot.retrieve(q), questions, runs),
    }


def warm_peer(persist: Path, runs: int) -> dict[str, Any]:
    """Warm latency of the tutorial's similarity_search(k=4)."""
    from benchmarks.peer import PeerPipeline

    peer = PeerPipeline(persist)
    return {"search": latency_ms(lambda q: peer.search(q, k=4), gold_questions(), runs)}


def cold_peer(persist: Path, question: str) -> dict[str, Any]:
    """What a cold tutorial process does: load the store and model, embed, search."""
    from benchmarks.peer import PeerPipeline

    hits = PeerPipeline(persist).search(question, k=4)
    return {"hits": len(hits)}


def build_seed_indexes(work: Path) -> tuple[Path, Path]:
    """chipbot's and the peer's persisted indexes of the shipped seeds."""
    chipbot_dir, peer_dir = work / "chipbot-seeds", work / "peer-seeds"
    run_worker("benchmarks.speed", ["--worker", "ingest-chipbot", str(SEEDS), str(chipbot_dir)])
    run_worker("benchmarks.speed", ["--worker", "ingest-peer", str(SEEDS), str(peer_dir)])
    return chipbot_dir, peer_dir


def corpus_with_seeds(work: Path, articles: int) -> Path:
    """The seeds plus ``articles`` generated articles, in one folder."""
    from benchmarks.corpus import write_corpus

    folder = work / "ingest-corpus"
    write_corpus(folder, articles)
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, folder / seed.name)
    return folder


def run_speed(
    work: Path, articles: int = 60, cold_runs: int = 7, runs: int = 200
) -> dict[str, Any]:
    """Every speed measure, chipbot and peer, with ratios (>1: chipbot better)."""
    corpus = corpus_with_seeds(work, articles)
    ingest = {
        "chipbot": run_worker(
            "benchmarks.speed", ["--worker", "ingest-chipbot", str(corpus), str(work / "ci")]
        ),
        "peer": run_worker(
            "benchmarks.speed", ["--worker", "ingest-peer", str(corpus), str(work / "pi")]
        ),
    }
    print(f"ingest: {json.dumps(ingest)}", flush=True)
    chipbot_dir, peer_dir = build_seed_indexes(work)
    warm = {
        "chipbot": run_worker(
            "benchmarks.speed", ["--worker", "warm-chipbot", str(chipbot_dir), "--runs", str(runs)]
        ),
        "peer": run_worker(
            "benchmarks.speed", ["--worker", "warm-peer", str(peer_dir), "--runs", str(runs)]
        ),
    }
    print(f"warm: {json.dumps(warm)}", flush=True)
    env = bench_env(CHIPBOT_DATA_DIR=str(chipbot_dir))
    chipbot_cold = wall_seconds(
        [sys.executable, "-m", "bot", "ask", COLD_QUESTION], env, cold_runs + 1
    )[1:]  # the first run also warms the OS file cache, for both sides alike
    peer_cold = wall_seconds(
        [sys.executable, "-m", "benchmarks.speed", "--worker", "cold-peer", str(peer_dir)],
        bench_env(),
        max(1, cold_runs // 2) + 1,  # the peer's runs take seconds each: half as many
    )[1:]
    cold: dict[str, Any] = {
        "chipbot_s": statistics.median(chipbot_cold),
        "peer_s": statistics.median(peer_cold),
        "chipbot_runs": chipbot_cold,
        "peer_runs": peer_cold,
    }
    print(f"cold: {json.dumps(cold)}", flush=True)
    ratios = {
        "ingest_chunks_per_s": ingest["chipbot"]["chunks_per_s"] / ingest["peer"]["chunks_per_s"],
        "ingest_chars_per_s": ingest["chipbot"]["chars_per_s"] / ingest["peer"]["chars_per_s"],
        "warm_p50": warm["peer"]["search"]["p50_ms"] / warm["chipbot"]["ask"]["p50_ms"],
        "warm_p95": warm["peer"]["search"]["p95_ms"] / warm["chipbot"]["ask"]["p95_ms"],
        "cold": cold["peer_s"] / cold["chipbot_s"],
    }
    return {
        "corpus_articles": articles + 2,
        "ingest": ingest,
        "warm": warm,
        "cold": cold,
        "ratios": ratios,
    }


def main() -> None:
    """Run the comparison (or, with ``--worker``, one measurement in this process)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--worker", default=None)
    parser.add_argument("--question", default=COLD_QUESTION, help="for cold-peer")
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args()
    if args.worker:
        workers = {
            "ingest-chipbot": lambda: ingest_chipbot(*args.paths),
            "ingest-peer": lambda: ingest_peer(*args.paths),
            "warm-chipbot": lambda: warm_chipbot(args.paths[0], args.runs),
            "warm-peer": lambda: warm_peer(args.paths[0], args.runs),
            "cold-peer": lambda: cold_peer(args.paths[0], args.question),
        }
        print(json.dumps(workers[args.worker]()))
        return
    with scratch_dir(args.work, "chipbot-speed-") as work:
        rows = run_speed(work, args.articles, args.cold_runs, args.runs)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
