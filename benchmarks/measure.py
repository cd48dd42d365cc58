"""Small measuring helpers shared by the speed, scale and server benchmarks."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: Questions about the shipped seed articles (warm and cold timings ask these).
SEED_QUESTIONS = [
    "Has Japan agreed to match the US export controls?",
    "Which company is Japan's leading maker of chip manufacturing equipment?",
    "What share of the market do Japanese toolmakers hold?",
    "Who met in Washington to discuss export controls?",
    "When did the Netherlands agree to restrict exports of chipmaking tools?",
    "How did China respond to the restrictions?",
    "What did the senior US administration official tell Reuters?",
    "Why does the United States need allies to impose matching restrictions?",
]

#: Questions in the vocabulary of the generated scale corpus.
CORPUS_QUESTIONS = [
    "What did ASML say about extreme ultraviolet lithography machines?",
    "How much revenue could Tokyo Electron lose because of the export controls?",
    "Did South Korea align its rules on etching equipment with the United States?",
    "Which country filed a complaint with the World Trade Organization?",
    "What did Commerce Secretary Gina Raimondo announce in Tokyo?",
    "How many employees does Lam Research have?",
    "Did Nikon stop servicing deposition tools installed in China?",
    "What share of the world's metrology and inspection tools does Japan supply?",
]

#: Timeline topics in the vocabulary of the generated scale corpus (issue 11 budgets
#: ``chipbot timeline`` at 100k passages).
TIMELINE_TOPICS = [
    "Dutch export controls on lithography machines",
    "Japan's restrictions on etching equipment",
    "ASML extreme ultraviolet lithography",
    "complaints to the World Trade Organization",
]


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def latency_ms(fn: Callable[[str], Any], questions: Sequence[str], runs: int) -> dict[str, float]:
    """p50/p95/mean of ``fn(question)`` in ms over ``runs`` calls, after one warm-up pass."""
    for q in questions:
        fn(q)
    samples = []
    for i in range(runs):
        q = questions[i % len(questions)]
        t0 = time.perf_counter()
        fn(q)
        samples.append((time.perf_counter() - t0) * 1000)
    return {
        "p50_ms": percentile(samples, 50),
        "p95_ms": percentile(samples, 95),
        "mean_ms": statistics.fmean(samples),
        "runs": runs,
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """This process's current resident memory, in MB."""
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def disk_mb(path: Path) -> float:
    """Bytes under ``path`` (files actually allocated), in MB."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):  # a file removed while walking
                total += os.stat(os.path.join(root, name)).st_blocks * 512
    return total / 2**20


def bench_env(**extra: str) -> dict[str, str]:
    """The environment of benchmark subprocesses: offline, repo importable, no stray config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIPBOT_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def run_worker(module: str, args: Sequence[str], env: dict[str, str] | None = None) -> Any:
    """Run ``python -m module args`` and return the JSON it prints on its last line."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env or bench_env(),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def wall_seconds(argv: Sequence[str], env: dict[str, str], runs: int) -> list[float]:
    """Wall times of ``runs`` fresh processes running ``argv`` (each must succeed)."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:4])}… failed:\n{proc.stderr[-3000:]}")
    return times
