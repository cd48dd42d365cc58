"""RealTime QA article ranking: passages to articles, with settings chosen by weeks' CV.

An article's score aggregates the fused (dense + BM25, reciprocal-rank fusion) scores of
its best passages. How many passages are fetched, how much the dense list weighs in the
fusion, how many of an article's passages count and with what weights, and whether older
articles are discounted are the fields of :class:`RankingSetting`.
:mod:`benchmarks.choose_ranking` picks one of :func:`grid` by cross-validation over weeks
and records it in ``article_ranking.json``; the runner ranks with that recorded setting.

To score many settings without searching again, each question's dense and lexical lists
are fetched once, as deep as the deepest setting (:func:`fetch_candidates`); a setting's
ranking is computed from their heads exactly as :class:`~retrieval.retriever.HybridRetriever`
fuses lists of that depth (:func:`rank_articles`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.data import first_hit, hits_and_mrr
from retrieval.fusion import reciprocal_rank_fusion
from retrieval.models import SearchFilter
from retrieval.retriever import HybridRetriever, Mode

log = logging.getLogger(__name__)

#: Where :mod:`benchmarks.choose_ranking` records its choice (read by the runner).
CHOICE_FILE = Path(__file__).resolve().parent / "article_ranking.json"
DEPTH = 10  # articles ranked per question (Hits@10)

# The grid searched. Depth: passages taken from each list and kept after fusion.
DEPTHS = (50, 100, 200)
DENSE_WEIGHTS = (0.5, 1.0, 2.0)  # RRF weight of the dense list; BM25 weighs 1
#: (passages counted, weight ratio between successive ones): (1, 1) is "best passage",
#: (3, 1) sums the three best, (10, 0.5) is a soft maximum over all of them.
AGGREGATIONS = ((1, 1.0), (2, 1.0), (3, 1.0), (5, 1.0), (10, 0.5), (10, 0.7))
HALF_LIVES: tuple[float | None, ...] = (None, 7.0, 30.0, 365.0)  # days; None: no discount


@dataclasses.dataclass(frozen=True)
class RankingSetting:
    """How passages are fetched, fused and aggregated into an article ranking."""

    depth: int = 100
    dense_weight: float = 1.0
    top: int = 3
    decay: float = 1.0
    half_life: float | None = None

    @property
    def weights(self) -> list[float]:
        """The weights of an article's best, second best, … passage."""
        return [self.decay**i for i in range(self.top)]

    def label(self) -> str:
        """A short human-readable name (README, logs)."""
        agg = (
            "best passage"
            if self.top == 1
            else f"sum of {self.top} best passages"
            if self.decay == 1.0
            else f"{self.top} best passages weighted {self.decay:g}^i"
        )
        age = "no age discount" if self.half_life is None else f"half-life {self.half_life:g} d"
        return f"{self.depth} passages, dense weight {self.dense_weight:g}, {agg}, {age}"

    def to_json(self) -> dict[str, Any]:
        """The setting as a JSON object."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> RankingSetting:
        """A setting from :meth:`to_json`'s object."""
        half_life = raw.get("half_life")
        return cls(
            depth=int(raw["depth"]),
            dense_weight=float(raw["dense_weight"]),
            top=int(raw["top"]),
            decay=float(raw["decay"]),
            half_life=None if half_life is None else float(half_life),
        )


#: The rule used before settings were cross-validated (three weeks' choice).
INCUMBENT = RankingSetting()


def grid() -> list[RankingSetting]:
    """Every setting the cross-validation chooses from, the incumbent first: on a tie in
    every criterion the earlier setting wins, so a change must be measurably better."""
    settings = [
        RankingSetting(depth, weight, top, decay, half_life)
        for depth, weight, (top, decay), half_life in itertools.product(
            DEPTHS, DENSE_WEIGHTS, AGGREGATIONS, HALF_LIVES
        )
    ]
    settings.remove(INCUMBENT)
    return [INCUMBENT, *settings]


