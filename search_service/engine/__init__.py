"""The engine: what only the indexer and the searcher touch.

- the index folder and its generations: :mod:`~search_service.engine.store`;
- the build's writers: :mod:`~search_service.engine.parallel`,
  :mod:`~search_service.engine.segment_writer`;
- a segment's posting arrays (the ``.arr`` layout): :mod:`~search_service.engine.posting_arrays`;
- the term table's entries of rarely used words, and the codec that reads them:
  :mod:`~search_service.engine.term_infos`;
- a query evaluated over per-document arrays: :mod:`~search_service.engine.ranking` (the entry
  point), which reads postings and positions with :mod:`~search_service.engine.postings`,
  scores with :mod:`~search_service.engine.bm25`, expands prefixes with
  :mod:`~search_service.engine.prefixes` and caches with :mod:`~search_service.engine.recent`;
  :mod:`~search_service.engine.proximity` rescores the best hits;
- every use of Whoosh's internals: :mod:`~search_service.engine.whoosh_internals`.

This file imports nothing, so that importing one module of the engine loads only that module.
"""
