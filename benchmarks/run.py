"""Every speed and scale measure in one go: a table, a JSON file, the README block.

    python benchmarks/run.py                 # full: speed vs peer, scale 1k/10k/100k, server
    python benchmarks/run.py --quick         # ~2 minutes: small sizes, few runs (CI)
    python benchmarks/run.py --readme        # also rewrite the speed block (docs/benchmarks.md)

Results go to ``benchmarks/results/latest.json`` (``quick.json`` in quick mode). The
ratios compare chipbot with the LangChain-tutorial pipeline measured in the same run
(>1 means chipbot is better). Figures are wall-clock on a shared machine: the load
average is printed with them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.readme import machine, update_block  # noqa: E402
from benchmarks.scale import run_scale  # noqa: E402
from benchmarks.scratch import scratch_dir  # noqa: E402
from benchmarks.server import run_server  # noqa: E402
from benchmarks.speed import run_speed  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
FULL: dict[str, dict[str, Any]] = {
    "speed": {"articles": 60, "cold_runs": 7, "runs": 200},
    "scale": {"sizes": [1_000, 10_000, 100_000], "distinct": 2_000, "runs": 200},
    "server": {"passages": 1_000, "runs": 100, "cold_runs": 5},
}
QUICK: dict[str, dict[str, Any]] = {
    "speed": {"articles": 6, "cold_runs": 2, "runs": 40},
    "scale": {"sizes": [200], "distinct": 200, "runs": 40},
    "server": {"passages": 100, "runs": 30, "cold_runs": 2},
}
#: (label, key, limit, unit): the issue's targets, checked against the measured figures.
TARGETS = [
    ("cold `chipbot ask` median", "cold_s", 1.2, "s"),
    ("cold ask vs tutorial", "cold_ratio", 5.0, "x"),
    ("warm ask p50 (largest index)", "warm_p50_ms", 20.0, "ms"),
    ("warm ask p95 (largest index)", "warm_p95_ms", 50.0, "ms"),
    ("warm ask p50 (seed index)", "seed_p50_ms", 30.0, "ms"),
    ("ingest chunks/s vs tutorial", "ingest_ratio", 3.0, "x"),
    ("warm `chipbot timeline` p50 (largest index; issue 11)", "timeline_p50_ms", 200.0, "ms"),
]


def load() -> str:
    """The 1-minute load average (other processes compete for the cores)."""
    return f"{os.getloadavg()[0]:.1f}"


def run_all(quick: bool, work: Path) -> dict[str, Any]:
    """Run the three parts and gather them with the machine and the load."""
    plan = QUICK if quick else FULL
    started = time.time()
    out: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_before": load(),
        "plan": plan,
    }
    print(f"machine: {out['machine']}; load {out['load_before']}", flush=True)
    out["speed"] = run_speed(work / "speed", **plan["speed"])
    out["scale"] = run_scale(
        plan["scale"]["sizes"], work / "scale", plan["scale"]["distinct"], plan["scale"]["runs"]
    )
    out["server"] = run_server(work / "server", **plan["server"])
    out["load_after"] = load()
    out["seconds"] = time.time() - started
    out["targets"] = check_targets(out)
    return out


def measured(result: dict[str, Any]) -> dict[str, float]:
    """The figures the targets are about."""
    speed, largest = result["speed"], result["scale"][-1]
    return {
        "cold_s": speed["cold"]["chipbot_s"],
        "cold_ratio": speed["ratios"]["cold"],
        "warm_p50_ms": largest["ask"]["p50_ms"],
        "warm_p95_ms": largest["ask"]["p95_ms"],
        "seed_p50_ms": speed["warm"]["chipbot"]["ask"]["p50_ms"],
        "ingest_ratio": speed["ratios"]["ingest_chunks_per_s"],
        "timeline_p50_ms": largest["timeline"]["p50_ms"],
    }


def check_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its measured value and whether it is met."""
    values = measured(result)
    rows = []
    for label, key, limit, unit in TARGETS:
        value = values[key]
        met = value >= limit if unit == "x" else value <= limit
        rows.append({"target": label, "limit": limit, "unit": unit, "value": value, "met": met})
    return rows


def _ms(latency: dict[str, float]) -> str:
    return f"{latency['p50_ms']:.1f} / {latency['p95_ms']:.1f} ms"


def speed_table(speed: dict[str, Any]) -> str:
    """chipbot against the tutorial pipeline."""
    ing, warm, cold, ratio = speed["ingest"], speed["warm"], speed["cold"], speed["ratios"]
    c, p = ing["chipbot"], ing["peer"]
    lines = [
        "| measure | chipbot | LangChain tutorial | chipbot advantage |",
        "|---|---:|---:|---:|",
        f"| ingest, chunks/s ({speed['corpus_articles']} articles) | {c['chunks_per_s']:.1f} "
        f"({c['chunks']} chunks) | {p['chunks_per_s']:.1f} ({p['chunks']} chunks) "
        f"| {ratio['ingest_chunks_per_s']:.1f}x |",
        f"| ingest, characters embedded/s | {c['chars_per_s']:,.0f} | {p['chars_per_s']:,.0f} "
        f"| {ratio['ingest_chars_per_s']:.1f}x |",
        f"| ingest, peak memory of the process | {c['peak_rss_mb']:.0f} MB "
        f"| {p['peak_rss_mb']:.0f} MB | |",
        f"| model load before ingest | {c['model_load_s']:.2f} s | {p['model_load_s']:.2f} s | |",
        f"| warm question p50 / p95, seed index (chipbot: retrieval + answer; tutorial: "
        f"retrieval only) | {_ms(warm['chipbot']['ask'])} | {_ms(warm['peer']['search'])} "
        f"| {ratio['warm_p50']:.1f}x / {ratio['warm_p95']:.1f}x |",
        f"| cold process answering one question, median wall | {cold['chipbot_s']:.2f} s "
        f"| {cold['peer_s']:.2f} s | {ratio['cold']:.1f}x |",
    ]
    return "\n".join(lines)


