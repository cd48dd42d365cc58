"""RealTime QA: chipbot over a pool of dated news articles, against the published baselines.

    python benchmarks/realtimeqa.py [--data DIR] [--week YYYYMMDD ...] [--quick] [--json]

Pools every article of the weeks under DIR (Google Custom Search results and gold
articles, de-duplicated by URL, each with its date and URL as front matter) into one
chipbot index (cached under ``~/.cache/chipbot-bench``), then for every question:

- retrieval (CNN questions, whose evidence links the gold article): Hits@1/5/10 and MRR
  of the gold article in chipbot's article ranking (:mod:`benchmarks.article_ranking`, the
  setting :mod:`benchmarks.choose_ranking` recorded) with the question's date as
  ``until``; the same for the stored Google Custom Search ranking and for the
  LangChain-tutorial peer pipeline (:mod:`benchmarks.peer`) over the same pool and filter;
  a run over two weeks or more also reports leave-one-week-out cross-validated figures
  (each week ranked by the setting the other weeks choose) beside the tutorial's;
- answers: multiple-choice accuracy, choosing the choice best supported by retrieved,
  cited passages (or abstaining: "none of the above"), next to the published baselines
  recomputed from ``baseline_results/`` for the same weeks.

``--quick`` runs one fixed week (for CI).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import re
import sys
import time
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.article_ranking import (  # noqa: E402
    DEPTH,
    DEPTHS,
    INCUMBENT,
    Candidates,
    RankingSetting,
    cross_validate,
    fetch_candidates,
    first_hit_ranks,
    grid,
    rank_articles,
    shipped_setting,
)
from benchmarks.data import (  # noqa: E402
    BASELINES,
    Question,
    RealTimeQA,
    article_file_text,
    cache_key,
    cache_root,
    cached_index,
    dedupe,
    first_hit,
    hits_and_mrr,
    load_realtimeqa,
    mc_accuracy,
)
from benchmarks.readme import machine, update_block  # noqa: E402
from retrieval.engine import Chipbot  # noqa: E402
from retrieval.models import Passage, SearchFilter  # noqa: E402
from retrieval.retriever import HybridRetriever, RetrievalConfig  # noqa: E402
from retrieval.settings import Settings  # noqa: E402
from retrieval.text import split_sentences, tokenize  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "realtimeqa"
QUICK_WEEK = "20220617"
#: The weeks on which the chooser's settings and the article ranking's setting are picked
#: (the latter by cross-validation over these weeks); figures on the other weeks are held out.
TUNING_WEEKS = frozenset({"20220617", "20220624", "20220701"})
PEER_PASSAGES = 100  # the tutorial's nearest chunks, deduplicated into DEPTH articles
README_BLOCK = "public-benchmarks-realtimeqa"
log = logging.getLogger(__name__)
_EXCEPT_RE = re.compile(r"\b(?:except|not one of|none of these)\b", re.I)


def article_files(pool: RealTimeQA) -> dict[str, str]:
    """One article file per pooled URL: ``{file stem: text}``."""
    return {
        a.id: article_file_text(a.id, a.title, a.text, date=a.date, url=a.url)
        for a in pool.articles.values()
    }


def chipbot_index(
    pool: RealTimeQA, name: str, show_progress: bool, cache: Path | None = None
) -> Chipbot:
    """chipbot with its default chunking over the pool, indexed once and cached."""
    defaults = Settings(data_dir=cache_root())
    return cached_index(
        name,
        article_files(pool),
        pool.digest(),
        chunk_chars=defaults.chunk_chars,
        chunk_overlap=defaults.chunk_overlap,
        show_progress=show_progress,
        root=cache,
    )


def peer_index(pool: RealTimeQA, name: str, show_progress: bool, cache: Path | None = None) -> Any:
    """The LangChain-tutorial pipeline over the same pool, indexed once and cached."""
    from benchmarks.data import progress_bar
    from benchmarks.peer import PeerDocument, PeerPipeline

    folder = (cache or cache_root()) / f"{name}-peer-{cache_key(pool.digest())}"
    peer = PeerPipeline(folder / "chroma")
    marker = folder / "complete.json"
    if not marker.is_file():
        docs = [
            PeerDocument(a.id, f"{a.title}\n\n{a.text}", {"date_ord": _date_ord(a.date)})
            for a in pool.articles.values()
        ]
        with progress_bar(f"indexing {name} (peer)", show_progress) as advance:
            chunks = peer.add(docs, progress=lambda done, total: advance(done, total, ""))
        marker.write_text(json.dumps({"docs": len(docs), "chunks": chunks}), "utf-8")
    return peer


def _date_ord(date: dt.date | None) -> int:
    return int(date.strftime("%Y%m%d")) if date else 0


@dataclasses.dataclass(frozen=True)
class Choice:
    """The chosen choice (``None``: abstained) with every choice's support score."""

    index: int | None
    scores: list[float]
    cited: Passage | None


