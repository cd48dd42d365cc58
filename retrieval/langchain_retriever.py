"""chipbot's hybrid retrieval as a LangChain ``BaseRetriever``.

Importing this module imports langchain-core; the CLI's query path does not need it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrieval.models import Passage, SearchFilter
from retrieval.retriever import HybridRetriever, Mode


def passage_to_document(passage: Passage) -> Document:
    """A LangChain document whose metadata lets anyone verify the span in its article."""
    return Document(
        id=passage.id,
        page_content=passage.text,
        metadata={
            "id": passage.id,
            "article_id": passage.article_id,
            "chunk_no": passage.chunk_no,
            "title": passage.title,
            "date": passage.date.isoformat() if passage.date else None,
            "path": passage.path,
            "source": passage.source,
            "url": passage.url,
            "start": passage.start,
            "end": passage.end,
            "score": passage.score,
            "dense_score": passage.dense_score,
            "lexical_score": passage.lexical_score,
        },
    )


class ChipbotRetriever(BaseRetriever):
    """Returns chipbot's ranked passages as ``Document`` objects.

    ``metadata`` carries ``article_id``, ``title``, ``date`` (ISO), ``path``, ``start``,
    ``end`` (character offsets into the article file's text) and ``score``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever
    k: int = 5
    filter: SearchFilter | None = None
    mode: Mode = "hybrid"

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        passages = self.retriever.search(
            query,
            k=kwargs.get("k", self.k),
            flt=kwargs.get("filter", self.filter),
            mode=kwargs.get("mode", self.mode),
        )
        return [passage_to_document(p) for p in passages]
