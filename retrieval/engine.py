"""The front door: :class:`Chipbot` ties index, embedder, retriever and generator together.

Front ends (CLI, Slack) build one ``Chipbot`` from a :class:`Settings` and call
:meth:`Chipbot.ask`. Everything heavy is loaded on first use, so a process that only
lists articles never loads a model.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval.errors import (
    ChipbotError,
    CitationError,
    ConfigError,
    IndexMismatchError,
    MissingIndexError,
    QuestionError,
)
from retrieval.models import Answer, ArticleInfo, Citation, Passage, SearchFilter, format_date
from retrieval.reading import PassageReading, newest_first, read_article_text
from retrieval.recency import (
    apply_temporal,
    follows_with_timeline,
    silent_after,
    timeline_filter,
)
from retrieval.retriever import HybridRetriever, Mode, RetrievalConfig
from retrieval.settings import Settings
from retrieval.temporal import (
    TemporalIntent,
    mentions_period,
    parse_intent,
    periods_after,
)

if TYPE_CHECKING:
    from retrieval.answer.base import AnswerGenerator
    from retrieval.embedding import Embedder
    from retrieval.index import Index
    from retrieval.ingest import IngestReport
    from retrieval.timeline import SentenceScorer, Timeline

log = logging.getLogger(__name__)

#: Where the shipped seed articles live in a source checkout.
SHIPPED_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
_REF = re.compile(r"^(?P<article>[^\s:]+):(?P<start>\d+)-(?P<end>\d+)$")


def validate_question(question: str, max_chars: int) -> str:
    """The stripped question; :class:`QuestionError` when empty or too long."""
    stripped = question.strip()
    if not stripped:
        raise QuestionError("the question is empty; ask something about the indexed articles")
    if len(stripped) > max_chars:
        raise QuestionError(
            f"the question is {len(stripped):,} characters long; the limit is {max_chars:,}"
        )
    return stripped


class Chipbot:
    """Ask questions of the indexed articles; get cited, verifiable answers."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        index: Index | None = None,
        generator: AnswerGenerator | None = None,
        retrieval_config: RetrievalConfig | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        # An embedder passed in (tests, benchmarks) embeds documents too: one implementation.
        self._embedder_given = embedder is not None
        self._document_embedder: Embedder | None = None
        self._index = index
        self._generator = generator
        self._retriever: HybridRetriever | None = None
        self._sentence_scorer: SentenceScorer | None = None
        self.retrieval_config = retrieval_config or RetrievalConfig()

    @classmethod
    def from_settings(cls, settings: Settings) -> Chipbot:
        """A ``Chipbot`` with every component chosen by ``settings``."""
        return cls(settings)

    # -- components, loaded on first use -------------------------------------------

    @property
    def embedder(self) -> Embedder:
        """The query encoder named by the settings (with the query adapter, when set)."""
        if self._embedder is None:
            self._embedder = self._load_query_embedder()
        return self._embedder

    def _load_query_embedder(self) -> Embedder:
        from retrieval.query_adapter import load_query_embedder

        s = self.settings
        return load_query_embedder(s.embedding_model, s.encoder, s.query_adapter, s.models_dir)

    @property
    def document_embedder(self) -> Embedder:
        """The encoder for passages at ingest: ``settings.document_encoder``, or the query
        encoder when that one cannot load this model (or was passed in explicitly)."""
        if self._document_embedder is None:
            self._document_embedder = self._load_document_embedder()
        return self._document_embedder

    def _load_document_embedder(self) -> Embedder:
        from retrieval.embedding import load_embedder

        if self._embedder_given:
            return self.embedder
        try:
            return load_embedder(
                self.settings.embedding_model,
                self.settings.document_encoder,
                self.settings.models_dir,
            )
        except ConfigError as exc:
            log.info(
                "document encoder %s unavailable (%s); using the query encoder",
                self.settings.document_encoder,
                exc,
            )
            return self.embedder

    @property
    def index(self) -> Index:
        """The opened index (:class:`MissingIndexError` when there is none)."""
        if self._index is None:
            from retrieval.index import Index

            self._index = Index.open(self.settings)
        return self._index

    @property
    def retriever(self) -> HybridRetriever:
        """The hybrid retriever over :attr:`index`."""
        if self._retriever is None:
            self._retriever = HybridRetriever(self.index, self.embedder, self.retrieval_config)
        return self._retriever

    @property
    def generator(self) -> AnswerGenerator:
        """The answer generator: the LLM one when ``settings.llm`` is set, else extractive."""
        if self._generator is None:
            from retrieval.answer.base import generators

            name = self.settings.generator
            if self.settings.llm and name == "extractive":
                name = "llm"
            if name == "llm":
                import retrieval.answer.llm
            else:
                import retrieval.answer.extractive  # noqa: F401  (registers "extractive")
            self._generator = generators.create(
                name, settings=self.settings, embedder=self._embedder_if_needed(name)
            )
        return self._generator

    def _embedder_if_needed(self, name: str) -> Embedder | None:
        # Both built-in generators read with the embedding model.
        return self.cached_embedder()

    def cached_embedder(self) -> Embedder:
        """The query encoder, with sentence vectors from the cache ingest fills
        (see :mod:`retrieval.sentence_vectors`)."""
        from retrieval.sentence_vectors import CachedEmbedder, open_cache

        cache = open_cache(self.settings.data_dir, self.settings.embedding_model)
        return CachedEmbedder(self.embedder, cache)

    def warm(self) -> None:
        """Load models and indexes now rather than on the first question."""
        self.embedder.embed_query("warm up")
        _ = self.retriever, self.generator
        self.index.lexical_search("warm up", 1)

    # -- the index -----------------------------------------------------------------

    def has_index(self) -> bool:
        """Whether an index exists in the data directory (or server)."""
        from retrieval.index import Index

        return Index.exists(self.settings)

    def seeds_dir(self) -> Path:
        """The folder of shipped seed articles."""
        return self.settings.seeds_dir or SHIPPED_SEEDS

    def ensure_index(self, progress: Callable[[str], None] | None = None) -> None:
        """Build the index from the shipped seeds when none exists yet."""
        if self._index is not None:
            return
        # Opening the index answers "is there one?" and keeps the connection for the
        # question that follows (a cold `chipbot ask` would otherwise start Chroma twice).
        try:
            _ = self.index
            return
        except IndexMismatchError:
            return  # there is an index; the mismatch is reported when it is used
        except MissingIndexError:
            pass
        seeds = self.seeds_dir()
        if not seeds.is_dir():
            raise MissingIndexError(
                f"no index in {self.settings.data_dir} and no seed folder at {seeds}; "
                "run `chipbot ingest PATH` first"
            )
        if progress:
            progress(f"No index yet: indexing the shipped seed articles from {seeds} …")
        report = self.ingest([seeds])
        if progress:
            progress(f"Indexed: {report.summary()}.")

    def ingest(
        self,
        paths: Sequence[Path | str],
        *,
        prune: bool = False,
        rebuild: bool = False,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> IngestReport:
        """Add or update articles from files, folders and URLs (see :mod:`retrieval.ingest`)."""
        from retrieval.ingest import ingest

        report = ingest(
            paths,
            self.settings,
            self.document_embedder,
            prune=prune,
            rebuild=rebuild,
            progress=progress,
        )
        # An open Chroma client keeps a per-process cache that would hide the new writes.
        if self._index is not None:
            self._index.close()
        self._index = None
        self._retriever = None
        return report

    def articles(self) -> list[ArticleInfo]:
        """Every indexed article."""
        return self.index.articles()

    def newest_date(self) -> dt.date | None:
        """The newest indexed article's date (undated articles never count)."""
        return self.index.newest_date()

    # -- questions -----------------------------------------------------------------

    def retrieve(
        self,
        question: str,
        *,
        k: int | None = None,
        flt: SearchFilter | None = None,
        mode: Mode = "hybrid",
    ) -> list[Passage]:
        """The ranked passages for ``question`` (no answer generation)."""
        question = validate_question(question, self.settings.max_question_chars)
        return self.retriever.search(question, k=k or self.settings.top_k, flt=flt, mode=mode)

    def temporal_intent(self, question: str, *, as_of: dt.date | None = None) -> TemporalIntent:
        """What ``question`` says about time, a month without a year read against the
        newest indexed article's date; an explicit ``as_of`` overrides the text's."""
        intent = parse_intent(question, self.newest_date())
        return intent.with_as_of(as_of) if as_of is not None else intent

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        flt: SearchFilter | None = None,
        history: Sequence[str] = (),
        on_token: Callable[[str], None] | None = None,
        as_of: dt.date | None = None,
    ) -> Answer:
        """Answer ``question`` with citations (or abstain); ``history`` = earlier questions.

        Time in the question is honoured (see :mod:`retrieval.temporal`): its date phrases
        bound the articles searched (``flt`` wins where both set a bound), "as of" and
        ``as_of`` make the answer start "As of 31 Mar 2023:", and latest-state words put
        the newest of the retrieved passages first.
        """
        t0 = time.perf_counter()
        question = validate_question(question, self.settings.max_question_chars)
        generator = self.generator
        standalone = generator.condense(question, list(history)) if history else question
        t1 = time.perf_counter()
        newest = self.newest_date()  # read once: the intent and the age note both need it
        intent = parse_intent(standalone, newest)
        if as_of is not None:
            intent = intent.with_as_of(as_of)
        k = k or self.settings.top_k
        pool = self._pool(k)
        # Each article file is read once per question, whichever steps look at it.
        read = functools.cache(read_article_text)
        ranked, passages = self.reading.read(standalone, intent, flt, pool, read)
        t2 = time.perf_counter()
        lead = f"As of {format_date(intent.as_of)}: " if intent.as_of else ""
        if lead and on_token is not None:
            on_token(lead)
        answer = _generate(generator, standalone, passages, history, on_token, intent)
        searched = intent.search_filter(flt)
        widened = False
        intent_used = intent
        if answer.abstained and intent.soft:
            # "in March" may date the event asked about, not the articles: try all dates.
            wider = intent.without_bounds()
            wider_ranked, passages = self.reading.read(standalone, wider, flt, pool, read)
            retried = _generate(generator, standalone, passages, history, on_token, wider)
            if not retried.abstained:
                answer, widened, searched = retried, True, wider.search_filter(flt)
                ranked, intent_used = wider_ranked, wider
        late = periods_after(standalone, newest, self.index.oldest_date())
        if late and newest and (answer.abstained or not mentions_period(answer, late)):
            # "the October 2023 update" with nothing indexed after August 2023: an answer
            # about older events would answer another question, and a decline says why.
            answer = silent_after(answer, late[0], newest)
        t3 = time.perf_counter()
        # The nearest passages listed are the k most relevant (newest first when asked).
        nearest = ranked[:k]
        answer.passages = newest_first(nearest) if intent_used.wants_newest else nearest
        answer.question = question
        if standalone != question:
            answer.standalone_question = standalone
            answer.notes.insert(0, f"Read as: {standalone}")
        apply_temporal(
            answer,
            intent,
            flt,
            searched,
            newest,
            self.settings.stale_after_days,
            widened=widened,
        )
        answer.timings_ms.update(
            {
                "condense": (t1 - t0) * 1000,
                "retrieve": (t2 - t1) * 1000,
                "generate": (t3 - t2) * 1000,
                "total": (t3 - t0) * 1000,
            }
        )
        return answer

    def passages_for(
        self,
        question: str,
        *,
        k: int | None = None,
        flt: SearchFilter | None = None,
        as_of: dt.date | None = None,
    ) -> list[Passage]:
        """The passages :meth:`ask` hands the answer generator for ``question`` (a
        standalone one), in the order it reads them first (and, when a period the question
        names holds none, when it reads again at every date). The reader and the decline
        rule are fitted on these, so that they learn from what answers are made of: for a
        latest-state question, the newest articles read whole."""
        question = validate_question(question, self.settings.max_question_chars)
        intent = self.temporal_intent(question, as_of=as_of)
        pool = self._pool(k or self.settings.top_k)
        read = functools.cache(read_article_text)
        passages = self.reading.read(question, intent, flt, pool, read)[1]
        if not passages and intent.soft:
            # Nothing in the period "in October" may name: ask reads every date then.
            passages = self.reading.read(question, intent.without_bounds(), flt, pool, read)[1]
        return passages

    def _pool(self, k: int) -> int:
        # The generator may read more passages than the k it lists as the nearest.
        return max(k, getattr(self.generator, "pool", k))

    @property
    def reading(self) -> PassageReading:
        """What the generator reads for a question (see :mod:`retrieval.reading`)."""
        return PassageReading(self.index, self.retriever)

    def with_context(
        self, passages: list[Passage], read: Callable[[str], str] | None = None
    ) -> list[Passage]:
        """What the generator reads of ``passages``: each widened to whole thoughts and
        marked with who speaks (:meth:`retrieval.reading.PassageReading.with_context`)."""
        return self.reading.with_context(passages, read)

    # -- timelines -----------------------------------------------------------------

    @property
    def sentence_scorer(self) -> SentenceScorer:
        """How timeline sentences are scored for a topic (see :mod:`retrieval.timeline`)."""
        if self._sentence_scorer is None:
            from retrieval.timeline import DenseLexicalScorer

            self._sentence_scorer = DenseLexicalScorer(self.cached_embedder())
        return self._sentence_scorer

    def timeline(
        self,
        topic: str,
        *,
        flt: SearchFilter | None = None,
        k: int | None = None,
        per_document: int = 2,
        scorer: SentenceScorer | None = None,
        min_score: float | None = None,
    ) -> Timeline:
        """The dated, cited statements on ``topic`` in date order, from its ``k`` best
        passages (hybrid search), one or two sentences an article.

        Articles whose best sentence scores below ``min_score`` are left out; by default
        that is the lowest cosine of a gold question answered right
        (:func:`~retrieval.answer.decline.timeline_floor`), so an off-topic topic gets no
        timeline rather than a random one.
        """
        from retrieval.context import with_speakers, with_whole_sentences
        from retrieval.timeline import DEFAULT_PASSAGES, Timeline, build_timeline

        if min_score is None and scorer is None:
            from retrieval.answer.decline import timeline_floor

            min_score = timeline_floor() or None

        t0 = time.perf_counter()
        topic = validate_question(topic, self.settings.max_question_chars)
        passages = self.retriever.search(topic, k=k or DEFAULT_PASSAGES, flt=flt, mode="hybrid")
        t1 = time.perf_counter()
        by_path = {p.path: p.article_id for p in passages}
        read = functools.cache(lambda path: self.article_text(self.index.article(by_path[path])))
        entries = build_timeline(
            topic,
            with_speakers(with_whole_sentences(passages, read), read),
            scorer or self.sentence_scorer,
            read,
            per_document=per_document,
            min_score=min_score,
        )
        t2 = time.perf_counter()
        return Timeline(
            topic=topic,
            entries=entries,
            filter=flt,
            n_passages=len(passages),
            timings_ms={
                "retrieve": (t1 - t0) * 1000,
                "select": (t2 - t1) * 1000,
                "total": (t2 - t0) * 1000,
            },
        )

    def timeline_after(self, answer: Answer, flt: SearchFilter | None = None) -> Timeline | None:
        """The timeline that follows ``answer`` when its question asked how something
        changed (``None`` for any other answer, and for a decline): the dated statements
        on the question as it was read, within the question's own firm date bounds and
        ``flt`` (whose dates win where both give one, as in :meth:`ask`)."""
        if not follows_with_timeline(answer):
            return None
        own = timeline_filter(answer.temporal) or SearchFilter()
        # Merged as the answer's own search merges them (TemporalIntent.search_filter).
        bounds = TemporalIntent(since=own.since, until=own.until).search_filter(flt)
        return self.timeline(answer.standalone_question or answer.question, flt=bounds)

    # -- citations -----------------------------------------------------------------

    def resolve(self, ref: str) -> Citation:
        """The citation for ``ARTICLE_ID:START-END`` (the form printed in JSON output)."""
        match = _REF.match(ref.strip())
        if not match:
            raise CitationError(f"{ref!r} is not a citation; expected N or ARTICLE_ID:START-END")
        info = self.index.article(match["article"])
        start, end = int(match["start"]), int(match["end"])
        text = self.article_text(info)
        if not 0 <= start < end <= len(text):
            raise CitationError(
                f"span {start}-{end} is outside article {info.id} ({len(text):,} characters)"
            )
        return Citation(
            n=0,
            article_id=info.id,
            title=info.title,
            date=info.date,
            path=info.path,
            start=start,
            end=end,
            quote=text[start:end],
        )

    def context(self, citation: Citation, chars: int = 400) -> tuple[str, str, str]:
        """The cited span with up to ``chars`` of its paragraph on each side, from the
        article's text (its snapshot for web pages, HTML and PDF; else the file)."""
        try:
            info: ArticleInfo | None = self.index.article(citation.article_id)
        except CitationError:  # an answer stored before the article left the index
            info = None
        if info is not None and (info.snapshot or not Path(info.path).exists()):
            text = self.article_text(info)
        else:
            text = read_article_text(citation.path)
        if text[citation.start : citation.end] != citation.quote:
            raise CitationError(
                f"{citation.path} changed since it was indexed; run `chipbot ingest` again"
            )
        return surrounding(text, citation.start, citation.end, chars)

    def article_text(self, info: ArticleInfo) -> str:
        """The text an article's offsets count into: its snapshot (web page, HTML, PDF;
        from this machine's cache or the index, never the original) or its file (else
        the copy of the file stored at ingest, for machines that cannot read it)."""
        from retrieval.web.snapshots import read_snapshot

        if not info.snapshot:
            try:
                return read_article_text(info.path)
            except ChipbotError as missing:
                try:
                    return read_snapshot(
                        self.index.backend,
                        self.settings.data_dir,
                        self.settings.collection,
                        info.content_hash,
                    )
                except ChipbotError:
                    raise missing from None
        return read_snapshot(
            self.index.backend, self.settings.data_dir, self.settings.collection, info.content_hash
        )


