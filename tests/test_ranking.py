"""The array evaluation agrees with Whoosh: the same documents, the same BM25F scores,
deletions and several segments included; the page order, facets and cache behave."""

import itertools
from collections import Counter

import numpy as np
import pytest
from whoosh import query as wq
from whoosh import scoring

from search_service import indexer
from search_service.engine import posting_arrays, postings, ranking, store
from search_service.query import parse_query

WORDS = ["бюджет", "мектеп", "выборы", "сайлау", "экономика", "нефть"]
QUERIES = [
    "бюджет",
    "бюджет мектеп",
    "бюджет OR нефть",
    "выборы -сайлау",
    "NOT мектеп",
    '"бюджет мектеп"',
    '"в области"',
    '"области бюджет мектеп"',  # three words
    '"мектеп бюджет"',  # the words, but never in this order
    '"Облыста бюджет мектеп выборы"',
    '"бюджет-мектеп"',  # a hyphenated word: its parts follow it
    "title:жаңалық",
    "бюджет date:2024-03..2024-06",
    "жоқсөз",
    "Облыста",
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    root = tmp_path_factory.mktemp("ranking")
    archive = root / "archive"
    for n in range(240):
        words = " ".join(WORDS[i] for i in range(len(WORDS)) if n % (i + 2) == 0)
        repeated = " ".join(["бюджет"] * (n % 5))  # different weights, different lengths
        body = f"В области {words} обсуждали. Облыста {words} талқыланды. {repeated} Номер {n}."
        path = archive / f"kk/2024/{n % 12 + 1:02d}/a{n:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"date 2024-{n % 12 + 1:02d}-01 Жаңалық {n}\n{body}\n", encoding="utf-8")
    index_dir = root / "index"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indexer, "ARRAY_MIN_DOCS", 20)  # frequent terms also as plain arrays
        indexer.build([archive], index_dir, procs=2)  # more than one segment
        for n in range(0, 240, 7):  # deleted documents inside the segments
            (archive / f"kk/2024/{n % 12 + 1:02d}/a{n:03d}.txt").unlink()
        indexer.update([archive], index_dir)
    ix, _ = store.open_current(index_dir)
    with ix.searcher(weighting=scoring.BM25F()) as opened:
        assert len(opened.subsearchers) > 1
        assert opened.reader().has_deletions()
        yield opened


def _query(text: str) -> wq.Query:
    query = parse_query(text).query
    return query.a if isinstance(query, wq.AndMaybe) else query


@pytest.mark.parametrize("text", QUERIES)
def test_same_documents_as_whoosh(searcher, text):
    query = _query(text)
    found = ranking.IndexArrays(searcher).evaluate(query, scored=False).docs
    assert set(np.flatnonzero(found).tolist()) == set(searcher.docs_for_query(query))


@pytest.mark.parametrize("text", [q for q in QUERIES if not q.startswith("NOT")])
def test_same_scores_as_whoosh(searcher, text):
    query = _query(text)
    matched = ranking.IndexArrays(searcher).evaluate(query)
    expected = {docnum: score for score, docnum in searcher.search(query, limit=None).top_n}
    ours = {int(d): float(matched.scores[d]) for d in np.flatnonzero(matched.docs)}
    assert ours.keys() == expected.keys()
    for docnum, score in expected.items():
        assert ours[docnum] == pytest.approx(score, rel=1e-9)


def test_deleted_documents_are_left_out(searcher):
    found = ranking.IndexArrays(searcher).evaluate(_query("бюджет")).docs
    assert found.any()
    assert not any(searcher.reader().is_deleted(int(d)) for d in np.flatnonzero(found))


def test_relevance_order_is_best_first_then_newest_then_docnum(searcher):
    arrays = ranking.IndexArrays(searcher)
    matched = arrays.evaluate(_query("бюджет"))
    everything = arrays.top(matched.docs, matched.scores, None, ranking.RELEVANCE)
    assert len(everything) == np.count_nonzero(matched.docs)
    dates = arrays.numbers("date")
    assert everything == sorted(everything, key=lambda hit: (-hit[0], -dates[hit[1]], hit[1]))
    # the date decides somewhere: an equal score, a newer date and a later document number
    assert any(
        a[0] == b[0] and dates[a[1]] > dates[b[1]] and a[1] > b[1]
        for a, b in itertools.pairwise(everything)
    )
    assert len({score for score, _ in everything}) > 3  # weights and lengths differ
    for limit in (1, 5, 17):  # the partial sort keeps every tie at its edge right
        assert (
            arrays.top(matched.docs, matched.scores, limit, ranking.RELEVANCE)
            == (everything[:limit])
        )


def test_date_orders(searcher):
    arrays = ranking.IndexArrays(searcher)
    docs = arrays.evaluate(_query("мектеп"), scored=False).docs
    dates = {d: searcher.stored_fields(d)["date"] for d in np.flatnonzero(docs).tolist()}
    newest = [d for _, d in arrays.top(docs, None, None, ranking.NEWEST)]
    oldest = [d for _, d in arrays.top(docs, None, 5, ranking.OLDEST)]
    assert newest == sorted(dates, key=lambda d: (-dates[d], d))
    assert oldest == sorted(dates, key=lambda d: (dates[d], d))[:5]


