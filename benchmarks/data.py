"""Loaders for the public benchmark data and the ranking metrics computed on it.

The data stays where it was put (``../shared/benchmarks``); these functions only read it.

- SciFact (BEIR test split) from the allenai CSV export: ``corpus_train.csv`` (abstracts
  as a printed list of sentences) and ``claims_validation.csv`` (claims with their
  ``cited_doc_ids``, the relevance judgements), inside ``scifact.zip`` or unpacked.
- RealTime QA weeks: ``YYYYMMDD_qa.jsonl`` (questions), ``_gcs.jsonl`` (Google Custom
  Search results with text), ``_gold.jsonl`` (the gold articles of CNN questions) and the
  published predictions in ``baseline_results/``.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
import tokenize
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.engine import Chipbot

# --- ranking metrics -----------------------------------------------------------------


def ndcg_at_k(ranking: Sequence[str], relevant: Iterable[str], k: int = 10) -> float:
    """Binary-relevance nDCG@k, as BEIR's pytrec_eval computes it for SciFact."""
    rel = set(relevant)
    if not rel:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, doc in enumerate(ranking[:k]) if doc in rel)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(rel), k)))
    return dcg / ideal


def recall_at_k(ranking: Sequence[str], relevant: Iterable[str], k: int = 100) -> float:
    """Share of the relevant documents found in the first ``k``."""
    rel = set(relevant)
    if not rel:
        return 0.0
    return len(rel & set(ranking[:k])) / len(rel)


def first_hit(ranking: Sequence[str], relevant: Iterable[str]) -> int | None:
    """The 1-based rank of the first relevant document, ``None`` when there is none."""
    rel = set(relevant)
    for i, doc in enumerate(ranking, start=1):
        if doc in rel:
            return i
    return None


def hits_and_mrr(ranks: Sequence[int | None], ks: Sequence[int] = (1, 5, 10)) -> dict[str, float]:
    """``hits@k`` for each ``k`` and the mean reciprocal rank, from first-hit ranks."""
    n = len(ranks)
    if n == 0:
        return {**{f"hits@{k}": 0.0 for k in ks}, "mrr": 0.0}
    out = {f"hits@{k}": sum(1 for r in ranks if r is not None and r <= k) / n for k in ks}
    out["mrr"] = sum(1.0 / r for r in ranks if r is not None) / n
    return out


def dedupe(items: Iterable[str]) -> list[str]:
    """``items`` without repeats, first occurrence kept (passages -> document ranking)."""
    return list(dict.fromkeys(items))


# --- SciFact ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SciFact:
    """A retrieval test collection: documents, queries and binary judgements."""

    corpus: dict[str, tuple[str, str]]  # doc id -> (title, abstract text)
    queries: dict[str, str]  # query id -> claim
    qrels: dict[str, frozenset[str]]  # query id -> relevant doc ids

    def digest(self) -> str:
        """A short hash of the whole collection's documents (for cache keys)."""
        h = hashlib.sha256()
        for doc_id in sorted(self.corpus):
            title, text = self.corpus[doc_id]
            h.update(f"{doc_id}\0{title}\0{text}\0".encode())
        return h.hexdigest()[:16]


def parse_sentence_list(raw: str) -> list[str]:
    """The sentences of a printed numpy string array such as ``['One.'\\n 'Two.']``.

    Adjacent Python literals would concatenate under ``literal_eval``, so each string
    token is read on its own.
    """
    sentences: list[str] = []
    tokens = tokenize.generate_tokens(io.StringIO(raw.strip()).readline)
    try:
        for token in tokens:
            if token.type == tokenize.STRING:
                sentences.append(str(ast.literal_eval(token.string)).strip())
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return [s for s in sentences if s]


def _scifact_files(data: Path) -> dict[str, str]:
    """``{file name: text}`` for the two CSVs, from ``scifact.zip`` or unpacked files."""
    wanted = ("corpus_train.csv", "claims_validation.csv")
    for folder in (data, data / "scifact"):
        if all((folder / name).is_file() for name in wanted):
            return {name: (folder / name).read_text(encoding="utf-8") for name in wanted}
        archive = folder / "scifact.zip"
        if archive.is_file():
            with zipfile.ZipFile(archive) as z:
                names = {Path(n).name: n for n in z.namelist()}
                if all(name in names for name in wanted):
                    return {name: z.read(names[name]).decode("utf-8") for name in wanted}
    raise SystemExit(f"no SciFact data (scifact.zip or {', '.join(wanted)}) in {data}")