def _matches(choice_term: str, terms: set[str]) -> bool:
    """A choice term is present as a word, or as the stem of a longer one ("europ" in
    "european"), which Snowball stems keep apart."""
    if choice_term in terms:
        return True
    return len(choice_term) >= 5 and any(t.startswith(choice_term) for t in terms)


def support(choice_terms: set[str], question_terms: set[str], passage: Passage) -> float:
    """How well ``passage`` supports a choice: the share of the choice's terms found in one
    window of three sentences, times how much of the question that window and the
    passage talk about."""
    if not choice_terms:
        return 0.0
    spans = split_sentences(passage.text)
    sentences = [set(tokenize(passage.text[s:e])) for s, e in spans] or [set()]
    about = len(question_terms & (set().union(*sentences) | set(tokenize(passage.title))))
    best = 0.0
    for i in range(len(sentences)):
        window: set[str] = set().union(*sentences[max(0, i - 1) : i + 2])
        found = sum(1 for t in choice_terms if _matches(t, window))
        if found:
            near = len(question_terms & window)
            context = (near + about) / (2 * max(1, len(question_terms)))
            best = max(best, found / len(choice_terms) * (0.25 + context))
    return best


def gather(
    retriever: HybridRetriever,
    question: str,
    choices: Sequence[str],
    flt: SearchFilter | None,
    k: int = 8,
) -> list[Passage]:
    """Passages retrieved for the question alone and for the question with each choice."""
    passages: dict[str, Passage] = {}
    for query in [question, *(f"{question} {c}" for c in choices)]:
        for p in retriever.search(query, k=k, flt=flt):
            passages.setdefault(p.id, p)
    return list(passages.values())


def pick(
    question: str, choices: Sequence[str], passages: Sequence[Passage], threshold: float = 0.1
) -> Choice:
    """The choice best supported by ``passages``, citing the passage that supports it.

    Words shared by every choice or already in the question say nothing about which
    choice is right and are ignored. "All of these except" questions take the one choice
    without support. Abstains below ``threshold`` or on a tie.
    """
    question_terms = set(tokenize(question))
    terms = [set(tokenize(c)) - question_terms for c in choices]
    common = set.intersection(*terms) if terms else set()
    terms = [t - common for t in terms]
    scores: list[float] = []
    breadth: list[float] = []  # summed support over all passages: breaks ties
    cited: list[Passage | None] = []
    for t in terms:
        supports = [support(t, question_terms, p) for p in passages]
        best = max(supports, default=0.0)
        scores.append(best)
        breadth.append(sum(supports))
        cited.append(passages[supports.index(best)] if best > 0 else None)
    if not scores:
        return Choice(None, scores, None)
    if _EXCEPT_RE.search(question):
        low = min(scores)
        supported = [s for s in scores if s >= threshold]
        if scores.count(low) == 1 and len(supported) == len(scores) - 1:
            return Choice(scores.index(low), scores, None)
        return Choice(None, scores, None)
    keys = list(zip(scores, breadth, strict=True))
    top = max(keys)
    if top[0] < threshold or keys.count(top) > 1:
        return Choice(None, scores, None)
    index = keys.index(top)
    return Choice(index, scores, cited[index])


def choose(
    retriever: HybridRetriever,
    question: str,
    choices: Sequence[str],
    flt: SearchFilter | None,
    *,
    k: int = 8,
) -> Choice:
    """:func:`pick` over the passages :func:`gather` retrieves."""
    return pick(question, choices, gather(retriever, question, choices, flt, k))


