"""What the generator reads around a passage: the antecedent it points back to, the line
break that shows a headline is a whole line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from retrieval.answer.decline import DeclineRule
from retrieval.answer.extractive import ExtractiveConfig, ExtractiveGenerator, candidates_of
from retrieval.context import (
    merged,
    opens_with_reference,
    with_antecedents,
    with_countries,
    with_line_ends,
    with_replies,
    with_whole_sentences,
)
from retrieval.engine import Chipbot
from retrieval.models import Passage
from retrieval.reading import read_article_text
from retrieval.settings import Settings

ORDER = (
    "date 2023-06-30\n\n"
    "Dutch order on chipmaking equipment published\n\n"
    "On 1 September 2023 additional export control measures will enter into force for "
    "advanced semiconductor manufacturing equipment. "
    "From that point on, the export of certain advanced semiconductor manufacturing "
    "equipment will be subject to a national authorisation requirement. "
    "The ministerial order was announced on 8 March in a letter to parliament. "
    "Companies were consulted on the details of the order before it was published. "
    "The order deals with a number of very specific technologies.\n"
)
QUESTION = "Do Dutch companies need an authorisation to export chipmaking equipment?"


def small_chunk_bot(
    tmp_path: Path, embedder, name: str = "dutch-order", text: str = ORDER
) -> Chipbot:  # type: ignore[no-untyped-def]
    """A bot over one article (``name``.txt holding ``text``) whose chunks hold a sentence
    or two, so antecedents fall in other chunks and a long headline fills one alone."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", chunk_chars=200)
    generator = ExtractiveGenerator(ExtractiveConfig(rule=DeclineRule.never()), embedder=embedder)
    bot = Chipbot(settings, embedder=embedder, generator=generator)
    bot.ingest([corpus])
    return bot


def chunk_opening_with(bot: Chipbot, opening: str) -> Passage:
    chunks = bot.index.chunks_of("dutch-order")
    record = next(c for c in chunks if c.text.startswith(opening))
    return Passage.from_record(record)


def test_the_chunk_opening_with_from_that_point_on_lacks_its_antecedent(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder)
    p = chunk_opening_with(bot, "From that point on")
    assert p.chunk_no > 0
    assert "On 1 September 2023" not in p.text
    assert opens_with_reference(p)


def test_such_a_passage_is_widened_back_to_the_previous_chunk_verbatim(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder)
    p = chunk_opening_with(bot, "From that point on")
    [widened] = with_antecedents([p], bot.index.get, read_article_text)
    article = (tmp_path / "corpus" / "dutch-order.txt").read_text(encoding="utf-8")
    assert widened.end == p.end
    assert widened.start < p.start
    assert article[widened.start : widened.end] == widened.text
    assert "On 1 September 2023" in widened.text
    assert widened.chunk_no == p.chunk_no  # still the passage retrieval returned


def test_a_passage_opening_with_its_own_subject_is_left_alone(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder)
    p = chunk_opening_with(bot, "The ministerial order")
    fetched: list[list[str]] = []

    def fetch(ids):  # type: ignore[no-untyped-def]
        fetched.append(list(ids))
        return bot.index.get(ids)

    assert with_antecedents([p], fetch) == [p]
    assert fetched == []  # nothing to look up, no store round trip


def test_a_previous_chunk_of_another_version_is_not_merged(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder)
    p = chunk_opening_with(bot, "From that point on")
    [previous] = bot.index.get([f"dutch-order:{p.chunk_no - 1}"])
    edited = dataclasses.replace(previous, text=previous.text.replace("1 September", "2 October"))
    assert merged(edited, p, read_article_text) is None
    assert merged(previous, p, read_article_text) is not None


def test_an_unreadable_article_file_costs_only_the_antecedent(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder)
    p = chunk_opening_with(bot, "From that point on")
    (tmp_path / "corpus" / "dutch-order.txt").unlink()
    assert with_antecedents([p], bot.index.get, read_article_text) == [p]