def _doc_ids(raw: str) -> list[str]:
    return re.findall(r"\d+", raw)


def load_scifact(data: Path) -> SciFact:
    """BEIR's SciFact test split: 5,183 abstracts, 300 claims, 339 judgements."""
    files = _scifact_files(Path(data))
    corpus: dict[str, tuple[str, str]] = {}
    for row in csv.DictReader(io.StringIO(files["corpus_train.csv"])):
        text = " ".join(parse_sentence_list(row["abstract"]))
        corpus[row["doc_id"].strip()] = (row["title"].strip(), text)
    queries: dict[str, str] = {}
    qrels: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(files["claims_validation.csv"])):
        qid = row["id"].strip()
        queries[qid] = row["claim"].strip()
        qrels.setdefault(qid, set()).update(_doc_ids(row["cited_doc_ids"]))
    return SciFact(corpus, queries, {q: frozenset(d) for q, d in qrels.items() if d})


def scifact_slice(full: SciFact, n_docs: int = 300) -> SciFact:
    """A small fixed collection: the first claims (by id) whose documents fit in ``n_docs``,
    plus the lowest-numbered other abstracts as distractors up to ``n_docs``."""
    docs: set[str] = set()
    qrels: dict[str, frozenset[str]] = {}
    for qid in sorted(full.qrels, key=int):
        rel = full.qrels[qid] & full.corpus.keys()
        if not rel or len(docs | rel) > n_docs // 2:
            continue
        docs |= rel
        qrels[qid] = rel
    for doc_id in sorted(full.corpus, key=int):
        if len(docs) >= n_docs:
            break
        docs.add(doc_id)
    return SciFact(
        {d: full.corpus[d] for d in sorted(docs, key=int)},
        {q: full.queries[q] for q in qrels},
        qrels,
    )


# --- RealTime QA ------------------------------------------------------------------------

_WEEK_RE = re.compile(r"^(\d{8})_qa\.jsonl$")
_BASELINE_RE = re.compile(r"^(\d{8})_qa_(.+)\.jsonl$")
_URL_DATE_RE = re.compile(r"/(20\d\d)/(\d\d)/(\d\d)/")
#: The published multiple-choice baselines (file suffix -> display name).
BASELINES = {
    "open_gpt3_gcs": "GPT-3 + Google Custom Search",
    "open_rag_gcs": "RAG + Google Custom Search",
    "open_gpt3_dpr": "GPT-3 + DPR",
    "closed_gpt3": "GPT-3 closed-book",
}


@dataclass
class NewsArticle:
    """One article of the pool, keyed by its URL (fragment removed)."""

    url: str
    title: str
    text: str
    date: dt.date | None
    dated: bool = True  # False: the date is a fallback (from the URL or the question)

    @property
    def id(self) -> str:
        """A stable article id derived from the URL."""
        return "n" + hashlib.sha1(self.url.encode()).hexdigest()[:12]


@dataclass
class Question:
    """One multiple-choice question with its evidence and stored search results."""

    id: str
    week: str
    date: dt.date
    source: str
    sentence: str
    choices: list[str]
    answer: list[int]
    gold_urls: list[str] = field(default_factory=list)
    gcs_urls: list[str] = field(default_factory=list)


@dataclass
class RealTimeQA:
    """Questions, the pooled articles and the published predictions of some weeks."""

    weeks: list[str]
    questions: list[Question]
    articles: dict[str, NewsArticle]  # url -> article
    baselines: dict[str, dict[str, list[int]]]  # baseline key -> question id -> prediction

    def digest(self) -> str:
        """A short hash of the pooled articles (for cache keys)."""
        h = hashlib.sha256()
        for url in sorted(self.articles):
            a = self.articles[url]
            h.update(f"{url}\0{a.title}\0{a.date}\0{a.text}\0".encode())
        return h.hexdigest()[:16]


def normalize_url(url: str) -> str:
    """The URL without fragment or surrounding space (how duplicates are recognised)."""
    return url.strip().split("#", 1)[0]


