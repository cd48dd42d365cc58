"""How soon an answer shows in Slack, and how soon Socket Mode is back after a cut.

    python benchmarks/slack_latency.py [--questions 77] [--cuts 10] [--no-docs] [--json]

Everything runs in this process on this machine: the real app over Socket Mode (the
loopback Socket Mode stand-in of the tests), the Slack Web API stand-in, the seed index.

1. First visible text: each seeds gold-set question is sent as an ``app_mention``
   envelope, one at a time; the time from the envelope leaving the Socket Mode server to
   the first text of the answer in the thread (the Web API stand-in's clock), and to the
   checked answer replacing it. Once with Slack's streaming methods, once where they are
   unavailable (the message is posted, then updated).
2. Reconnect: the connection is dropped (TCP closed, no close frame), closed (close
   frame) or refreshed (a ``disconnect`` message), ``--cuts`` times each; an event sent
   just before the cut and one sent just after must each be answered exactly once. The
   time is from the cut to the new connection's handshake.

Figures go to docs/slack.md between the ``slack-latency`` markers unless ``--no-docs``.
"""

from __future__ import annotations

import argparse
import json
import math
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
from bot.slack.app import build_app  # noqa: E402
from bot.slack.jobs import JobPool  # noqa: E402
from bot.slack.server import SlackServer  # noqa: E402
from bot.slack.services import Engine  # noqa: E402
from bot.slack.settings import SlackSettings  # noqa: E402
from bot.slack.store import Store  # noqa: E402
from bot.slack.streaming import UPDATE_INTERVAL_S  # noqa: E402
from retrieval.settings import Settings  # noqa: E402
from tests.slack.fake_slack import FakeSlack  # noqa: E402
from tests.slack.slack_harness import SECRET, Harness  # noqa: E402
from tests.slack.socket_harness import SocketHarness  # noqa: E402

DOCS = ROOT / "docs" / "slack.md"
GOLD = ROOT / "eval" / "seeds_gold.jsonl"
CUTS = ("drop", "close_connection", "disconnect")
WAIT_S = 120.0


def questions(limit: int | None) -> list[str]:
    """The seeds gold set's questions, in file order."""
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    items = [json.loads(line)["question"] for line in lines if line.strip()]
    return items[:limit] if limit else items


def start_app(engine: Engine, root: Path, name: str, workers: int = 2) -> SocketHarness:
    """The app (real engine, store, pool) connected over Socket Mode to a fresh stand-in."""
    fake = FakeSlack()
    slack_settings = SlackSettings(
        bot_token="xoxb-bench-token",
        signing_secret=SECRET,
        api_base_url=fake.api_url,
        workers=workers,
    )
    data_dir = root / name
    store = Store(slack_settings.db_path(data_dir))
    pool = JobPool(workers, 100)
    app = build_app(Settings(data_dir=data_dir), slack_settings, engine, store=store, pool=pool)
    server = SlackServer(app, "127.0.0.1", 0)  # not used, but the harness holds one
    server.start_in_thread()
    return SocketHarness.connect(Harness(fake=fake, server=server, store=store, pool=pool))


def stop_app(sock: SocketHarness) -> None:
    """Disconnect and stop everything :func:`start_app` started."""
    sock.close()
    sock.slack.close()


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def first_text(sock: SocketHarness, texts: list[str], *, streaming: bool) -> dict[str, Any]:
    """Send each question as a mention, one at a time; when its text first showed."""
    fake = sock.slack.fake
    if not streaming:
        fake.streaming_error = "unknown_method"
    first_ms: list[float] = []
    final_ms: list[float] = []
    for i, text in enumerate(texts):
        event = sock.slack.mention_event(text, channel=f"C{i:03d}")
        ts = str(event["ts"])
        body = sock.slack.event_body(event)
        sent = time.monotonic()
        sock.stand_in.event(body)
        [answer] = sock.slack.wait_answer(event["channel"], ts)
        first = min(m.first_text_at for m in fake.thread(event["channel"], ts) if m.first_text_at)
        final = max(
            c.at
            for c in fake.calls_to("chat.update")
            if c.args.get("ts") == answer.ts and c.args.get("blocks")
        )
        first_ms.append((first - sent) * 1000)
        final_ms.append((final - sent) * 1000)
    methods = {c.method for c in fake.calls}
    return {
        "questions": len(texts),
        "streamed": "chat.appendStream" in methods or "chat.stopStream" in methods,
        "first_p50_ms": round(statistics.median(first_ms), 1),
        "first_p95_ms": round(p95(first_ms), 1),
        "first_max_ms": round(max(first_ms), 1),
        "final_p50_ms": round(statistics.median(final_ms), 1),
        "final_p95_ms": round(p95(final_ms), 1),
    }


