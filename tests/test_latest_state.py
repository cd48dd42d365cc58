"""A newer document changes the answer to a latest-state question."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from retrieval.answer.decline import DeclineRule
from retrieval.answer.extractive import ExtractiveConfig, ExtractiveGenerator
from retrieval.engine import Chipbot
from retrieval.models import Passage
from retrieval.settings import Settings

MARCH = """date 2023-03-08

Dutch plans for chip export rules

The Dutch government said on Wednesday it would introduce new export rules for advanced
chipmaking equipment before the summer. The trade minister said the rules would cover
the most advanced deep ultraviolet lithography machines.
"""

JUNE = """date 2023-06-30

Dutch export rules published

The Dutch government published its new export rules for advanced chipmaking equipment on
Friday. The rules take effect on 1 September 2023, when exporters will need a licence for
the most advanced deep ultraviolet lithography machines.
"""

QUESTION = "Has the Netherlands introduced its chip export rules yet?"


def test_a_newer_document_becomes_the_answer_and_the_older_one_the_earlier_state(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "dutch-march.txt").write_text(MARCH, encoding="utf-8")
    # Declining is not what this tests: the generator always answers.
    generator = ExtractiveGenerator(ExtractiveConfig(rule=DeclineRule.never()), embedder=embedder)
    bot = Chipbot(Settings(data_dir=tmp_path / "data"), embedder=embedder, generator=generator)
    bot.ingest([corpus])
    before = bot.ask(QUESTION)
    assert not before.abstained
    assert before.citations[0].date == dt.date(2023, 3, 8)

    (corpus / "dutch-june.txt").write_text(JUNE, encoding="utf-8")
    bot.ingest([corpus])
    after = bot.ask(QUESTION)
    assert not after.abstained
    assert after.citations[0].date == dt.date(2023, 6, 30)
    if any(c.date == dt.date(2023, 3, 8) for c in after.citations):
        assert "According to an earlier article (8 Mar 2023)" in after.answer
    for c in after.citations:
        assert open(c.path, encoding="utf-8").read()[c.start : c.end] == c.quote  # noqa: SIM115


AUGUST = """date 2023-08-01

China's gallium export restrictions take effect

China's export restrictions on gallium and germanium took effect on Tuesday. Japan's
trade minister said Tokyo would examine how the restrictions are enforced.
"""

# The June article says when its rules apply only at its end, far from the words of the
# question, in a chunk of its own.
JUNE_LONG = (
    JUNE.split("\n\nThe Dutch government published")[0]
    + "\n\nThe Dutch government published its new export rules for advanced chipmaking "
    "equipment on Friday.\n\n"
    + "\n\n".join(
        f"Paragraph {n} describes the technical annex in detail, listing tool categories, "
        "parameters and the reasoning behind each threshold that the annex sets out."
        for n in range(1, 7)
    )
    + "\n\nExporters will need a licence from 1 September 2023.\n"
)


class Recording(ExtractiveGenerator):
    """The offline generator, keeping the passages it was given to read."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.read: list[list[Passage]] = []

    def generate(self, question, passages, history=(), on_token=None, temporal=None):  # type: ignore[no-untyped-def]
        self.read.append(list(passages))
        return super().generate(question, passages, history, on_token, temporal)


def _bot(tmp_path: Path, embedder, articles: dict[str, str]) -> tuple[Chipbot, Recording]:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in articles.items():
        (corpus / name).write_text(text, encoding="utf-8")
    generator = Recording(ExtractiveConfig(rule=DeclineRule.never()), embedder=embedder)
    bot = Chipbot(Settings(data_dir=tmp_path / "data"), embedder=embedder, generator=generator)
    bot.ingest([corpus])
    return bot, generator


