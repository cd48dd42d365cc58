"""The gold question set: its schema, loading with quote resolution, and fact matching."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.errors import ChipbotError
from retrieval.models import SearchFilter

logger = logging.getLogger(__name__)

FACTUAL = "factual"
PARAPHRASED = "paraphrased"
MULTI_ARTICLE = "multi-article"
TIME_SENSITIVE = "time-sensitive"
UNANSWERABLE = "unanswerable"
# Unanswerable too, but about something the corpus is not about at all ("What is the
# capital of France?"), kept apart so plausible unanswerable questions are reported alone.
OFF_TOPIC = "off-topic"
UNANSWERABLE_TYPES = frozenset({UNANSWERABLE, OFF_TOPIC})
LATEST = "latest"
AS_OF = "as-of"
QUESTION_TYPES: tuple[str, ...] = (
    FACTUAL,
    PARAPHRASED,
    MULTI_ARTICLE,
    TIME_SENSITIVE,
    UNANSWERABLE,
    OFF_TOPIC,
    LATEST,
    AS_OF,
)

_KEYS = frozenset(
    {"id", "type", "question", "answerable", "gold", "key_facts", "notes", "since", "until"}
)
# ``date.fromisoformat`` also takes "20230301" and week dates; the file format is one form.
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID_RE = re.compile(r'"id"\s*:\s*"([^"\\]{1,80})"')
_MARKER_RE = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")


class GoldSetError(ChipbotError):
    """The gold question file is malformed or does not match the articles."""


@dataclass(frozen=True)
class GoldSpan:
    """A verbatim span of an article that answers (part of) a question."""

    article_id: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class GoldQuestion:
    """One evaluation question with its gold spans and the facts a correct answer states.

    ``since`` and ``until`` (inclusive) bound the documents the question may be answered
    from, as ``chipbot ask --since/--until`` would; ``None`` leaves that side open.
    """

    id: str
    type: str
    question: str
    answerable: bool
    gold: tuple[GoldSpan, ...] = ()
    key_facts: tuple[tuple[str, ...], ...] = ()
    notes: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def search_filter(self) -> SearchFilter | None:
        """The filter that asks this question under its date bounds (``None`` if unbounded)."""
        if self.since is None and self.until is None:
            return None
        return SearchFilter(since=self.since, until=self.until)


def load_gold(path: Path, article_texts: Mapping[str, str]) -> list[GoldQuestion]:
    """Read a JSONL gold file and resolve every quote to offsets in ``article_texts``.

    ``article_texts`` maps article ids to the article file's decoded text (as
    ``open(path, encoding="utf-8").read()`` returns it). Blank lines are skipped. Any
    problem (bad JSON, a missing or mistyped field, an unknown type or article, a quote
    not found or found more than once, a ``since``/``until`` that is not a YYYY-MM-DD
    date or a ``since`` after its ``until``, a duplicate id) raises :class:`GoldSetError`
    naming the file, the line and the question id.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise GoldSetError(f"gold file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldSetError(f"cannot read gold file {path}: {exc}") from None
    questions: list[GoldQuestion] = []
    seen: set[str] = set()
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        question = _parse_line(line, article_texts, f"{path.name} line {line_no}")
        if question.id in seen:
            raise GoldSetError(
                f"{path.name} line {line_no} (question {question.id}): duplicate question id"
            )
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise GoldSetError(f"gold file {path} holds no questions")
    logger.debug("loaded %d gold questions from %s", len(questions), path)
    return questions


def _parse_line(line: str, article_texts: Mapping[str, str], where: str) -> GoldQuestion:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        found = _ID_RE.search(line)
        label = f" (question {found.group(1)})" if found else ""
        raise GoldSetError(f"{where}{label}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise GoldSetError(f"{where}: expected a JSON object")
    qid = data.get("id")
    if not isinstance(qid, str) or not qid.strip():
        raise GoldSetError(f"{where}: 'id' must be a non-empty string")
    where = f"{where} (question {qid})"
    try:
        return _build_question(data, qid, article_texts)
    except _SchemaError as exc:
        raise GoldSetError(f"{where}: {exc}") from None


class _SchemaError(Exception):
    """A schema problem, reported with the line and id by the caller."""


def _build_question(
    data: dict[str, Any], qid: str, article_texts: Mapping[str, str]
) -> GoldQuestion:
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise _SchemaError(f"unknown field(s) {', '.join(unknown)}")
    qtype = data.get("type")
    if qtype not in QUESTION_TYPES:
        raise _SchemaError(f"unknown type {qtype!r}; use one of: {', '.join(QUESTION_TYPES)}")
    text = data.get("question")
    if not isinstance(text, str) or not text.strip():
        raise _SchemaError("'question' must be a non-empty string")
    answerable = data.get("answerable")
    if not isinstance(answerable, bool):
        raise _SchemaError("'answerable' must be true or false")
    if answerable == (qtype in UNANSWERABLE_TYPES):
        raise _SchemaError(f"type {qtype!r} contradicts answerable={str(answerable).lower()}")
    notes = data.get("notes")
    if notes is not None and not isinstance(notes, str):
        raise _SchemaError("'notes' must be a string")
    since, until = _date(data, "since"), _date(data, "until")
    if since is not None and until is not None and since > until:
        raise _SchemaError(f"'since' ({since}) is after 'until' ({until})")
    gold = tuple(_resolve(item, article_texts) for item in _list(data, "gold"))
    facts = tuple(_fact(item) for item in _list(data, "key_facts"))
    if answerable and (not gold or not facts):
        raise _SchemaError("an answerable question needs at least one gold quote and one key fact")
    if not answerable and (gold or facts):
        raise _SchemaError("an unanswerable question must have empty 'gold' and 'key_facts'")
    return GoldQuestion(qid, qtype, text, answerable, gold, facts, notes, since, until)


def _date(data: dict[str, Any], key: str) -> dt.date | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not _ISO_DATE_RE.fullmatch(value):
        raise _SchemaError(f"{key!r} must be a date written YYYY-MM-DD, not {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _SchemaError(f"{key!r} is not a calendar date: {value!r}") from None


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise _SchemaError(f"{key!r} must be a list")
    return value


def _resolve(item: Any, article_texts: Mapping[str, str]) -> GoldSpan:
    if not isinstance(item, dict):
        raise _SchemaError("each gold entry must be an object with 'article_id' and 'quote'")
    article_id, quote = item.get("article_id"), item.get("quote")
    if not isinstance(article_id, str) or not isinstance(quote, str) or not quote:
        raise _SchemaError("each gold entry needs a string 'article_id' and a non-empty 'quote'")
    text = article_texts.get(article_id)
    if text is None:
        raise _SchemaError(f"unknown article {article_id!r}")
    start = text.find(quote)
    if start < 0:
        raise _SchemaError(f"quote not found in article {article_id}: {_short(quote)}")
    if text.find(quote, start + 1) >= 0:
        raise _SchemaError(f"quote occurs more than once in article {article_id}: {_short(quote)}")
    return GoldSpan(article_id, start, start + len(quote), quote)


def _fact(item: Any) -> tuple[str, ...]:
    if (
        not isinstance(item, list)
        or not item
        or not all(isinstance(alt, str) and alt.strip() for alt in item)
    ):
        raise _SchemaError("each key fact must be a non-empty list of non-empty strings")
    return tuple(item)


def _short(quote: str, limit: int = 60) -> str:
    return repr(quote if len(quote) <= limit else quote[: limit - 1] + "…")


def normalise(text: str) -> str:
    """``text`` lowercased, curly quotes straightened, dashes made ``-``, spaces collapsed."""
    from retrieval.text import normalize_quotes

    return " ".join(normalize_quotes(text).lower().split())


def fact_matches(text: str, alternative: str) -> bool:
    """True when ``alternative`` occurs in ``text`` as whole words (both normalised).

    Word edges are enforced only where the alternative itself starts or ends with a
    letter or digit, so ``"27 per cent"`` does not match ``"127 per cent"`` while
    ``"27%"`` still matches ``"27%."``.
    """
    needle = normalise(alternative)
    if not needle:
        return False
    pattern = re.escape(needle)
    if needle[0].isalnum():
        pattern = r"(?<!\w)" + pattern
    if needle[-1].isalnum():
        pattern += r"(?!\w)"
    return re.search(pattern, normalise(text)) is not None


def facts_present(answer_text: str, key_facts: Sequence[Sequence[str]]) -> bool:
    """True when every fact has at least one alternative in ``answer_text``.

    Citation markers such as ``[1]`` are ignored. With no facts the answer trivially passes.
    """
    text = _MARKER_RE.sub(" ", answer_text)
    return all(any(fact_matches(text, alt) for alt in fact) for fact in key_facts)
