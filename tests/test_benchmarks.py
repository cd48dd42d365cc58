"""Public-benchmark runners: loaders, metrics and the answer chooser on tiny synthetic data,
plus end-to-end runs of both runners over synthetic data (slow)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import zipfile
from pathlib import Path

import pytest

from benchmarks.article_ranking import (
    CHOICE_FILE,
    INCUMBENT,
    Candidates,
    Hit,
    RankingSetting,
    aggregate,
    best_setting,
    cross_validate,
    fused_passages,
    grid,
    rank_articles,
    shipped_setting,
)
from benchmarks.data import (
    Question,
    article_file_text,
    dedupe,
    first_hit,
    hits_and_mrr,
    load_realtimeqa,
    load_scifact,
    mc_accuracy,
    ndcg_at_k,
    parse_sentence_list,
    recall_at_k,
    scifact_slice,
)
from retrieval.models import Passage
from retrieval.parsing import parse_text

# --- SciFact fixtures ---------------------------------------------------------------------

ABSTRACTS = {
    "11": ("Vitamin B12 and homocysteine", ["B12 deficiency raises homocysteine.", "It's common."]),
    "22": ("Birth weight", ["Low birth weight causes 5% of perinatal mortality."]),
    "33": ("Prion carriers", ["One in 2000 people in the UK carry abnormal prion protein."]),
    "44": ("Charging cables", ["Unrelated text about phones."]),
}
CLAIMS = [
    ("1", "Vitamin B12 deficiency increases homocysteine.", "[11]"),
    ("1", "Vitamin B12 deficiency increases homocysteine.", "[11]"),
    ("5", "Low birth weight explains perinatal deaths.", "[ 22 33]"),
]


def _numpy_repr(sentences: list[str]) -> str:
    return "[" + "\n ".join(repr(s) for s in sentences) + "]"


def _scifact_csvs() -> dict[str, str]:
    import io

    corpus = io.StringIO()
    w = csv.writer(corpus)
    w.writerow(["doc_id", "title", "abstract", "structured"])
    for doc_id, (title, sentences) in ABSTRACTS.items():
        w.writerow([doc_id, title, _numpy_repr(sentences), "False"])
    claims = io.StringIO()
    w = csv.writer(claims)
    w.writerow(
        ["id", "claim", "evidence_doc_id", "evidence_label", "evidence_sentences", "cited_doc_ids"]
    )
    for qid, claim, cited in CLAIMS:
        w.writerow([qid, claim, "", "", "[]", cited])
    return {"corpus_train.csv": corpus.getvalue(), "claims_validation.csv": claims.getvalue()}


@pytest.fixture
def scifact_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "scifact"
    folder.mkdir()
    for name, text in _scifact_csvs().items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# --- metrics ------------------------------------------------------------------------------


def test_ndcg_is_one_when_every_relevant_document_leads_the_ranking() -> None:
    assert ndcg_at_k(["a", "b", "x"], {"a", "b"}) == pytest.approx(1.0)


def test_ndcg_discounts_a_relevant_document_by_the_log_of_its_rank() -> None:
    assert ndcg_at_k(["x", "a"], {"a"}) == pytest.approx(1 / math.log2(3))


def test_ndcg_ignores_documents_below_the_cutoff() -> None:
    assert ndcg_at_k([f"x{i}" for i in range(10)] + ["a"], {"a"}) == 0.0


def test_recall_counts_the_share_of_relevant_documents_within_k() -> None:
    assert recall_at_k(["a", "x", "b"], {"a", "b", "c", "d"}, k=2) == pytest.approx(0.25)


def test_hits_and_mrr_from_first_hit_ranks() -> None:
    scores = hits_and_mrr([1, 3, None, 7])
    assert scores == pytest.approx(
        {"hits@1": 0.25, "hits@5": 0.5, "hits@10": 0.75, "mrr": (1 + 1 / 3 + 1 / 7) / 4}
    )


def test_first_hit_is_one_based_and_none_without_a_hit() -> None:
    assert first_hit(["x", "g"], {"g"}) == 2
    assert first_hit(["x"], {"g"}) is None


def test_dedupe_ranks_a_document_at_its_best_passage() -> None:
    assert dedupe(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]


# --- SciFact loading ----------------------------------------------------------------------


def test_sentence_list_keeps_each_printed_string_as_one_sentence() -> None:
    raw = "['First one.'\n \"It's the second.\" 'Third']"
    assert parse_sentence_list(raw) == ["First one.", "It's the second.", "Third"]


def test_scifact_abstract_is_its_sentences_joined_by_spaces(scifact_dir: Path) -> None:
    collection = load_scifact(scifact_dir)
    assert collection.corpus["11"] == (
        "Vitamin B12 and homocysteine",
        "B12 deficiency raises homocysteine. It's common.",
    )


def test_scifact_judgements_merge_repeated_claim_rows_and_list_every_cited_doc(
    scifact_dir: Path,
) -> None:
    collection = load_scifact(scifact_dir)
    assert collection.qrels == {"1": frozenset({"11"}), "5": frozenset({"22", "33"})}
    assert collection.queries["5"] == "Low birth weight explains perinatal deaths."


def test_scifact_loads_from_the_zip_archive(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "scifact.zip", "w") as z:
        for name, text in _scifact_csvs().items():
            z.writestr(name, text)
    assert len(load_scifact(tmp_path).corpus) == 4


def test_scifact_without_data_stops_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no SciFact data"):
        load_scifact(tmp_path)


def test_scifact_slice_keeps_the_judged_documents_of_every_kept_claim(scifact_dir: Path) -> None:
    small = scifact_slice(load_scifact(scifact_dir), n_docs=4)
    assert set(small.queries) == {"1"}  # claim 5 needs two more documents than half allows
    assert small.qrels["1"] <= small.corpus.keys()
    assert len(small.corpus) == 4  # filled up with distractors


# --- article files ------------------------------------------------------------------------


def test_article_file_front_matter_round_trips_through_chipbot_parsing(tmp_path: Path) -> None:
    text = article_file_text(
        "n1",
        'A "quoted": title',
        "Body text.",
        date=dt.date(2022, 6, 12),
        url="https://www.cnn.com/a",
    )
    article = parse_text(tmp_path / "n1.txt", text)
    assert (article.id, article.title, article.date, article.url, article.source) == (
        "n1",
        'A "quoted": title',
        dt.date(2022, 6, 12),
        "https://www.cnn.com/a",
        "cnn.com",
    )
    assert article.text[article.body_start :].startswith('A "quoted": title\n\nBody text.')


# --- RealTime QA loading --------------------------------------------------------------------


def _write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


GOLD_URL = "https://www.cnn.com/2022/01/02/tech/chips/index.html"
OTHER_URL = "https://example.com/weather"


def _rtqa(tmp_path: Path) -> Path:
    """One synthetic week: two CNN questions with gold articles, one other question."""
    past = tmp_path / "rtqa" / "past"
    week = "20220107"
    _write_jsonl(
        past / f"{week}_qa.jsonl",
        [
            {
                "question_id": f"{week}_0",
                "question_date": "2022/01/06",
                "question_source": "CNN",
                "question_sentence": "Which country agreed to curb exports of chip tools?",
                "choices": ["Japan", "Brazil", "Kenya", "Peru"],
                "answer": ["0"],
                "evidence": f'<a href="{GOLD_URL}#:~:text=x">chips</a>',
            },
            {
                "question_id": f"{week}_1",
                "question_date": "2022/01/06",
                "question_source": "CNN",
                "question_sentence": "What did the storm in Oslo bring?",
                "choices": ["Heavy snow", "A heatwave", "Sand", "Fog"],
                "answer": ["0"],
                "evidence": "",
            },
            {
                "question_id": f"{week}_2",
                "question_date": "2022/01/06",
                "question_source": "THE WEEK",
                "question_sentence": "Which team won the cup?",
                "choices": ["Reds", "Blues", "Greens", "Whites"],
                "answer": ["1"],
                "evidence": "",
            },
        ],
    )
    chips = "Japan agreed on Friday to curb exports of chip tools to China, officials said."
    storm = "A storm in Oslo brought heavy snow to the city this week, closing schools."
    _write_jsonl(
        past / f"{week}_gcs.jsonl",
        [
            {
                "question_id": f"{week}_0",
                "search_time": "2022/01/07/10:00",
                "search_result": [
                    {"url": OTHER_URL, "title": "Weather", "text": storm, "publish_date": None},
                    {
                        "url": GOLD_URL + "#top",
                        "title": "Chips",
                        "text": "Ad text.",
                        "publish_date": "",
                    },
                ],
            },
            {
                "question_id": f"{week}_1",
                "search_time": "2022/01/07/10:00",
                "search_result": [
                    {
                        "url": OTHER_URL,
                        "title": "Weather",
                        "text": storm,
                        "publish_date": "2022/01/05",
                    }
                ],
            },
        ],
    )
    _write_jsonl(
        past / f"{week}_gold.jsonl",
        [
            {"question_id": f"{week}_0", "search_result": [{"url": GOLD_URL, "text": chips}]},
            {"question_id": f"{week}_1", "search_result": [{"url": OTHER_URL, "text": storm}]},
            {"question_id": f"{week}_2", "search_result": []},
        ],
    )
    baselines = tmp_path / "rtqa" / "baseline_results"
    for key, preds in {"open_gpt3_gcs": ["0", "0", "1"], "closed_gpt3": ["1", "0", "0"]}.items():
        _write_jsonl(
            baselines / f"{week}_qa_{key}.jsonl",
            [{"question_id": f"{week}_{i}", "prediction": [p]} for i, p in enumerate(preds)],
        )
    return past


def test_realtimeqa_pools_articles_by_url_without_fragment(tmp_path: Path) -> None:
    pool = load_realtimeqa(_rtqa(tmp_path))
    assert sorted(pool.articles) == sorted([GOLD_URL, OTHER_URL])


def test_realtimeqa_pool_keeps_the_longer_text_of_a_duplicate(tmp_path: Path) -> None:
    pool = load_realtimeqa(_rtqa(tmp_path))
    assert pool.articles[GOLD_URL].text.startswith("Japan agreed")  # not the GCS "Ad text."
    assert pool.articles[GOLD_URL].title == "Chips"


def test_realtimeqa_undated_article_takes_the_date_in_its_url(tmp_path: Path) -> None:
    pool = load_realtimeqa(_rtqa(tmp_path))
    assert pool.articles[GOLD_URL].date == dt.date(2022, 1, 2)


def test_realtimeqa_published_date_wins_over_a_guessed_one(tmp_path: Path) -> None:
    pool = load_realtimeqa(_rtqa(tmp_path))
    assert pool.articles[OTHER_URL].date == dt.date(2022, 1, 5)  # first seen undated


def test_realtimeqa_undated_article_without_url_date_takes_the_question_day(
    tmp_path: Path,
) -> None:
    past = _rtqa(tmp_path)
    gcs = past / "20220107_gcs.jsonl"
    gcs.write_text(gcs.read_text().replace('"publish_date": "2022/01/05"', '"publish_date": ""'))
    pool = load_realtimeqa(past)
    assert pool.articles[OTHER_URL].date == dt.date(2022, 1, 6)


def test_realtimeqa_questions_carry_date_choices_answer_and_gold(tmp_path: Path) -> None:
    q = load_realtimeqa(_rtqa(tmp_path)).questions[0]
    assert (q.date, q.source, q.answer, q.gold_urls) == (
        dt.date(2022, 1, 6),
        "CNN",
        [0],
        [GOLD_URL],
    )
    assert q.gcs_urls == [OTHER_URL, GOLD_URL]


def test_realtimeqa_baselines_are_found_beside_the_weeks_folder(tmp_path: Path) -> None:
    pool = load_realtimeqa(_rtqa(tmp_path))
    assert sorted(pool.baselines) == ["closed_gpt3", "open_gpt3_gcs"]
    assert mc_accuracy(pool.questions, pool.baselines["open_gpt3_gcs"]) == pytest.approx(1.0)
    assert mc_accuracy(pool.questions, pool.baselines["closed_gpt3"]) == pytest.approx(1 / 3)


def test_mc_accuracy_scores_an_abstention_as_wrong(tmp_path: Path) -> None:
    pool = load_realtimeqa(_rtqa(tmp_path))
    assert mc_accuracy(pool.questions[:1], {pool.questions[0].id: []}) == 0.0


def test_realtimeqa_without_weeks_stops_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no RealTime QA weeks"):
        load_realtimeqa(tmp_path)


# --- the answer chooser ---------------------------------------------------------------------


def _passage(text: str, title: str = "") -> Passage:
    return Passage("a", 0, 0, len(text), text, title, None, "/a.txt")


def test_support_is_full_when_the_choice_sits_in_a_passage_about_the_question() -> None:
    from benchmarks.realtimeqa import support
    from retrieval.text import tokenize

    passage = _passage("Japan agreed to curb exports of chip tools. Other news followed.")
    question = set(tokenize("Which country agreed to curb chip tool exports?"))
    assert support(set(tokenize("Japan")), question, passage) > support(
        set(tokenize("Kenya")), question, passage
    )
    assert support(set(tokenize("Kenya")), question, passage) == 0.0


# --- end to end (real model, real indexes) --------------------------------------------------


@pytest.mark.slow
def test_scifact_runner_prints_the_issue_json(
    scifact_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks import scifact

    args = ["--data", str(scifact_dir), "--json", "--quick", "--cache", str(tmp_path / "c")]
    assert scifact.main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"ndcg@10", "recall@100", "n_queries"}
    assert set(result["ndcg@10"]) == {"dense", "bm25", "hybrid"}
    assert result["n_queries"] == 2
    assert result["recall@100"]["hybrid"] == 1.0  # four documents: everything is found


@pytest.mark.slow
def test_realtimeqa_runner_finds_gold_articles_and_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks import realtimeqa

    past = _rtqa(tmp_path)
    args = ["--data", str(past), "--week", "20220107", "--json", "--no-readme"]
    assert realtimeqa.main([*args, "--cache", str(tmp_path / "c")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"n", "cnn", "former", "gcs", "peer", "mc_accuracy", "baselines"}
    assert result["n"] == 3
    assert result["cnn"]["hits@1"] == 1.0
    assert result["gcs"]["mrr"] == pytest.approx((1 / 2 + 1) / 2)
    assert result["peer"]["hits@5"] == 1.0
    assert result["mc_accuracy"]["cnn"] == 1.0  # Japan and heavy snow are in the articles
    assert result["baselines"]["open_gpt3_gcs"]["all"] == 1.0


def test_pick_chooses_the_choice_found_beside_the_question_words() -> None:
    from benchmarks.realtimeqa import pick

    passages = [_passage("European regulators will require a common charger for phones.")]
    choice = pick("Which continent will require a common charger?", ["Asia", "Europe"], passages)
    assert (choice.index, choice.cited) == (1, passages[0])


def test_pick_abstains_when_no_choice_is_supported() -> None:
    from benchmarks.realtimeqa import pick

    passages = [_passage("Nothing here names any of the choices.")]
    assert pick("Which city hosts the games?", ["Paris", "Rome"], passages).index is None


def test_pick_abstains_on_a_tie() -> None:
    from benchmarks.realtimeqa import pick

    passages = [_passage("Paris and Rome both bid to host the games.")]
    assert pick("Which city hosts the games?", ["Paris", "Rome"], passages).index is None


def test_pick_ignores_words_every_choice_shares() -> None:
    from benchmarks.realtimeqa import pick

    passages = [_passage("The band split after nine years together, and seven albums.")]
    choice = pick("The band split after how many years?", ["Seven years", "Nine years"], passages)
    assert choice.scores[0] == choice.scores[1]  # "years" cannot tell them apart


def test_pick_takes_the_one_unsupported_choice_of_an_except_question() -> None:
    from benchmarks.realtimeqa import pick

    passages = [_passage("The actor starred in Magnolia, Boogie Nights and Rush Hour.")]
    question = "The actor was in all of these movies except:"
    choices = ["Magnolia", "Boogie Nights", "Taxi Driver", "Rush Hour"]
    assert pick(question, choices, passages).index == 2


# --- article ranking settings and their choice by cross-validation over weeks ---------------


def _hits(articles: list[str]) -> tuple[Hit, ...]:
    """A ranked list whose i-th passage belongs to ``articles[i]``; an article's n-th
    passage in one list is the same chunk as its n-th in another."""
    seen: list[str] = []
    hits = []
    for i, a in enumerate(articles):
        hits.append(Hit(f"{a}:{seen.count(a)}", a, 1.0 - i / 100))
        seen.append(a)
    return tuple(hits)


def test_article_score_sums_its_best_passages() -> None:
    per = {"a": [0.9, 0.05], "b": [0.5, 0.5]}
    assert aggregate(per, RankingSetting(top=3)) == ["b", "a"]


def test_article_ranking_by_best_passage_only() -> None:
    per = {"a": [0.9], "b": [0.5, 0.5]}
    assert aggregate(per, RankingSetting(top=1)) == ["a", "b"]


def test_decayed_weights_count_each_further_passage_less() -> None:
    per = {"a": [0.6, 0.6], "b": [0.8, 0.3]}  # summed: a 1.2 > b 1.1; halved: a 0.9 < b 0.95
    assert aggregate(per, RankingSetting(top=2)) == ["a", "b"]
    assert aggregate(per, RankingSetting(top=2, decay=0.5)) == ["b", "a"]


def test_age_discount_halves_an_article_score_per_half_life() -> None:
    asof = dt.date(2022, 7, 1)
    dates = {"old": dt.date(2022, 6, 1), "new": dt.date(2022, 6, 30), "undated": None}
    candidates = Candidates((), (), asof, dates)
    per = {"old": [1.0], "new": [0.6], "undated": [0.8]}
    assert aggregate(per, RankingSetting(top=1), candidates) == ["old", "undated", "new"]
    discounted = aggregate(per, RankingSetting(top=1, half_life=30.0), candidates)
    assert discounted == ["undated", "new", "old"]  # old: 1.0 * 0.5 ** (30 / 30)


def test_dense_weight_tilts_the_fusion_toward_the_dense_list() -> None:
    candidates = Candidates(_hits(["a", "b"]), _hits(["b", "a"]))
    assert rank_articles(candidates, RankingSetting(top=1, dense_weight=2.0))[0] == "a"
    assert rank_articles(candidates, RankingSetting(top=1, dense_weight=0.5))[0] == "b"


def test_depth_limits_the_passages_each_list_contributes() -> None:
    candidates = Candidates(_hits(["a", "b", "c"]), _hits(["a", "b", "c"]))
    assert rank_articles(candidates, RankingSetting(depth=2)) == ["a", "b"]


def test_ranking_fuses_as_the_hybrid_retriever_does() -> None:
    from retrieval.fusion import reciprocal_rank_fusion

    dense, lexical = _hits(["a", "b", "c"]), _hits(["c", "a"])
    fused = reciprocal_rank_fusion([[h.chunk for h in dense], [h.chunk for h in lexical]])
    per = fused_passages(Candidates(dense, lexical), depth=3, dense_weight=1.0)
    assert [chunk for chunk, _ in fused] == ["a:0", "c:0", "b:0"]
    assert per == {"a": [fused[0][1]], "c": [fused[1][1]], "b": [fused[2][1]]}


def test_grid_opens_with_the_incumbent_and_holds_each_setting_once() -> None:
    settings = grid()
    assert settings[0] == INCUMBENT
    assert len(set(settings)) == len(settings)


def test_ranking_setting_round_trips_through_json() -> None:
    setting = RankingSetting(200, 2.0, 10, 0.7, 30.0)
    assert RankingSetting.from_json(json.loads(json.dumps(setting.to_json()))) == setting


def test_best_setting_keeps_the_earlier_setting_on_a_tie() -> None:
    first, second = RankingSetting(top=1), RankingSetting(top=2)
    ranks = {first: {"q": 2}, second: {"q": 2}}
    assert best_setting(ranks, ["q"], [first, second]) == first
    assert best_setting(ranks, ["q"], [second, first]) == second


def test_best_setting_breaks_a_hits_at_5_tie_by_mrr() -> None:
    first, second = RankingSetting(top=1), RankingSetting(top=2)
    ranks = {first: {"q": 4}, second: {"q": 1}}
    assert best_setting(ranks, ["q"], [first, second]) == second


def test_cross_validation_scores_each_week_with_the_setting_the_other_weeks_chose() -> None:
    a, b = RankingSetting(top=1), RankingSetting(top=2)
    week_of = {"q1": "w1", "q2": "w2", "q3": "w3"}
    # a finds the gold article in weeks 1 and 2, b only in week 3.
    ranks: dict[RankingSetting, dict[str, int | None]] = {
        a: {"q1": 1, "q2": 1, "q3": None},
        b: {"q1": None, "q2": None, "q3": 1},
    }
    cv = cross_validate(ranks, week_of, [b, a])
    assert [(f.week, f.setting) for f in cv.folds] == [("w1", b), ("w2", b), ("w3", a)]
    assert cv.ranks == {"q1": None, "q2": None, "q3": None}  # every fold picked wrongly
    assert cv.chosen == a
    assert cv.metrics()["hits@5"] == 0.0


def test_cross_validation_needs_two_weeks() -> None:
    setting = RankingSetting()
    with pytest.raises(ValueError, match="two weeks"):
        cross_validate({setting: {"q": 1}}, {"q": "w1"}, [setting])


def test_runner_cross_validation_puts_the_tutorial_on_the_same_questions() -> None:
    from benchmarks.realtimeqa import cross_validated

    a, b = RankingSetting(top=1), RankingSetting(top=2)
    ranks: dict[RankingSetting, dict[str, int | None]] = {
        a: {"q1": 1, "q2": 1, "q3": 7},
        b: {"q1": 2, "q2": 1, "q3": 1},
    }
    peer_ranks: dict[str, int | None] = {"q1": 1, "q2": None, "q3": 1}
    found = cross_validated(ranks, {"q1": "w1", "q2": "w2"}, peer_ranks, [a, b], ["q3"])
    assert (found["weeks"], found["cv"]["n"], found["grid_size"]) == (["w1", "w2"], 2, 2)
    assert found["peer"]["hits@5"] == 0.5  # q3 belongs to neither week
    assert [f["week"] for f in found["folds"]] == ["w1", "w2"]
    assert found["setting"] == a.to_json()
    assert found["held_out"]["hits@5"] == 0.0  # a, chosen on w1 and w2, misses q3


def test_runner_cv_figures_cover_the_tuning_weeks_and_all_weeks_with_and_without_age() -> None:
    from benchmarks.realtimeqa import cv_figures, cv_table

    candidates = {
        "t1": Candidates(_hits(["gold1", "x"]), _hits(["x", "gold1"])),
        "t2": Candidates(_hits(["y", "gold2"]), _hits(["gold2"])),
        "h1": Candidates(_hits(["gold3"]), _hits(["z", "gold3"])),
    }
    gold = {"t1": {"gold1"}, "t2": {"gold2"}, "h1": {"gold3"}}
    week_of = {"t1": "20220617", "t2": "20220624", "h1": "20220708"}
    found = cv_figures(candidates, gold, week_of, {"t1": 1, "t2": 2, "h1": None})
    assert sorted(found) == ["all", "all_no_age", "tuning", "tuning_no_age"]
    assert found["tuning"]["weeks"] == ["20220617", "20220624"]
    assert found["tuning"]["held_out"]["n"] == 1
    assert found["all"]["grid_size"] == len(grid())
    assert found["all_no_age"]["grid_size"] == sum(1 for s in grid() if s.half_life is None)
    rows = cv_table(found)
    assert any(
        r.startswith("| all settings (216) | shipped: tuning weeks: 20220617–") for r in rows
    )
    assert any(r.startswith("| without age discount (54) | all weeks: 20220617–") for r in rows)


def test_the_shipped_setting_is_the_recorded_choice_of_the_tuning_weeks() -> None:
    from benchmarks.realtimeqa import TUNING_WEEKS

    recorded = json.loads(CHOICE_FILE.read_text(encoding="utf-8"))
    assert shipped_setting() == RankingSetting.from_json(recorded["setting"])
    assert shipped_setting() in grid()
    assert recorded["selection_weeks"] == sorted(TUNING_WEEKS)
    assert [f["week"] for f in recorded["folds"]] == sorted(TUNING_WEEKS)
    assert recorded["grid"]["size"] == len(grid())


REALTIMEQA_DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "realtimeqa"


@pytest.mark.slow
@pytest.mark.skipif(not REALTIMEQA_DATA.is_dir(), reason="no RealTime QA data beside the repo")
def test_choose_ranking_quick_reproduces_the_recorded_choice(tmp_path: Path) -> None:
    from benchmarks import choose_ranking

    recorded = json.loads(CHOICE_FILE.read_text(encoding="utf-8"))["quick"]
    found = choose_ranking.choose(REALTIMEQA_DATA, quick=True, cache=tmp_path / "c")
    assert found["setting"] == recorded["setting"]
    assert found == recorded


@pytest.mark.slow
def test_peer_pipeline_splits_like_the_tutorial_and_filters_by_metadata(tmp_path: Path) -> None:
    from benchmarks.peer import PeerDocument, PeerPipeline

    peer = PeerPipeline(tmp_path / "peer")
    long_text = " ".join(f"Sentence {i} about chip export controls." for i in range(80))
    docs = [
        PeerDocument("old", long_text, {"date_ord": 20220101}),
        PeerDocument("new", "Japan curbs chip tool exports.", {"date_ord": 20220301}),
    ]
    chunks = peer.add(docs)
    assert all(len(c.page_content) <= 1000 for c in peer.split(docs))
    assert peer.add(docs) == chunks
    assert peer.count() == chunks
    hits = peer.search("Japan chip tool exports", k=4, where={"date_ord": {"$lte": 20220201}})
    assert hits
    assert {h.doc_id for h in hits} == {"old"}


def _question(qid: str, week: str, answer: int) -> Question:
    return Question(
        id=qid,
        week=week,
        date=dt.date(2022, 7, 8),
        source="CNN",
        sentence="?",
        choices=["a", "b", "c", "d"],
        answer=[answer],
    )


def test_realtimeqa_figures_cover_only_the_questions_given() -> None:
    from benchmarks.realtimeqa import figures

    questions = [_question("t1", "20220617", 0), _question("h1", "20220708", 1)]
    ranks = {name: {"t1": 1, "h1": None} for name in ("cnn", "former", "gcs", "peer")}
    predictions = {"t1": [0], "h1": []}
    held_out = figures(questions[1:], ranks, predictions, {"open_rag_gcs": {"h1": [1]}})
    assert held_out["n"] == held_out["n_cnn"] == 1
    assert held_out["cnn"]["hits@10"] == 0.0
    assert held_out["mc_accuracy"]["all"] == 0.0
    assert held_out["abstained"] == 1
    assert held_out["baselines"]["open_rag_gcs"]["all"] == 1.0
    assert figures(questions[:1], ranks, predictions, {})["cnn"]["hits@1"] == 1.0


def test_realtimeqa_split_table_shows_tuning_and_held_out_weeks() -> None:
    from benchmarks.realtimeqa import figures, split_table

    q = _question("h1", "20220708", 1)
    ranks = {name: {"h1": 2} for name in ("cnn", "former", "gcs", "peer")}
    split = {**figures([q], ranks, {"h1": [1]}, {}), "weeks": ["20220708", "20220715"]}
    rows = split_table({"tuning": split, "held_out": split})
    assert any(r.startswith("| tuning: 20220708–20220715 (2) | 1 (1) | 1.000") for r in rows)
    assert any(r.startswith("| held out: ") and r.endswith("| 1.000 | – | – |") for r in rows)
