"""The engine: what only the indexer and the searcher touch.

The index folder and its generations (:mod:`~search_service.engine.store`), the build's
writers (:mod:`~search_service.engine.parallel`, :mod:`~search_service.engine.segment_writer`),
the segment's posting arrays (:mod:`~search_service.engine.posting_arrays`), and the query's
evaluation over per-document arrays (:mod:`~search_service.engine.ranking`,
:mod:`~search_service.engine.proximity`).

This file imports nothing, so that importing one module of the engine loads only that module.
"""
