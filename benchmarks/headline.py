"""The README's headline figures, quoted from the runners' full tables.

The README repeats a few numbers of the tables in ``docs/`` (quality on the gold sets,
the public benchmarks, speed against the tutorial). They are read from those tables, never
typed, so they cannot drift from them: :func:`benchmarks.readme.update_block` calls
:func:`render` whenever it writes one of the :data:`SOURCES` blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

BLOCK = "headline"
#: The blocks the headline quotes.
SOURCES = frozenset(
    {
        "seeds-eval",
        "export-controls-eval",
        "public-benchmarks-scifact",
        "public-benchmarks-realtimeqa",
        "speed",
    }
)


@dataclass(frozen=True)
class Table:
    """A Markdown table: its column labels and its rows of cells."""

    columns: list[str]
    rows: list[list[str]]


def tables(markdown: str) -> list[Table]:
    """Every pipe table in ``markdown``, in order."""
    found: list[Table] = []
    lines: list[list[str]] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            lines.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        if len(lines) >= 2:
            # lines[1] is the |---| rule under the header.
            found.append(Table(lines[0], lines[2:]))
        lines = []
    return found


def cell(markdown: str, row: str, column: str, block: str) -> str:
    """The cell in the first table of ``markdown`` with ``column`` and a row starting ``row``.

    Raises ``SystemExit`` naming the block, row and column when there is none, so a runner
    whose table changed shape fails loudly instead of leaving a stale headline.
    """
    for table in tables(markdown):
        if column not in table.columns:
            continue
        for cells in table.rows:
            if cells[0].startswith(row):
                return cells[table.columns.index(column)]
    raise SystemExit(
        f"headline: block {block!r} has no table with column {column!r} and a row {row!r}; "
        "update benchmarks/headline.py to the table's new shape"
    )


def render(read: Callable[[str], str]) -> str:
    """The headline block's Markdown; ``read(name)`` returns a source block's text."""

    def get(block: str, row: str, column: str) -> str:
        return cell(read(block), row, column, block)

    seeds = [get("seeds-eval", "all", c) for c in ("n", "hit@5", "correct", "cit. precision")]
    unanswerable = get("seeds-eval", "unanswerable", "n")
    declined = get("seeds-eval", "unanswerable", "abst. recall")
    off_topic = get("seeds-eval", "off-topic", "n")
    off_declined = get("seeds-eval", "off-topic", "abst. recall")
    export = [
        get("export-controls-eval", "all", c) for c in ("n", "hit@5", "correct", "cit. precision")
    ]
    newest = "right, newest cited first"
    latest = [get("export-controls-eval", "latest", c) for c in ("n", newest)]
    as_of = [get("export-controls-eval", "as-of", c) for c in ("n", newest)]
    scifact = {
        mode: get("public-benchmarks-scifact", mode, "nDCG@10") for mode in ("hybrid", "dense")
    }
    published = {
        mode: get("public-benchmarks-scifact", mode, "published nDCG@10").split(" ")[0]
        for mode in ("dense", "bm25")
    }
    rtqa = "public-benchmarks-realtimeqa"
    mc = get(rtqa, "chipbot, offline", "all")
    gpt3 = get(rtqa, "GPT-3 + Google Custom Search", "all")
    rag = get(rtqa, "RAG + Google Custom Search", "all")
    hits = get(rtqa, "chipbot (hybrid", "Hits@5")
    tutorial_hits = get(rtqa, "LangChain tutorial", "Hits@5")
    cold = "cold process answering one question"
    cold_ours, cold_tutorial, cold_ratio = (
        get("speed", cold, c) for c in ("chipbot", "LangChain tutorial", "chipbot advantage")
    )
    warm = get("speed", "warm question p50 / p95, seed index", "chipbot")
    # The scale table's last row is its largest index.
    scale = next((t for t in tables(read("speed")) if "ask p50 / p95" in t.columns), None)
    if scale is None or not scale.rows:
        raise SystemExit("headline: block 'speed' has no scale table (column 'ask p50 / p95')")
    largest = scale.rows[-1]
    largest_warm = largest[scale.columns.index("ask p50 / p95")]
    return "\n".join(
        [
            f"- **Seed gold set** ({seeds[0]} questions, {unanswerable} unanswerable, "
            f"{off_topic} more off topic): hit@5 {seeds[1]}, correct answers {seeds[2]}, "
            f"citation precision {seeds[3]}, unanswerable questions declined {declined}, "
            f"off-topic ones {off_declined}.",
            f"- **Export-controls gold set** ({export[0]} questions, the seeds plus the "
            f"export-controls corpus): hit@5 {export[1]}, correct answers {export[2]}, "
            f"citation precision {export[3]}; latest-state questions right with the newest "
            f'relevant article cited first {latest[1]} ({latest[0]} questions), "as of" '
            f"questions {as_of[1]} ({as_of[0]}).",
            f"- **SciFact** (BEIR): hybrid retrieval nDCG@10 {scifact['hybrid']}; dense alone "
            f"{scifact['dense']} (published for MiniLM: {published['dense']}), published BM25 "
            f"{published['bm25']}.",
            f"- **RealTime QA**: multiple-choice accuracy {mc} offline, no LLM (published: "
            f"GPT-3 + Google search {gpt3}, RAG + Google search {rag}); the gold article in "
            f"the top 5 for {hits} of the CNN questions (LangChain tutorial pipeline: "
            f"{tutorial_hits}).",
            f"- **Speed**: cold `chipbot ask` {cold_ours} against {cold_tutorial} for the "
            f"LangChain tutorial ({cold_ratio}); warm question p50 / p95 {warm} on the seeds, "
            f"{largest_warm} at {largest[0]} passages.",
        ]
    )