def gold_articles(pool: RealTimeQA) -> dict[str, set[str]]:
    """The gold article ids of every question whose gold article is in the pool (CNN)."""
    ids = {url: a.id for url, a in pool.articles.items()}
    gold = {q.id: {ids[u] for u in q.gold_urls if u in ids} for q in pool.questions}
    return {q: g for q, g in gold.items() if g}


def question_candidates(
    pool: RealTimeQA, bot: Chipbot, questions: Collection[str]
) -> dict[str, Candidates]:
    """The dense and lexical lists of each of ``questions``, as deep as the deepest
    setting of the grid, under the question's date as ``until``."""
    retriever = HybridRetriever(bot.index, bot.embedder, bot.retrieval_config)
    depth = max(DEPTHS)
    return {
        q.id: fetch_candidates(retriever, q.sentence, SearchFilter(until=q.date), depth)
        for q in pool.questions
        if q.id in questions
    }


def retrieval_ranks(
    pool: RealTimeQA,
    candidates: Mapping[str, Candidates],
    gold: Mapping[str, set[str]],
    peer: Any,
    setting: RankingSetting,
) -> dict[str, dict[str, int | None]]:
    """The gold article's rank (``None``: not in the top 10) per CNN question, per ranking:
    chipbot's under ``setting`` and under the former rule, Google's stored results and the
    tutorial pipeline's."""
    ids = {url: a.id for url, a in pool.articles.items()}
    ranks: dict[str, dict[str, int | None]] = {"cnn": {}, "former": {}, "gcs": {}, "peer": {}}
    for q in pool.questions:
        if q.id not in gold:
            continue
        ours = rank_articles(candidates[q.id], setting)
        ranks["cnn"][q.id] = first_hit(ours[:DEPTH], gold[q.id])
        former = rank_articles(candidates[q.id], INCUMBENT)
        ranks["former"][q.id] = first_hit(former[:DEPTH], gold[q.id])
        gcs = dedupe(ids[u] for u in q.gcs_urls if u in ids)
        ranks["gcs"][q.id] = first_hit(gcs[:DEPTH], gold[q.id])
        # The tutorial ranks an article at its best chunk among its nearest chunks.
        where = {"date_ord": {"$lte": _date_ord(q.date)}}
        hits = peer.search(q.sentence, k=PEER_PASSAGES, where=where)
        ranks["peer"][q.id] = first_hit(dedupe(h.doc_id for h in hits)[:DEPTH], gold[q.id])
    return ranks


def cross_validated(
    ranks: Mapping[RankingSetting, Mapping[str, int | None]],
    week_of: Mapping[str, str],
    peer_ranks: Mapping[str, int | None],
    settings: Sequence[RankingSetting],
    held_out: Collection[str] = (),
) -> dict[str, Any]:
    """Leave-one-week-out figures over the questions of ``week_of``: chipbot's ranks each
    from a setting of ``settings`` chosen on the other weeks, the tutorial's on the same
    questions; with ``held_out`` questions, also how the setting chosen on all of
    ``week_of``'s weeks ranks those."""
    cv = cross_validate(ranks, week_of, settings)
    peer = hits_and_mrr([peer_ranks[q] for q in week_of])
    found = {
        **cv.to_json(),
        "weeks": sorted(set(week_of.values())),
        "grid_size": len(settings),
        "peer": {m: round(v, 4) for m, v in peer.items()},
    }
    if held_out:
        chosen = hits_and_mrr([ranks[cv.chosen][q] for q in held_out])
        found["held_out"] = {"n": len(held_out), **{m: round(v, 4) for m, v in chosen.items()}}
    return found


def cv_figures(
    candidates: Mapping[str, Candidates],
    gold: Mapping[str, set[str]],
    week_of: Mapping[str, str],
    peer_ranks: Mapping[str, int | None],
) -> dict[str, Any]:
    """The cross-validated figures of a run: over the tuning weeks (how the shipped setting
    is chosen) and over every week, for the whole grid and for the grid without the age
    discount (to show what the discount brings)."""
    settings = grid()
    ranks = first_hit_ranks({q: candidates[q] for q in week_of}, gold, settings)
    grids = {"": settings, "_no_age": [s for s in settings if s.half_life is None]}
    tuning = {q: w for q, w in week_of.items() if w in TUNING_WEEKS}
    others = [q for q in week_of if q not in tuning]
    found: dict[str, Any] = {}
    for suffix, subset in grids.items():
        if len(set(tuning.values())) >= 2:
            found["tuning" + suffix] = cross_validated(ranks, tuning, peer_ranks, subset, others)
        found["all" + suffix] = cross_validated(ranks, week_of, peer_ranks, subset)
    return found