def scale_table(rows: list[dict[str, Any]]) -> str:
    """How ingest, memory, disk and latency grow with the corpus."""
    lines = [
        "| passages | real vectors | ingest (of which embedding) | full embedding, est. "
        "| peak memory, ingest | memory, query process | disk | ask p50 / p95 "
        "| retrieval p50 | BM25 p50 | dense p50 | timeline p50 / p95 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        real = f"{r['embedded_for_real']:,}" + (" (rest recycled)" if r["recycled_vectors"] else "")
        estimate = r["full_embedding_estimate_s"] or 0.0
        shown = f"{estimate / 60:.0f} min" if estimate >= 90 else f"{estimate:.0f} s"
        lines.append(
            f"| {r['passages']:,} | {real} | {r['ingest_s']:.0f} s ({r['embed_s']:.0f} s) "
            f"| {shown} | {r['ingest_peak_rss_mb']:.0f} MB "
            f"| {r['query_rss_mb']:.0f} MB | {r['disk_mb']:.0f} MB | {_ms(r['ask'])} "
            f"| {r['retrieve']['p50_ms']:.1f} ms | {r['lexical']['p50_ms']:.1f} ms "
            f"| {r['dense']['p50_ms']:.1f} ms | {_ms(r['timeline'])} |"
        )
    return "\n".join(lines)


def server_table(server: dict[str, Any]) -> str:
    """Embedded Chroma against a local Chroma server."""
    if "skipped" in server:
        return f"Chroma server: skipped ({server['skipped']})."
    lines = [
        f"| store ({server['embedded']['passages']:,} passages) | ask p50 / p95 | dense search "
        "p50 | cold `chipbot ask` |",
        "|---|---:|---:|---:|",
    ]
    for label, name in (("embedded", "embedded (default)"), ("server", "`chroma run` server")):
        row = server[label]
        lines.append(
            f"| {name} | {_ms(row['ask'])} | {row['dense']['p50_ms']:.1f} ms "
            f"| {server['cold_s'][label]:.2f} s |"
        )
    return "\n".join(lines)


def targets_table(targets: list[dict[str, Any]]) -> str:
    """Each target, the measured value and whether it is met."""
    lines = ["| target | limit | measured | met |", "|---|---:|---:|:---:|"]
    for t in targets:
        sign = ">=" if t["unit"] == "x" else "<="
        lines.append(
            f"| {t['target']} | {sign} {t['limit']:g} {t['unit']} | {t['value']:.2f} {t['unit']} "
            f"| {'yes' if t['met'] else 'no'} |"
        )
    return "\n".join(lines)


def report(result: dict[str, Any]) -> str:
    """The Markdown printed to the terminal and written to the README block."""
    quick = " (quick mode: small sizes, few runs)" if result["mode"] == "quick" else ""
    return "\n\n".join(
        [
            "## Speed and scale",
            f"Measured by `python benchmarks/run.py`{quick} on {result['date'][:10]}: "
            f"{result['machine']}; load average {result['load_before']} before, "
            f"{result['load_after']} after ({result['seconds'] / 60:.0f} min).",
            speed_table(result["speed"]),
            "Scale, generated corpus (`benchmarks/corpus.py`). Embedding every passage for "
            "real would take the estimated time shown, so beyond the first "
            f"{result['plan']['scale']['distinct']:,} passages each gets a slightly perturbed "
            "copy of a real vector: latency, memory and disk are measured, retrieval quality "
            "is not.",
            scale_table(result["scale"]),
            "Chroma server versus embedded, same articles, same process (`benchmarks/server.py`):",
            server_table(result["server"]),
            "Targets (issue 5, and issue 11's timeline budget):",
            targets_table(result["targets"]),
            "Beyond one machine: `CHIPBOT_CHROMA_URL` (or `--chroma-url`) moves the vectors to "
            # Relative to docs/benchmarks.md, the page that holds the speed block.
            "a Chroma server with no other change; [deployment.md](deployment.md) "
            "describes the team setup (one Chroma server, stateless Slack app processes in "
            "HTTP mode behind a load balancer, ingestion as a job) and what the processes "
            "share.",
        ]
    )


def main() -> None:
    """Run, print, save; optionally write the README block."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small and fast (CI)")
    parser.add_argument("--readme", action="store_true", help="rewrite the speed block in docs/")
    parser.add_argument("--out", type=Path, default=None, help="JSON file to write")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder")
    parser.add_argument(
        "--from-json", type=Path, default=None, help="re-render saved results, measure nothing"
    )
    args = parser.parse_args()
    if args.from_json:
        result = json.loads(args.from_json.read_text(encoding="utf-8"))
        out = args.from_json
    else:
        with scratch_dir(args.work, "chipbot-bench-") as work:
            result = run_all(args.quick, work)
        out = args.out or RESULTS / ("quick.json" if args.quick else "latest.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    text = report(result)
    print(text)
    if not args.from_json:
        print(f"\nwritten: {out}")
    if args.readme:
        update_block("speed", text)
        print("speed block (docs/benchmarks.md) and the README's headline updated")


if __name__ == "__main__":
    main()
