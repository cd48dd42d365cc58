"""The gold sets are well-formed, honest and achievable: the seed set
(eval/seeds_gold.jsonl) and the export-controls set (eval/export_controls_gold.jsonl,
over the seeds plus ../shared/corpora/export-controls), and `chipbot eval` asks each
question under its date bounds."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from retrieval.evaluation import (
    GoldQuestion,
    GoldSetError,
    facts_present,
    load_gold,
    normalise,
    run_evaluation,
)
from retrieval.models import Answer, Citation, Passage, SearchFilter

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "seeds_gold.jsonl"
SEEDS = ROOT / "seeds"
EXPORT_GOLD = ROOT / "eval" / "export_controls_gold.jsonl"
PROBE = ROOT / "eval" / "offtopic_probe.jsonl"
# The shared data sits beside the repository, never inside it.
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "export-controls"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"the export-controls corpus is not at {CORPUS} (../shared is not beside the repo)",
)

ID_PREFIX = {
    "factual": "f",
    "paraphrased": "p",
    "multi-article": "m",
    "time-sensitive": "t",
    "unanswerable": "u",
    "off-topic": "o",
    "latest": "l",
    "as-of": "a",
}

MINIMUM_PER_TYPE = {
    "factual": 20,
    "paraphrased": 23,
    "multi-article": 6,
    "time-sensitive": 6,
    "unanswerable": 15,
    "off-topic": 12,
}

# (question id, start of a non-gold sentence) pairs known to be equally valid answers.
ALTERNATIVE_ANSWERS = {
    ("p10", "“And I believe we are satisfied"),
    ("t02", "“And I believe we are satisfied"),
    ("t04", "Campbell stated at a think-tank event"),
    ("f22", " date 2023-01-13 WASHINGTON - When the Biden administration"),
    ("p14", "As part of an effort to slow Beijing’s"),
}

# Questions the issues name, which the sets must keep asking.
NAMED_SEED_QUESTIONS = {
    "What is the US trying to stop China from doing?": "paraphrased",
    "What did the Dutch trade minister say?": "paraphrased",
    "How many jobs will the controls cost in Japan?": "unanswerable",
    "Why is Japan hesitant to match the US export restrictions?": "factual",
    "Why does the US want allies to join its export controls?": "factual",
}


def seed_texts() -> dict[str, str]:
    texts = {}
    for path in sorted(SEEDS.glob("*.txt")):
        with open(path, encoding="utf-8") as fh:
            texts[path.stem] = fh.read()
    return texts


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    with open(GOLD, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def questions() -> list[GoldQuestion]:
    return load_gold(GOLD, seed_texts())


def test_every_line_is_one_json_object(records: list[dict[str, Any]]) -> None:
    assert all(isinstance(r, dict) for r in records)


def test_gold_set_holds_at_least_72_questions(records: list[dict[str, Any]]) -> None:
    assert len(records) >= 72


def test_the_seed_set_asks_at_least_8_why_questions(records: list[dict[str, Any]]) -> None:
    assert sum(r["question"].startswith("Why") for r in records) >= 8


@pytest.mark.parametrize(("text", "qtype"), sorted(NAMED_SEED_QUESTIONS.items()))
def test_the_seed_set_asks_the_questions_the_issue_names(
    records: list[dict[str, Any]], text: str, qtype: str
) -> None:
    assert [r["type"] for r in records if r["question"] == text] == [qtype]


def test_question_ids_are_prefixed_by_their_type(records: list[dict[str, Any]]) -> None:
    assert [r["id"] for r in records if not r["id"].startswith(ID_PREFIX[r["type"]])] == []


@pytest.mark.parametrize(("qtype", "minimum"), sorted(MINIMUM_PER_TYPE.items()))
def test_each_question_type_meets_its_minimum_count(
    records: list[dict[str, Any]], qtype: str, minimum: int
) -> None:
    assert Counter(r["type"] for r in records)[qtype] >= minimum


def test_every_question_has_a_known_type(records: list[dict[str, Any]]) -> None:
    assert {r["type"] for r in records} <= set(MINIMUM_PER_TYPE)


def test_question_ids_are_unique(records: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))


def test_every_gold_quote_occurs_exactly_once_in_its_seed_file(
    records: list[dict[str, Any]],
) -> None:
    texts = seed_texts()
    bad = [
        (r["id"], g["quote"][:40])
        for r in records
        for g in r["gold"]
        if texts[g["article_id"]].count(g["quote"]) != 1
    ]
    assert bad == []


def test_answerable_questions_have_gold_spans_and_key_facts(
    records: list[dict[str, Any]],
) -> None:
    bad = [r["id"] for r in records if r["answerable"] and (not r["gold"] or not r["key_facts"])]
    assert bad == []


def test_unanswerable_questions_have_no_gold_and_no_facts(records: list[dict[str, Any]]) -> None:
    unanswerable = [r for r in records if not r["answerable"]]
    assert len(unanswerable) >= 8
    assert all(r["type"] in ("unanswerable", "off-topic") and not r["gold"] for r in unanswerable)
    assert all(not r["key_facts"] for r in unanswerable)


def test_multi_article_questions_quote_both_seed_articles(records: list[dict[str, Any]]) -> None:
    multi = [r for r in records if r["type"] == "multi-article"]
    assert all(len({g["article_id"] for g in r["gold"]}) == 2 for r in multi)


def test_every_key_fact_is_stated_in_the_gold_quotes(questions: list[GoldQuestion]) -> None:
    missing = [
        (q.id, fact)
        for q in questions
        for fact in q.key_facts
        if not facts_present(" ".join(span.quote for span in q.gold), [fact])
    ]
    assert missing == []


def test_loading_resolves_each_quote_to_its_offsets(questions: list[GoldQuestion]) -> None:
    texts = seed_texts()
    for q in questions:
        for span in q.gold:
            assert texts[span.article_id][span.start : span.end] == span.quote


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a seed (simple: the seeds hold no abbreviations with periods)."""
    spans = []
    for m in re.finditer(r"[^\n]+", text):
        pos = m.start()
        for piece in re.split(r"(?<=[.!?])\s+|(?<=[.!?]”)\s+", m.group()):
            start = text.index(piece, pos)
            spans.append((start, start + len(piece)))
            pos = start + len(piece)
    return spans


