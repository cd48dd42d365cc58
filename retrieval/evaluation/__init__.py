"""Evaluation of retrieval and answers against a gold question set (pure metric code).

A gold set is a JSONL file of :class:`GoldQuestion` objects (schema in
``eval/README.md``); each answerable question carries gold spans (verbatim quotes
resolved to character offsets in the article's decoded file text) and key facts (lists
of acceptable alternative strings). Spans are half-open ``[start, end)``; two spans
*overlap* when they are in the same article and share at least one character.

Metric definitions (``k`` is the retrieval cut-off, default 5):

- ``hit_at_k`` (answerable questions): a retrieved passage *hits* when it overlaps any
  gold span; the question scores 1 when some passage in the top ``k`` hits.
- ``all_gold_hit_at_k`` (answerable questions): 1 when every gold span is overlapped by
  some top-``k`` passage. Equal to ``hit_at_k`` for single-span questions; it matters
  for multi-article questions (see their row of the per-type table).
- ``mrr`` (answerable questions): mean of ``1/rank`` of the first hitting passage in
  the whole ranked list (0 when none hits).
- ``correctness`` (answerable questions): the answer did not abstain and
  :func:`facts_present` holds on ``answer.answer`` alone (quotes are not consulted):
  every key fact has one alternative present, matched case-insensitively as whole words
  after straightening quotes, normalising dashes and collapsing spaces; ``[n]`` markers
  are ignored. Abstaining on an answerable question counts as incorrect.
- ``citation_precision`` (micro-averaged over all citing pairs of non-abstained
  answers, answerable or not): the answer is split into sentences (markers opening a
  sentence belong to the one before; a leading "According to ...:" is not part of the
  claim); each ``[n]`` marker in a sentence makes one (sentence, citation) pair. A pair
  is precise when the citation's span overlaps a gold span of the question, or when
  ``supports(sentence, citation.quote)`` holds. The default ``supports`` needs at least
  60% of the sentence's content words (``retrieval.text.tokenize``: stemmed, stopwords
  removed, as sets) to occur in the quote. A marker resolving to no citation is never
  precise. Answers without citing sentences add no pairs.
- ``citation_recall`` (answerable questions, averaged over questions): the share of
  gold spans overlapped by at least one of ``answer.citations``; 0 when the answer
  abstained.
- ``abstention_precision`` / ``abstention_recall``: the positive class is
  "unanswerable", a positive prediction is ``answer.abstained``. Precision =
  TP/(TP+FP), recall = TP/(TP+FN). Edge cases: with no abstentions, precision is 1.0 if
  there was no unanswerable question and 0.0 otherwise; with no unanswerable question,
  recall is 1.0.
- ``newest_first`` (answerable ``latest`` and ``as-of`` questions): correct, and the
  first citation's article is dated and no cited article is newer.

Counts reported alongside: ``n``, ``n_answerable``, ``n_unanswerable``, ``k``,
``mean_total_ms`` (mean of ``answer.timings_ms["total"]`` where present),
``removed_citations`` and ``unsupported`` (summed ``len(answer.unsupported)``, for LLM
generators). A metric with nothing to average over is omitted, never reported as 0.
"""

from retrieval.evaluation.gold import (
    QUESTION_TYPES,
    GoldQuestion,
    GoldSetError,
    GoldSpan,
    fact_matches,
    facts_present,
    load_gold,
    normalise,
)
from retrieval.evaluation.report import (
    METRIC_NAMES,
    EvalReport,
    aggregate,
    format_report,
    run_evaluation,
)
from retrieval.evaluation.scoring import (
    SUPPORT_THRESHOLD,
    CitedSentence,
    QuestionResult,
    cited_sentences,
    default_supports,
    overlaps,
    score_question,
    token_support,
)

__all__ = [
    "METRIC_NAMES",
    "QUESTION_TYPES",
    "SUPPORT_THRESHOLD",
    "CitedSentence",
    "EvalReport",
    "GoldQuestion",
    "GoldSetError",
    "GoldSpan",
    "QuestionResult",
    "aggregate",
    "cited_sentences",
    "default_supports",
    "fact_matches",
    "facts_present",
    "format_report",
    "load_gold",
    "normalise",
    "overlaps",
    "run_evaluation",
    "score_question",
    "token_support",
]