def test_a_newer_article_off_the_topic_is_not_read_as_the_latest_state(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    bot, generator = _bot(
        tmp_path, embedder, {"march.txt": MARCH, "june.txt": JUNE, "august.txt": AUGUST}
    )
    answer = bot.ask("Has the Netherlands imposed its export restrictions yet?")
    assert answer.citations[0].date == dt.date(2023, 6, 30)
    # The August article never names the Netherlands: it is not the Dutch latest state.
    assert all(p.date != dt.date(2023, 8, 1) for p in generator.read[-1])
    assert all(c.date != dt.date(2023, 8, 1) for c in answer.citations)


MAO_MARCH = """date 2023-03-09

Foreign ministry spokesperson's press conference

The spokesperson said the US has coerced some countries to adopt export restrictions
against China, and that China firmly opposes such bullying.
"""

EMBASSY_JUNE = """date 2023-06-30

Comments of the embassy spokesperson on the Dutch export measures

Certain major country has repeatedly overstretched the national security concept and
coerced allies to participate in economic containment against China.
"""


def test_an_article_naming_the_us_only_as_certain_major_country_is_its_latest_state(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    bot, _ = _bot(tmp_path, embedder, {"march.txt": MAO_MARCH, "june.txt": EMBASSY_JUNE})
    answer = bot.ask("What is China's most recent complaint about US pressure on its allies?")
    assert answer.citations[0].date == dt.date(2023, 6, 30)
    assert "economic containment" in answer.answer


def test_the_newest_article_on_the_topic_is_read_whole(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot, generator = _bot(tmp_path, embedder, {"march.txt": MARCH, "june.txt": JUNE_LONG})
    assert bot.index.article("june").n_chunks > 2
    bot.ask(QUESTION)
    june = [p for p in generator.read[-1] if p.article_id == "june"]
    text = (tmp_path / "corpus" / "june.txt").read_text(encoding="utf-8")
    assert len(june) == 1
    assert text[june[0].start : june[0].end] == june[0].text
    assert "Exporters will need a licence from 1 September 2023." in june[0].text
    assert june[0].text.startswith("Dutch export rules published")


def test_a_question_without_time_words_reads_only_the_retrieved_passages(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    bot, generator = _bot(tmp_path, embedder, {"march.txt": MARCH, "june.txt": JUNE_LONG})
    bot.ask("What did the Dutch government publish?")
    assert all(p.end - p.start < 600 for p in generator.read[-1])


def test_of_a_long_newest_article_its_head_and_best_chunks_are_read(
    tmp_path: Path, embedder, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import retrieval.reading

    monkeypatch.setattr(retrieval.reading, "MAX_WHOLE_CHUNKS", 2)
    bot, generator = _bot(tmp_path, embedder, {"march.txt": MARCH, "june.txt": JUNE_LONG})
    bot.ask(QUESTION)
    june = [p for p in generator.read[-1] if p.article_id == "june"]
    text = (tmp_path / "corpus" / "june.txt").read_text(encoding="utf-8")
    assert 1 < len(june) <= 1 + retrieval.reading.MAX_NEWEST_CHUNKS
    assert any(p.chunk_no == 0 for p in june)  # the head, where a release states its news
    assert all(text[p.start : p.end] == p.text for p in june)
    assert all(len(p.text) < len(text) / 2 for p in june)


JAPAN_JANUARY = """date 2023-01-13

Japan weighs chip export controls

Japan's trade minister said Tokyo was studying the US export controls on chipmaking
equipment carefully and would decide on its own measures after talks with Washington.
"""

# Names no country: it is the Dutch government's, and not about Japan.
ORDER_JUNE = """date 2023-06-30

Export controls on advanced chipmaking equipment

On 1 September 2023 additional export controls will enter into force for advanced
chipmaking equipment. Exporters will then need a national authorisation.
"""

JAPAN_AUGUST = """date 2023-08-01

Japan's trade minister on China's gallium controls

Japan's trade minister said Japan would examine how China enforces its new export
controls on gallium, a metal used in chips.
"""


def test_an_earlier_state_is_quoted_only_from_an_article_on_the_countries_asked_about(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    bot, _ = _bot(
        tmp_path,
        embedder,
        {"jan.txt": JAPAN_JANUARY, "june.txt": ORDER_JUNE, "aug.txt": JAPAN_AUGUST},
    )
    answer = bot.ask("What is the latest on Japan's chip export controls?")
    assert answer.citations[0].date == dt.date(2023, 8, 1)
    assert all(c.date != dt.date(2023, 6, 30) for c in answer.citations)
