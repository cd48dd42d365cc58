"""``chipbot eval``: run a gold question set and report retrieval and answer quality."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.common import EXIT_FAILURE, common_options, handle_errors, load_settings
from bot.cli.render import dumps
from retrieval.engine import Chipbot
from retrieval.evaluation import METRIC_NAMES as METRICS


def _threshold_options(func):  # type: ignore[no-untyped-def]
    for name in reversed(METRICS):
        flag = "--min-" + name.replace("_", "-")
        func = click.option(
            flag,
            name,
            type=click.FloatRange(0, 1),
            default=None,
            help=f"Fail (exit 1) if {name} is below this.",
        )(func)
    return func


@click.command("eval")
@click.argument("gold_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-k",
    "top_k",
    type=click.IntRange(1, 50),
    default=5,
    show_default=True,
    help="Passages retrieved per question.",
)
@click.option("--llm", default=None, metavar="PROVIDER:MODEL", help="Evaluate a chat model.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@_threshold_options
@common_options
@handle_errors
def eval_command(
    gold_file: Path,
    top_k: int,
    llm: str | None,
    as_json: bool,
    data_dir: Path | None,
    debug: bool,
    verbose: bool,
    **minimums: float | None,
) -> None:
    """Score answers to the questions in GOLD_FILE (JSON Lines; see eval/README.md).

    A question with `since`/`until` dates is asked under those bounds, as
    `chipbot ask --since/--until` would ask it.
    """
    from retrieval.evaluation import format_report, load_gold, run_evaluation

    settings = load_settings(data_dir=data_dir, llm=llm)
    engine = Chipbot.from_settings(settings)
    engine.ensure_index(progress=lambda msg: click.echo(msg, err=True))
    texts = {a.id: engine.article_text(a) for a in engine.articles()}  # snapshots too
    questions = load_gold(gold_file, texts)

    def ask(question):  # type: ignore[no-untyped-def]
        answer = engine.ask(question.question, k=top_k, flt=question.search_filter())
        return answer, list(answer.passages)

    report = run_evaluation(questions, ask, k=top_k)
    failed = report.check({k: v for k, v in minimums.items() if v is not None})
    fallbacks = sum(r.answer.generator.endswith("->extractive") for r in report.results)
    if as_json:
        data = report.to_dict()
        if settings.llm:
            data["overall"]["llm_fallbacks"] = fallbacks
        click.echo(dumps({**data, "failed": failed}))
    else:
        click.echo(format_report(report))
        if settings.llm:
            click.echo(f"LLM answers that fell back to extractive: {fallbacks}")
        for message in failed:
            click.echo(f"FAILED: {message}", err=True)
    if failed:
        sys.exit(EXIT_FAILURE)
