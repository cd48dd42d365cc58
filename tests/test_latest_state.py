"""A newer document changes the answer to a latest-state question."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from retrieval.answer.decline import DeclineRule
from retrieval.answer.extractive import ExtractiveConfig, ExtractiveGenerator
from retrieval.engine import Chipbot
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
