"""Hybrid retrieval: dense search in the vector store plus BM25, fused, then diversified."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

from retrieval.countries import plain_names
from retrieval.fusion import convex_fusion, minmax, mmr, reciprocal_rank_fusion
from retrieval.models import ChunkRecord, Passage, SearchFilter
from retrieval.text import tokenize

if TYPE_CHECKING:
    from retrieval.embedding import Embedder
    from retrieval.index import Index

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "lexical")


#: Fitted by :mod:`retrieval.fit_fusion`, shipped beside this module.
WEIGHTS_FILE = "fusion_weights.json"


@cache
def fitted_question_dense_weight() -> float | None:
    """The shipped dense weight for adapted questions (``None`` if the file is absent)."""
    try:
        raw = resources.files("retrieval").joinpath(WEIGHTS_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return float(json.loads(raw)["question_dense_weight"])


@dataclass(frozen=True)
class RetrievalConfig:
    """How candidates are gathered, fused and diversified."""

    candidates: int = 40  # taken from each of the dense and lexical lists
    fusion: Literal["rrf", "convex"] = "rrf"
    dense_weight: float = 1.0  # RRF weight of the dense list (lexical weight is 1)
    # The same for a question the query adapter embedded (None: ``dense_weight``): its
    # vector was moved towards answering passages, BM25's words were not.
    question_dense_weight: float | None = field(default_factory=fitted_question_dense_weight)
    alpha: float = 0.5  # convex fusion: share of the dense score
    mmr_lambda: float = 0.75  # 1.0 turns diversification off
    same_article_similarity: float = 0.4  # how redundant two passages of one article count


class HybridRetriever:
    """Ranks passages for a query; the search engine behind every front end."""

    def __init__(
        self,
        index: Index,
        embedder: Embedder,
        config: RetrievalConfig | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.config = config or RetrievalConfig()

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        flt: SearchFilter | None = None,
        mode: Mode = "hybrid",
        diverse: bool = True,
    ) -> list[Passage]:
        """The ``k`` best passages for ``query`` (best first) under ``flt``; with
        ``diverse=False`` the fused ranking as it is, without the diversity step (for
        callers that want which articles match, not a varied reading list)."""
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}")
        flt = None if flt is None or flt.empty else flt
        n = max(self.config.candidates, k)
        records: dict[str, ChunkRecord] = {}
        dense: dict[str, float] = {}
        lexical: dict[str, float] = {}
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(query)
            for record, similarity in self.index.dense_search(vector, n, flt):
                records[record.id] = record
                dense[record.id] = similarity
        if mode in ("hybrid", "lexical"):
            # "Beijing" in a question, "China" in the passages: words must meet.
            lexical_query = " ".join([query, *plain_names(query)])
            for record, score in self.index.lexical_search(lexical_query, n, flt):
                records[record.id] = record
                lexical[record.id] = score
        fused = self._fuse(dense, lexical, mode, self._dense_weight(query))
        if not fused:
            return []
        chosen = self._diversify(fused, records, k) if diverse else [key for key, _ in fused[:k]]
        scores = dict(fused)
        return [
            Passage.from_record(
                records[key],
                score=scores[key],
                dense_score=dense.get(key),
                lexical_score=lexical.get(key),
            )
            for key in chosen
        ]

    def _dense_weight(self, query: str) -> float:
        """The dense list's RRF weight for ``query``: the adapted questions' weight when
        the embedder routes it through a query adapter."""
        adapts = getattr(self.embedder, "adapts", None)  # only adapted embedders have it
        if self.config.question_dense_weight is not None and adapts is not None and adapts(query):
            return self.config.question_dense_weight
        return self.config.dense_weight

    def _fuse(
        self, dense: dict[str, float], lexical: dict[str, float], mode: Mode, dense_weight: float
    ) -> list[tuple[str, float]]:
        if mode == "dense":
            return sorted(dense.items(), key=lambda item: -item[1])
        if mode == "lexical":
            return sorted(lexical.items(), key=lambda item: -item[1])
        if self.config.fusion == "convex":
            return convex_fusion(dense, lexical, alpha=self.config.alpha)
        rankings = [
            sorted(dense, key=lambda key: -dense[key]),
            sorted(lexical, key=lambda key: -lexical[key]),
        ]
        return reciprocal_rank_fusion(rankings, weights=[dense_weight, 1.0])

    def _diversify(
        self, fused: list[tuple[str, float]], records: dict[str, ChunkRecord], k: int
    ) -> list[str]:
        if self.config.mmr_lambda >= 1.0 or len(fused) <= 1:
            return [key for key, _ in fused[:k]]
        # MMR over a bounded head: the tail cannot win against relevance anyway.
        head = fused[: max(3 * k, 20)]
        relevance = minmax(dict(head))
        same = self.config.same_article_similarity

        def similarity(a: str, b: str) -> float:
            ra, rb = records[a], records[b]
            if ra.article_id == rb.article_id:
                if ra.start < rb.end and rb.start < ra.end:
                    return 1.0  # overlapping spans say the same thing
                return max(same, _jaccard(ra.text, rb.text))
            return _jaccard(ra.text, rb.text)

        return mmr(
            [key for key, _ in head],
            relevance,
            similarity,
            k=k,
            lambda_=self.config.mmr_lambda,
        )


@lru_cache(maxsize=4096)
def _terms(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def _jaccard(a: str, b: str) -> float:
    ta, tb = _terms(a), _terms(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def passages_for(records: Sequence[ChunkRecord]) -> list[Passage]:
    """Unscored passages for ``records`` (used where no search ran, e.g. listings)."""
    return [Passage.from_record(record) for record in records]