def reconnects(sock: SocketHarness, cut: str, times: int) -> dict[str, Any]:
    """Cut the connection ``times`` times; reconnect times and what became of the events."""
    stand_in, slack = sock.stand_in, sock.slack
    seconds: list[float] = []
    threads: list[tuple[str, str]] = []
    for i in range(times):
        sessions = len(stand_in.sessions)
        before = slack.mention_event("What has Japan agreed to?", channel=f"R{cut[:2]}{i}a")
        stand_in.event(slack.event_body(before))
        started = time.monotonic()
        if cut == "disconnect":
            stand_in.disconnect("refresh_requested")
        else:
            getattr(stand_in, cut)()
        after = slack.mention_event("What has Japan agreed to?", channel=f"R{cut[:2]}{i}b")
        stand_in.event(slack.event_body(after))
        new = stand_in.wait_sessions(sessions + 1, WAIT_S)
        seconds.append(new.opened_at - started)
        threads += [(before["channel"], before["ts"]), (after["channel"], after["ts"])]
        for channel, ts in threads[-2:]:
            slack.wait_answer(channel, ts)
        stand_in.wait_for(lambda: not stand_in.unacked(), WAIT_S)
    # A sentinel: envelopes are handled in order, so a duplicate would be posted by now.
    sentinel = slack.mention_event("What has Japan agreed to?", channel="RZ")
    stand_in.event(slack.event_body(sentinel))
    slack.wait_answer("RZ", sentinel["ts"])
    counts = [len(slack.answers_in(c, ts)) for c, ts in threads]
    return {
        "cut": cut,
        "times": times,
        "reconnect_p50_s": round(statistics.median(seconds), 3),
        "reconnect_max_s": round(max(seconds), 3),
        "events": len(threads),
        "answered_once": counts.count(1),
        "lost": counts.count(0),
        "answered_twice": sum(1 for c in counts if c > 1),
    }


CUT_NAMES = {
    "drop": "dropped (TCP closed, no close frame)",
    "close_connection": "closed by the server (close frame)",
    "disconnect": "`disconnect` (refresh_requested)",
}


def markdown(latency: list[dict[str, Any]], cuts: list[dict[str, Any]]) -> str:
    """The docs tables."""
    lines = [
        "| answer delivery | questions | first text p50 / p95 / max | checked answer p50 / p95 |",
        "|---|---|---|---|",
    ]
    for r in latency:
        name = (
            "streamed (chat.startStream / appendStream / stopStream)"
            if r["streamed"]
            else f"streaming unavailable: posted, then updated (≤ 1 edit / {UPDATE_INTERVAL_S:g} s)"
        )
        lines.append(
            f"| {name} | {r['questions']} | {r['first_p50_ms']:.0f} / {r['first_p95_ms']:.0f} / "
            f"{r['first_max_ms']:.0f} ms | {r['final_p50_ms']:.0f} / {r['final_p95_ms']:.0f} ms |"
        )
    lines += [
        "",
        "| Socket Mode connection | cuts | reconnected after, p50 / max "
        "| events sent around the cuts | answered once | lost | answered twice |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in cuts:
        lines.append(
            f"| {CUT_NAMES[r['cut']]} | {r['times']} | {r['reconnect_p50_s']:.2f} / "
            f"{r['reconnect_max_s']:.2f} s | {r['events']} | {r['answered_once']} | {r['lost']} "
            f"| {r['answered_twice']} |"
        )
    lines += [
        "",
        f"`python benchmarks/slack_latency.py` on {machine()}: the seeds gold-set questions as "
        "mentions, one at a time, over Socket Mode; the app (2 workers), the Socket Mode and "
        "Web API stand-ins on the same machine. First text is timed from the envelope leaving "
        "the Socket Mode server to the first answer text in the thread.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print (and record) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=None, help="Default: all gold questions.")
    parser.add_argument("--cuts", type=int, default=10, help="Cuts of each kind.")
    parser.add_argument("--no-docs", action="store_true", help="Do not update docs/slack.md.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args(argv)

    from retrieval.engine import Chipbot

    with tempfile.TemporaryDirectory(prefix="chipbot-slack-latency-") as tmp:
        root = Path(tmp)
        engine = Chipbot.from_settings(Settings(data_dir=root / "index"))
        engine.ensure_index()
        engine.warm()
        texts = questions(args.questions)
        latency = []
        for streaming in (True, False):
            sock = start_app(engine, root, f"app-{streaming}")
            try:
                latency.append(first_text(sock, texts, streaming=streaming))
            finally:
                stop_app(sock)
        cut_results = []
        for cut in CUTS:
            sock = start_app(engine, root, f"app-{cut}")
            try:
                cut_results.append(reconnects(sock, cut, args.cuts))
            finally:
                stop_app(sock)

    if args.json:
        print(json.dumps({"latency": latency, "reconnect": cut_results}, indent=2))
    body = markdown(latency, cut_results)
    print(body)
    if not args.no_docs:
        update_block("slack-latency", body, DOCS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
