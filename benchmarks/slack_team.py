"""A team's Slack deployment under Slack's retries: N events, each delivered twice at once
(the first try and Slack's retry) to two ``chipbot slack --http`` processes sharing one
PostgreSQL database, round-robin; counts the events answered exactly once.

    python benchmarks/slack_team.py [--events 50] [--control] [--no-docs] [--json]

Everything runs on this machine: a throwaway PostgreSQL cluster (Debian's ``postgresql``
binaries), the Slack Web API stand-in of the tests, the seed index. ``--control`` also runs
the same deliveries with a SQLite file per process (what two hosts had before the shared
database) to show what the shared database prevents. Figures go to docs/deployment.md
between the ``slack-team`` markers unless ``--no-docs``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.readme import machine, update_block  # noqa: E402
from tests.db.pg_cluster import running_cluster  # noqa: E402
from tests.db.team import AppProcess, deliver_twice, peers, running_apps, totals  # noqa: E402
from tests.slack.fake_slack import FakeSlack  # noqa: E402
from tests.slack.slack_harness import CITED, FIRST, UNANSWERABLE  # noqa: E402

DOCS = ROOT / "docs" / "deployment.md"
QUESTIONS = (CITED, FIRST, UNANSWERABLE)
PROCESSES = 2
WAIT_S = 900


def seed_index(root: Path) -> Path:
    """A data dir with the seed index, built once (each app process gets a copy)."""
    from retrieval.engine import Chipbot
    from retrieval.settings import Settings

    data_dir = root / "seed-index"
    Chipbot.from_settings(Settings(data_dir=data_dir)).ensure_index()
    return data_dir


def run(events: int, database_urls: list[str], index: Path, root: Path) -> dict[str, Any]:
    """Deliver ``events`` events twice each to the apps; what happened to each."""
    fake = FakeSlack()
    data_dirs = [root / f"host{i}" for i in range(len(database_urls))]
    for data_dir in data_dirs:
        shutil.copytree(index, data_dir)
    try:
        with running_apps(data_dirs, database_urls, fake, root) as apps:
            return _deliver(events, apps, fake)
    finally:
        fake.close()


def _deliver(events: int, apps: list[AppProcess], fake: FakeSlack) -> dict[str, Any]:
    targets = peers(apps, fake)
    threads: list[tuple[str, str]] = []
    ack_ms: list[float] = []
    started = time.perf_counter()
    for i in range(events):
        event = targets[0].mention_event(QUESTIONS[i % len(QUESTIONS)], channel=f"C{i % 5}")
        t0 = time.perf_counter()
        replies = deliver_twice(targets, event, f"EvBENCH{i:04d}", i)
        ack_ms.append((time.perf_counter() - t0) * 1000)
        if any(r.status != 200 for r in replies):
            raise SystemExit(f"event {i}: HTTP {[r.status for r in replies]}")
        threads.append((str(event["channel"]), str(event["ts"])))
    delivered_s = time.perf_counter() - started

    def accounted() -> bool:
        # Every delivery answered or dropped, and every answer posted.
        handled = totals(apps, "chipbot_questions_total") + totals(
            apps, "chipbot_duplicate_deliveries_total"
        )
        posted = sum(len(targets[0].answers_in(c, ts)) for c, ts in threads)
        return handled >= 2 * events and posted >= totals(apps, "chipbot_questions_total")

    fake.wait_for(accounted, WAIT_S)
    done_s = time.perf_counter() - started
    counts = [len(targets[0].answers_in(c, ts)) for c, ts in threads]
    per_process = [int(a.metrics().get("chipbot_questions_total", 0)) for a in apps]
    return {
        "events": events,
        "deliveries": 2 * events,
        "answered_once": counts.count(1),
        "answered_twice_or_more": sum(1 for c in counts if c > 1),
        "unanswered": counts.count(0),
        "answers_posted": sum(counts),
        "answered_per_process": per_process,
        "duplicates_dropped": int(totals(apps, "chipbot_duplicate_deliveries_total")),
        "ack_ms_p50": round(statistics.median(ack_ms), 1),
        "ack_ms_p95": round(sorted(ack_ms)[int(0.95 * (len(ack_ms) - 1))], 1),
        "delivered_s": round(delivered_s, 2),
        "all_answered_s": round(done_s, 2),
    }


def markdown(shared: dict[str, Any], control: dict[str, Any] | None) -> str:
    """The docs table."""
    rows = [("one PostgreSQL database (shared)", shared)]
    if control:
        rows.append(("a SQLite file per process (not shared)", control))
    lines = [
        "| store | events | deliveries | answered exactly once | answered twice | unanswered "
        "| answered by process | both tries acked, p50 / p95 | all answered after |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in rows:
        lines.append(
            f"| {name} | {r['events']} | {r['deliveries']} | {r['answered_once']} "
            f"| {r['answered_twice_or_more']} | {r['unanswered']} "
            f"| {' + '.join(map(str, r['answered_per_process']))} "
            f"| {r['ack_ms_p50']:.0f} / {r['ack_ms_p95']:.0f} ms | {r['all_answered_s']:.1f} s |"
        )
    lines.append("")
    lines.append(
        f"`python benchmarks/slack_team.py --events {shared['events']}"
        f"{' --control' if control else ''}` on {machine()}; two app processes with 2 workers "
        "each, the Slack Web API stand-in and PostgreSQL 15 on the same machine."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print (and record) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--control", action="store_true", help="Also run with SQLite per process.")
    parser.add_argument("--no-docs", action="store_true", help="Do not update docs/deployment.md.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="chipbot-team-") as tmp:
        root = Path(tmp)
        index = seed_index(root)
        with running_cluster() as cluster:
            url = cluster.create_database("team")
            shared = run(args.events, [url] * PROCESSES, index, root / "shared")
        control = None
        if args.control:
            urls = [f"sqlite+pysqlite:///{root}/control/store{i}.sqlite" for i in range(PROCESSES)]
            control = run(args.events, urls, index, root / "control")
    figures = {"shared_postgresql": shared, "sqlite_per_process": control}
    print(json.dumps(figures, indent=2) if args.json else markdown(shared, control))
    if not args.no_docs:
        update_block("slack-team", markdown(shared, control), DOCS)
    return 0 if shared["answered_once"] == shared["events"] else 1


if __name__ == "__main__":
    sys.exit(main())
