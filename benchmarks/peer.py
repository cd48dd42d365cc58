"""A peer pipeline: retrieval as the LangChain RAG tutorial builds it, for comparison.

RecursiveCharacterTextSplitter (1,000 characters, 200 overlap), HuggingFaceEmbeddings
with the same local all-MiniLM-L6-v2 weights chipbot uses, a langchain-chroma ``Chroma``
store and ``similarity_search(query, k=4)`` — the defaults of the tutorial, nothing tuned.
Benchmarks build one with :class:`PeerPipeline` over the same articles chipbot indexes.

    peer = PeerPipeline(Path("/tmp/peer"))
    peer.add([PeerDocument("a1", "text …", {"date_ord": 20220612})])
    hits = peer.search("question?", k=4, where={"date_ord": {"$lte": 20220616}})
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.embedding import DEFAULT_MODEL, resolve_model_path

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TUTORIAL_K = 4
_ADD_BATCH = 256


@dataclass(frozen=True)
class PeerDocument:
    """A document to index: an id, its text and flat metadata (str/int/float/bool)."""

    id: str
    text: str
    metadata: Mapping[str, str | int | float | bool] = field(default_factory=dict)


@dataclass(frozen=True)
class PeerHit:
    """One retrieved chunk: its document id, text, metadata and Chroma distance."""

    doc_id: str
    text: str
    metadata: Mapping[str, Any]
    distance: float


class PeerPipeline:
    """The tutorial's split-embed-store-search pipeline over a persistent Chroma folder."""

    def __init__(
        self,
        persist_dir: Path,
        *,
        model: str = DEFAULT_MODEL,
        collection: str = "peer",
        chunk_size: int = CHUNK_SIZE,
        chunk_overlap: int = CHUNK_OVERLAP,
    ) -> None:
        # The tutorial downloads the model by name; here the same local weights as chipbot.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from langchain_chroma import Chroma
        from langchain_huggingface import HuggingFaceEmbeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size, chunk_overlap=chunk_overlap, add_start_index=True
        )
        self.embeddings = HuggingFaceEmbeddings(
            model_name=str(resolve_model_path(model)), model_kwargs={"device": "cpu"}
        )
        self.store = Chroma(
            collection_name=collection,
            embedding_function=self.embeddings,
            persist_directory=str(persist_dir),
        )

    def count(self) -> int:
        """How many chunks the store holds."""
        return int(self.store._collection.count())

    def split(self, docs: Sequence[PeerDocument]) -> list[Any]:
        """The tutorial's chunks of ``docs`` as LangChain ``Document`` objects."""
        from langchain_core.documents import Document

        originals = [
            Document(page_content=d.text, metadata={**d.metadata, "doc_id": d.id}) for d in docs
        ]
        return list(self.splitter.split_documents(originals))

    def add(
        self,
        docs: Sequence[PeerDocument],
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Split, embed and store ``docs`` (ids make re-adding idempotent); chunk count."""
        chunks = self.split(docs)
        ids = [
            f"{c.metadata['doc_id']}:{c.metadata.get('start_index', i)}"
            for i, c in enumerate(chunks)
        ]
        for lo, hi in _batches(len(chunks), _ADD_BATCH):
            self.store.add_documents(chunks[lo:hi], ids=ids[lo:hi])
            if progress is not None:
                progress(hi, len(chunks))
        return len(chunks)

    def search(
        self, query: str, k: int = TUTORIAL_K, where: Mapping[str, Any] | None = None
    ) -> list[PeerHit]:
        """The ``k`` nearest chunks to ``query`` (optionally a Chroma ``where`` filter)."""
        found = self.store.similarity_search_with_score(
            query, k=k, filter=dict(where) if where else None
        )
        return [
            PeerHit(str(doc.metadata.get("doc_id", "")), doc.page_content, doc.metadata, float(s))
            for doc, s in found
        ]


def _batches(n: int, size: int) -> Iterator[tuple[int, int]]:
    for lo in range(0, n, size):
        yield lo, min(n, lo + size)