@functools.cache
def _accepts_temporal(generator_type: type) -> bool:
    import inspect

    generate = getattr(generator_type, "generate", None)
    return generate is not None and "temporal" in inspect.signature(generate).parameters


def _generate(
    generator: AnswerGenerator,
    question: str,
    passages: Sequence[Passage],
    history: Sequence[str],
    on_token: Callable[[str], None] | None,
    intent: TemporalIntent,
) -> Answer:
    """``generator.generate``, handing it the temporal intent when it takes one
    (a ``temporal`` keyword): the seam for composing "newest first, then the older state"."""
    kwargs: dict[str, Any] = {"history": history, "on_token": on_token}
    if _accepts_temporal(type(generator)):
        kwargs["temporal"] = intent
    return generator.generate(question, passages, **kwargs)


def surrounding(text: str, start: int, end: int, chars: int) -> tuple[str, str, str]:
    """``(before, span, after)``: the span's paragraph, at most ``chars`` each side."""
    para_start = text.rfind("\n\n", 0, start)
    para_start = 0 if para_start < 0 else para_start + 2
    para_end = text.find("\n\n", end)
    para_end = len(text) if para_end < 0 else para_end
    lo = max(para_start, start - chars)
    hi = min(para_end, end + chars)
    before, after = text[lo:start], text[end:hi]
    if lo > para_start:
        before = "…" + before.split(" ", 1)[-1]
    if hi < para_end:
        after = after.rsplit(" ", 1)[0] + "…"
    return before, text[start:end], after