def test_facet_counts_match_stored_fields(searcher):
    arrays = ranking.IndexArrays(searcher)
    docs = arrays.evaluate(_query("бюджет OR нефть"), scored=False).docs
    expected = Counter(searcher.stored_fields(int(d))["lang"] for d in np.flatnonzero(docs))
    assert arrays.count("lang", docs) == dict(expected)
    by_month = arrays.count("month", docs)
    assert sum(by_month.values()) == np.count_nonzero(docs)
    assert set(by_month) <= {f"2024-{m:02d}" for m in range(1, 13)}


def test_filters_are_cached_and_match_whoosh(searcher):
    arrays = ranking.IndexArrays(searcher)
    clause = parse_query("date:2024-02..2024-04").query
    first = arrays.filter_docs(clause)
    assert arrays.filter_docs(clause) is first
    assert set(np.flatnonzero(first).tolist()) == set(searcher.docs_for_query(clause))


def test_posting_cache_stays_within_its_bound(searcher):
    arrays = ranking.IndexArrays(searcher, cache_mb=0.002)  # about 2 KB
    for word in WORDS:
        arrays.evaluate(_query(word))
    held = sum(ids.nbytes + weights.nbytes for ids, weights in arrays._postings.values())
    assert 0 < held <= 0.002 * 1024 * 1024
    assert len(arrays._postings) < len(WORDS) * 4  # older terms were let go


def test_prefix_ranks_by_the_words_it_expands_to(searcher):
    arrays = ranking.IndexArrays(searcher)
    query = _query("бюдж*")
    matched = arrays.evaluate(query)
    assert set(np.flatnonzero(matched.docs).tolist()) == set(searcher.docs_for_query(query))
    scores = matched.scores[matched.docs]
    assert len(set(scores.tolist())) > 1  # more uses of the word, a higher score


def test_phrases_are_remembered(searcher):
    arrays = ranking.IndexArrays(searcher)
    query = _query('"области бюджет мектеп"')
    first = arrays.evaluate(query)
    assert len(arrays._phrases) == 2  # one per field searched: title_exact, text_exact
    again = arrays.evaluate(query)
    assert np.array_equal(first.docs, again.docs)
    assert np.array_equal(first.scores, again.scores)
    assert first.docs.any()


def test_in_order_follows_whoosh_slop():
    assert ranking._in_order([[1], [2], [3]], slop=1)
    assert not ranking._in_order([[1], [3]], slop=1)
    assert ranking._in_order([[1], [3]], slop=2)
    assert not ranking._in_order([[5], [4]], slop=3)  # order matters
    assert not ranking._in_order([[1], [1]], slop=2)  # the next word must come after


def test_phrases_in_arrays_match_as_document_by_document(searcher, monkeypatch):
    """Every two- and three-word phrase of the index's frequent words: the documents found
    from the positions as arrays are those found a document at a time, the positions read
    mostly from the segments' arrays. (How many documents each build worker gets varies
    from run to run, so a rarer word may lack arrays in a small segment, which is then read
    from its blocks.)"""
    arrays = ranking.IndexArrays(searcher)
    words = ["в", "области", "облыста", "бюджет", "мектеп", "выборы", "талқыланды"]
    phrases = [*itertools.permutations(words, 2), *itertools.permutations(words[:4], 3)]
    from_arrays = Counter()
    real_position_keys = posting_arrays.StoredArrays.position_keys

    def counted(stored, *args):
        found = real_position_keys(stored, *args)
        from_arrays[found is not None] += 1
        return found

    monkeypatch.setattr(posting_arrays.StoredArrays, "position_keys", counted)
    matched = 0
    for phrase in phrases:
        query = wq.Phrase("text_exact", list(phrase))
        having = [arrays._term("text_exact", word, 1.0, False).docs for word in phrase]
        candidates = np.flatnonzero(np.logical_and.reduce(having) & arrays.live)
        per_word = [arrays._positions("text_exact", word, candidates) for word in phrase]
        one_by_one = [ranking._in_order(lists, 1) for lists in zip(*per_word, strict=True)]
        expected = candidates[np.array(one_by_one, dtype=bool)].tolist()
        assert arrays._with_words_in_order(query, candidates).tolist() == expected, phrase
        matched += bool(expected)
    assert matched > 5 and from_arrays[True] > len(phrases) > from_arrays[False]


def test_phrase_positions_from_a_segment_without_arrays(searcher, monkeypatch):
    """A segment without the words' arrays (as an update's small segment) is read from its
    posting blocks: the same position keys."""
    arrays = ranking.IndexArrays(searcher)
    docnums = np.flatnonzero(arrays.live)
    for word in ("бюджет", "области", "жоқсөз"):
        from_arrays = postings.term_position_keys(
            arrays._segments, arrays._arrays, "text_exact", word, docnums
        )
        without = [None] * len(arrays._arrays)
        from_blocks = postings.term_position_keys(
            arrays._segments, without, "text_exact", word, docnums
        )
        assert from_blocks.tolist() == from_arrays.tolist()
        assert len(from_arrays) or word == "жоқсөз"
    query = wq.Phrase("text_exact", ["в", "области"])
    with_arrays = arrays._with_words_in_order(query, docnums).tolist()
    monkeypatch.setattr(arrays, "_arrays", [None] * len(arrays._arrays))
    assert arrays._with_words_in_order(query, docnums).tolist() == with_arrays


