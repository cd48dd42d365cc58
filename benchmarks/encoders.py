"""Compare the embedding encoders: load time, single-query latency, batch throughput.

Run from the repo root: ``python benchmarks/encoders.py [--encoders numpy,sentence-transformers]``.
Load time is measured in a fresh subprocess (imports included, as a cold ``chipbot ask``
pays them); latency and throughput in this process after a warm-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.embedding import load_embedder  # noqa: E402

QUESTIONS = [
    "What has Japan agreed to?",
    "Who is Kurt Campbell?",
    "What share of the market do Japanese toolmakers hold?",
    "When did the Netherlands join the export controls on chipmaking equipment?",
    "Why did the Biden administration need allies to impose matching restrictions?",
    "What did Kishida and Biden discuss in Washington?",
    "Which companies make lithography machines?",
    "How did China respond to the October 2022 rules?",
]

_LOAD_SNIPPET = """
import sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
from retrieval.embedding import load_embedder
e = load_embedder({model!r}, {encoder!r})
e.embed_query("warm")
print(time.perf_counter() - t0)
"""


def seed_like_texts(n: int, chars: int = 500) -> list[str]:
    """``n`` texts of about ``chars`` characters cut from the shipped seed articles."""
    corpus = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    corpus = " ".join(corpus.split())
    step = max(1, (len(corpus) - chars) // n)
    return [corpus[(i * step) % (len(corpus) - chars) :][:chars] for i in range(n)]


def cold_load_seconds(model: str, encoder: str, runs: int) -> float:
    """Median wall time of import + load + first query in a fresh interpreter."""
    times = []
    for _ in range(runs):
        code = _LOAD_SNIPPET.format(root=str(ROOT), model=model, encoder=encoder)
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        times.append(float(out.strip().splitlines()[-1]))
    return statistics.median(times)


def query_latency_ms(model: str, encoder: str, runs: int) -> tuple[float, float]:
    """p50 and p95 of single-query latency in milliseconds."""
    embedder = load_embedder(model, encoder)
    for q in QUESTIONS:
        embedder.embed_query(q)
    samples = []
    for i in range(runs):
        question = QUESTIONS[i % len(QUESTIONS)]
        t0 = time.perf_counter()
        embedder.embed_query(question)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return samples[len(samples) // 2], samples[int(len(samples) * 0.95) - 1]


def throughput(model: str, encoder: str, texts: list[str], batch_size: int) -> float:
    """Texts per second embedding ``texts`` as ingest does."""
    embedder = load_embedder(model, encoder)
    embedder.embed_documents(texts[:batch_size], batch_size=batch_size)
    t0 = time.perf_counter()
    embedder.embed_documents(texts, batch_size=batch_size)
    return len(texts) / (time.perf_counter() - t0)


def main() -> None:
    """Measure each encoder and print a table with ratios to the first one."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--encoders", default="numpy,sentence-transformers")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--load-runs", type=int, default=3)
    args = parser.parse_args()
    names = args.encoders.split(",")
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    texts = seed_like_texts(args.texts)
    rows = {}
    for name in names:
        load = cold_load_seconds(args.model, name, args.load_runs)
        p50, p95 = query_latency_ms(args.model, name, args.queries)
        tps = throughput(args.model, name, texts, args.batch_size)
        rows[name] = (load, p50, p95, tps)
        print(
            f"{name:>22}: cold load {load:6.2f} s | query p50 {p50:7.2f} ms "
            f"p95 {p95:7.2f} ms | batch {tps:7.1f} texts/s",
            flush=True,
        )
    base = names[0]
    b_load, b_p50, b_p95, b_tps = rows[base]
    for name in names[1:]:
        load, p50, p95, tps = rows[name]
        print(
            f"speed-up of {base} over {name} (>1: {base} faster): cold load {load / b_load:.1f}, "
            f"query p50 {p50 / b_p50:.2f}, p95 {p95 / b_p95:.2f}, batch {b_tps / tps:.2f}"
        )
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