def answer_predictions(pool: RealTimeQA, bot: Chipbot) -> dict[str, list[int]]:
    """Each question's chosen choice (``[]`` = abstained, "none of the above")."""
    retriever = HybridRetriever(bot.index, bot.embedder, RetrievalConfig())
    predictions: dict[str, list[int]] = {}
    for q in pool.questions:
        flt = SearchFilter(until=q.date)
        picked = choose(retriever, q.sentence, q.choices, flt)
        predictions[q.id] = [] if picked.index is None else [picked.index]
    return predictions


def quick_slice(pool: RealTimeQA) -> RealTimeQA:
    """Only the CNN questions (those with a gold article) and the articles they name."""
    questions = [q for q in pool.questions if q.gold_urls]
    urls = {u for q in questions for u in (*q.gold_urls, *q.gcs_urls)}
    articles = {u: a for u, a in pool.articles.items() if u in urls}
    return dataclasses.replace(pool, questions=questions, articles=articles)


def figures(
    questions: Sequence[Question],
    ranks: dict[str, dict[str, int | None]],
    predictions: dict[str, list[int]],
    baselines: dict[str, dict[str, list[int]]],
) -> dict[str, Any]:
    """Retrieval and multiple-choice figures over ``questions`` (the whole run or a split)."""
    cnn = [q for q in questions if q.id in ranks["cnn"]]
    out: dict[str, Any] = {"n": len(questions), "n_cnn": len(cnn)}
    for name, by_question in ranks.items():
        metrics = hits_and_mrr([by_question[q.id] for q in cnn])
        out[name] = {m: round(v, 4) for m, v in metrics.items()}
    out["mc_accuracy"] = {
        "all": round(mc_accuracy(questions, predictions), 4),
        "cnn": round(mc_accuracy(cnn, predictions), 4),
    }
    out["abstained"] = sum(1 for q in questions if not predictions.get(q.id))
    out["baselines"] = {
        key: {
            "all": round(mc_accuracy(questions, preds), 4),
            "cnn": round(mc_accuracy(cnn, preds), 4),
        }
        for key, preds in sorted(baselines.items())
    }
    return out


def run(
    data: Path,
    weeks: Sequence[str] | None,
    *,
    show_progress: bool,
    quick: bool = False,
    cache: Path | None = None,
) -> dict[str, Any]:
    """Index (cached), evaluate retrieval and answers; the JSON result of the issue.

    When the run covers weeks on both sides of :data:`TUNING_WEEKS`, ``splits`` holds the
    same figures for the tuning weeks and for the held-out weeks apart.
    """
    pool = load_realtimeqa(data, weeks)
    name = "realtimeqa-" + ("-".join(pool.weeks) if len(pool.weeks) <= 2 else "pool")
    if quick:
        pool, name = quick_slice(pool), name + "-quick"
    bot = chipbot_index(pool, name, show_progress, cache)
    peer = peer_index(pool, name, show_progress, cache)
    gold = gold_articles(pool)
    candidates = question_candidates(pool, bot, gold)
    setting = shipped_setting()
    ranks = retrieval_ranks(pool, candidates, gold, peer, setting)
    predictions = answer_predictions(pool, bot)
    result = {
        **figures(pool.questions, ranks, predictions, pool.baselines),
        "weeks": pool.weeks,
        "n_articles": len(pool.articles),
        "setting": setting.to_json(),
    }
    week_of = {q.id: q.week for q in pool.questions if q.id in gold}
    if len(set(week_of.values())) >= 2:
        result["cv"] = cv_figures(candidates, gold, week_of, ranks["peer"])
        chosen = result["cv"].get("tuning", {}).get("setting")
        if chosen is not None and RankingSetting.from_json(chosen) != setting:
            log.warning("the tuning weeks choose %s, not the shipped setting", chosen)
    tuning = [q for q in pool.questions if q.week in TUNING_WEEKS]
    held_out = [q for q in pool.questions if q.week not in TUNING_WEEKS]
    if tuning and held_out:
        result["splits"] = {
            "tuning": figures(tuning, ranks, predictions, pool.baselines),
            "held_out": figures(held_out, ranks, predictions, pool.baselines),
        }
        result["splits"]["tuning"]["weeks"] = sorted({q.week for q in tuning})
        result["splits"]["held_out"]["weeks"] = sorted({q.week for q in held_out})
    return result


