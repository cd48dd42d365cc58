"""chipbot's retrieval library: parse, chunk, embed, store, retrieve and answer with citations.

Heavy dependencies (chromadb, sentence-transformers, bm25s) are imported lazily by the
modules that need them, so importing this package stays cheap for the query path.
"""

from retrieval.errors import (
    ChipbotError,
    ConfigError,
    IndexMismatchError,
    IngestError,
    MissingIndexError,
    QuestionError,
    UnknownNameError,
)
from retrieval.models import Answer, Article, Chunk, Citation, Passage

__all__ = [
    "Answer",
    "Article",
    "ChipbotError",
    "Chunk",
    "Citation",
    "ConfigError",
    "IndexMismatchError",
    "IngestError",
    "MissingIndexError",
    "Passage",
    "QuestionError",
    "UnknownNameError",
]
