"""The offline extractive generator: the reader's best sentences, cited, or a decline."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from retrieval.answer.decline import DECLINE_FEATURES, DeclineRule, calibrated_rule
from retrieval.answer.extractive import (
    Candidate,
    Evidence,
    ExtractiveConfig,
    ExtractiveGenerator,
    Order,
    candidates_of,
    reader_sentences,
    with_replies,
)
from retrieval.context import with_countries, with_speakers
from retrieval.models import Answer, Passage
from retrieval.reading import read_article_text
from retrieval.temporal import TemporalIntent
from tests.seed_passages import JAN13, JAN19, SEEDS, passage

JAN19_DATE = dt.date(2023, 1, 19)

ALWAYS = DeclineRule.never()


ALL = [
    passage(JAN13, n)
    for n in (
        "The hesitation is understandable",
        "Speaking in Washington last week",
        "Netherlands Prime Minister Mark Rutte will travel",
        "A US Commerce Department official",
    )
] + [
    passage(JAN19, n)
    for n in (
        "During a visit to the White House",
        "Over the weekend",
        "Koji Tomita",
        "Campbell stated at a think",
    )
]


@pytest.fixture(scope="module")
def answering(embedder) -> ExtractiveGenerator:  # type: ignore[no-untyped-def]
    """The shipped reader, never declining (to see what it would answer)."""
    return ExtractiveGenerator(ExtractiveConfig(rule=ALWAYS), embedder=embedder)


@pytest.fixture(scope="module")
def shipped(embedder) -> ExtractiveGenerator:  # type: ignore[no-untyped-def]
    """The generator exactly as shipped: reader and calibrated decline rule."""
    return ExtractiveGenerator(embedder=embedder)


def first_quote(answer) -> str:  # type: ignore[no-untyped-def]
    return answer.citations[0].quote


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who is Japan's ambassador to the United States?", "Koji Tomita"),
        ("When will Rutte meet Biden?", "Jan 17"),
        ("What share of the global market do Japanese companies hold?", "27 per cent"),
        ("Which company relies on China for a quarter of its revenue?", "Tokyo Electron"),
        ("Why is Japan hesitant to match the US export restrictions?", "understandable"),
        ("What did the Dutch trade minister say?", "top trade official"),
    ],
    ids=["who", "when", "how-much", "which-company", "why", "actor"],
)
def test_the_answer_opens_with_the_sentence_that_answers(
    answering: ExtractiveGenerator, question: str, expected: str
) -> None:
    answer = answering.generate(question, ALL)
    assert expected in first_quote(answer)
    opening = re.sub(r"^According to [^:]*: ", "", answer.answer.splitlines()[0])
    assert opening.startswith(" ".join(first_quote(answer).split())[:40])


def test_every_citation_is_the_exact_text_of_its_span(answering: ExtractiveGenerator) -> None:
    answer = answering.generate("What did Koji Tomita say about progress?", ALL)
    for c in answer.citations:
        assert open(c.path, encoding="utf-8").read()[c.start : c.end] == c.quote  # noqa: SIM115


def test_every_sentence_carries_a_marker_that_resolves(answering: ExtractiveGenerator) -> None:
    answer = answering.generate("What did Tomita and Rutte say about progress?", ALL)
    body = re.sub(r"According to [^:]*: ", "", answer.answer)
    sentences = [s for s in re.split(r"(?<=\])\s+", body) if s.strip()]
    assert all(re.search(r"\[\d+\]$", s.strip()) for s in sentences)
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)} == {
        c.n for c in answer.citations
    }


def test_each_article_date_is_named_once(answering: ExtractiveGenerator) -> None:
    answer = answering.generate("What did Rutte say and plan about the talks?", ALL)
    for date in {c.date for c in answer.citations}:
        assert date is not None
        shown = f"{date.day} {date.strftime('%b %Y')}"
        assert answer.answer.count(shown) == 1


def test_a_sentence_opening_with_he_is_cited_with_its_antecedent(
    answering: ExtractiveGenerator,
) -> None:
    dutch = [passage(JAN19, "During a visit to the White House")]
    answer = answering.generate("Did Rutte say the talks with the US were making progress?", dutch)
    quotes = [c.quote for c in answer.citations]
    leaning = next(q for q in quotes if "He said that talks" in q)
    assert leaning.startswith("During a visit to the White House")


MINISTER = (
    "date 2022-11-08\n\nA: Japan has been conducting strict export control in cooperation "
    "with the international community. Based on this policy, we will continue to take "
    "appropriate measures while considering trends in regulations in the US.\n\nQ: Thank "
    "you. This concludes the conference.\n"
)


def test_a_sentence_is_cited_with_the_next_one_when_that_one_leans_on_it(
    tmp_path: Path, answering: ExtractiveGenerator
) -> None:
    path = tmp_path / "meti.txt"
    path.write_text(MINISTER, encoding="utf-8")
    start = MINISTER.index("A:")
    p = Passage(
        article_id="meti", chunk_no=0, start=start, end=len(MINISTER), text=MINISTER[start:],
        title="meti", date=dt.date(2022, 11, 8), path=str(path),
    )  # fmt: skip
    first, *_ = candidates_of([p])
    answer = answering._compose("q", [first], [p])
    (citation,) = answer.citations
    assert citation.quote.endswith("trends in regulations in the US.")
    assert MINISTER[citation.start : citation.end] == citation.quote
    # The next paragraph ("This concludes…") is another turn: it never rides along.
    assert "concludes" not in citation.quote


def presser_passage(tmp_path: Path) -> Passage:
    """A foreign ministry transcript (:data:`TWO_QUESTIONS`), its turns marked."""
    p = file_passage(tmp_path / "mfa.txt", TWO_QUESTIONS, "Reuters", dt.date(2023, 3, 9))
    [marked] = with_speakers([p], read_article_text)
    return marked


def presser_answer(
    tmp_path: Path, answering: ExtractiveGenerator, needle: str
) -> tuple[Candidate, Answer]:
    """The sentence of :data:`TWO_QUESTIONS` holding ``needle``, and the answer quoting it."""
    p = presser_passage(tmp_path)
    said = next(c for c in candidates_of([p]) if needle in c.text)
    return said, answering._compose("q", [said], [p])


def test_a_sentence_too_short_to_say_anything_is_cited_with_the_next_one(
    tmp_path: Path, answering: ExtractiveGenerator
) -> None:
    _, answer = presser_answer(tmp_path, answering, "We noted")
    (citation,) = answer.citations
    assert citation.quote == (
        "Mao Ning: We noted the reports. We disapprove of the Dutch side's interference."
    )
    assert TWO_QUESTIONS[citation.start : citation.end] == citation.quote


def test_a_sentence_too_short_to_say_anything_is_read_with_the_next_one(tmp_path: Path) -> None:
    candidates = candidates_of([presser_passage(tmp_path)])
    read = {c.text: s.text for c, s in zip(candidates, reader_sentences(candidates), strict=True)}
    assert read["Mao Ning: We noted the reports."] == (
        "Mao Ning: We noted the reports. We disapprove of the Dutch side's interference."
    )
    assert read["Mao Ning: China will safeguard its rights and interests."] == (
        "Mao Ning: China will safeguard its rights and interests."
    )


def test_the_sentence_a_short_one_is_quoted_with_takes_no_place_of_its_own(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.1), embedder=embedder)
    candidates = candidates_of([presser_passage(tmp_path)])
    by_start = {c.text[:12]: c for c in candidates}
    noted, disapprove = by_start["Mao Ning: We"], by_start["We disapprov"]
    safeguard = by_start["Mao Ning: Ch"]
    for c in candidates:
        c.probability = 0.0
    noted.probability, disapprove.probability, safeguard.probability = 0.9, 0.8, 0.7
    chosen = generator.select("q", candidates)
    assert disapprove not in chosen
    assert safeguard in chosen
    answer = generator._compose("q", chosen, [noted.passage])
    assert answer.citations[0].quote.endswith("We disapprove of the Dutch side's interference.")


def test_a_sentence_further_into_a_turn_is_shown_with_its_speakers_label(
    tmp_path: Path, answering: ExtractiveGenerator
) -> None:
    disapprove, answer = presser_answer(tmp_path, answering, "We disapprove")
    assert "Mao Ning: … We disapprove of the Dutch side's interference. [1]" in answer.answer
    assert answer.citations[0].quote == disapprove.text  # the label is shown, not cited


def test_a_sentence_opening_its_turn_shows_its_own_label_once(
    tmp_path: Path, answering: ExtractiveGenerator
) -> None:
    _, answer = presser_answer(tmp_path, answering, "safeguard")
    assert answer.answer.count("Mao Ning") == 1
    assert ": Mao Ning: China will safeguard" in answer.answer


def test_a_sentence_that_says_something_is_cited_alone(
    tmp_path: Path, answering: ExtractiveGenerator
) -> None:
    disapprove, answer = presser_answer(tmp_path, answering, "We disapprove")
    (citation,) = answer.citations
    assert citation.quote == disapprove.text


def test_no_sentence_is_cited_twice_when_passages_overlap(answering: ExtractiveGenerator) -> None:
    one = passage(JAN13, "Tokyo Electron")
    answer = answering.generate("Tokyo Electron revenue China", [one, one, one])
    spans = [(c.start, c.end) for c in answer.citations]
    assert len(spans) == len(set(spans))


def test_the_answer_stays_short(answering: ExtractiveGenerator) -> None:
    answer = answering.generate("Japan Netherlands chip tools export controls", ALL)
    assert 1 <= len(answer.citations) <= 3


def test_the_same_input_gives_the_same_answer(answering: ExtractiveGenerator) -> None:
    first = answering.generate("What is Tokyo Electron?", ALL)
    assert answering.generate("What is Tokyo Electron?", ALL).answer == first.answer


def test_a_latest_state_question_opens_with_the_newest_article(
    answering: ExtractiveGenerator,
) -> None:
    question = "What is the latest on the Dutch position?"
    answer = answering.generate(question, ALL, temporal=TemporalIntent(latest=True))
    dates = [c.date for c in answer.citations]
    assert dates[0] == max(d for d in dates if d)
    if len(set(dates)) > 1:
        assert "According to an earlier article" in answer.answer


def test_a_change_question_reads_oldest_first(answering: ExtractiveGenerator) -> None:
    question = "How has the Dutch position changed?"
    answer = answering.generate(question, ALL, temporal=TemporalIntent(change=True))
    dates = [c.date for c in answer.citations]
    assert dates == sorted(d for d in dates if d)


WEEKS = (
    (dt.date(2023, 1, 9), dt.date(2023, 1, 15)),
    (dt.date(2023, 1, 16), dt.date(2023, 1, 22)),
)


def test_each_period_asked_about_gets_its_part(answering: ExtractiveGenerator) -> None:
    candidates = candidates_of(ALL)
    for c in candidates:
        c.probability = 0.01
    jan13 = [c for c in candidates if c.passage.date == dt.date(2023, 1, 13)]
    jan19 = next(c for c in candidates if c.passage.date == dt.date(2023, 1, 19))
    for p, c in zip((0.9, 0.85, 0.8), jan13[-3:], strict=True):
        c.probability = p  # three strong sentences of one week...
    jan19.probability = 0.5  # ...and a weaker one of the other
    evidence = Evidence(0.9, vector=(0.9,) * len(DECLINE_FEATURES))
    plain = answering.answer("What was said?", ALL, candidates, evidence)
    assert {c.date for c in plain.citations} == {dt.date(2023, 1, 13)}
    split = answering.answer("What was said?", ALL, candidates, evidence, "best", WEEKS)
    assert dt.date(2023, 1, 19) in {c.date for c in split.citations}


def test_a_period_asked_about_by_name_gets_its_part_however_weak(
    answering: ExtractiveGenerator,
) -> None:
    candidates = candidates_of(ALL)
    for c in candidates:
        c.probability = 0.001  # the second week's sentences all far below the floor
    jan13 = [c for c in candidates if c.passage.date == dt.date(2023, 1, 13)]
    for p, c in zip((0.9, 0.85, 0.8), jan13[-3:], strict=True):
        c.probability = p
    evidence = Evidence(0.9, vector=(0.9,) * len(DECLINE_FEATURES))
    split = answering.answer("What was said?", ALL, candidates, evidence, "best", WEEKS)
    assert {c.date for c in split.citations} == {dt.date(2023, 1, 13), dt.date(2023, 1, 19)}


def test_an_answer_about_two_periods_reads_in_date_order(answering: ExtractiveGenerator) -> None:
    question = "What did the senior US administration official tell Reuters?"
    intent = TemporalIntent(since=WEEKS[0][0], until=WEEKS[1][1], periods=WEEKS)
    dates = [c.date for c in answering.generate(question, ALL, temporal=intent).citations]
    assert len(set(dates)) == 2
    assert dates == sorted(d for d in dates if d)


def evidence(confidence: float, missing: int = 0) -> tuple[float, ...]:
    values = dict.fromkeys(DECLINE_FEATURES, 0.0)
    values.update(confidence=confidence, missing_names=float(missing))
    return tuple(values[name] for name in DECLINE_FEATURES)


def test_the_rule_declines_below_its_threshold_and_answers_above() -> None:
    rule = DeclineRule(threshold=0.4, entity_veto=False)
    assert rule.declines(evidence(0.39))
    assert not rule.declines(evidence(0.41))


def test_off_topic_passages_are_declined_below_the_relevance_floor() -> None:
    rule = DeclineRule(threshold=0.0, entity_veto=False, min_cos=0.4)
    values = dict(zip(DECLINE_FEATURES, evidence(0.9), strict=True))
    low = tuple({**values, "max_cos": 0.3}[name] for name in DECLINE_FEATURES)
    high = tuple({**values, "max_cos": 0.5}[name] for name in DECLINE_FEATURES)
    assert rule.declines(low)
    assert not rule.declines(high)


def test_the_missing_name_veto_declines_whatever_the_confidence() -> None:
    assert DeclineRule(threshold=0.0, entity_veto=True).declines(evidence(0.99, missing=1))
    assert not DeclineRule(threshold=0.0, entity_veto=False).declines(evidence(0.99, missing=1))


def test_a_decline_lists_the_nearest_passages(embedder) -> None:  # type: ignore[no-untyped-def]
    strict = ExtractiveGenerator(
        ExtractiveConfig(rule=DeclineRule(threshold=2.0, entity_veto=False)), embedder=embedder
    )
    answer = strict.generate("What is the boiling point of water?", ALL[:2])
    assert answer.abstained
    assert answer.answer.startswith("The indexed articles don't say")
    assert answer.citations == []
    assert answer.passages == ALL[:2]


def test_the_shipped_rule_declines_an_off_topic_question(shipped: ExtractiveGenerator) -> None:
    assert shipped.generate("What is a good recipe for banana bread?", ALL).abstained


def test_the_shipped_rule_answers_a_plain_question(shipped: ExtractiveGenerator) -> None:
    answer = shipped.generate("Which company is Japan's leading chip equipment maker?", ALL)
    assert not answer.abstained
    assert "Tokyo Electron" in answer.answer


def test_the_shipped_rule_answers_a_short_question_about_a_name(
    shipped: ExtractiveGenerator,
) -> None:
    # A short question has a low cosine with any long sentence; it is still on topic,
    # and its answer says what he is.
    answer = shipped.generate("Who is Kurt Campbell?", [*ALL, passage(JAN19, "Kurt Campbell, the")])
    assert not answer.abstained
    assert "Indo-Pacific coordinator" in first_quote(answer)


def test_no_passages_declines(answering: ExtractiveGenerator) -> None:
    answer = answering.generate("Anything?", [])
    assert answer.abstained
    assert "don't say anything" in answer.answer


def test_the_veto_names_what_is_missing(embedder) -> None:  # type: ignore[no-untyped-def]
    veto = ExtractiveGenerator(
        ExtractiveConfig(rule=DeclineRule(threshold=0.0, entity_veto=True)), embedder=embedder
    )
    answer = veto.generate("Has South Korea agreed?", [passage(JAN13, "Tokyo Electron")])
    assert answer.abstained
    assert "“South Korea”" in answer.answer


def test_the_shipped_calibration_is_the_rule_in_force() -> None:
    stored = json.loads((SEEDS.parent / "retrieval/answer/calibration.json").read_text("utf-8"))
    rule = calibrated_rule()
    assert (rule.threshold, rule.entity_veto) == (stored["threshold"], stored["entity_veto"])
    assert rule.model is not None
    assert rule.model.to_dict() == stored["model"]


PRESS_CONFERENCE = (
    "date 2023-08-01\n\n"
    "Press Conference by the Minister of Economy, Trade and Industry (Excerpt)\n\n"
    "Q: Today, China starts restricting exports of gallium and germanium. "
    "How does the Government of Japan intend to deal with this matter?\n\n"
    "A: The measure announced on July 3 was put into force today. "
    "Japan will examine the status of its enforcement and respond appropriately.\n"
)


@pytest.fixture
def press_conference(tmp_path: Path) -> Passage:
    """A METI press conference (question, then answer) as one retrieved passage."""
    path = tmp_path / "meti.txt"
    path.write_text(PRESS_CONFERENCE, encoding="utf-8")
    start = PRESS_CONFERENCE.index("\n\n") + 2
    return Passage(
        article_id=path.stem, chunk_no=0, start=start, end=len(PRESS_CONFERENCE),
        text=PRESS_CONFERENCE[start:], title=path.stem, date=dt.date(2023, 8, 1),
        path=str(path), score=0.03, dense_score=0.6,
    )  # fmt: skip


def test_a_reporters_question_is_never_cited_as_the_answer(
    answering: ExtractiveGenerator, press_conference: Passage
) -> None:
    # The reporter's question repeats the user's almost word for word.
    question = "How does the Government of Japan intend to deal with it?"
    answer = answering.generate(question, [press_conference])
    assert answer.citations
    assert all(not c.quote.rstrip().endswith("?") for c in answer.citations)
    assert "examine the status of its enforcement" in answer.answer


def file_passage(path: Path, text: str, opening: str, day: dt.date) -> Passage:
    """``text`` written to ``path``, read from ``opening`` to its end as one passage."""
    path.write_text(text, encoding="utf-8")
    start = text.index(opening)
    return Passage(
        article_id=path.stem, chunk_no=0, start=start, end=len(text), text=text[start:],
        title=path.stem, date=day, path=str(path),
    )  # fmt: skip


def test_a_line_announcing_comments_is_never_cited_as_the_answer(tmp_path: Path, answering) -> None:  # type: ignore[no-untyped-def]
    text = (
        "date 2023-06-30\n\nSpokesperson of the Chinese Embassy in the Netherlands has the "
        "following comments:\n\nChina will resolutely safeguard its legitimate rights and "
        "interests.\n"
    )
    p = file_passage(tmp_path / "embassy.txt", text, "Spokesperson", dt.date(2023, 6, 30))
    answer = answering.generate("What did the Chinese embassy spokesperson comment?", [p])
    assert answer.citations
    assert all("following comments" not in c.quote for c in answer.citations)


def test_a_transcripts_speaker_label_is_never_cited_as_the_answer(tmp_path: Path) -> None:
    text = (
        "date 2023-01-17\n\nPresident Biden. Well, Mr. Prime Minister, it's great to see you."
        "\n\nPrime Minister Rutte. Yes, sorry.\n\nPresident Biden. We are in lockstep.\n\n"
        "Prime Minister Rutte. Thank you.\n"
    )
    p = file_passage(tmp_path / "remarks.txt", text, "President", dt.date(2023, 1, 17))
    (spoken,) = with_speakers([p], read_article_text)
    labels = [c.text for c in candidates_of([spoken]) if not c.citable]
    assert labels == ["President Biden.", "Prime Minister Rutte."] * 2


def test_a_reporters_premise_is_quoted_with_the_reply_it_got(press_conference: Passage) -> None:
    (spoken,) = with_speakers([press_conference], read_article_text)
    candidates = candidates_of([spoken])
    premise = next(c for c in candidates if c.text.startswith("Q: Today"))
    reply = next(c for c in candidates if c.text.startswith("A: The measure"))
    assert with_replies([premise], candidates) == [premise, reply]
    # An answer's sentence, and a reply already chosen, bring nothing more.
    assert with_replies([reply], candidates) == [reply]
    assert with_replies([premise, reply], candidates) == [premise, reply]


TWO_QUESTIONS = (
    "date 2023-03-09\n\n"
    "Reuters: The Dutch minister said new rules will come before the summer. "
    "What is China's comment?\n\n"
    "Mao Ning: We noted the reports. We disapprove of the Dutch side's interference.\n\n"
    "Bloomberg: Will China retaliate?\n\n"
    "Mao Ning: China will safeguard its rights and interests.\n"
)


def test_a_spokespersons_sentences_carry_the_country_they_speak_for(tmp_path: Path) -> None:
    candidates = candidates_of([presser_passage(tmp_path)])
    by_text = {s.text: s for s in reader_sentences(candidates)}
    # "China will safeguard…" makes Mao Ning China's voice; the reporters have none.
    assert by_text["We disapprove of the Dutch side's interference."].voice == "china"
    assert by_text["Bloomberg: Will China retaliate?"].voice == ""


def test_a_premise_whose_reply_was_not_read_brings_no_later_turn(tmp_path: Path) -> None:
    candidates = candidates_of([presser_passage(tmp_path)])
    premise = next(c for c in candidates if c.text.startswith("Reuters:"))
    first_reply = next(c for c in candidates if c.text.startswith("Mao Ning: We noted"))
    assert with_replies([premise], candidates) == [premise, first_reply]
    # With the first reply unread, the answer to the next reporter is not its reply.
    unread = [
        c
        for c in candidates
        if "Mao Ning: We noted" not in c.text and "We disapprove" not in c.text
    ]
    assert with_replies([premise], unread) == [premise]


def test_outside_a_transcript_no_reply_is_added(press_conference: Passage) -> None:
    candidates = candidates_of([press_conference])  # no speakers marked
    assert with_replies(candidates[:1], candidates) == candidates[:1]


def test_a_headline_longer_than_a_heading_is_never_cited(
    answering: ExtractiveGenerator, press_conference: Passage
) -> None:
    question = "What did the Minister of Economy, Trade and Industry say?"
    answer = answering.generate(question, [press_conference])
    assert all("Press Conference by" not in c.quote for c in answer.citations)


def test_an_antecedent_cited_in_its_own_right_is_not_quoted_twice(
    answering: ExtractiveGenerator,
) -> None:
    dutch = [passage(JAN19, "During a visit to the White House")]
    candidates = candidates_of(dutch)
    visit = next(c for c in candidates if c.text.startswith("During a visit"))
    said = next(c for c in candidates if c.text.startswith("He said that talks"))
    for c in candidates:
        c.probability = 0.01
    visit.probability, said.probability = 0.9, 0.8
    evidence = Evidence(0.9, vector=(0.9,) * len(DECLINE_FEATURES))
    answer = answering.answer("What did Rutte say?", dutch, candidates, evidence)
    quotes = [c.quote for c in answer.citations]
    assert quotes[:2] == [visit.text, said.text]
    assert answer.answer.count("During a visit to the White House") == 1


def _candidate(path: Path, needle: str, probability: float) -> Candidate:
    # Marked with its article's countries, as the engine hands passages to the generator.
    (p,) = with_countries([passage(path, needle)], read_article_text)
    start = p.text.index(needle)
    return Candidate(
        passage=p, start=p.start + start, end=p.start + start + len(needle), text=needle,
        rank=0, terms=frozenset(needle.lower().split()), probability=probability,
    )  # fmt: skip


MEETING = "will travel to Washington to meet Mr Biden on Jan 17"


def test_a_when_question_opens_with_a_sentence_with_a_date_though_the_best_has_none(
    embedder,
) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.5), embedder=embedder)
    best = _candidate(JAN13, "Tokyo Electron", 1.0)
    dated = _candidate(JAN13, MEETING, 0.05)  # far below the floor
    assert generator.select("When will Rutte meet Biden?", [best, dated]) == [dated, best]


def test_a_when_question_opens_with_a_calendar_day_rather_than_a_likelier_month(
    embedder,
) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.5), embedder=embedder)
    best = _candidate(JAN13, "Tokyo Electron", 1.0)
    month = _candidate(JAN13, "aggressive export controls in October", 0.9)
    day = _candidate(JAN13, MEETING, 0.8)
    assert generator.select("When will Rutte meet Biden?", [best, month, day])[0] is day


def test_a_best_sentence_of_the_kind_asked_needs_no_other(embedder) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.5), embedder=embedder)
    best = _candidate(JAN13, MEETING, 1.0)
    other = _candidate(JAN13, "on Thursday", 0.05)
    assert generator.select("When will Rutte meet Biden?", [best, other]) == [best]


def test_a_sentence_of_the_kind_asked_far_down_the_ranking_does_not_join(embedder) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.9), embedder=embedder)
    leaders = [
        _candidate(JAN13, w, 1.0 - 0.1 * i) for i, w in enumerate(("Tokyo", "Biden", "Japan"))
    ]
    dated = _candidate(JAN13, MEETING, 0.05)
    assert dated not in generator.select("When will Rutte meet Biden?", [*leaders, dated])


def test_a_sentence_of_the_kind_asked_close_to_the_best_opens_though_not_in_the_top_three(
    embedder,
) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.5), embedder=embedder)
    leaders = [
        _candidate(JAN13, w, 1.0 - 0.1 * i) for i, w in enumerate(("Tokyo", "Biden", "Japan"))
    ]
    dated = _candidate(JAN13, MEETING, 0.6)  # fourth, but close to the best
    assert generator.select("When will Rutte meet Biden?", [*leaders, dated])[0] is dated


def test_a_sentence_of_the_kind_asked_about_another_country_does_not_open(embedder) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.5), embedder=embedder)
    best = _candidate(JAN13, "Tokyo Electron", 1.0)
    us = "the Biden administration unveiled aggressive export controls in October aimed at"
    elsewhere = _candidate(JAN13, us, 0.9)
    chosen = generator.select("Why is Japan hesitant to match the US controls?", [best, elsewhere])
    assert chosen[0] is best


def test_the_newest_article_joins_a_latest_state_answer_however_faint(embedder) -> None:  # type: ignore[no-untyped-def]
    # The engine reads only on-topic articles as the latest state; what the newest says
    # may be worded unlike the question ("published" for "introduced").
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.2), embedder=embedder)
    older = _candidate(JAN13, "Tokyo Electron", 1.0)
    faint = _candidate(JAN19, "Dutch television", 0.01)
    assert generator.select("q", [older, faint], order="best") == [older]
    assert generator.select("q", [older, faint], order="newest") == [older, faint]


def test_a_newer_article_close_to_answering_joins_a_latest_state_answer_at_half_closeness(
    embedder,
) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.2), embedder=embedder)
    best = _candidate(JAN13, "Tokyo Electron", 1.0)
    middle = _dated(_candidate(JAN13, "Rutte", 0.15), dt.date(2023, 1, 17))  # 0.1 to 0.2
    newest = _candidate(JAN19, "Dutch television", 0.01)
    chosen = generator.select("q", [best, middle, newest], order="newest")
    assert chosen == [best, newest, middle]
    too_faint = _dated(_candidate(JAN13, "Rutte", 0.05), dt.date(2023, 1, 17))
    assert generator.select("q", [best, too_faint, newest], order="newest") == [best, newest]


def test_each_article_of_the_newest_date_gives_a_latest_state_answer_a_sentence(
    embedder,
) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.2), embedder=embedder)
    best = _candidate(JAN13, "Tokyo Electron", 1.0)
    order = _candidate(JAN19, "Dutch television", 0.01)
    reply = _dated(_candidate(JAN13, "Rutte", 0.02), JAN19_DATE)
    chosen = generator.select("q", [best, reply, order], order="newest")
    assert chosen == [best, reply, order]
    answer = generator._compose("q", chosen, [c.passage for c in chosen], "newest")
    assert "According to another article of the same date (19 Jan 2023)" in answer.answer


def test_the_newest_article_speaks_for_the_latest_state_only_of_the_country_asked_about(
    embedder,
) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.2), embedder=embedder)
    question = "Has Japan matched the US controls yet?"
    best = _candidate(JAN13, "Tokyo Electron", 1.0)
    dutch = _dated(_candidate(JAN13, "Netherlands Prime Minister Mark Rutte", 0.01), JAN19_DATE)
    assert generator.select(question, [best, dutch], order="newest") == [best]
    japan = _dated(_candidate(JAN13, "But while Japan is broadly in-line", 0.01), JAN19_DATE)
    assert generator.select(question, [best, japan], order="newest") == [best, japan]


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_an_answer_about_time_quotes_only_articles_naming_the_countries_asked_about(
    embedder, order: Order
) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.2), embedder=embedder)
    best = _candidate(JAN13, "Tokyo Electron", 1.0)
    elsewhere = dataclasses.replace(
        best.passage, article_id="elsewhere", article_countries=frozenset({"china"})
    )
    off_topic = dataclasses.replace(best, passage=elsewhere, probability=2.0)
    question = "Has Japan matched the US controls yet?"
    assert generator.select(question, [off_topic, best], order=order) == [best]
    # Not in an answer about the best-matching sentences, whatever their country.
    assert off_topic in generator.select(question, [off_topic, best])


def test_a_latest_state_answer_about_a_country_no_article_names_still_answers(
    embedder,
) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.2), embedder=embedder)
    best = _candidate(JAN13, "Tokyo Electron", 1.0)
    question = "Has France matched the US controls yet?"
    assert generator.select(question, [best], order="newest") == [best]


def _dated(c: Candidate, day: dt.date) -> Candidate:
    """``c`` as if its article were another one, dated ``day``."""
    other = dataclasses.replace(c.passage, article_id=f"other-{day}", date=day)
    return dataclasses.replace(c, passage=other)


def test_the_best_sentence_for_each_part_of_a_question_joins_the_answer(embedder) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.2), embedder=embedder)
    best = _candidate(JAN13, "Tokyo Electron", 1.0)
    part = _candidate(JAN19, "Dutch television", 0.01)  # far below the floor
    assert generator.select("q", [best, part]) == [best]
    assert generator.select("q", [best, part], parts=[part]) == [best, part]
    assert generator.select("q", [best, part], parts=[best]) == [best]  # no repeat


def test_a_two_part_question_is_answered_for_both_parts(answering: ExtractiveGenerator) -> None:
    question = "When will Rutte meet Biden, and what did Japan's ambassador say?"
    answer = answering.generate(question, ALL)
    quotes = " ".join(c.quote for c in answer.citations)
    assert "Jan 17" in quotes
    assert "Koji Tomita" in quotes


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (
            "oldest",
            [
                "According to a 13 Jan 2023 article",
                "According to a later article (19 Jan 2023)",
                "According to another article of the same date (19 Jan 2023)",
            ],
        ),
        (
            "best",
            [
                "According to a 13 Jan 2023 article",
                "According to a 19 Jan 2023 article",
                "According to another article of the same date (19 Jan 2023)",
            ],
        ),
    ],
)
def test_two_articles_of_one_date_in_a_row_name_the_date_as_the_same(
    embedder, order: Order, expected: list[str]
) -> None:  # type: ignore[no-untyped-def]
    generator = ExtractiveGenerator(ExtractiveConfig(relative_floor=0.2), embedder=embedder)
    early = _candidate(JAN13, "Tokyo Electron", 1.0)
    dutch = _candidate(JAN19, "Dutch television", 0.5)
    reply = _dated(_candidate(JAN13, "Rutte", 0.4), JAN19_DATE)
    answer = generator._compose("q", [early, dutch, reply], [early.passage], order)
    assert [line.split(":")[0] for line in answer.answer.splitlines()] == expected
