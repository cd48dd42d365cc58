"""Articles from where they live: web pages, HTML and PDF files, feeds.

Each concept has its own module: :mod:`~retrieval.web.fetch` (polite HTTP),
:mod:`~retrieval.web.extract` (an HTML page's article and metadata),
:mod:`~retrieval.web.pdf` (a PDF's text layer), :mod:`~retrieval.web.snapshots` (the
extracted text every process cites from) and :mod:`~retrieval.web.sources` (a URL or
file made an :class:`~retrieval.models.Article`). This package imports nothing heavy:
httpx, trafilatura and pypdf are imported by the modules that use them, which only
ingest loads, so ``chipbot ask`` never pays for them.
"""
