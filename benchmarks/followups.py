"""Follow-up rewriting and the answers it leads to, on eval/followups_gold.jsonl.

    python benchmarks/followups.py [--no-readme] [--no-answers] [--json] [--corpus DIR]

Two measurements per conversation (format: eval/README.md, "Follow-up conversations"):

- **rewrite**: ``condense_offline(followup, history)`` is right when it equals one of the
  accepted rewrites after case, punctuation and whitespace are normalised;
- **answer** (conversations with key facts): a fresh index of the seeds (plus the
  export-controls corpus, read in place from ``../shared/corpora/export-controls``, for
  the conversations about it) answers ``Chipbot.ask(followup, history=...)``, exactly as
  ``chipbot chat`` and Slack threads do; correct = not abstained and every key fact in the
  answer text (``retrieval.evaluation.gold.facts_present``). For comparison the same
  question is also asked as the gold rewrite (what a perfect rewriter would get from this
  reader) and as the bare follow-up without history (what no rewriting gets).

Prints a table; with ``--json`` the last line is one JSON object. Writes the block
``followups-eval`` (docs/benchmarks.md) unless ``--no-readme``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.readme import machine, update_block  # noqa: E402
from retrieval.answer.followup import condense_offline  # noqa: E402

GOLD = ROOT / "eval" / "followups_gold.jsonl"
SEEDS = ROOT / "seeds"
EXPORT_CONTROLS = ROOT.parent / "shared" / "corpora" / "export-controls"
TYPES = ("actor", "date", "why", "question-word", "who-said", "pronoun", "standalone")
CORPORA = ("seeds", "export-controls")
_FIELDS = {"id", "type", "corpus", "history", "followup", "rewrites", "key_facts", "notes"}
_REQUIRED = _FIELDS - {"notes"}


@dataclass(frozen=True)
class Conversation:
    """Earlier questions, a follow-up, its accepted standalone rewrites, and the facts a
    correct answer to it states."""

    id: str
    type: str
    corpus: str
    history: tuple[str, ...]
    followup: str
    rewrites: tuple[str, ...]
    key_facts: tuple[tuple[str, ...], ...] = ()
    notes: str | None = None


@dataclass
class Outcome:
    """What happened to one conversation."""

    conversation: Conversation
    rewritten: str
    rewrite_right: bool
    answers: dict[str, bool] = field(default_factory=dict)  # mode -> correct


def load_conversations(path: Path = GOLD) -> list[Conversation]:
    """The conversations in ``path``; ``ValueError`` naming the line for a malformed one."""
    found: list[Conversation] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        row = json.loads(line)
        if not isinstance(row, dict) or set(row) - _FIELDS or _REQUIRED - set(row):
            raise ValueError(f"{where}: fields must be {sorted(_REQUIRED)} (+ notes)")
        if row["id"] in seen:
            raise ValueError(f"{where}: duplicate id {row['id']!r}")
        if row["type"] not in TYPES or row["corpus"] not in CORPORA:
            raise ValueError(f"{where}: unknown type or corpus in {row['id']!r}")
        if not row["history"] or not row["rewrites"]:
            raise ValueError(f"{where}: {row['id']!r} needs a history and a rewrite")
        seen.add(row["id"])
        found.append(
            Conversation(
                id=row["id"],
                type=row["type"],
                corpus=row["corpus"],
                history=tuple(row["history"]),
                followup=row["followup"],
                rewrites=tuple(row["rewrites"]),
                key_facts=tuple(tuple(fact) for fact in row["key_facts"]),
                notes=row.get("notes"),
            )
        )
    return found


def normalise(text: str) -> str:
    """Lowercase, apostrophes dropped, other punctuation a space, whitespace collapsed."""
    text = re.sub(r"['’]", "", text.lower())
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def rewrite_right(conversation: Conversation, rewritten: str) -> bool:
    """Whether ``rewritten`` is one of the conversation's accepted rewrites."""
    return normalise(rewritten) in {normalise(r) for r in conversation.rewrites}


def score_rewrites(conversations: Sequence[Conversation]) -> list[Outcome]:
    """Rewrite every follow-up with the offline rewriter and judge it."""
    outcomes = []
    for conversation in conversations:
        rewritten = condense_offline(conversation.followup, list(conversation.history))
        outcomes.append(Outcome(conversation, rewritten, rewrite_right(conversation, rewritten)))
    return outcomes


Ask = Callable[[str, Sequence[str]], tuple[str, bool]]  # (question, history) -> (text, abstained)


def score_answers(outcomes: Sequence[Outcome], asks: dict[str, Ask]) -> None:
    """Fill ``outcome.answers`` for conversations with key facts whose corpus has an asker.

    Modes: ``chat`` (the follow-up with its history, through the engine), ``gold`` (the
    first accepted rewrite, no history), ``bare`` (the follow-up alone, no history).
    """
    from retrieval.evaluation.gold import facts_present

    for outcome in outcomes:
        conversation = outcome.conversation
        ask = asks.get(conversation.corpus)
        if ask is None or not conversation.key_facts:
            continue
        questions = {
            "chat": (conversation.followup, conversation.history),
            "gold": (conversation.rewrites[0], ()),
            "bare": (conversation.followup, ()),
        }
        for mode, (question, history) in questions.items():
            text, abstained = ask(question, history)
            outcome.answers[mode] = not abstained and facts_present(text, conversation.key_facts)


