"""The Chipbot front door over a real index of the seeds."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from retrieval.engine import Chipbot, surrounding
from retrieval.errors import CitationError, MissingIndexError, QuestionError
from retrieval.models import SearchFilter
from retrieval.settings import Settings

pytestmark = pytest.mark.slow


def _file_text(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def test_an_answer_cites_verbatim_spans_with_their_dates(engine: Chipbot) -> None:
    answer = engine.ask("Which company is Japan's leading maker of chip manufacturing equipment?")
    assert not answer.abstained
    assert "Tokyo Electron" in answer.answer
    assert answer.citations
    for citation in answer.citations:
        assert _file_text(citation.path)[citation.start : citation.end] == citation.quote
        assert citation.date in {dt.date(2023, 1, 13), dt.date(2023, 1, 19)}


def test_every_marker_in_the_answer_resolves_to_a_citation(engine: Chipbot) -> None:
    answer = engine.ask("What did Mark Rutte say in his interview with Dutch television?")
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert numbers == {c.n for c in answer.citations}


def test_the_answer_states_the_article_date(engine: Chipbot) -> None:
    answer = engine.ask("Who is Japan's ambassador to the United States?")
    assert "19 Jan 2023" in answer.answer


def test_an_off_topic_question_is_declined_with_the_nearest_passages(engine: Chipbot) -> None:
    answer = engine.ask("What is a good recipe for banana bread?")
    assert answer.abstained
    assert answer.answer.startswith("The indexed articles don't say")
    assert answer.citations == []
    assert answer.passages


@pytest.mark.parametrize(
    "question",
    ["What is the recipe for pancakes?", "What is the main ingredient of sushi?"],
)
def test_an_off_topic_question_sharing_a_word_with_the_articles_is_declined(
    engine: Chipbot, question: str
) -> None:
    assert engine.ask(question).abstained


def test_a_count_the_articles_never_give_is_declined(engine: Chipbot) -> None:
    # Issue 10's example: "27 per cent of global market share" is a number, not of jobs.
    assert engine.ask("How many jobs will the controls cost in Japan?").abstained


def test_a_count_the_articles_give_is_answered(engine: Chipbot) -> None:
    answer = engine.ask("What share of the global market do Japanese toolmakers hold?")
    assert not answer.abstained
    assert "27 per cent" in answer.answer


@pytest.mark.parametrize("question", ["", "   \n\t "])
def test_an_empty_question_is_refused(engine: Chipbot, question: str) -> None:
    with pytest.raises(QuestionError, match="empty"):
        engine.ask(question)


def test_an_overlong_question_is_refused_with_the_limit(engine: Chipbot) -> None:
    with pytest.raises(QuestionError, match="limit is 2,000"):
        engine.ask("x" * 2001)


def test_a_followup_is_read_with_the_earlier_question(engine: Chipbot) -> None:
    answer = engine.ask("And the Netherlands?", history=["What has Japan agreed to?"])
    assert answer.question == "And the Netherlands?"
    assert answer.standalone_question == "What has the Netherlands agreed to?"


def test_a_date_filter_keeps_only_articles_in_range(engine: Chipbot) -> None:
    passages = engine.retrieve("export controls", flt=SearchFilter(since=dt.date(2023, 1, 15)), k=5)
    assert passages
    assert {p.date for p in passages} == {dt.date(2023, 1, 19)}


def test_a_reference_resolves_to_the_file_text(engine: Chipbot) -> None:
    article = engine.articles()[0]
    citation = engine.resolve(f"{article.id}:17-27")
    assert citation.quote == _file_text(article.path)[17:27]


@pytest.mark.parametrize("ref", ["nonsense", "000_35dad6a91730d5a0:9-2", "nope:1-2"])
def test_a_bad_reference_is_a_clear_error(engine: Chipbot, ref: str) -> None:
    with pytest.raises((CitationError, Exception), match=r"\S"):
        engine.resolve(ref)


def test_context_refuses_a_span_whose_file_changed(engine: Chipbot, tmp_path: Path) -> None:
    answer = engine.ask("Who is Daniel Russel?")
    citation = answer.citations[0]
    copy = tmp_path / "changed.txt"
    copy.write_text("something else entirely " * 50, encoding="utf-8")
    moved = type(citation)(**{**citation.__dict__, "path": str(copy)})
    with pytest.raises(CitationError, match="changed since it was indexed"):
        engine.context(moved)


def test_surrounding_returns_the_span_inside_its_paragraph() -> None:
    text = "First para.\n\nAlpha beta gamma delta. Epsilon.\n\nLast."
    start = text.index("gamma")
    before, span, after = surrounding(text, start, start + 5, 100)
    assert (before, span, after) == ("Alpha beta ", "gamma", " delta. Epsilon.")


def test_ensure_index_builds_from_the_seeds_when_none_exists(
    tmp_path: Path, seeds_dir: Path, embedder: object
) -> None:
    settings = Settings(data_dir=tmp_path / "fresh", seeds_dir=seeds_dir)
    bot = Chipbot(settings, embedder=embedder)  # type: ignore[arg-type]
    messages: list[str] = []
    bot.ensure_index(progress=messages.append)
    assert len(bot.articles()) == 2
    assert any("seed" in m for m in messages)


def test_without_an_index_or_seeds_the_error_says_what_to_run(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "none", seeds_dir=tmp_path / "no-seeds")
    with pytest.raises(MissingIndexError, match="chipbot ingest"):
        Chipbot(settings).ensure_index()


def test_the_langchain_retriever_returns_verifiable_documents(engine: Chipbot) -> None:
    from retrieval.langchain_retriever import ChipbotRetriever

    retriever = ChipbotRetriever(retriever=engine.retriever, k=3)
    documents = retriever.invoke("Tokyo Electron revenue from China")
    assert len(documents) == 3
    for doc in documents:
        meta = doc.metadata
        assert _file_text(meta["path"])[meta["start"] : meta["end"]] == doc.page_content
        assert meta["date"] in {"2023-01-13", "2023-01-19"}
        assert doc.id == f"{meta['article_id']}:{meta['chunk_no']}"