def markdown(result: dict[str, Any], command: str) -> str:
    """The README tables of one run."""
    weeks = result["weeks"]
    lines = [
        f"RealTime QA, {len(weeks)} week{'s' if len(weeks) > 1 else ''} "
        f"({weeks[0]}–{weeks[-1]}): {result['n']} questions, "
        f"{result['n_articles']:,} pooled articles. Retrieval of the gold article for the "
        f"{result['n_cnn']} CNN questions (question date as `until`):",
        "",
        "| ranking | Hits@1 | Hits@5 | Hits@10 | MRR |",
        "|---|---|---|---|---|",
    ]
    names = {
        "cnn": "chipbot (hybrid, pooled index)",
        "former": "chipbot, former rule (sum of 3 best of 100 passages)",
        "gcs": "Google Custom Search (stored results)",
        "peer": "LangChain tutorial pipeline (same pool)",
    }
    for key, label in names.items():
        m = result[key]
        lines.append(
            f"| {label} | {m['hits@1']:.3f} | {m['hits@5']:.3f} | {m['hits@10']:.3f} | "
            f"{m['mrr']:.3f} |"
        )
    mc = result["mc_accuracy"]
    lines += [
        "",
        "Multiple-choice accuracy (upstream scoring; an abstention counts as wrong):",
        "",
        "| system | all | CNN |",
        "|---|---|---|",
        f"| chipbot, offline (no LLM; {result['abstained']} abstained) | {mc['all']:.3f} | "
        f"{mc['cnn']:.3f} |",
    ]
    for key, b in result["baselines"].items():
        lines.append(
            f"| {BASELINES[key]} (published predictions) | {b['all']:.3f} | {b['cnn']:.3f} |"
        )
    if "splits" in result:
        lines += ["", *split_table(result["splits"])]
    if "cv" in result:
        lines += ["", *cv_table(result["cv"])]
    setting = RankingSetting.from_json(result["setting"])
    lines += [
        "",
        "chipbot's ranking: hybrid retrieval (default chunking, MMR off); an article scores "
        "its best fused passage scores, under the setting `benchmarks/choose_ranking.py` "
        f"chose by cross-validation on weeks {min(TUNING_WEEKS)}–{max(TUNING_WEEKS)} "
        f"(recorded in `benchmarks/article_ranking.json`): {setting.label()}. The former "
        "rule (the sum of an article's 3 best of 100 passages, no age discount) was picked "
        "on the same weeks by hand; the rows without the age discount show what the rest "
        "of the grid does alone. "
        f"The tutorial ranks an article at its best chunk among its {PEER_PASSAGES} nearest. "
        "chipbot's offline answer (it does not use the article ranking): passages are "
        "retrieved (hybrid, same `until`) for the "
        "question and for the question with each choice; the choice whose words stand "
        "closest to the question's words in a passage wins and that passage is cited; "
        "with no support, or a tie, it abstains. No LLM is configured on this machine, so "
        "what an LLM adds is not measured here. The chooser's "
        f"few settings were chosen on weeks {min(TUNING_WEEKS)}–{max(TUNING_WEEKS)}.",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine()} by `{command}`.",
    ]
    return "\n".join(lines)