def test_position_totals_are_kept_for_a_few_terms(searcher):
    arrays = ranking.IndexArrays(searcher)
    stored = next(s for s in arrays._arrays if s)
    terms = [term for field, term in stored._table if field == "text_exact"]
    assert len(terms) > posting_arrays.POSITION_ENDS_KEPT
    docnums = np.arange(searcher.doc_count_all())
    first = [stored.position_keys("text_exact", term, docnums).tolist() for term in terms]
    assert len(stored._ends) == posting_arrays.POSITION_ENDS_KEPT
    again = [stored.position_keys("text_exact", term, docnums).tolist() for term in terms]
    assert again == first


def test_documents_in_order_from_position_keys():
    def keys(*documents):  # one list of positions per document, by rank
        pairs = [rank << 32 | p for rank, found in enumerate(documents) for p in found]
        return np.array(pairs, dtype=np.int64)

    # Document 0: "a b" at 3-4; document 1: b before a; document 2: "a b c" at 7-9.
    first, second = keys([3, 9], [5], [7]), keys([4], [2], [8])
    assert ranking._ranks_in_order([first, second]).tolist() == [0, 2]
    assert ranking._ranks_in_order([first, second, keys([], [], [9])]).tolist() == [2]
    assert ranking._ranks_in_order([first, keys([], [], [])]).tolist() == []
    # A word at position 0 never follows the last position of the document before.
    assert ranking._ranks_in_order([keys([0xFFFFFFFF], []), keys([], [0])]).tolist() == []


def test_boosted_compound_queries_score_like_whoosh(searcher):
    query = wq.And(
        [
            wq.Or([wq.Term("text", "бюджет"), wq.Term("text", "нефть")], boost=2.0),
            wq.Term("text", "мектеп", boost=0.5),
        ],
        boost=1.5,
    )
    matched = ranking.IndexArrays(searcher).evaluate(query)
    expected = {docnum: score for score, docnum in searcher.search(query, limit=None).top_n}
    assert expected
    assert {int(d) for d in np.flatnonzero(matched.docs)} == expected.keys()
    for docnum, score in expected.items():
        assert matched.scores[docnum] == pytest.approx(score, rel=1e-9)


def test_positions_skip_documents_without_the_word(searcher):
    arrays = ranking.IndexArrays(searcher)
    having = np.flatnonzero(arrays.evaluate(_query("нефть"), scored=False).docs).tolist()
    without = arrays.live & ~arrays.evaluate(_query("нефть"), scored=False).docs
    lacking = np.flatnonzero(without).tolist()
    wanted = sorted(having[:3] + lacking[:3])
    found = arrays.positions("text_exact", "нефть", wanted)
    assert sorted(found) == having[:3]
    for docnum, positions in found.items():
        matcher = searcher.postings("text_exact", "нефть")
        matcher.skip_to(docnum)
        assert matcher.id() == docnum and positions == matcher.value_as("positions")


def test_stored_arrays_hold_the_postings_and_positions_of_the_blocks(searcher):
    arrays = ranking.IndexArrays(searcher)
    compared = with_positions = 0
    for (reader, _), stored in zip(arrays._segments, arrays._arrays, strict=True):
        if stored is None:
            continue
        deleted = list(reader.deleted_docs_set) if reader.has_deletions() else []
        for field, term in stored._table:
            ids, weights = stored.postings(field, term)
            block_ids, block_weights = postings.read_postings(reader.postings(field, term))
            # Whoosh's deletion filter may have stepped past deleted documents: compare the rest.
            live, block_live = ~np.isin(ids, deleted), ~np.isin(block_ids, deleted)
            assert np.array_equal(ids[live], block_ids[block_live])
            assert np.array_equal(weights[live], block_weights[block_live])
            compared += 1
            wanted = block_ids[block_live].tolist()
            in_arrays = stored.positions(field, term, wanted)
            if in_arrays is not None:  # a field with positions
                in_blocks = postings.block_positions(reader.postings(field, term), wanted)
                assert in_arrays == dict(in_blocks)
                with_positions += 1
                # The same positions as keys: each document's index in ``asked``, << 32 | position.
                asked = np.array(sorted(set(wanted[::2]) | {0, reader.doc_count_all() - 1}))
                keys = stored.position_keys(field, term, asked)
                expected = [
                    (int(np.searchsorted(asked, docnum)) << 32) | position
                    for docnum, found in stored.positions(field, term, asked.tolist()).items()
                    for position in found
                ]
                assert keys.tolist() == expected
    assert compared > 20 and with_positions > 10  # several fields and segments
    assert ("text", "бюджет".encode()) in next(s for s in arrays._arrays if s)._table
