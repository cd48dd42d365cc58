"""Compare the embedding encoders: speed, fidelity, and what they cost on the gold set.

Run from the repo root:
``python benchmarks/encoders.py [--encoders onnx,sentence-transformers] [--readme]``.
Per encoder: cold load time in a fresh subprocess (imports included, as a cold
``chipbot ask`` pays them); single-query latency and batch throughput in this process
after a warm-up; the cosine of its vectors to sentence-transformers' (the reference)
on the same passages; and the seed gold set evaluated on an index whose passages that
encoder embedded (queries always by the default query encoder). ``--readme`` writes
the table into docs/configuration.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.readme import machine, update_block  # noqa: E402
from retrieval.embedding import load_embedder  # noqa: E402

DEFAULT_ENCODERS = "onnx,sentence-transformers"
DEFAULT_SCIFACT = ROOT.parent / "shared" / "benchmarks" / "scifact"
README_BLOCK = "encoders"

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


@dataclasses.dataclass(frozen=True)
class Probe:
    """What every encoder is measured against, computed once per run."""

    texts: list[str]
    reference: Any  # sentence-transformers' vectors for ``texts``
    scifact: SciFactProbe | None


@dataclasses.dataclass(frozen=True)
class SciFactProbe:
    """SciFact's abstracts, claim vectors (the default query encoder) and judgements."""

    ids: list[str]
    docs: list[str]
    queries: Any  # (n_claims, dim)
    relevant: list[frozenset[str]]


def make_probe(model: str, texts: list[str], scifact_dir: Path | None) -> Probe:
    """Reference vectors for ``texts`` and, with ``scifact_dir``, the SciFact probe."""
    import numpy as np

    reference = load_embedder(model, "sentence-transformers").embed_documents(texts)
    scifact = None
    if scifact_dir is not None:
        from benchmarks.data import load_scifact

        data = load_scifact(scifact_dir)
        ids = sorted(data.corpus)
        claims = sorted(data.queries)
        encoder = load_embedder(model, "onnx")
        scifact = SciFactProbe(
            ids=ids,
            docs=[f"{data.corpus[i][0]}\n{data.corpus[i][1]}" for i in ids],
            queries=np.stack([encoder.embed_query(data.queries[q]) for q in claims]),
            relevant=[data.qrels[q] for q in claims],
        )
    return Probe(texts, reference, scifact)


def fidelity(model: str, encoder: str, probe: Probe) -> tuple[float, float]:
    """Minimum and mean cosine of ``encoder``'s vectors to sentence-transformers'."""
    import numpy as np

    ours = load_embedder(model, encoder).embed_documents(probe.texts)
    cosines = np.sum(ours * probe.reference, axis=1)
    return float(cosines.min()), float(cosines.mean())


def gold_set(encoder: str) -> dict[str, float]:
    """The seed gold set's figures with passages embedded by ``encoder``."""
    import tempfile

    from benchmarks.seeds_eval import evaluate

    with tempfile.TemporaryDirectory() as tmp:
        overall = evaluate(Path(tmp), document_encoder=encoder).overall()
    return {k: overall[k] for k in ("hit_at_k", "mrr", "correctness")}


def scifact_dense(model: str, encoder: str, probe: SciFactProbe) -> float:
    """SciFact's dense nDCG@10 with abstracts embedded by ``encoder`` (claims by onnx),
    one vector per abstract as in :mod:`benchmarks.scifact`."""
    import numpy as np

    from benchmarks.data import ndcg_at_k

    vectors = load_embedder(model, encoder).embed_documents(probe.docs)
    scores = []
    for query, relevant in zip(probe.queries, probe.relevant, strict=True):
        top = np.argsort(-(vectors @ query))[:10]
        scores.append(ndcg_at_k([probe.ids[i] for i in top], relevant))
    return float(np.mean(scores))


def measure(model: str, name: str, probe: Probe, args: argparse.Namespace) -> dict[str, Any]:
    """Every figure of one encoder."""
    p50, p95 = query_latency_ms(model, name, args.queries)
    low, mean = fidelity(model, name, probe)
    scifact = scifact_dense(model, name, probe.scifact) if probe.scifact else None
    return {
        "scifact_dense_ndcg@10": scifact,
        "load_s": cold_load_seconds(model, name, args.load_runs),
        "query_p50_ms": p50,
        "query_p95_ms": p95,
        "texts_per_s": throughput(model, name, probe.texts, args.batch_size),
        "cosine_min": low,
        "cosine_mean": mean,
        "gold": gold_set(name),
    }


def markdown(rows: dict[str, dict[str, Any]], n_texts: int) -> str:
    """The README table, speed relative to the first encoder."""
    base = next(iter(rows.values()))["texts_per_s"]
    lines = [
        f"Encoders on {machine()}, measured {dt.date.today().isoformat()} by "
        "`python benchmarks/encoders.py --readme`: batch throughput on "
        f"{n_texts} seed passages (~500 characters), cosine to sentence-transformers' "
        "vectors on the same passages, and the seed gold set on an index whose passages "
        "the encoder embedded (queries by the default onnx encoder); SciFact's dense "
        "nDCG@10 likewise (published: 0.645).",
        "",
        "| encoder | cold load | query p50 | passages/s | vs first | cosine min / mean | "
        "gold hit@5 | MRR | correct | SciFact dense nDCG@10 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows.items():
        g = r["gold"]
        lines.append(
            f"| `{name}` | {r['load_s']:.2f} s | {r['query_p50_ms']:.1f} ms | "
            f"{r['texts_per_s']:.0f} | {r['texts_per_s'] / base:.2f}x | "
            f"{r['cosine_min']:.4f} / {r['cosine_mean']:.4f} | {g['hit_at_k']:.3f} | "
            f"{g['mrr']:.3f} | {g['correctness']:.3f} | {_fmt(r['scifact_dense_ndcg@10'])} |"
        )
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def main() -> None:
    """Measure each encoder and print a table with ratios to the first one."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--encoders", default=DEFAULT_ENCODERS)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--load-runs", type=int, default=3)
    parser.add_argument("--readme", action="store_true", help="Write the table into the docs.")
    parser.add_argument(
        "--scifact",
        type=Path,
        default=DEFAULT_SCIFACT if DEFAULT_SCIFACT.is_dir() else None,
        help="SciFact folder for the dense nDCG@10 column (default ../shared/...).",
    )
    parser.add_argument("--no-scifact", dest="scifact", action="store_const", const=None)
    args = parser.parse_args()
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    texts = seed_like_texts(args.texts)
    probe = make_probe(args.model, texts, args.scifact)
    rows = {}
    for name in args.encoders.split(","):
        rows[name] = measure(args.model, name, probe, args)
        print(f"{name}: {json.dumps(rows[name])}", flush=True)
    table = markdown(rows, len(texts))
    print(table)
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if args.readme:
        update_block(README_BLOCK, table)


if __name__ == "__main__":
    main()