def test_no_single_wrong_sentence_satisfies_a_questions_key_facts(
    questions: list[GoldQuestion],
) -> None:
    texts = seed_texts()
    leaks = []
    for q in questions:
        for article_id, text in texts.items():
            for start, end in _sentences(text):
                sentence = text[start:end]
                on_gold = any(
                    g.article_id == article_id and g.start < end and start < g.end for g in q.gold
                )
                known = any(q.id == i and sentence.startswith(s) for i, s in ALTERNATIVE_ANSWERS)
                relevant = q.answerable and not on_gold and not known
                if relevant and facts_present(sentence, q.key_facts):
                    leaks.append((q.id, normalise(sentence)[:50]))
    assert leaks == []


def _perfect_answer(q: GoldQuestion) -> tuple[Answer, list[Passage]]:
    """What an ideal extractive answerer would return: the gold quotes, each cited."""
    if not q.answerable:
        return Answer(question=q.question, answer="I can't tell.", abstained=True), []
    citations = [
        Citation(n, g.article_id, "", None, "", g.start, g.end, g.quote)
        for n, g in enumerate(q.gold, 1)
    ]
    passages = [
        Passage(g.article_id, n, g.start, g.end, g.quote, "", None, "")
        for n, g in enumerate(q.gold)
    ]
    text = " ".join(f"{g.quote} [{n}]" for n, g in enumerate(q.gold, 1))
    return Answer(q.question, text, False, citations=citations), passages


