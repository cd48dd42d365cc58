"""How chipbot grows with the corpus: ingest time, memory, disk and warm query latency.

    python benchmarks/scale.py --sizes 1000,10000,100000 [--distinct 2000]

For each size a fresh worker process generates (or reuses) a corpus of about that many
passages (:mod:`benchmarks.corpus`), ingests it into a fresh index with chipbot's own
``ingest`` and then times warm questions (retrieval + offline answer) and timelines
against it.

Embedding 100,000 passages with the real model takes about an hour on 2 cores, so the
scale run embeds at most ``--distinct`` passages for real and gives every other passage a
slightly perturbed copy of one of those vectors (:class:`RecycledEmbedder`). Query
latency, memory and disk do not depend on which unit vectors are stored; retrieval
quality is not measured here. The table labels which rows used recycled vectors, and
reports the embedding time the full corpus would take at the measured throughput.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.corpus import articles_for, write_corpus  # noqa: E402
from benchmarks.measure import (  # noqa: E402
    CORPUS_QUESTIONS,
    SEED_QUESTIONS,
    TIMELINE_TOPICS,
    disk_mb,
    latency_ms,
    peak_rss_mb,
    rss_mb,
    run_worker,
)
from benchmarks.scratch import scratch_dir  # noqa: E402

DEFAULT_SIZES = (1_000, 10_000, 100_000)
DEFAULT_DISTINCT = 2_000
NOISE = 0.02  # perturbation scale relative to a unit vector


class RecycledEmbedder:
    """Real vectors for up to ``distinct`` texts; perturbed copies of them for the rest.

    The first ``distinct`` different texts are embedded by ``base``; every later text gets
    the vector of one of them (chosen by its hash) plus small deterministic noise.
    """

    def __init__(self, base: Any, distinct: int) -> None:
        self.base = base
        self.name: str = base.name
        self.dim: int = base.dim
        self.distinct = distinct
        self._pool: dict[int, npt.NDArray[np.float32]] = {}  # text key -> its real vector
        self._order: list[int] = []  # keys of real vectors, in embedding order
        self._recycled: set[int] = set()
        self.real = 0
        self.embed_seconds = 0.0

    @staticmethod
    def _key(text: str) -> int:
        return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")

    def embed_documents(
        self, texts: Sequence[str], batch_size: int = 64
    ) -> npt.NDArray[np.float32]:
        """Unit vectors for ``texts`` (real for the first ``distinct``, recycled after)."""
        keys = [self._key(t) for t in texts]
        fresh = [
            i for i, key in enumerate(keys) if key not in self._pool and key not in self._recycled
        ]
        fresh = list(dict.fromkeys(fresh))[: max(0, self.distinct - len(self._pool))]
        if fresh:
            t0 = time.perf_counter()
            vectors = self.base.embed_documents([texts[i] for i in fresh], batch_size=batch_size)
            self.embed_seconds += time.perf_counter() - t0
            self.real += len(fresh)
            for i, vector in zip(fresh, vectors, strict=True):
                self._pool[keys[i]] = vector
                self._order.append(keys[i])
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            own = self._pool.get(key)
            if own is not None:
                out[row] = own
                continue
            self._recycled.add(key)
            vector = self._pool[self._order[key % len(self._order)]]
            noise = np.random.default_rng(key).standard_normal(self.dim).astype(np.float32)
            vector = vector + NOISE * noise / np.sqrt(self.dim)
            out[row] = vector / np.linalg.norm(vector)
        return out

    def embed_query(self, text: str) -> npt.NDArray[np.float32]:
        """Queries are always embedded for real."""
        result: npt.NDArray[np.float32] = self.base.embed_query(text)
        return result


def measure_size(
    passages: int, corpus_dir: Path, data_dir: Path, distinct: int, runs: int
) -> dict[str, Any]:
    """Ingest about ``passages`` generated passages into ``data_dir``; time questions."""
    from retrieval.embedding import load_embedder
    from retrieval.engine import Chipbot
    from retrieval.ingest import ingest
    from retrieval.settings import Settings

    paths = write_corpus(corpus_dir, articles_for(passages))
    settings = Settings(data_dir=data_dir)
    models = settings.models_dir
    base = load_embedder(settings.embedding_model, settings.encoder, models)
    documents = load_embedder(settings.embedding_model, settings.document_encoder, models)
    embedder = RecycledEmbedder(documents, distinct)
    t0 = time.perf_counter()
    report = ingest(paths, settings, embedder)
    ingest_s = time.perf_counter() - t0
    ingest_peak = peak_rss_mb()
    bot = Chipbot(settings, embedder=base)
    bot.warm()
    chunks = int(bot.index.stats()["n_chunks"])
    questions = CORPUS_QUESTIONS + SEED_QUESTIONS[:2]
    ask = latency_ms(lambda q: bot.ask(q), questions, runs)
    retrieve = latency_ms(lambda q: bot.retrieve(q), questions, runs)
    lexical = latency_ms(lambda q: bot.index.lexical_search(q, 40), questions, runs)
    vector = base.embed_query(questions[0])
    dense = latency_ms(lambda q: bot.index.dense_search(vector, 40), questions, runs)
    timeline = latency_ms(lambda t: bot.timeline(t), TIMELINE_TOPICS, runs)
    throughput = embedder.real / embedder.embed_seconds if embedder.embed_seconds else 0.0
    return {
        "passages": chunks,
        "articles": report.counts["added"],
        "ingest_s": ingest_s,
        "embedded_for_real": embedder.real,
        "recycled_vectors": chunks > embedder.real,
        "embed_s": embedder.embed_seconds,
        "embed_passages_per_s": throughput,
        "full_embedding_estimate_s": chunks / throughput if throughput else None,
        "ingest_without_embedding_s": ingest_s - embedder.embed_seconds,
        "ingest_peak_rss_mb": ingest_peak,
        "query_rss_mb": rss_mb(),
        "disk_mb": disk_mb(data_dir),
        "ask": ask,
        "retrieve": retrieve,
        "lexical": lexical,
        "dense": dense,
        "timeline": timeline,
    }


def run_scale(
    sizes: Sequence[int], work: Path, distinct: int = DEFAULT_DISTINCT, runs: int = 100
) -> list[dict[str, Any]]:
    """One fresh worker process per size (so memory figures are its own)."""
    rows = []
    corpus = work / "corpus"
    for size in sizes:
        data_dir = work / f"index-{size}"
        shutil.rmtree(data_dir, ignore_errors=True)
        args = ["--worker", str(size), "--corpus", str(corpus), "--data-dir", str(data_dir)]
        args += ["--distinct", str(distinct), "--runs", str(runs)]
        row = run_worker("benchmarks.scale", args)
        row["size"] = size
        rows.append(row)
        print(format_row(row), flush=True)
    return rows


def format_row(row: dict[str, Any]) -> str:
    """One human-readable line per size."""
    return (
        f"{row['passages']:>7,} passages: ingest {row['ingest_s']:7.1f} s "
        f"(embedding {row['embed_s']:.0f} s for {row['embedded_for_real']:,} real vectors) | "
        f"ask p50 {row['ask']['p50_ms']:.1f} ms p95 {row['ask']['p95_ms']:.1f} ms | "
        f"BM25 p50 {row['lexical']['p50_ms']:.2f} ms | dense p50 {row['dense']['p50_ms']:.2f} ms | "
        f"timeline p50 {row['timeline']['p50_ms']:.1f} ms | "
        f"peak {row['ingest_peak_rss_mb']:.0f} MB | disk {row['disk_mb']:.0f} MB"
    )


def main() -> None:
    """Run the scale table (or, with ``--worker``, one size in this process)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--distinct", type=int, default=DEFAULT_DISTINCT)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--worker", type=int, default=None)
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    if args.worker is not None:
        row = measure_size(args.worker, args.corpus, args.data_dir, args.distinct, args.runs)
        print(json.dumps(row))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    with scratch_dir(args.work, "chipbot-scale-") as work:
        rows = run_scale(sizes, work, args.distinct, args.runs)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
