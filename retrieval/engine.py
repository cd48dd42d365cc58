"""The front door: :class:`Chipbot` ties index, embedder, retriever and generator together.

Front ends (CLI, Slack) build one ``Chipbot`` from a :class:`Settings` and call
:meth:`Chipbot.ask`. Everything heavy is loaded on first use, so a process that only
lists articles never loads a model.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.errors import (
    ChipbotError,
    CitationError,
    ConfigError,
    IndexMismatchError,
    MissingIndexError,
    QuestionError,
)
from retrieval.models import Answer, ArticleInfo, Citation, Passage, SearchFilter
from retrieval.retriever import HybridRetriever, Mode, RetrievalConfig
from retrieval.settings import Settings

if TYPE_CHECKING:
    from retrieval.answer.base import AnswerGenerator
    from retrieval.embedding import Embedder
    from retrieval.index import Index
    from retrieval.ingest import IngestReport

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
        self.retrieval_config = retrieval_config or RetrievalConfig()

    @classmethod
    def from_settings(cls, settings: Settings) -> Chipbot:
        """A ``Chipbot`` with every component chosen by ``settings``."""
        return cls(settings)

    # -- components, loaded on first use -------------------------------------------

    @property
    def embedder(self) -> Embedder:
        """The query/document encoder named by the settings."""
        if self._embedder is None:
            from retrieval.embedding import load_embedder

            self._embedder = load_embedder(self.settings.embedding_model, self.settings.encoder)
        return self._embedder

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
            return load_embedder(self.settings.embedding_model, self.settings.document_encoder)
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
        return self.embedder if name == "llm" else None

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
        paths: Sequence[Path],
        *,
        prune: bool = False,
        rebuild: bool = False,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> IngestReport:
        """Add or update articles from files and folders (see :mod:`retrieval.ingest`)."""
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

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        flt: SearchFilter | None = None,
        history: Sequence[str] = (),
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer ``question`` with citations (or abstain); ``history`` = earlier questions."""
        t0 = time.perf_counter()
        question = validate_question(question, self.settings.max_question_chars)
        generator = self.generator
        standalone = generator.condense(question, list(history)) if history else question
        t1 = time.perf_counter()
        passages = self.retriever.search(
            standalone, k=k or self.settings.top_k, flt=flt, mode="hybrid"
        )
        t2 = time.perf_counter()
        answer = generator.generate(standalone, passages, history=history, on_token=on_token)
        t3 = time.perf_counter()
        answer.question = question
        if standalone != question:
            answer.standalone_question = standalone
            answer.notes.insert(0, f"Read as: {standalone}")
        answer.timings_ms.update(
            {
                "condense": (t1 - t0) * 1000,
                "retrieve": (t2 - t1) * 1000,
                "generate": (t3 - t2) * 1000,
                "total": (t3 - t0) * 1000,
            }
        )
        return answer

    # -- citations -----------------------------------------------------------------

    def resolve(self, ref: str) -> Citation:
        """The citation for ``ARTICLE_ID:START-END`` (the form printed in JSON output)."""
        match = _REF.match(ref.strip())
        if not match:
            raise CitationError(f"{ref!r} is not a citation; expected N or ARTICLE_ID:START-END")
        info = self.index.article(match["article"])
        start, end = int(match["start"]), int(match["end"])
        text = read_article_text(info.path)
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
        """The cited span with up to ``chars`` of its paragraph on each side, from the file."""
        text = read_article_text(citation.path)
        if text[citation.start : citation.end] != citation.quote:
            raise CitationError(
                f"{citation.path} changed since it was indexed; run `chipbot ingest` again"
            )
        return surrounding(text, citation.start, citation.end, chars)


def read_article_text(path: str) -> str:
    """The article file's text exactly as offsets count it."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ChipbotError(f"cannot read article file {path}: {exc}") from None


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