def test_the_answer_cites_the_antecedent_with_the_sentence_that_leans_on_it(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder)
    answer = bot.ask(QUESTION)
    leaning = next(c for c in answer.citations if "From that point on" in c.quote)
    assert leaning.quote.startswith("On 1 September 2023")
    article = (tmp_path / "corpus" / "dutch-order.txt").read_text(encoding="utf-8")
    assert article[leaning.start : leaning.end] == leaning.quote


HEADLINE = (
    "Implementation of Additional Export Controls: Certain Advanced Computing and "
    "Semiconductor Manufacturing Items; Updates to the Controls To Add Macau"
)
RULE = (
    f"date 2023-01-18\n\n{HEADLINE}\n\n"
    "This rule makes an initial update to the controls by adding the same controls "
    "implemented on China in the October rule to Macau, which the public may comment on.\n"
)


def headline_bot(tmp_path: Path, embedder) -> Chipbot:  # type: ignore[no-untyped-def]
    """A bot whose first chunk of the rule is its long headline alone."""
    return small_chunk_bot(tmp_path, embedder, "macau-rule", RULE)


def test_a_headline_alone_in_its_chunk_takes_its_line_break_along(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = headline_bot(tmp_path, embedder)
    [record] = [c for c in bot.index.chunks_of("macau-rule") if c.chunk_no == 0]
    assert record.text == HEADLINE  # the chunk ends where the headline's line ends
    [p] = with_line_ends([Passage.from_record(record)], read_article_text)
    assert p.text == HEADLINE + "\n"
    assert RULE[p.start : p.end] == p.text
    assert candidates_of([p]) == []  # a headline is never a candidate answer


def test_the_answer_never_cites_a_headline_alone_in_its_chunk(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = headline_bot(tmp_path, embedder)
    answer = bot.ask("What are the additional export controls on advanced computing items?")
    assert answer.citations
    assert all(HEADLINE not in c.quote for c in answer.citations)


def test_an_unreadable_article_file_leaves_the_passage_as_it_is(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = headline_bot(tmp_path, embedder)
    [record] = [c for c in bot.index.chunks_of("macau-rule") if c.chunk_no == 0]
    (tmp_path / "corpus" / "macau-rule.txt").unlink()
    p = Passage.from_record(record)
    assert with_line_ends([p], read_article_text) == [p]


LONG = (
    "It is hoped that the Netherlands will hold an objective and just position, adhere to "
    "market principles, respect the spirit of contract, refrain from abusing export control "
    "regimes, and safeguard the shared interests of the Netherlands and China and the "
    "companies of the two countries."
)
STATEMENT = f"date 2023-03-09\n\nForeign ministry comments\n\nChina firmly opposes them. {LONG}\n"


def test_a_sentence_too_long_for_one_chunk_is_cut_between_chunks(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder, "statement", STATEMENT)
    texts = [c.text for c in bot.index.chunks_of("statement")]
    assert LONG not in "".join(texts)  # no chunk holds it whole


def test_a_passage_cutting_a_long_sentence_is_widened_to_the_whole_sentence(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder, "statement", STATEMENT)
    records = [c for c in bot.index.chunks_of("statement") if c.text.strip() in LONG]
    assert records  # the pieces of the long sentence
    for record in records:
        [p] = with_whole_sentences([Passage.from_record(record)], read_article_text)
        assert LONG in p.text
        assert STATEMENT[p.start : p.end] == p.text


def test_a_passage_of_whole_sentences_is_left_as_it_is(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder)
    p = chunk_opening_with(bot, "From that point on")
    assert with_whole_sentences([p], read_article_text) == [p]


def test_the_answer_cites_the_long_sentence_whole(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder, "statement", STATEMENT)
    answer = bot.ask("What is China's hope for the shared interests of the two countries?")
    # (with its antecedent: "It is hoped…" leans on "China firmly opposes them.")
    assert [c.quote for c in answer.citations] == [f"China firmly opposes them. {LONG}"]


def test_a_timeline_lists_the_long_sentence_whole_never_its_pieces(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder, "statement", STATEMENT)
    timeline = bot.timeline("shared interests of the Netherlands and China", min_score=0.0)
    quotes = [e.citation.quote for e in timeline.entries]
    assert LONG in quotes
    assert all(q in {LONG, "China firmly opposes them."} for q in quotes)


def test_the_date_header_on_the_body_s_first_line_is_never_part_of_a_sentence(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    # The shipped seeds open so: " date 2023-01-13 WASHINGTON - When the Biden…".
    text = f" date 2023-03-09 BEIJING - China firmly opposes them. {LONG}\n"
    bot = small_chunk_bot(tmp_path, embedder, "statement", text)
    first = Passage.from_record(bot.index.chunks_of("statement")[0])
    assert first.text.startswith("BEIJING")
    [p] = with_whole_sentences([first], read_article_text)
    assert p.text.startswith("BEIJING")
    assert text[p.start : p.end] == p.text


def test_the_answer_never_quotes_the_date_header(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    text = " date 2023-03-09 BEIJING - China firmly opposes the new chip export rules.\n"
    bot = small_chunk_bot(tmp_path, embedder, "statement", text)
    answer = bot.ask("Does China oppose the chip export rules?")
    assert [c.quote for c in answer.citations] == [
        "BEIJING - China firmly opposes the new chip export rules."
    ]


PRESSER = (
    "date 2023-02-10\n\n"
    "Foreign Ministry Spokesperson's Regular Press Conference on February 10, 2023\n\n"
    "CCTV: According to the latest agreement the US has reached with Japan and the "
    "Netherlands, the US export control on chip products will be expanded to Japanese and "
    "Dutch companies. What's your comment?\n\n"
    "Mao Ning: The US's long-arm jurisdiction is an arbitrary judicial practice. "
    "It disrupts normal trade.\n"
)


def reporter_chunk(bot: Chipbot) -> Passage:
    record = next(c for c in bot.index.chunks_of("presser") if c.text.startswith("CCTV:"))
    return Passage.from_record(record)


def test_a_passage_ending_with_a_reporter_s_question_reaches_the_reply(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder, "presser", PRESSER)
    p = reporter_chunk(bot)
    assert "Mao Ning" not in p.text  # the chunk holds the question alone
    [widened] = with_replies([p], read_article_text)
    assert widened.text.endswith(
        "The US's long-arm jurisdiction is an arbitrary judicial practice."
    )
    assert widened.start == p.start
    assert PRESSER[widened.start : widened.end] == widened.text


def test_a_passage_ending_inside_a_reply_is_left_as_it_is(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder, "presser", PRESSER)
    record = next(c for c in bot.index.chunks_of("presser") if "Mao Ning" in c.text)
    p = Passage.from_record(record)
    assert with_replies([p], read_article_text) == [p]


def test_a_reply_beyond_reach_is_left_to_retrieval(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    long_question = "What's your comment? " + "The reporter goes on. " * 80
    text = PRESSER.replace("What's your comment?", long_question.strip())
    bot = small_chunk_bot(tmp_path, embedder, "presser", text)
    p = reporter_chunk(bot)
    assert with_replies([p], read_article_text) == [p]


def test_prose_is_never_widened(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder)
    passages = [Passage.from_record(r) for r in bot.index.chunks_of("dutch-order")]
    assert with_replies(passages, read_article_text) == passages


def test_the_answer_quotes_the_reply_when_only_the_question_was_retrieved(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder, "presser", PRESSER)
    passages = bot.with_context([reporter_chunk(bot)])
    question = "How did China respond to the US agreement with Japan and the Netherlands?"
    answer = bot.generator.generate(question, passages)
    quotes = [c.quote for c in answer.citations]
    assert any(q.startswith("Mao Ning: The US's long-arm jurisdiction") for q in quotes)


def test_each_passage_is_marked_with_the_countries_its_article_names(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder)
    passage = chunk_opening_with(bot, "From that point on")
    (marked,) = with_countries([passage], read_article_text)
    # The chunk names no country; its article's title does ("Dutch order…").
    assert "Dutch" not in passage.text
    assert marked.article_countries == frozenset({"netherlands"})


def test_an_unreadable_article_file_leaves_its_countries_unknown(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = small_chunk_bot(tmp_path, embedder)
    passage = chunk_opening_with(bot, "From that point on")
    (tmp_path / "corpus" / "dutch-order.txt").unlink()
    (marked,) = with_countries([passage], read_article_text)
    assert marked.article_countries is None
