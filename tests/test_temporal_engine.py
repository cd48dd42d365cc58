"""Time in `Chipbot.ask` and the CLI: bounds, "as of", newest first, the age note."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from retrieval.answer.base import AnswerGenerator
from retrieval.engine import Chipbot
from retrieval.models import Answer, Passage, SearchFilter
from retrieval.settings import Settings
from retrieval.temporal import TemporalIntent

pytestmark = pytest.mark.slow

D = dt.date
DUTCH_RULES = (
    "The Dutch government today published a ministerial order restricting exports of "
    "advanced chipmaking equipment. From 1 September 2023 the Netherlands requires an "
    "export licence for advanced semiconductor manufacturing equipment, the trade "
    "minister said."
)


def _article(folder: Path, name: str, body: str, date: dt.date | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.txt"
    header = f"date {date.isoformat()}\n\n" if date else ""
    path.write_text(header + body + "\n", encoding="utf-8")
    return path


def test_as_of_leads_the_answer_and_bounds_the_articles(engine: Chipbot) -> None:
    answer = engine.ask("What did Japan say about export controls?", as_of=D(2023, 1, 15))
    assert answer.answer.startswith("As of 15 Jan 2023: ")
    assert answer.as_of == D(2023, 1, 15)
    assert {p.date for p in answer.passages} == {D(2023, 1, 13)}


def test_as_of_in_the_question_works_like_the_option(engine: Chipbot) -> None:
    answer = engine.ask("As of 15 January 2023, what did Japan say about export controls?")
    assert answer.answer.startswith("As of 15 Jan 2023: ")
    assert answer.temporal["until"] == "2023-01-15"
    assert {p.date for p in answer.passages} == {D(2023, 1, 13)}


def test_the_callers_until_wins_over_the_questions(engine: Chipbot) -> None:
    flt = SearchFilter(until=D(2023, 1, 31))
    answer = engine.ask("What did Kurt Campbell say as of 14 January 2023?", flt=flt)
    assert D(2023, 1, 19) in {p.date for p in answer.passages}


def test_options_that_keep_no_article_say_so_beside_the_decline(engine: Chipbot) -> None:
    answer = engine.ask(
        "What did Japan say about export controls?", flt=SearchFilter(since=D(2024, 1, 1))
    )
    assert answer.abstained
    assert "No article matched among those dated on or after 1 Jan 2024." in answer.notes


def test_a_period_that_dates_the_event_falls_back_to_all_dates(engine: Chipbot) -> None:
    answer = engine.ask("Why did the Biden administration impose export controls in October?")
    assert not answer.abstained
    assert any("searched articles of any date" in note for note in answer.notes)


def test_latest_state_questions_put_the_newest_articles_first(
    engine: Chipbot, tmp_path: Path
) -> None:
    engine.ingest([_article(tmp_path, "dutch-order", DUTCH_RULES, D(2023, 6, 30))])
    answer = engine.ask("Has the Netherlands restricted exports of chipmaking equipment yet?")
    assert answer.temporal["latest"] is True
    assert answer.passages[0].date == D(2023, 6, 30)
    dates = [p.date for p in answer.passages if p.date is not None]
    assert dates == sorted(dates, reverse=True)


def test_an_as_of_question_reads_the_newest_articles_within_its_bounds_first(
    engine: Chipbot, tmp_path: Path
) -> None:
    engine.ingest([_article(tmp_path, "dutch-order", DUTCH_RULES, D(2023, 6, 30))])
    answer = engine.ask("As of 31 January 2023, had the Netherlands agreed to restrict exports?")
    dates = [p.date for p in answer.passages if p.date is not None]
    assert dates
    assert max(dates) <= D(2023, 1, 31)
    assert dates == sorted(dates, reverse=True)
    if len({c.date for c in answer.citations}) > 1:
        assert answer.citations[0].date == max(c.date for c in answer.citations if c.date)


def test_a_question_about_a_time_after_every_article_is_declined_saying_so(
    engine: Chipbot,
) -> None:
    answer = engine.ask("What did Japan change in its March 2024 update to the export rules?")
    assert answer.abstained
    assert answer.citations == []
    assert "end on 19 Jan 2023" in answer.answer
    assert "March 2024" in answer.answer
    assert answer.passages  # the nearest passages are still listed


def test_a_day_without_a_year_just_after_every_article_is_declined_saying_so(
    engine: Chipbot,
) -> None:
    # The seeds run 13-19 Jan 2023: "January 27" is 27 Jan 2023, not 27 Jan 2022.
    answer = engine.ask("What did Japan finally agree to in its January 27 deal?")
    assert answer.abstained
    assert "end on 19 Jan 2023" in answer.answer
    assert "January 27" in answer.answer


def test_a_sentence_that_speaks_of_the_later_time_still_answers(
    engine: Chipbot, tmp_path: Path
) -> None:
    engine.ingest([_article(tmp_path, "dutch-order", DUTCH_RULES, D(2023, 6, 30))])
    answer = engine.ask("What will Dutch exporters of chipmaking equipment need in September 2023?")
    assert not answer.abstained
    assert any("1 September 2023" in c.quote for c in answer.citations)


def test_an_undated_article_is_never_ranked_newest(engine: Chipbot, tmp_path: Path) -> None:
    engine.ingest([_article(tmp_path, "undated-order", DUTCH_RULES, None)])
    answer = engine.ask("Has the Netherlands restricted exports of chipmaking equipment yet?")
    assert any(p.date is None for p in answer.passages)
    assert answer.passages[0].date is not None
    assert engine.newest_date() == D(2023, 1, 19)
    assert engine.index.oldest_date() == D(2023, 1, 13)


def test_a_newer_article_changes_what_comes_first(engine: Chipbot, tmp_path: Path) -> None:
    question = "Has the Netherlands restricted exports of chipmaking equipment yet?"
    before = engine.ask(question).passages[0].date
    engine.ingest([_article(tmp_path, "dutch-order", DUTCH_RULES, D(2023, 6, 30))])
    after = engine.ask(question).passages[0].date
    assert (before, after) == (D(2023, 1, 19), D(2023, 6, 30))


def _with_newer_unrelated_article(engine: Chipbot, tmp_path: Path) -> None:
    body = "China announced export controls on gallium and germanium, two metals used in chips."
    engine.ingest([_article(tmp_path, "gallium", body, D(2023, 8, 1))])


def test_an_answer_from_old_articles_only_says_so(engine: Chipbot, tmp_path: Path) -> None:
    _with_newer_unrelated_article(engine, tmp_path)
    answer = engine.ask("Which company is Japan's leading maker of chip manufacturing equipment?")
    assert answer.citations
    (note,) = [n for n in answer.notes if n.startswith("All sources are old")]
    assert "1 Aug 2023" in note
    assert "more than 180 days" in note


def test_the_age_note_follows_the_setting(
    seed_settings: Settings, embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CHIPBOT_STALE_AFTER_DAYS", "0")
    settings = Settings(data_dir=seed_settings.data_dir)
    assert settings.stale_after_days == 0
    engine = Chipbot(settings, embedder=embedder)
    _with_newer_unrelated_article(engine, tmp_path)
    answer = engine.ask("Which company is Japan's leading maker of chip manufacturing equipment?")
    assert not [n for n in answer.notes if n.startswith("All sources are old")]


def test_the_answer_json_carries_the_temporal_intent(engine: Chipbot) -> None:
    data = engine.ask("Is Japan still weighing the US request?").to_dict()
    assert data["as_of"] is None
    assert data["temporal"]["latest"] is True


class _RecordingGenerator:
    """Wraps the real generator; records the temporal intent and passages it is handed."""

    name = "recording"

    def __init__(self, inner: AnswerGenerator) -> None:
        self.inner = inner
        self.pool = getattr(inner, "pool", 5)
        self.seen: list[TemporalIntent | None] = []
        self.read: list[list[Passage]] = []

    def condense(self, question: str, history: Sequence[str]) -> str:
        return self.inner.condense(question, history)

    def generate(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[str] = (),
        on_token: Callable[[str], None] | None = None,
        temporal: TemporalIntent | None = None,
    ) -> Answer:
        self.seen.append(temporal)
        self.read.append(list(passages))
        return self.inner.generate(question, passages, history, on_token)


def test_a_generator_that_takes_the_intent_is_given_it(seed_settings: Settings, embedder) -> None:  # type: ignore[no-untyped-def]
    generator = _RecordingGenerator(Chipbot(seed_settings, embedder=embedder).generator)
    engine = Chipbot(seed_settings, embedder=embedder, generator=generator)
    engine.ask("What had Japan said as of 15 January 2023?")
    assert [t.as_of if t else None for t in generator.seen] == [D(2023, 1, 15)]


@pytest.mark.parametrize(
    "question",
    [
        "Has the Netherlands restricted exports of chipmaking equipment yet?",
        "As of 15 January 2023, what did Japan say about export controls?",
        "Why is Japan hesitant to match the US controls?",
        # No seed is from October: the answer reads every date instead.
        "Why did the Biden administration impose export controls on China in October?",
    ],
)
def test_passages_for_is_what_the_generator_reads(
    seed_settings: Settings,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    question: str,
) -> None:
    # The reader is fitted on passages_for: it must learn from what answers are made of.
    generator = _RecordingGenerator(Chipbot(seed_settings, embedder=embedder).generator)
    engine = Chipbot(seed_settings, embedder=embedder, generator=generator)
    engine.ingest([_article(tmp_path, "dutch-order", DUTCH_RULES, D(2023, 6, 30))])
    engine.ask(question)
    read = [(p.id, p.start, p.end, p.text) for p in generator.read[-1]]
    assert read == [(p.id, p.start, p.end, p.text) for p in engine.passages_for(question)]


def _run(settings: Settings, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [args[0], "--data-dir", str(settings.data_dir), *args[1:]])


def test_cli_as_of_leads_the_json_answer(seed_settings: Settings) -> None:
    result = _run(seed_settings, "ask", "--json", "--as-of", "2023-01-15", "What did Japan say?")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["answer"].startswith("As of 15 Jan 2023: ")
    assert data["as_of"] == "2023-01-15"


def test_cli_as_of_with_until_is_a_usage_error(seed_settings: Settings) -> None:
    result = _run(seed_settings, "ask", "--as-of", "2023-01-15", "--until", "2023-01-20", "Hi?")
    assert result.exit_code == 2
    assert "--as-of" in result.output


def test_docs_shows_the_newest_article_date(seed_settings: Settings) -> None:
    result = _run(seed_settings, "docs")
    assert result.exit_code == 0, result.output
    assert "newest: 19 Jan 2023" in result.output


def test_status_reports_the_newest_article_date(seed_settings: Settings) -> None:
    result = _run(seed_settings, "status", "--json")
    assert json.loads(result.output)["newest_article"] == "2023-01-19"


def test_show_resolves_relative_dates_without_changing_the_quote(
    seed_settings: Settings, seed_texts: dict[str, str]
) -> None:
    article = "004_14cfe8a582b153d6"
    start = seed_texts[article].index("during their meeting on Friday")
    end = start + len("during their meeting on Friday")
    ref = f"{article}:{start}-{end}"
    shown = _run(seed_settings, "show", ref)
    assert "on Friday (13 Jan 2023)" in " ".join(shown.output.split())
    data = json.loads(_run(seed_settings, "show", "--json", ref).output)
    assert data["quote"] == "during their meeting on Friday"
    assert data["annotated"] == "during their meeting on Friday (13 Jan 2023)"


def test_each_period_asked_about_gets_its_own_passages(engine: Chipbot, tmp_path: Path) -> None:
    engine.ingest([_article(tmp_path, "dutch-order", DUTCH_RULES, D(2023, 6, 30))])
    question = "What did the Dutch say about export controls in January 2023 and in June 2023?"
    answer = engine.ask(question, k=2)
    # The seeds' January passages outnumber the one June article; each period still
    # gets its share of the passages read, and the answer speaks of both.
    assert {p.date.month for p in answer.passages if p.date} == {1, 6}
    assert {c.date.month for c in answer.citations if c.date} == {1, 6}
