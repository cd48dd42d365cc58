"""`chipbot timeline` on the dated export-controls corpus (real index, real embedder)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from retrieval.countries import countries
from retrieval.engine import Chipbot
from retrieval.models import SearchFilter
from retrieval.settings import Settings
from retrieval.timeline import Timeline

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "export-controls"
TOPIC = "Dutch export controls"


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:  # type: ignore[no-untyped-def]
    """A data dir indexing the 15 dated documents and the corpus README (undated)."""
    if not CORPUS.is_dir():
        pytest.skip(f"the export-controls corpus is not at {CORPUS}")
    from retrieval.ingest import ingest

    data_dir = tmp_path_factory.mktemp("export-controls")
    ingest([CORPUS], Settings(data_dir=data_dir), embedder)
    return data_dir


@pytest.fixture
def bot(corpus_dir: Path, embedder) -> Chipbot:  # type: ignore[no-untyped-def]
    return Chipbot(Settings(data_dir=corpus_dir), embedder=embedder)


@pytest.fixture(scope="module")
def dutch(corpus_dir: Path, embedder) -> Timeline:  # type: ignore[no-untyped-def]
    """The timeline of the Dutch measures (built once: the tests only read it)."""
    return Chipbot(Settings(data_dir=corpus_dir), embedder=embedder).timeline(TOPIC)


def _first(timeline: Timeline, *words: str, date: dt.date | None = None) -> int:
    for i, entry in enumerate(timeline.entries):
        quote = entry.citation.quote
        if all(w in quote for w in words) and (date is None or entry.citation.date == date):
            return i
    raise AssertionError(f"no entry quotes {words} (dated {date})")


def test_the_dutch_measures_are_announced_published_then_in_force_in_that_order(
    dutch: Timeline,
) -> None:
    announced = _first(dutch, "announcing")
    published = _first(dutch, "published", date=dt.date(2023, 6, 30))
    in_force = _first(dutch, "1 September 2023", "enter into force")
    assert dutch.entries[announced].citation.date == dt.date(2023, 3, 9)
    assert announced < published < in_force


def test_every_entry_quotes_its_article_verbatim(dutch: Timeline) -> None:
    for entry in dutch.entries:
        c = entry.citation
        with open(c.path, encoding="utf-8") as handle:
            assert handle.read()[c.start : c.end] == c.quote


def test_entries_follow_the_article_dates_with_undated_ones_last(dutch: Timeline) -> None:
    dates = [e.citation.date for e in dutch.entries]
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated)
    assert dates[: len(dated)] == dated  # no undated entry before a dated one


def test_each_article_gives_one_or_two_numbered_statements(dutch: Timeline) -> None:
    per_article: dict[str, int] = {}
    for entry in dutch.entries:
        per_article[entry.citation.article_id] = per_article.get(entry.citation.article_id, 0) + 1
    assert set(per_article.values()) <= {1, 2}
    assert [e.citation.n for e in dutch.entries] == list(range(1, len(dutch.entries) + 1))


def test_a_topic_naming_a_country_keeps_only_articles_that_name_it(dutch: Timeline) -> None:
    # The US rules of 7 October 2022 speak of export controls too, never of the Dutch.
    for entry in dutch.entries:
        with open(entry.citation.path, encoding="utf-8") as handle:
            assert "netherlands" in countries(handle.read())
    assert dt.date(2022, 10, 7) not in {e.citation.date for e in dutch.entries}


def test_a_sentence_about_other_countries_only_is_left_out(dutch: Timeline) -> None:
    for entry in dutch.entries:
        named = countries(entry.citation.quote)
        assert not named or "netherlands" in named, entry.citation.quote


def test_a_topic_naming_no_country_keeps_every_article(bot: Chipbot) -> None:
    timeline = bot.timeline("semiconductor export controls")
    assert dt.date(2022, 10, 7) in {e.citation.date for e in timeline.entries}


def test_since_and_until_keep_only_articles_in_range(bot: Chipbot) -> None:
    flt = SearchFilter(since=dt.date(2023, 3, 1), until=dt.date(2023, 6, 30))
    timeline = bot.timeline(TOPIC, flt=flt)
    assert timeline.entries
    assert {e.citation.date for e in timeline.entries} <= {
        dt.date(2023, 3, 9),
        dt.date(2023, 6, 30),
    }


def test_the_sentence_scorer_decides_which_sentences_are_chosen(bot: Chipbot) -> None:
    def prefers_gallium(topic: str, sentences: Sequence[str]) -> list[float]:
        return [float("gallium" in s) for s in sentences]

    timeline = bot.timeline("China's gallium export controls", scorer=prefers_gallium, k=10)
    best = [e for e in timeline.entries if e.score == 1.0]
    assert best
    assert all("gallium" in e.citation.quote for e in best)


def test_relative_dates_are_resolved_for_display_only(dutch: Timeline) -> None:
    entry = dutch.entries[_first(dutch, "announcing")]
    assert "yesterday (8 Mar 2023)" in entry.annotated
    assert "(8 Mar 2023)" not in entry.citation.quote


def _run(corpus_dir: Path, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        main, [args[0], "--data-dir", str(corpus_dir), *args[1:]], input=stdin
    )


def test_cli_json_lists_the_entries_and_show_n_opens_entry_n(corpus_dir: Path) -> None:
    result = _run(corpus_dir, "timeline", "--json", TOPIC, "--since", "2023-06-01")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.output)["entries"]
    assert entries
    shown = _run(corpus_dir, "show", "--json", str(entries[-1]["n"]))
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["quote"] == entries[-1]["quote"]


def test_cli_prints_articles_by_date_and_marks_undated_ones(corpus_dir: Path) -> None:
    result = _run(corpus_dir, "timeline", "export-controls documents and their sources")
    assert result.exit_code == 0, result.output
    assert "undated ·" in result.output
    assert result.output.index("Oct 2022") < result.output.index("undated ·")


def test_cli_names_the_speaker_of_a_statement_from_inside_a_press_conference_turn(
    corpus_dir: Path,
) -> None:
    result = _run(corpus_dir, "timeline", "Japan joining the US export controls")
    assert result.exit_code == 0, result.output
    assert re.search(r"\[\d+\] (Q|A): “", result.output), result.output


def test_a_statement_names_its_speaker_only_when_its_quote_does_not(dutch: Timeline) -> None:
    for entry in dutch.entries:
        quote = entry.citation.quote
        if entry.label:
            assert not quote.startswith(f"{entry.label}:")
            text = Path(entry.citation.path).read_text(encoding="utf-8")
            turn_start = text.rfind(f"\n{entry.label}:", 0, entry.citation.start)
            assert turn_start != -1, entry


def test_cli_names_the_dates_searched_when_no_article_in_them_speaks(corpus_dir: Path) -> None:
    result = _run(corpus_dir, "timeline", TOPIC, "--since", "2024-01-01")
    assert result.exit_code == 0, result.output
    assert "No indexed article dated on or after 1 Jan 2024 says anything" in result.output


def test_an_off_topic_topic_gets_no_timeline(bot: Chipbot) -> None:
    assert bot.timeline("bananas in Peru").entries == []


def test_the_relevance_cut_off_can_be_lifted(bot: Chipbot) -> None:
    assert bot.timeline("bananas in Peru", min_score=float("-inf")).entries


CHANGE = "How have the Dutch export controls changed over time?"


def test_an_answer_about_change_is_followed_by_the_timeline_of_its_question(bot: Chipbot) -> None:
    answer = bot.ask(CHANGE)
    timeline = bot.timeline_after(answer)
    assert timeline is not None
    assert timeline.topic == CHANGE
    assert [e.citation.quote for e in timeline.entries] == [
        e.citation.quote for e in bot.timeline(CHANGE).entries
    ]


def test_an_answer_to_any_other_question_has_no_timeline_after_it(bot: Chipbot) -> None:
    answer = bot.ask("Has the Netherlands restricted exports of chipmaking equipment yet?")
    assert not answer.temporal["change"]
    assert bot.timeline_after(answer) is None


def test_a_declined_question_about_change_has_no_timeline_after_it(bot: Chipbot) -> None:
    answer = bot.ask("How have banana prices in Peru changed over time?")
    assert answer.abstained
    assert bot.timeline_after(answer) is None


def test_the_timeline_after_an_answer_keeps_to_the_dates_asked_for(bot: Chipbot) -> None:
    answer = bot.ask(CHANGE)
    timeline = bot.timeline_after(answer, SearchFilter(since=dt.date(2023, 6, 1)))
    assert timeline is not None
    assert timeline.entries
    assert all(e.date and e.date >= dt.date(2023, 6, 1) for e in timeline.entries)


def test_numbering_a_timeline_after_an_answer_keeps_its_quotes(dutch: Timeline) -> None:
    renumbered = dutch.numbered_from(4)
    assert [e.citation.n for e in renumbered.entries] == list(range(4, 4 + len(dutch.entries)))
    assert [e.citation.quote for e in renumbered.entries] == [
        e.citation.quote for e in dutch.entries
    ]


def test_cli_ask_about_change_prints_the_answer_then_its_timeline(corpus_dir: Path) -> None:
    result = _run(corpus_dir, "ask", CHANGE)
    assert result.exit_code == 0, result.output
    sources, timeline = result.output.index("Sources"), result.output.index("Timeline:")
    assert sources < timeline
    assert "1 September 2023" in result.output[timeline:]


def test_cli_ask_json_numbers_the_timeline_after_the_sources_and_show_opens_both(
    corpus_dir: Path,
) -> None:
    result = _run(corpus_dir, "ask", "--json", CHANGE)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    cited, entries = data["citations"], data["timeline"]["entries"]
    assert [c["n"] for c in cited + entries] == list(range(1, len(cited) + len(entries) + 1))
    for item in (cited[0], entries[-1]):
        shown = _run(corpus_dir, "show", "--json", str(item["n"]))
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.output)["quote"] == item["quote"]


def test_cli_ask_json_about_anything_else_has_no_timeline(corpus_dir: Path) -> None:
    result = _run(corpus_dir, "ask", "--json", "Who is the Dutch trade minister?")
    assert result.exit_code == 0, result.output
    assert "timeline" not in json.loads(result.output)


def test_chat_follows_an_answer_about_change_with_its_timeline_and_shows_its_entries(
    corpus_dir: Path,
) -> None:
    result = _run(corpus_dir, "chat", stdin=f"{CHANGE}\nshow 3\nquit\n")
    assert result.exit_code == 0, result.output
    timeline = result.output.index("Timeline:")
    assert "[3]" in result.output[timeline:]
    assert "characters" in result.output[timeline:]  # `show 3` opened a statement
