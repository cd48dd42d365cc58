"""The reader: how likely each candidate sentence is to answer the question.

Each sentence gets a row of signals — the embedding model's question↔sentence cosine,
rarity-weighted word overlap, whether it holds the kind of answer asked for (a name
for "who", a date for "when", a number for "how many", a reason for "why"), whether it
is about the actor the question names (or, in a transcript, said by them), whether it
opens with the country the question asks about, and how its
predecessor reads (a sentence opening with "He" or "It" leans on it) — and a logistic
model fitted on labelled data (:mod:`retrieval.answer.fit_reader`, stored in
``reader_model.json``) turns the row into a probability. Nothing here is hand-weighted.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from retrieval.answer import actors
from retrieval.answer.answer_types import (
    AnswerType,
    counted_terms,
    question_type,
    question_words,
    type_fit,
)
from retrieval.answer.logistic import LogisticModel
from retrieval.text import is_heading_like, starts_with_pronoun

if TYPE_CHECKING:
    from retrieval.embedding import Embedder

MODEL_FILE = "reader_model.json"

FloatArray = npt.NDArray[np.float32]

FEATURES: tuple[str, ...] = (
    "cos",
    "cos_gap",
    "cos_rank",
    "coverage",
    "coverage_gap",
    "bigrams",
    "prev_cos",
    "prev_coverage",
    "pronoun_start",
    "pronoun_prev_cos",
    "fit_person",
    "fit_date",
    "fit_number",
    "fit_organisation",
    "fit_place",
    "fit_reason",
    "fit_intent",
    "country_share",
    "country_conflict",
    "conflict_x_coverage",
    "subject_same",
    "subject_other",
    "name_share",
    "lead",
    "log_length",
    "short",
    "heading",
)

_FIT_FEATURES = {
    AnswerType.PERSON: "fit_person",
    AnswerType.DATE: "fit_date",
    AnswerType.NUMBER: "fit_number",
    AnswerType.ORGANISATION: "fit_organisation",
    AnswerType.PLACE: "fit_place",
    AnswerType.REASON: "fit_reason",
    AnswerType.INTENT: "fit_intent",
}
_INDEX = {name: i for i, name in enumerate(FEATURES)}


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence with the context the reader looks at."""

    text: str
    previous: str = ""  # the sentence before it in its article ("" at the start)
    position: int | None = None  # its ordinal in the article's body, when known
    speaker: str = ""  # who says it, when a transcript's turn tells ("Mao Ning")
    voice: str = ""  # the country its speaker speaks for, when their words tell


@lru_cache(maxsize=256)
def _speaker_terms(speaker: str) -> frozenset[str]:
    return frozenset(actors.actor_terms(f"{speaker} said")) if speaker else frozenset()


def _coverage(weights: dict[str, float], terms: frozenset[str]) -> float:
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(w for t, w in weights.items() if t in terms) / total