def _date(value: object) -> dt.date | None:
    match = re.match(r"(\d{4})[/-](\d{2})[/-](\d{2})", str(value or ""))
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _results(record: Mapping[str, object]) -> list[dict[str, object]]:
    found = record.get("search_result") or []
    return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


def _merge(pool: dict[str, NewsArticle], raw: Mapping[str, object], seen: dt.date) -> str:
    """Add one search result to the pool; the longer text wins (GCS text is sometimes
    junk) and a published date wins over one guessed from the URL or the question day."""
    url = normalize_url(str(raw.get("url") or ""))
    if not url:
        return url
    text = str(raw.get("text") or "").strip()
    published = _date(raw.get("publish_date"))
    in_url = _URL_DATE_RE.search(url)
    guessed = (_date("-".join(in_url.groups())) if in_url else None) or seen
    title = " ".join(str(raw.get("title") or "").split())
    old = pool.get(url)
    if old is None:
        pool[url] = NewsArticle(url, title, text, published or guessed, published is not None)
        return url
    if len(text) > len(old.text):
        old.text = text
    old.title = old.title or title
    if published is not None and not old.dated:
        old.date, old.dated = published, True
    return url


def find_weeks(data: Path) -> list[str]:
    """The weeks (``YYYYMMDD``) with a questions file under ``data`` (searched recursively)."""
    return sorted({m[1] for p in Path(data).rglob("*_qa.jsonl") if (m := _WEEK_RE.match(p.name))})


def _week_file(data: Path, week: str, kind: str) -> Path:
    matches = sorted(Path(data).rglob(f"{week}_{kind}.jsonl"))
    return matches[0] if matches else Path(data) / f"{week}_{kind}.jsonl"


def _baseline_files(data: Path, weeks: Sequence[str]) -> dict[str, dict[str, Path]]:
    """``{baseline key: {week: file}}``, looked for under ``data`` and then its parent."""
    found: dict[str, dict[str, Path]] = {}
    for root in (Path(data), Path(data).parent):
        for path in sorted(root.rglob("*_qa_*.jsonl")):
            m = _BASELINE_RE.match(path.name)
            if m and m[1] in weeks and m[2] in BASELINES:
                found.setdefault(m[2], {}).setdefault(m[1], path)
        if found:
            break
    return found


def load_realtimeqa(data: Path, weeks: Sequence[str] | None = None) -> RealTimeQA:
    """The questions, pooled articles and baseline predictions of ``weeks`` (default all)."""
    data = Path(data)
    weeks = sorted(weeks) if weeks else find_weeks(data)
    if not weeks:
        raise SystemExit(f"no RealTime QA weeks (*_qa.jsonl) under {data}")
    pool: dict[str, NewsArticle] = {}
    questions: list[Question] = []
    for week in weeks:
        gcs = {str(r["question_id"]): r for r in _read_jsonl(_week_file(data, week, "gcs"))}
        gold = {str(r["question_id"]): r for r in _read_jsonl(_week_file(data, week, "gold"))}
        for raw in _read_jsonl(_week_file(data, week, "qa")):
            qid = str(raw["question_id"])
            qdate = _date(raw.get("question_date")) or _date(week) or dt.date.min
            # An undated result counts as published on the question's day: the search ran
            # a day or more later, and that date would hide it from its own question.
            found = gcs.get(qid, {})
            gcs_urls = dedupe(_merge(pool, r, qdate) for r in _results(found))
            gold_urls = dedupe(_merge(pool, r, qdate) for r in _results(gold.get(qid, {})))
            choices = raw.get("choices") or []
            answer = raw.get("answer") or []
            questions.append(
                Question(
                    id=qid,
                    week=week,
                    date=qdate,
                    source=str(raw.get("question_source") or ""),
                    sentence=str(raw.get("question_sentence") or ""),
                    choices=[str(c) for c in choices] if isinstance(choices, list) else [],
                    answer=[int(a) for a in answer] if isinstance(answer, list) else [],
                    gold_urls=[u for u in gold_urls if u],
                    gcs_urls=[u for u in gcs_urls if u],
                )
            )
    pool = {url: a for url, a in pool.items() if a.text}
    baselines: dict[str, dict[str, list[int]]] = {}
    for key, files in _baseline_files(data, weeks).items():
        preds: dict[str, list[int]] = {}
        for path in files.values():
            for r in _read_jsonl(path):
                pred = r.get("prediction") or []
                preds[str(r["question_id"])] = (
                    [int(p) for p in pred] if isinstance(pred, list) else []
                )
        baselines[key] = preds
    return RealTimeQA(list(weeks), questions, pool, baselines)


