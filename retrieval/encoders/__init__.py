"""Concrete sentence encoders behind :mod:`retrieval.embedding`.

``numpy_bert`` is the light, torch-free encoder for queries; ``st`` wraps
sentence-transformers (imported lazily, it costs seconds).
"""
