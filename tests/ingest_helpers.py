"""Helpers for the ingest tests: generated article corpora and a killable ingest script.

Run as a script (``python tests/ingest_helpers.py DATA_DIR [--rebuild] PATH...``) it ingests
PATHs, printing one ``progress`` line per file. Test hooks, read here only (never by the
library): ``INGEST_TEST_KILL_AFTER_UPSERTS=N`` SIGKILLs the process right after the N-th
vector-store upsert, the window where an article's new chunks are written but its head
(chunk 0, the commit marker) is not; ``INGEST_TEST_BATCH_CHUNKS`` shrinks the write batches.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

_TOPICS = [
    "lithography",
    "etching",
    "deposition",
    "metrology",
    "wafers",
    "photoresist",
    "packaging",
    "memory",
]


def article_text(n: int, version: int = 1, paragraphs: int = 5) -> str:
    """A seed-format article (``date`` header) with a unique keyword ``kwNN`` per article."""
    date = dt.date(2023, 1, 1) + dt.timedelta(days=n * 3)
    topic = _TOPICS[n % len(_TOPICS)]
    body = []
    for p in range(paragraphs):
        body.append(
            f"Report kw{n:02d} paragraph {p} version {version} covers {topic} equipment. "
            f"Officials in Tokyo and The Hague discussed {topic} controls for the {p + 1} "
            f"time, according to people familiar with the talks about kw{n:02d}. "
            f"The negotiators said revision {version} of the rules would limit exports "
            f"of advanced {topic} tools to Chinese chipmakers within months."
        )
    return f"date {date.isoformat()} " + "\n\n".join(body) + "\n"


def write_corpus(folder: Path, count: int, start: int = 0) -> list[Path]:
    """Write ``count`` generated articles ``gen_NN.txt`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        path = folder / f"gen_{n:02d}.txt"
        path.write_text(article_text(n), encoding="utf-8")
        paths.append(path)
    return paths


def _install_kill_hook(after: int) -> None:
    from retrieval.store import ChromaStore

    original = ChromaStore.upsert
    calls = {"n": 0}

    def upsert(self: ChromaStore, records: Any, embeddings: Any) -> None:
        original(self, records, embeddings)
        calls["n"] += 1
        if calls["n"] >= after:
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)

    ChromaStore.upsert = upsert  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    """Ingest ``argv[1:]`` into data dir ``argv[0]`` (see the module docstring)."""
    sys.path.insert(0, str(ROOT))
    from retrieval import ingest as ingest_module
    from retrieval.embedding import load_embedder
    from retrieval.settings import Settings

    rebuild = "--rebuild" in argv
    args = [a for a in argv if a != "--rebuild"]
    data_dir, paths = Path(args[0]), [Path(p) for p in args[1:]]
    if os.environ.get("INGEST_TEST_BATCH_CHUNKS"):
        ingest_module.BATCH_CHUNKS = int(os.environ["INGEST_TEST_BATCH_CHUNKS"])
    if os.environ.get("INGEST_TEST_KILL_AFTER_UPSERTS"):
        _install_kill_hook(int(os.environ["INGEST_TEST_KILL_AFTER_UPSERTS"]))

    def progress(done: int, total: int, path: str) -> None:
        print(f"progress {done}/{total} {path}", flush=True)

    settings = Settings(data_dir=data_dir)
    report = ingest_module.ingest(
        paths, settings, load_embedder(settings.embedding_model), rebuild=rebuild, progress=progress
    )
    print(report.summary(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