def mc_accuracy(questions: Sequence[Question], predictions: Mapping[str, Sequence[int]]) -> float:
    """Multiple-choice accuracy as upstream scores it: the prediction equals the answer."""
    if not questions:
        return 0.0
    right = sum(1 for q in questions if list(predictions.get(q.id, [])) == q.answer)
    return right / len(questions)


# --- corpora as article files, indexed once and cached ----------------------------------

#: Bump when the way benchmark corpora are written or indexed changes.
CACHE_FORMAT = "1"


def cache_root() -> Path:
    """Where benchmark corpora and their indexes are kept between runs."""
    return Path.home() / ".cache" / "chipbot-bench"


def cache_key(*parts: object) -> str:
    """A short stable hash of ``parts`` (data digests and settings)."""
    text = "\0".join(str(p) for p in (CACHE_FORMAT, *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def article_file_text(
    article_id: str, title: str, body: str, date: dt.date | None = None, url: str | None = None
) -> str:
    """An article file with YAML front matter; the title also opens the body, so that
    both retrievers see it as the published figures' "title + text" does."""
    import yaml

    meta: dict[str, str] = {"id": article_id, "title": title or article_id}
    if date is not None:
        meta["date"] = date.isoformat()
    if url:
        meta["url"] = url
        meta["source"] = re.sub(r"^www\.", "", url.split("/")[2]) if "//" in url else url
    front = yaml.safe_dump(meta, allow_unicode=True, width=1_000_000, sort_keys=False)
    opening = f"{title}\n\n" if title else ""
    return f"---\n{front}---\n{opening}{body.strip()}\n"


def write_articles(folder: Path, files: Mapping[str, str]) -> None:
    """Write ``{file stem: text}`` into ``folder`` (skipping files already identical)."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem, text in files.items():
        path = folder / f"{stem}.txt"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def cached_index(
    name: str,
    files: Mapping[str, str],
    key: str,
    *,
    chunk_chars: int,
    chunk_overlap: int,
    model: str = "all-MiniLM-L6-v2",
    show_progress: bool = True,
    root: Path | None = None,
) -> Chipbot:
    """A :class:`Chipbot` over ``files`` indexed with chipbot's own ingestion, built once.

    The corpus and index live in ``root/<name>-<key>`` (``root`` defaults to
    :func:`cache_root`); ``key`` must cover the data (the settings are added here). A
    finished build leaves ``complete.json`` behind.
    """
    from retrieval.engine import Chipbot
    from retrieval.query_adapter import load_query_embedder
    from retrieval.settings import Settings

    folder = (root or cache_root()) / f"{name}-{cache_key(key, chunk_chars, chunk_overlap, model)}"
    settings = Settings(
        data_dir=folder / "index",
        chunk_chars=chunk_chars,
        chunk_overlap=chunk_overlap,
        embedding_model=model,
        encoder="sentence-transformers",
    )
    # Big batches go through the reference encoder; queries use it too, so every vector
    # of a run comes from one implementation (questions through the query adapter, as
    # chipbot asks them; passages as indexed).
    embedder = load_query_embedder(model, "sentence-transformers", settings.query_adapter)
    bot = Chipbot(settings, embedder=embedder)
    marker = folder / "complete.json"
    if marker.is_file():
        return bot
    articles = folder / "articles"
    write_articles(articles, files)
    with progress_bar(f"indexing {name}", show_progress) as advance:
        report = bot.ingest([articles], progress=advance)
    marker.write_text(json.dumps({"files": len(files), "report": report.counts}), "utf-8")
    return bot


@contextlib.contextmanager
def progress_bar(label: str, show: bool) -> Iterator[Callable[[int, int, str], None]]:
    """A rich progress bar on stderr fed by ingest's ``(done, total, path)`` callback."""
    if not show:
        yield lambda done, total, path: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(
        *Progress.get_default_columns()[:1], *columns, console=Console(stderr=True)
    ) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int, path: str) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