def test_a_perfect_extractive_answerer_scores_full_marks(questions: list[GoldQuestion]) -> None:
    overall = run_evaluation(questions, _perfect_answer).overall()
    for name in (
        "hit_at_k",
        "all_gold_hit_at_k",
        "mrr",
        "correctness",
        "citation_precision",
        "citation_recall",
        "abstention_precision",
        "abstention_recall",
    ):
        assert overall[name] == 1.0, name


# --- the export-controls set --------------------------------------------------------------

# The kinds of question the set must hold at least this many of.
MINIMUM_PER_EXPORT_TYPE = {
    "factual": 20,
    "paraphrased": 12,
    "multi-article": 6,
    "time-sensitive": 6,
    "unanswerable": 12,
    "off-topic": 12,
    "latest": 15,
    "as-of": 10,
}
# Question openings per kind, with the least number of answerable questions of each kind.
QUESTION_KINDS = {
    "who": (r"^(Who|Which|Whose)\b", 5),
    "when": (r"^(When|On what date|By when|From what date)\b", 8),
    "why": (r"^(Why|What reasons?\b|What was .* reason)", 6),
    "how much": (r"^(How many|How much|What share|How long|How far|For how many)\b", 5),
}
EXPORT_ALTERNATIVE_ANSWERS = {
    ("f01", "On October 7, 2022, the Bureau"),
    ("f08", "Implementation of Additional Export Controls"),
    ("f08", "The public may submit comments"),
    ("f10", "A: Japan has been conducting strict export control"),
    ("f10", "We have implemented export controls"),
    ("f11", "I have personally exchanged views"),
    ("f12", "I will refrain from giving details"),
    ("f16", "Reuters: The Dutch Minister"),
    ("f16", "Dutch trade minister Liesje Schreinemacher"),
    ("f24", "Q: Today, the Chinese government"),
    ("f24", "A: I understand that the export control measure"),
    ("f37", "A: I understand that yesterday, on July 3"),
    ("t02", "The ministerial order in question"),
    ("t03", "Tuesday, August 1, 2023"),
    ("t04", "A: I understand that the export control measure"),
    ("t06", "On June 30, the Dutch government"),
    ("t07", "Reuters: The Dutch Minister"),
    ("t09", "Netherlands Prime Minister Mark Rutte will travel"),
    ("l02", "At the end of last month, it was reported"),
    ("l07", "Implementation of Additional Export Controls"),
    ("l07", "The public may submit comments"),
    ("a01", "Reuters: The Dutch Minister"),
    ("a05", "We are taking measures under this policy"),
    ("a06", "Q: Yesterday, the Chinese government announced"),
    ("a09", "Over the past few years, the US has abused"),
    ("a12", "On 1 September 2023 additional"),
    ("a12", "On June 30, the Dutch government"),
    ("a13", "“And I believe we are satisfied"),
}
# The two questions issue 10 names, with the words their gold quote must hold.
NAMED_EXPORT_QUESTIONS = {
    "Which US official called keeping technology from China's military his guiding principle?": (
        "001_bis-oct7-2022-press-release",
        "said Under Secretary of Commerce for Industry and Security Alan Estevez",
    ),
    "How did Biden describe US–Dutch coordination on China?": (
        "005_biden-rutte-oval-office-remarks",
        "in just lockstep",
    ),
}


def _article_files() -> list[Path]:
    """The seeds and the corpus's documents (its README describes them; it is no article)."""
    return sorted(SEEDS.glob("*.txt")) + sorted(CORPUS.glob("*.txt"))


@pytest.fixture(scope="module")
def export_texts() -> dict[str, str]:
    return {p.stem: open(p, encoding="utf-8").read() for p in _article_files()}


@pytest.fixture(scope="module")
def export_dates() -> dict[str, dt.date]:
    from retrieval.parsing import parse_file

    dates = {}
    for path in _article_files():
        date = parse_file(path).date
        assert date is not None, path
        dates[path.stem] = date
    return dates