def _bot_asker(data_dir: Path, paths: Sequence[Path]) -> Ask:
    from retrieval.engine import Chipbot
    from retrieval.settings import Settings

    bot = Chipbot(Settings(data_dir=data_dir, seeds_dir=SEEDS))
    bot.ingest(list(paths))

    def ask(question: str, history: Sequence[str]) -> tuple[str, bool]:
        answer = bot.ask(question, history=list(history))
        return answer.answer, answer.abstained

    return ask


def summary(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Overall and per-type figures (the ``--json`` object)."""

    def figures(group: Sequence[Outcome]) -> dict[str, Any]:
        answered = [o for o in group if o.answers]
        result: dict[str, Any] = {
            "n": len(group),
            "rewrite_accuracy": _share(sum(o.rewrite_right for o in group), len(group)),
            "n_answers": len(answered),
        }
        for mode in ("chat", "gold", "bare"):
            right = sum(o.answers.get(mode, False) for o in answered)
            result[f"answer_correct_{mode}"] = _share(right, len(answered))
        return result

    overall = figures(outcomes)
    overall["by_type"] = {
        kind: figures([o for o in outcomes if o.conversation.type == kind])
        for kind in TYPES
        if any(o.conversation.type == kind for o in outcomes)
    }
    overall["by_corpus"] = {
        corpus: figures([o for o in outcomes if o.conversation.corpus == corpus])
        for corpus in CORPORA
    }
    overall["rewrite_misses"] = [
        {"id": o.conversation.id, "got": o.rewritten, "want": o.conversation.rewrites[0]}
        for o in outcomes
        if not o.rewrite_right
    ]
    overall["answer_misses"] = [
        o.conversation.id for o in outcomes if o.answers and not o.answers.get("chat")
    ]
    return overall


def _share(right: int, total: int) -> float | None:
    return round(right / total, 3) if total else None


def markdown(result: dict[str, Any]) -> str:
    """The README table: one row per conversation type, per corpus, then all."""
    lines = [
        "| follow-ups | n | rewrite right | with key facts | answer right (chat) "
        "| with gold rewrite | follow-up alone |",
        "|---|---|---|---|---|---|---|",
    ]
    by_corpus = [
        (f"all, {corpus} corpus", figures) for corpus, figures in result["by_corpus"].items()
    ]
    rows = [*result["by_type"].items(), *by_corpus, ("all", result)]
    for name, figures in rows:
        cells = [
            _cell(figures["rewrite_accuracy"]),
            str(figures["n_answers"]),
            _cell(figures["answer_correct_chat"]),
            _cell(figures["answer_correct_gold"]),
            _cell(figures["answer_correct_bare"]),
        ]
        lines.append(f"| {name} | {figures['n']} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "Rewrite right: the offline rewrite equals an accepted one (case and punctuation "
        "aside). Answer right: not declined and every key fact in the answer, asked as in "
        "`chipbot chat` (follow-up plus history); beside it the same conversation asked as "
        "the gold rewrite (this reader's ceiling) and as the follow-up alone (no rewriting)."
    )
    lines.append(
        f"Measured {dt.date.today().isoformat()} on {machine()} by "
        "`python benchmarks/followups.py`."
    )
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD, help="Conversations (JSONL).")
    parser.add_argument(
        "--corpus", type=Path, default=EXPORT_CONTROLS, help="The export-controls folder."
    )
    parser.add_argument("--no-answers", action="store_true", help="Rewrites only: no index.")
    parser.add_argument("--no-readme", action="store_true", help="Do not touch the docs.")
    parser.add_argument("--json", action="store_true", help="End with one JSON line.")
    args = parser.parse_args(argv)

    outcomes = score_rewrites(load_conversations(args.gold))
    if not args.no_answers:
        with tempfile.TemporaryDirectory() as tmp:
            asks = {"seeds": _bot_asker(Path(tmp) / "seeds", [SEEDS])}
            if args.corpus.is_dir():
                asks["export-controls"] = _bot_asker(Path(tmp) / "ec", [SEEDS, args.corpus])
            else:
                print(f"no export-controls corpus at {args.corpus}: its answers are skipped")
            score_answers(outcomes, asks)
    result = summary(outcomes)
    table = markdown(result)
    print(table)
    for miss in result["rewrite_misses"]:
        print(f"rewrite miss {miss['id']}: {miss['got']!r} (want {miss['want']!r})")
    if result["answer_misses"]:
        print("answers missing a key fact:", ", ".join(result["answer_misses"]))
    if not args.no_readme and not args.no_answers:
        update_block("followups-eval", table)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