def shipped_setting(path: Path = CHOICE_FILE) -> RankingSetting:
    """The setting recorded by :mod:`benchmarks.choose_ranking` (the runner's default)."""
    return RankingSetting.from_json(json.loads(path.read_text(encoding="utf-8"))["setting"])


# --- candidates: each question's two lists, fetched once --------------------------------


@dataclasses.dataclass(frozen=True)
class Hit:
    """One passage of a dense or lexical list: chunk id, article id, score."""

    chunk: str
    article: str
    score: float


@dataclasses.dataclass(frozen=True)
class Candidates:
    """A question's dense and lexical lists (best first), its date and its articles' dates."""

    dense: tuple[Hit, ...]
    lexical: tuple[Hit, ...]
    asof: dt.date | None = None
    dates: Mapping[str, dt.date | None] = dataclasses.field(default_factory=dict)


def fetch_candidates(
    retriever: HybridRetriever, query: str, flt: SearchFilter | None, depth: int
) -> Candidates:
    """The first ``depth`` passages of the dense and of the lexical list for ``query``."""
    # Diversification would reorder each list; the hybrid fusion sees them undiversified.
    plain = HybridRetriever(
        retriever.index,
        retriever.embedder,
        dataclasses.replace(retriever.config, candidates=depth, mmr_lambda=1.0),
    )
    lists: dict[Mode, tuple[Hit, ...]] = {}
    dates: dict[str, dt.date | None] = {}
    for mode in ("dense", "lexical"):
        found = plain.search(query, k=depth, flt=flt, mode=mode)
        lists[mode] = tuple(Hit(p.id, p.article_id, p.score) for p in found)
        dates.update((p.article_id, p.date) for p in found)
    asof = flt.until if flt is not None else None
    return Candidates(lists["dense"], lists["lexical"], asof, dates)


# --- ranking ------------------------------------------------------------------------------


def fused_passages(
    candidates: Candidates, depth: int, dense_weight: float
) -> dict[str, list[float]]:
    """Each article's fused passage scores, best first, as the hybrid search of ``depth``
    candidates per list returning ``depth`` passages would score them."""
    dense = candidates.dense[:depth]
    lexical = candidates.lexical[:depth]
    article = {h.chunk: h.article for h in (*dense, *lexical)}
    fused = reciprocal_rank_fusion(
        [[h.chunk for h in dense], [h.chunk for h in lexical]], weights=[dense_weight, 1.0]
    )
    per: dict[str, list[float]] = {}
    for chunk, score in fused[:depth]:
        per.setdefault(article[chunk], []).append(score)  # fused is best first
    return per


def aggregate(
    per_article: Mapping[str, Sequence[float]],
    setting: RankingSetting,
    candidates: Candidates | None = None,
) -> list[str]:
    """Article ids, best first: each scores the weighted sum of its best passages' scores,
    halved every ``half_life`` days of age before the question (undated: no discount).
    Ties keep the order of the articles' best passages."""
    weights = setting.weights
    score: dict[str, float] = {}
    for a, scores in per_article.items():
        score[a] = sum(w * s for w, s in zip(weights, scores, strict=False))
        if setting.half_life is not None and candidates is not None:
            score[a] *= 0.5 ** (_age_days(candidates, a) / setting.half_life)
    return sorted(score, key=lambda a: -score[a])


def _age_days(candidates: Candidates, article: str) -> float:
    date = candidates.dates.get(article)
    if date is None or candidates.asof is None:
        return 0.0
    return float(max(0, (candidates.asof - date).days))


def rank_articles(candidates: Candidates, setting: RankingSetting) -> list[str]:
    """The article ranking ``setting`` gives from a question's candidate lists."""
    per = fused_passages(candidates, setting.depth, setting.dense_weight)
    return aggregate(per, setting, candidates)


