"""Concrete sentence encoders behind :mod:`retrieval.embedding`.

``onnx_encoder`` runs a model's cached ONNX export (``onnx_export``) with onnxruntime:
the default for questions and passages. ``st`` wraps sentence-transformers, the
reference (imported lazily: it costs seconds); ``batch`` sends big batches to it in
bfloat16 on CPUs with AMX.
"""
