"""Query latency through a Chroma server (``chroma run`` on 127.0.0.1) versus embedded.

    python benchmarks/server.py [--passages 1000]

One worker process indexes the same articles (the seeds plus a generated corpus of about
``--passages`` passages) twice, into the embedded store and into a fresh local server
(each text embedded once and reused), then times warm questions and dense searches
against each; the parent also times a cold ``chipbot ask`` against each.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.chroma_server import ChromaServer, chroma_binary  # noqa: E402
from benchmarks.measure import (  # noqa: E402
    CORPUS_QUESTIONS,
    SEED_QUESTIONS,
    bench_env,
    latency_ms,
    run_worker,
    wall_seconds,
)
from benchmarks.scratch import scratch_dir  # noqa: E402


class MemoEmbedder:
    """Embeds each distinct text once, so two ingests of one corpus cost one embedding."""

    def __init__(self, base: Any) -> None:
        self.base = base
        self.name: str = base.name
        self.dim: int = base.dim
        self._memo: dict[str, npt.NDArray[np.float32]] = {}

    def embed_documents(
        self, texts: Sequence[str], batch_size: int = 64
    ) -> npt.NDArray[np.float32]:
        """Vectors for ``texts``, computing only the ones not seen before."""
        new = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if new:
            self._memo.update(zip(new, self.base.embed_documents(new, batch_size), strict=True))
        return np.stack([self._memo[t] for t in texts]) if texts else self.base.embed_documents([])

    def embed_query(self, text: str) -> npt.NDArray[np.float32]:
        """Queries go straight to the base encoder."""
        result: npt.NDArray[np.float32] = self.base.embed_query(text)
        return result


def measure(
    corpus: Path, embedded_dir: Path, server_dir: Path, url: str, runs: int
) -> dict[str, Any]:
    """Ingest ``corpus`` into both stores, then time the same questions on each."""
    from retrieval.embedding import load_embedder
    from retrieval.engine import Chipbot
    from retrieval.settings import Settings

    base = load_embedder("all-MiniLM-L6-v2", "auto")
    embedder = MemoEmbedder(base)
    questions = CORPUS_QUESTIONS + SEED_QUESTIONS
    out: dict[str, Any] = {}
    for label, settings in (
        ("embedded", Settings(data_dir=embedded_dir)),
        ("server", Settings(data_dir=server_dir, chroma_url=url)),
    ):
        Chipbot(settings, embedder=embedder).ingest([corpus, ROOT / "seeds"])
        bot = Chipbot(settings, embedder=base)
        bot.warm()
        vector = base.embed_query(questions[0])

        def ask(question: str, bot: Chipbot = bot) -> object:
            return bot.ask(question)

        def dense(_question: str, bot: Chipbot = bot, vector: Any = vector) -> object:
            return bot.index.dense_search(vector, 40)

        out[label] = {
            "passages": int(bot.index.stats()["n_chunks"]),
            "ask": latency_ms(ask, questions, runs),
            "dense": latency_ms(dense, questions, runs),
        }
        bot.index.close()
    return out


def run_server(
    work: Path, passages: int = 1000, runs: int = 100, cold_runs: int = 5
) -> dict[str, Any]:
    """The server-versus-embedded table (``{"skipped": reason}`` without ``chroma``)."""
    from benchmarks.corpus import articles_for, write_corpus

    if chroma_binary() is None:
        return {"skipped": "the `chroma` command is not installed"}
    corpus = work / "server-corpus"
    write_corpus(corpus, articles_for(passages))
    embedded_dir, server_dir = work / "embedded", work / "server-data"
    with ChromaServer(work / "chroma-server") as server:
        result: dict[str, Any] = run_worker(
            "benchmarks.server",
            [
                "--worker",
                *map(str, (corpus, embedded_dir, server_dir)),
                server.url,
                "--runs",
                str(runs),
            ],
        )
        cold = {}
        for label, env in (
            ("embedded", bench_env(CHIPBOT_DATA_DIR=str(embedded_dir))),
            ("server", bench_env(CHIPBOT_DATA_DIR=str(server_dir), CHIPBOT_CHROMA_URL=server.url)),
        ):
            argv = [sys.executable, "-m", "bot", "ask", SEED_QUESTIONS[0]]
            cold[label] = statistics.median(wall_seconds(argv, env, cold_runs + 1)[1:])
        result["cold_s"] = cold
    result["ratios"] = {
        "ask_p50": result["server"]["ask"]["p50_ms"] / result["embedded"]["ask"]["p50_ms"],
        "dense_p50": result["server"]["dense"]["p50_ms"] / result["embedded"]["dense"]["p50_ms"],
    }
    return result


def main() -> None:
    """Run the comparison (or, with ``--worker``, the measuring half in this process)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    if args.worker:
        corpus, embedded, server, url = args.paths
        print(json.dumps(measure(Path(corpus), Path(embedded), Path(server), url, args.runs)))
        return
    with scratch_dir(args.work, "chipbot-server-") as work:
        rows = run_server(work, args.passages, args.runs)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