def first_hit_ranks(
    candidates: Mapping[str, Candidates],
    gold: Mapping[str, Iterable[str]],
    settings: Sequence[RankingSetting],
) -> dict[RankingSetting, dict[str, int | None]]:
    """The gold article's rank in the top :data:`DEPTH` (``None``: missed), per setting
    and question; each fusion is computed once for all the aggregations that share it."""
    by_fusion: dict[tuple[int, float], list[RankingSetting]] = {}
    for s in settings:
        by_fusion.setdefault((s.depth, s.dense_weight), []).append(s)
    ranks: dict[RankingSetting, dict[str, int | None]] = {s: {} for s in settings}
    for qid, c in candidates.items():
        relevant = set(gold[qid])
        for (depth, weight), group in by_fusion.items():
            per = fused_passages(c, depth, weight)
            for s in group:
                ranks[s][qid] = first_hit(aggregate(per, s, c)[:DEPTH], relevant)
    return ranks


# --- choosing by cross-validation over weeks ------------------------------------------------


def criterion(ranks: Sequence[int | None]) -> tuple[float, float]:
    """What a setting is chosen for: Hits@5 (the goal), then MRR to break ties."""
    m = hits_and_mrr(ranks)
    return (m["hits@5"], m["mrr"])


def best_setting(
    ranks: Mapping[RankingSetting, Mapping[str, int | None]],
    questions: Iterable[str],
    settings: Sequence[RankingSetting],
) -> RankingSetting:
    """The setting with the best :func:`criterion` over ``questions``; on a tie the one
    first in ``settings``."""
    qids = list(questions)
    best, best_key = settings[0], criterion([ranks[settings[0]][q] for q in qids])
    for s in settings[1:]:
        key = criterion([ranks[s][q] for q in qids])
        if key > best_key:
            best, best_key = s, key
    return best


@dataclasses.dataclass(frozen=True)
class Fold:
    """One held-out week: the setting chosen on the other weeks and its ranks there."""

    week: str
    setting: RankingSetting
    ranks: dict[str, int | None]


@dataclasses.dataclass(frozen=True)
class CrossValidation:
    """Leave-one-week-out results: every question ranked by a setting chosen without its
    week, and the setting chosen on all the weeks."""

    folds: list[Fold]
    chosen: RankingSetting

    @property
    def ranks(self) -> dict[str, int | None]:
        """Each question's out-of-fold rank."""
        return {q: r for f in self.folds for q, r in f.ranks.items()}

    def metrics(self) -> dict[str, float]:
        """Hits@1/5/10 and MRR of the out-of-fold ranks."""
        return {m: round(v, 4) for m, v in hits_and_mrr(list(self.ranks.values())).items()}

    def to_json(self) -> dict[str, Any]:
        """Folds, pooled metrics and the final choice as a JSON object."""
        return {
            "cv": {"n": len(self.ranks), **self.metrics()},
            "folds": [
                {
                    "week": f.week,
                    "n": len(f.ranks),
                    "setting": f.setting.to_json(),
                    **{
                        m: round(v, 4)
                        for m, v in hits_and_mrr(list(f.ranks.values())).items()
                        if m in ("hits@5", "mrr")
                    },
                }
                for f in self.folds
            ],
            "setting": self.chosen.to_json(),
        }


def cross_validate(
    ranks: Mapping[RankingSetting, Mapping[str, int | None]],
    week_of: Mapping[str, str],
    settings: Sequence[RankingSetting],
) -> CrossValidation:
    """Leave one week out over the weeks of ``week_of`` (question id -> week): for each
    week, the best setting on the other weeks is scored on it. Needs two weeks or more."""
    weeks = sorted(set(week_of.values()))
    if len(weeks) < 2:
        raise ValueError("cross-validation over weeks needs at least two weeks")
    folds = []
    for week in weeks:
        train = [q for q, w in week_of.items() if w != week]
        test = [q for q, w in week_of.items() if w == week]
        chosen = best_setting(ranks, train, settings)
        log.info("week %s: %s", week, chosen.label())
        folds.append(Fold(week, chosen, {q: ranks[chosen][q] for q in test}))
    return CrossValidation(folds, best_setting(ranks, list(week_of), settings))