@pytest.fixture(scope="module")
def export_records() -> list[dict[str, Any]]:
    with open(EXPORT_GOLD, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def export_questions(export_texts: dict[str, str]) -> list[GoldQuestion]:
    return load_gold(EXPORT_GOLD, export_texts)


def _in_bounds(q: GoldQuestion, date: dt.date) -> bool:
    return (q.since is None or date >= q.since) and (q.until is None or date <= q.until)


@needs_corpus
def test_export_set_holds_at_least_60_questions_besides_latest_and_as_of(
    export_records: list[dict[str, Any]],
) -> None:
    assert sum(r["type"] not in ("latest", "as-of") for r in export_records) >= 60


@needs_corpus
@pytest.mark.parametrize(("qtype", "minimum"), sorted(MINIMUM_PER_EXPORT_TYPE.items()))
def test_each_export_question_type_meets_its_minimum_count(
    export_records: list[dict[str, Any]], qtype: str, minimum: int
) -> None:
    assert Counter(r["type"] for r in export_records)[qtype] >= minimum


@needs_corpus
@pytest.mark.parametrize("kind", sorted(QUESTION_KINDS))
def test_export_set_asks_every_kind_of_question(
    export_questions: list[GoldQuestion], kind: str
) -> None:
    pattern, minimum = QUESTION_KINDS[kind]
    asked = [q.id for q in export_questions if q.answerable and re.search(pattern, q.question)]
    assert len(asked) >= minimum


@needs_corpus
def test_export_question_ids_are_prefixed_by_their_type(
    export_records: list[dict[str, Any]],
) -> None:
    bad = [r["id"] for r in export_records if not r["id"].startswith(ID_PREFIX[r["type"]])]
    assert bad == []


@needs_corpus
def test_every_export_gold_quote_occurs_exactly_once_in_its_file(
    export_records: list[dict[str, Any]], export_texts: dict[str, str]
) -> None:
    bad = [
        (r["id"], g["quote"][:40])
        for r in export_records
        for g in r["gold"]
        if export_texts[g["article_id"]].count(g["quote"]) != 1
    ]
    assert bad == []


@needs_corpus
def test_every_export_key_fact_is_stated_in_the_gold_quotes(
    export_questions: list[GoldQuestion],
) -> None:
    missing = [
        (q.id, fact)
        for q in export_questions
        for fact in q.key_facts
        if not facts_present(" ".join(span.quote for span in q.gold), [fact])
    ]
    assert missing == []


@needs_corpus
def test_no_single_wrong_sentence_of_the_corpus_satisfies_an_export_question(
    export_questions: list[GoldQuestion],
    export_texts: dict[str, str],
    export_dates: dict[str, dt.date],
) -> None:
    from retrieval.text import split_sentences

    leaks = []
    for q in export_questions:
        if not q.answerable:
            continue
        for article_id, text in export_texts.items():
            # A bounded question is asked of the documents inside its bounds only.
            if not _in_bounds(q, export_dates[article_id]):
                continue
            for start, end in split_sentences(text):
                sentence = text[start:end]
                on_gold = any(
                    g.article_id == article_id and g.start < end and start < g.end for g in q.gold
                )
                known = any(
                    q.id == i and sentence.startswith(s) for i, s in EXPORT_ALTERNATIVE_ANSWERS
                )
                if not on_gold and not known and facts_present(sentence, q.key_facts):
                    leaks.append((q.id, article_id, normalise(sentence)[:50]))
    assert leaks == []


@needs_corpus
def test_export_multi_article_questions_quote_at_least_two_documents(
    export_questions: list[GoldQuestion],
) -> None:
    multi = [q for q in export_questions if q.type == "multi-article"]
    assert multi
    assert all(len({g.article_id for g in q.gold}) >= 2 for q in multi)


@needs_corpus
def test_a_latest_question_is_answered_by_the_newest_document_that_states_it(
    export_questions: list[GoldQuestion],
    export_texts: dict[str, str],
    export_dates: dict[str, dt.date],
) -> None:
    from retrieval.text import split_sentences

    stale = []
    for q in (q for q in export_questions if q.type == "latest"):
        newest_gold = max(export_dates[g.article_id] for g in q.gold)
        for article_id, text in export_texts.items():
            if export_dates[article_id] <= newest_gold:
                continue
            if any(facts_present(text[s:e], q.key_facts) for s, e in split_sentences(text)):
                stale.append((q.id, article_id))
    assert stale == []


@needs_corpus
def test_every_as_of_question_has_a_date_bound(export_questions: list[GoldQuestion]) -> None:
    as_of = [q for q in export_questions if q.type == "as-of"]
    assert as_of
    assert [q.id for q in as_of if q.since is None and q.until is None] == []


@needs_corpus
def test_at_least_10_as_of_questions_have_bounds_that_shut_out_newer_or_older_documents(
    export_questions: list[GoldQuestion], export_dates: dict[str, dt.date]
) -> None:
    # A bound that excludes nothing today still pins the answer once newer documents arrive,
    # but the set must hold enough questions whose right answer differs by date now.
    dates = export_dates.values()
    biting = [
        q.id
        for q in export_questions
        if q.type == "as-of" and not all(_in_bounds(q, date) for date in dates)
    ]
    assert len(biting) >= 10


@needs_corpus
def test_bounded_questions_quote_only_documents_inside_their_bounds(
    export_questions: list[GoldQuestion], export_dates: dict[str, dt.date]
) -> None:
    outside = [
        (q.id, g.article_id)
        for q in export_questions
        for g in q.gold
        if not _in_bounds(q, export_dates[g.article_id])
    ]
    assert outside == []


@needs_corpus
@pytest.mark.parametrize("text", sorted(NAMED_EXPORT_QUESTIONS))
def test_export_set_asks_the_questions_the_issue_names(
    export_questions: list[GoldQuestion], text: str
) -> None:
    article_id, words = NAMED_EXPORT_QUESTIONS[text]
    [q] = [q for q in export_questions if q.question == text]
    assert any(g.article_id == article_id and words in g.quote for g in q.gold)


@needs_corpus
def test_a_perfect_extractive_answerer_scores_full_marks_on_the_export_set(
    export_questions: list[GoldQuestion],
) -> None:
    overall = run_evaluation(export_questions, _perfect_answer).overall()
    assert overall["correctness"] == overall["citation_recall"] == 1.0
    assert overall["abstention_precision"] == overall["abstention_recall"] == 1.0


# --- date bounds in the schema ------------------------------------------------------------

BOUND_TEXTS = {"a1": "date 2023-01-13 Tokyo Electron relies on China for a quarter of revenue.\n"}


def _bounded(tmp_path: Path, **bounds: Any) -> Path:
    ok = {
        "id": "a01",
        "type": "as-of",
        "question": "As of January 2023, how much does Tokyo Electron rely on China?",
        "answerable": True,
        "gold": [{"article_id": "a1", "quote": "Tokyo Electron relies on China"}],
        "key_facts": [["Tokyo Electron"]],
    }
    path = tmp_path / "bounded.jsonl"
    lines = [json.dumps(ok), json.dumps({**ok, "id": "a02", **bounds})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_since_and_until_load_as_dates_and_make_the_search_filter(tmp_path: Path) -> None:
    path = _bounded(tmp_path, since="2023-01-01", until="2023-01-31")
    unbounded, bounded = load_gold(path, BOUND_TEXTS)
    assert (bounded.since, bounded.until) == (dt.date(2023, 1, 1), dt.date(2023, 1, 31))
    assert bounded.search_filter() == SearchFilter(
        since=dt.date(2023, 1, 1), until=dt.date(2023, 1, 31)
    )
    assert (unbounded.since, unbounded.until, unbounded.search_filter()) == (None, None, None)


def test_a_single_bound_leaves_the_other_side_open(tmp_path: Path) -> None:
    [_, bounded] = load_gold(_bounded(tmp_path, until="2023-03-31"), BOUND_TEXTS)
    assert bounded.search_filter() == SearchFilter(until=dt.date(2023, 3, 31))


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ({"until": "2023-13-01"}, "'until' is not a calendar date"),
        ({"since": "March 2023"}, "'since' must be a date written YYYY-MM-DD"),
        ({"until": "20230301"}, "'until' must be a date written YYYY-MM-DD"),
        ({"since": 20230301}, "'since' must be a date written YYYY-MM-DD"),
        ({"since": "2023-02-01", "until": "2023-01-31"}, "'since' (2023-02-01) is after"),
    ],
    ids=["bad-month", "words", "basic-iso", "number", "since-after-until"],
)
def test_a_bad_date_bound_is_a_load_error_naming_the_line(
    tmp_path: Path, bounds: dict[str, Any], expected: str
) -> None:
    with pytest.raises(GoldSetError) as info:
        load_gold(_bounded(tmp_path, **bounds), BOUND_TEXTS)
    assert expected in str(info.value)
    assert "bounded.jsonl line 2 (question a02)" in str(info.value)


