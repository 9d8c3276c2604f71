"""Rewarding query words that stand close together, for the best hits only.

Whoosh can score a sloppy phrase as an optional clause, but then it reads word positions in
every matching document: on a common pair of words that doubled the time of a search at 50,000
documents. The bonus is computed here for the ``RESCORE_DEPTH`` best hits by BM25F instead,
from the positions of the words in those documents alone (the usual rescoring window of
search engines).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from whoosh import query as wq

from search_service.engine.ranking import IndexArrays

RESCORE_DEPTH = 50  # hits whose order the proximity bonus may change
K1 = 1.2  # saturation of the bonus with the number of close occurrences, as in BM25


def phrases(query: wq.Query) -> list[wq.Phrase]:
    """The sloppy phrases of a proximity clause."""
    return [leaf for leaf in query.leaves() if isinstance(leaf, wq.Phrase)]


def near_bonus(
    arrays: IndexArrays, near: Iterable[wq.Phrase], docnums: Iterable[int]
) -> dict[int, float]:
    """Per document, the bonus for the phrases' words standing within their slop, in order.

    A phrase found ``n`` times in a document adds ``boost * sum(idf) * n / (n + K1)``.
    """
    wanted = sorted(set(docnums))
    searcher = arrays.searcher
    reader = searcher.reader()
    bonus: dict[int, float] = {}
    for phrase in near:
        field = phrase.fieldname
        if any((field, word) not in reader for word in phrase.words):
            continue
        positions = [arrays.positions(field, word, wanted) for word in phrase.words]
        weight = phrase.boost * sum(searcher.idf(field, word) for word in phrase.words)
        for docnum in wanted:
            lists = [found.get(docnum) for found in positions]
            if all(lists):
                count = near_count(lists, phrase.slop)
                if count:
                    bonus[docnum] = bonus.get(docnum, 0.0) + weight * count / (count + K1)
    return bonus


def near_count(positions: list[list[int]], slop: int) -> int:
    """How many times the words occur in order, each within ``slop`` words of the one before.

    >>> near_count([[0, 10], [2, 30]], slop=4)
    1
    >>> near_count([[5], [3]], slop=4)
    0
    """
    count = 0
    for start in positions[0]:
        here = start
        for following in positions[1:]:
            index = bisect.bisect_right(following, here)
            if index == len(following) or following[index] - here > slop + 1:
                break
            here = following[index]
        else:
            count += 1
    return count
