"""Which documents match a query, as a set of document numbers, read block by block.

Counting every match exactly (and counting facets over every match) is what makes a common
word slow: Whoosh's matchers step through postings one document at a time in Python. Here a
word's postings are copied a block of document numbers at a time, and AND / OR / NOT become
set operations, which run in C. Query types this does not know are handed to Whoosh.

The block reader uses Whoosh's posting-block internals, so it is checked against the pinned
Whoosh-Reloaded version (see pyproject.toml); any surprise falls back to Whoosh's own path.
"""

from __future__ import annotations

from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Searcher


def matching_docs(searcher: Searcher, query: wq.Query) -> frozenset[int]:
    """Every live document matching ``query``, as global document numbers."""
    if isinstance(query, wq.Every):
        return frozenset(searcher.reader().all_doc_ids())
    if isinstance(query, wq.AndMaybe):
        return matching_docs(searcher, query.a)
    if isinstance(query, wq.Term):
        return _term_docs(searcher, query.fieldname, query.text)
    if isinstance(query, wq.Or):
        found: set[int] = set()
        for child in query.subqueries:
            found |= matching_docs(searcher, child)
        return frozenset(found)
    if isinstance(query, wq.And):
        parts = sorted((matching_docs(searcher, child) for child in query.subqueries), key=len)
        if not parts:
            return frozenset()
        docs = parts[0]
        for other in parts[1:]:
            docs = docs & other
        return docs
    if isinstance(query, wq.AndNot):
        return matching_docs(searcher, query.a) - matching_docs(searcher, query.b)
    if isinstance(query, wq.Prefix):  # the words of the index that start so, as an Or
        return matching_docs(searcher, query.simplify(searcher.reader()))
    return frozenset(searcher.docs_for_query(query))


def _term_docs(searcher: Searcher, field: str, text: str) -> frozenset[int]:
    docs: set[int] = set()
    for segment, offset in _segments(searcher):
        reader = segment.reader()
        if (field, text) not in reader:
            continue
        matcher = reader.postings(field, text)
        deleted: frozenset[int] = frozenset()
        if isinstance(matcher, FilterMatcher):
            deleted = frozenset(matcher._ids)
            matcher = matcher.child
        ids = _block_ids(matcher)
        if ids is None:  # not the block matcher we know: the slow, sure way
            ids = list(reader.postings(field, text).all_ids())
            deleted = frozenset()
        local = set(ids) - deleted if deleted else ids
        docs.update(local if not offset else (docnum + offset for docnum in local))
    return frozenset(docs)


def _segments(searcher: Searcher) -> list[tuple[Searcher, int]]:
    return list(searcher.subsearchers) if searcher.subsearchers else [(searcher, 0)]


def _block_ids(matcher) -> list[int] | None:
    """All document numbers of a leaf posting matcher, a block at a time (None if unknown)."""
    try:
        ids: list[int] = []
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            ids.extend(matcher._ids[matcher._i :])
            matcher._i = matcher._blocklength
            matcher._next_block()
        return ids
    except AttributeError:
        return None
