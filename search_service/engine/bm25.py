"""Whoosh's BM25F over arrays: one vectorised expression per term, with Whoosh's idf, average
field lengths and byte-encoded document lengths, so the scores (and the order) are the ones
Whoosh would give; ``tests/test_ranking.py`` checks them against Whoosh's own search.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh.searching import Searcher

from search_service.engine.whoosh_internals import (
    LENGTH_OF_BYTE,
    bm25_parameters,
    field_length_bytes,
)

# Whoosh stores a document's field length as one byte; this is its decoding table.
_LENGTH_OF_BYTE = np.array(LENGTH_OF_BYTE, dtype=np.float64)


def field_lengths(segments: list[tuple[Any, int]], size: int, field: str) -> np.ndarray:
    """Each document's length in ``field`` as Whoosh encodes it (one byte, decoded), over
    the segments (each reader with its first document number) of an index of ``size``."""
    encoded = np.zeros(size, dtype=np.uint8)
    for reader, offset in segments:
        raw = np.frombuffer(field_length_bytes(reader, field), dtype=np.uint8)
        encoded[offset : offset + len(raw)] = raw
    return _LENGTH_OF_BYTE[encoded]


def bm25(
    searcher: Searcher, field: str, text: str, weights: np.ndarray, lengths: np.ndarray
) -> np.ndarray:
    """Whoosh's BM25F for one term (``scoring.bm25``), for all its postings at once: their
    ``weights`` and their documents' ``lengths`` in ``field``."""
    k1, b = bm25_parameters(searcher.weighting, field)
    idf = searcher.idf(field, text)
    average = searcher.avg_field_length(field) or 1
    return idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / average)))