def split_table(splits: dict[str, Any]) -> list[str]:
    """Tuning weeks against held-out weeks: the goals' figures side by side."""
    lines = [
        "The chooser's settings and the article ranking's setting were picked on the tuning "
        "weeks; the held-out weeks were not looked at while choosing them:",
        "",
        "| weeks | questions (CNN) | Hits@5 chipbot / former rule / Google CSE / tutorial | "
        "MC accuracy chipbot | RAG + GCS | GPT-3 + GCS |",
        "|---|---|---|---|---|---|",
    ]
    for label, key in (("tuning", "tuning"), ("held out", "held_out")):
        f = splits[key]
        weeks = f"{label}: {f['weeks'][0]}–{f['weeks'][-1]} ({len(f['weeks'])})"
        base = f["baselines"]
        rag = base.get("open_rag_gcs", {}).get("all")
        gpt3 = base.get("open_gpt3_gcs", {}).get("all")
        lines.append(
            f"| {weeks} | {f['n']} ({f['n_cnn']}) | {f['cnn']['hits@5']:.3f} / "
            f"{f['former']['hits@5']:.3f} / {f['gcs']['hits@5']:.3f} / {f['peer']['hits@5']:.3f} | "
            f"{f['mc_accuracy']['all']:.3f} | {_fmt(rag)} | {_fmt(gpt3)} |"
        )
    return lines


def cv_table(cv: dict[str, Any]) -> list[str]:
    """Leave-one-week-out figures: chipbot under the setting the other weeks chose, the
    tutorial on the same questions; the whole grid, then the grid without the age discount."""
    first = next(iter(cv.values()))
    lines = [
        "Article ranking chosen by cross-validation over weeks: each week's CNN questions "
        "are ranked by the setting that is best (Hits@5, then MRR) on the other weeks. The "
        f"grid ({first['grid_size']} settings) varies the passages fetched, the dense "
        "list's weight in the fusion, how many of an article's best passages count and "
        "with what weights, and an age discount (an article's score halves every 7, 30 or "
        "365 days before the question, or never). Over the tuning weeks this is how the "
        "shipped setting was chosen; over all weeks it only reports how the procedure "
        "carries to weeks it has not seen:",
        "",
        "| settings | cross-validated over | CNN questions | Hits@5 chipbot (CV) / tutorial "
        "| MRR chipbot (CV) / tutorial | chosen on all these weeks | its Hits@5 on the "
        "held-out weeks |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = (
        ("", "all settings", "shipped: tuning weeks"),
        ("", "all settings", "all weeks"),
        ("_no_age", "without age discount", "tuning weeks"),
        ("_no_age", "without age discount", "all weeks"),
    )
    for suffix, grid_label, over in rows:
        key = ("tuning" if "tuning" in over else "all") + suffix
        if key not in cv:
            continue
        f = cv[key]
        weeks = f"{over}: {f['weeks'][0]}–{f['weeks'][-1]} ({len(f['weeks'])})"
        held = f.get("held_out")
        lines.append(
            f"| {grid_label} ({f['grid_size']}) | {weeks} | {f['cv']['n']} | "
            f"{f['cv']['hits@5']:.3f} / {f['peer']['hits@5']:.3f} | "
            f"{f['cv']['mrr']:.3f} / {f['peer']['mrr']:.3f} | "
            f"{RankingSetting.from_json(f['setting']).label()} | "
            f"{'–' if held is None else format(held['hits@5'], '.3f')} |"
        )
    return lines


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="RealTime QA folder.")
    parser.add_argument("--week", action="append", help="Only this week (repeatable).")
    parser.add_argument(
        "--quick", action="store_true", help=f"Week {QUICK_WEEK}'s CNN questions only (CI)."
    )
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    parser.add_argument("--no-readme", action="store_true", help="Do not touch the docs.")
    parser.add_argument("--cache", type=Path, help="Index cache (default ~/.cache/chipbot-bench).")
    args = parser.parse_args(argv)
    weeks = [QUICK_WEEK] if args.quick and not args.week else args.week
    t0 = time.perf_counter()
    result = run(args.data, weeks, show_progress=not args.json, quick=args.quick, cache=args.cache)
    command = "python benchmarks/realtimeqa.py" + "".join(f" --week {w}" for w in weeks or [])
    if args.json:
        keys = ("n", "cnn", "former", "gcs", "peer", "mc_accuracy", "baselines", "splits", "cv")
        print(json.dumps({k: result[k] for k in keys if k in result}))
    else:
        print(markdown(result, command))
        print(f"({time.perf_counter() - t0:.0f} s)")
    if not args.quick and not args.no_readme:
        update_block(README_BLOCK, markdown(result, command))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
