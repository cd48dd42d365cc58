"""Sentence encoders behind :mod:`retrieval.embedding`: ``onnx_encoder`` (the default,
a cached ``onnx_export``), ``st`` (sentence-transformers, the reference) and ``batch``
(big batches to bfloat16 sentence-transformers on CPUs with AMX).
"""