def _bigrams(tokens: Sequence[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(tokens))


def features(
    question: str,
    sentences: Sequence[Sentence],
    cos: Sequence[float] | npt.NDArray[np.floating[Any]],
    prev_cos: Sequence[float] | npt.NDArray[np.floating[Any]],
) -> npt.NDArray[np.float64]:
    """The feature matrix, one row per sentence, columns as :data:`FEATURES`.

    ``cos[i]`` is the question↔sentence cosine, ``prev_cos[i]`` the question↔previous
    sentence cosine (0 where there is none). Word rarity is measured among the
    candidates themselves, so the reader needs no corpus statistics.
    """
    n = len(sentences)
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if not n:
        return out
    q_tokens = actors.actor_terms(question)
    q_terms = list(dict.fromkeys(q_tokens))
    q_bigrams = _bigrams(q_tokens)
    q_words = question_words(question)
    kind = question_type(question)
    fit_column = _FIT_FEATURES.get(kind)
    counted = counted_terms(question)
    subject = actors.question_subject(question)
    token_lists = [actors.actor_terms(s.text) for s in sentences]
    # A transcript's sentence is its speaker's word, though it never names them: it
    # reads as "<speaker> said: <sentence>".
    term_sets = [
        frozenset(t) | _speaker_terms(s.speaker)
        for t, s in zip(token_lists, sentences, strict=True)
    ]
    prev_sets = [frozenset(actors.actor_terms(s.previous)) for s in sentences]
    df = {t: sum(t in terms for terms in term_sets) for t in q_terms}
    weights = {t: math.log(1 + (n + 1) / (1 + df[t])) for t in q_terms}
    cos_arr = np.asarray(cos, dtype=np.float64)
    order = np.argsort(-cos_arr, kind="stable")
    rank = np.empty(n)
    rank[order] = np.arange(1, n + 1)
    coverage = np.array([_coverage(weights, terms) for terms in term_sets])
    for i, s in enumerate(sentences):
        row = out[i]
        row[_INDEX["cos"]] = cos_arr[i]
        row[_INDEX["cos_rank"]] = 1.0 / rank[i]
        row[_INDEX["coverage"]] = coverage[i]
        if q_bigrams:
            row[_INDEX["bigrams"]] = len(q_bigrams & _bigrams(token_lists[i])) / len(q_bigrams)
        row[_INDEX["prev_cos"]] = prev_cos[i]
        row[_INDEX["prev_coverage"]] = _coverage(weights, prev_sets[i])
        pronoun = bool(s.previous) and starts_with_pronoun(s.text)
        row[_INDEX["pronoun_start"]] = float(pronoun)
        row[_INDEX["pronoun_prev_cos"]] = prev_cos[i] if pronoun else 0.0
        if fit_column is not None:
            row[_INDEX[fit_column]] = float(type_fit(kind, s.text, q_words, counted))
        share, conflict = actors.country_match(question, s.text)
        row[_INDEX["country_share"]] = share
        row[_INDEX["country_conflict"]] = float(conflict)
        # Words shared with the question count for little in a sentence about another
        # country: the Japanese minister's words do not answer for the Dutch one.
        row[_INDEX["conflict_x_coverage"]] = coverage[i] if conflict else 0.0
        same, other = actors.subject_match(subject, s.text, s.voice)
        row[_INDEX["subject_same"]] = float(same)
        row[_INDEX["subject_other"]] = float(other)
        row[_INDEX["name_share"]] = actors.name_match(question, term_sets[i] | prev_sets[i])
        row[_INDEX["lead"]] = float(s.position is not None and s.position < 2)
        words = len(s.text.split())
        row[_INDEX["log_length"]] = math.log1p(words)
        row[_INDEX["short"]] = float(words < 6)
        row[_INDEX["heading"]] = float(is_heading_like(s.text))
    out[:, _INDEX["cos_gap"]] = cos_arr - cos_arr.max()
    out[:, _INDEX["coverage_gap"]] = coverage - coverage.max()
    return out


#: The reader's model: a logistic model over :data:`FEATURES`.
ReaderModel = LogisticModel


@lru_cache(maxsize=1)
def shipped_model() -> ReaderModel:
    """The reader model shipped in the package."""
    raw = resources.files("retrieval.answer").joinpath(MODEL_FILE).read_text("utf-8")
    return LogisticModel.from_dict(
        json.loads(raw)["model"], FEATURES, "`python -m retrieval.answer.fit_reader`"
    )


def cosines(
    embedder: Embedder, question: str, sentences: Sequence[Sentence]
) -> tuple[FloatArray, FloatArray]:
    """Question↔sentence and question↔previous-sentence cosines, one batch of encoding."""
    texts = list(dict.fromkeys([s.text for s in sentences] + [s.previous for s in sentences]))
    texts = [t for t in texts if t]
    q = embedder.embed_query(question)
    vectors = embedder.embed_documents(texts) if texts else np.zeros((0, q.shape[0]), np.float32)
    sims = dict(zip(texts, (vectors @ q).tolist(), strict=True))
    cos = np.array([sims[s.text] for s in sentences], dtype=np.float32)
    prev = np.array([sims.get(s.previous, 0.0) for s in sentences], dtype=np.float32)
    return cos, prev


def feature_rows(
    embedder: Embedder, question: str, sentences: Sequence[Sentence]
) -> npt.NDArray[np.float64]:
    """The reader's feature rows of ``sentences`` for ``question``, read through ``embedder``."""
    cos, prev = cosines(embedder, question, sentences)
    return features(question, sentences, cos, prev)


class Reader:
    """Scores candidate sentences for "this sentence answers this question"."""

    def __init__(self, embedder: Embedder, model: ReaderModel | None = None) -> None:
        self.embedder = embedder
        self._model = model

    @property
    def model(self) -> ReaderModel:
        """The model given, else the shipped one, loaded when first needed: a generator
        can then be built (the engine asks it how many passages it reads) while the
        shipped model is being refitted on new features."""
        if self._model is None:
            self._model = shipped_model()
        return self._model

    def score(self, question: str, sentences: Sequence[Sentence]) -> npt.NDArray[np.float64]:
        """The probability that each of ``sentences`` answers ``question``."""
        return self.read(question, sentences)[0]

    def read(
        self, question: str, sentences: Sequence[Sentence]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """``(probabilities, feature rows)`` for ``sentences``."""
        if not sentences:
            return np.zeros(0), np.zeros((0, len(FEATURES)))
        x = feature_rows(self.embedder, question, sentences)
        return self.model.probabilities(x), x