# --- `chipbot eval` honours the bounds ------------------------------------------------------

JAN13 = "000_35dad6a91730d5a0"
JAN19 = "004_14cfe8a582b153d6"


@pytest.mark.slow
def test_chipbot_eval_asks_each_question_under_its_own_date_bounds(
    seed_settings: Any, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from bot.cli import main

    def item(qid: str, article_id: str, quote: str, **bounds: str) -> dict[str, Any]:
        return {
            "id": qid,
            "type": "as-of" if bounds else "factual",
            "question": "Which company relies on China for a quarter of its revenue?",
            "answerable": True,
            "gold": [{"article_id": article_id, "quote": quote}],
            "key_facts": [["Tokyo Electron"]],
            **bounds,
        }

    tel = "Tokyo Electron, Japan’s leading chip manufacturing equipment maker"
    items = [
        item("f01", JAN13, tel),
        # The gold article is dated 13 Jan: asked from 14 Jan on, nothing of it may come back.
        item("a01", JAN13, tel, since="2023-01-14"),
        # Asked up to 13 Jan, only that article can come back (the 19 Jan one is out).
        item("a02", JAN19, "Koji Tomita", until="2023-01-13"),
        item("a03", JAN13, tel, until="2023-01-13"),
    ]
    gold = tmp_path / "bounded_gold.jsonl"
    gold.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n", "utf-8")
    result = CliRunner().invoke(
        main, ["eval", "--data-dir", str(seed_settings.data_dir), "--json", str(gold)]
    )
    assert result.exit_code == 0, result.output
    found = {q["id"]: q["rr"] > 0 for q in json.loads(result.output)["questions"]}
    assert found == {"f01": True, "a01": False, "a02": False, "a03": True}


# --- the off-topic probe ------------------------------------------------------------------


@pytest.fixture(scope="module")
def probe() -> list[GoldQuestion]:
    return load_gold(PROBE, {})


def test_the_probe_holds_20_off_topic_questions(probe: list[GoldQuestion]) -> None:
    assert len(probe) == 20
    assert {(q.type, q.answerable) for q in probe} == {("off-topic", False)}


def test_the_probe_asks_nothing_the_gold_sets_ask(probe: list[GoldQuestion]) -> None:
    """The probe measures what the decline rule never saw: none of its questions is in a
    gold set the rule is fitted on."""
    fitted = {
        json.loads(line)["question"].casefold()
        for path in (GOLD, EXPORT_GOLD)
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    }
    assert [q.question for q in probe if q.question.casefold() in fitted] == []
