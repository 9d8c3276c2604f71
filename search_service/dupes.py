"""Near-duplicate stories: a MinHash signature per article at index time, and groups of the
articles whose similarity reaches :data:`THRESHOLD`.

The signature is a 16-bit MinHash (datasketch's ``affine32`` permutations, in numpy) over
the word :data:`SHINGLE`-grams of the article's normalised words (case folded, Latin-script
Kazakh spelt in Cyrillic, then the skeleton spelling of ``text.fold``, so the scripts and
alphabets of one story meet), each shingle hashed from its words' CRC-32 hashes.
Candidate pairs come from datasketch's LSH banding (set a little below the threshold) and are
kept when the exact Jaccard similarity of their shingles, computed again from the text the
index stores, reaches the threshold; groups are the connected components of the kept pairs.

Files beside each generation (written by build and update, see :mod:`sidecars`):

- ``dupes-minhash-words.npy`` and ``dupes-ids.json``: every document's signature, so an update
  only computes the signatures of the documents it adds or changes;
- ``dupes.json``: ``{document id: group id}`` for the documents in a group of two or more
  (the group id is the id of its first member in sort order). An update reads it back: a
  group none of whose members changed stands, and only the pairs of the documents it adds,
  changes or removes, and of the groups those leave, are looked for again.

The threshold was measured against ``../shared/corpus/ru.near_duplicates.tsv`` with
``search-service bench-follow`` (see the README for the figures).
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from search_service.archive import article_text
from search_service.engine import store
from search_service.engine.recent import Recent
from search_service.text.caches import WordCache
from search_service.text.fold import fold_case, skeleton
from search_service.text.tokenize import WORD_RE, clean
from search_service.text.translit import detect_variant, latin_to_cyrillic

NUM_PERM = 128
SEED = 1
SCHEME = "affine32"  # datasketch 2's 32-bit permutations
# Each MinHash value is kept to its lowest 16 bits (b-bit MinHash): two different minima then
# agree by chance once in 65,536, which moves an estimate by less than 0.0001, and the
# signatures take half the room (256 MB at 1,000,000 articles instead of 512).
SIGNATURE_TYPE = np.uint16
SHINGLE = 5  # words per shingle, as in the corpus's list of near-duplicate pairs
THRESHOLD = 0.5  # Jaccard similarity of word 5-grams for two articles to be one story (measured)
# Candidates from the signatures down to this much below the threshold are checked exactly.
CANDIDATE_MARGIN = 0.2
# Signatures that agree on this much more than the threshold make a pair one story without its
# text read again: at 0.8 estimated (threshold 0.5), a true similarity under the threshold is
# more than six standard errors away (0.044 at 0.5 with 128 permutations). Copies and reposts,
# most of the pairs an archive has, are judged without a look at their text.
SURE_MARGIN = 0.3
BUCKET_TRIES = 4  # other members of a bucket tried for a document unlike its first member
# Shorter articles are never grouped: a few words say too little, and short notes written
# from a template (weather, results) are different stories with the same wording.
MIN_WORDS = 25
# Named for what it holds: MinHash values of shingle hashes made of word hashes. Generations
# written before have other values under other names ("dupes-signatures.npy": SHA-1 hashes of
# shingles, "dupes-minhash.npy": their CRC-32), so an update recounts them all once.
SIGNATURES_FILE = "dupes-minhash-words.npy"
IDS_FILE = "dupes-ids.json"
GROUPS_FILE = "dupes.json"
WORD_CACHE = 1 << 18  # distinct words whose normalised form is remembered
# Documents whose shingles are kept while pairs are judged, the least recently used let go:
# buckets are judged one after another, each against its first member, so few are needed
# again; kept for every document judged, they took gigabytes at 50,000 articles.
SHINGLE_CACHE_DOCS = 2048


def words(headline: str, body: str, script: str | None = None) -> list[str]:
    """The normalised words of an article: Latin-script Kazakh read in Cyrillic, then the
    skeleton spelling all scripts and alphabets meet at (see ``text.fold.skeleton``)."""
    text = article_text(headline, body)
    return text_words(text, WORD_RE.findall(text), script)


def text_words(text: str, raws: list[str], script: str | None = None) -> list[str]:
    """:func:`words` of an article's ``text`` (headline, newline, body) from its words as they
    stand in it (``tokenize.WORD_RE.findall``), which the indexer finds once for all it keeps
    beside the index."""
    cache = _cache_of(_words_of, _word, text, script)
    return list(map(cache.__getitem__, raws))


# raw word -> normalised word, one cache per Latin alphabet (None: Cyrillic), read by
# ``map(cache.__getitem__, raws)``, a lookup at C speed, where an ``lru_cache`` call of two
# arguments costs several times as much a word
_words_of: dict[str | None, WordCache] = {}


def _cache_of(
    caches: dict[str | None, WordCache], make: Callable[..., object], text: str, script: str | None
) -> WordCache:
    """The cache in ``caches`` for the alphabet of ``text`` (made by ``make(raw, variant)``)."""
    variant = detect_variant(text) if script == "Latn" else None
    cache = caches.get(variant)
    if cache is None:
        cache = caches[variant] = WordCache(
            WORD_CACHE, make=functools.partial(make, variant=variant)
        )
    return cache


def _word(raw: str, variant: str | None) -> str:
    """One word as :func:`words` gives it; ``variant``: its Latin alphabet, if Latin."""
    word = clean(raw)
    if variant is not None:
        word = latin_to_cyrillic(word, variant)
    return skeleton(fold_case(word))


def forget_words() -> None:
    """Empty the per-word caches a job filled."""
    _words_of.clear()
    _hashes_of.clear()


def shingles(items: list[str], size: int = SHINGLE) -> set[str]:
    """The word ``size``-grams of a text (the whole text when it is shorter).

    >>> sorted(shingles(["a", "b", "c"], 2))
    ['a b', 'b c']
    """
    if len(items) <= size:
        return {" ".join(items)} if items else set()
    return set(map(" ".join, zip(*(items[i:] for i in range(size)), strict=False)))


def signature(headline: str, body: str, script: str | None = None) -> np.ndarray:
    """The MinHash signature of an article: ``NUM_PERM`` values of :data:`SIGNATURE_TYPE`."""
    text = article_text(headline, body)
    return hashes_signature(text_word_hashes(text, WORD_RE.findall(text), script))


def word_hash(word: str) -> int:
    """A normalised word's 32-bit hash (CRC-32, computed in C), what shingle hashes are made of."""
    return zlib.crc32(word.encode("utf-8"))


def text_word_hashes(text: str, raws: list[str], script: str | None = None) -> np.ndarray:
    """The :func:`word_hash` of each of :func:`text_words`, from a cache of raw word -> hash:
    what the indexer computes a signature from (:func:`hashes_signature`)."""
    cache = _cache_of(_hashes_of, _hashed_word, text, script)
    return np.fromiter(map(cache.__getitem__, raws), np.uint64, len(raws))


_hashes_of: dict[str | None, WordCache] = {}  # as _words_of, of each word's hash


def _hashed_word(raw: str, variant: str | None) -> int:
    return word_hash(_word(raw, variant))


def hashes_signature(hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature of an article from its words' :func:`word_hash` values (uint64).

    A shingle's hash is a polynomial of its words' hashes, folded to 32 bits, all of an
    article's at once in numpy; each permutation of the MinHash is datasketch's ``affine32``
    scheme (the MurmurHash3 finalizer, then ``a * h + b`` modulo 2**32, with datasketch's
    seeded ``a`` and ``b``), applied to every shingle at once, and the minimum of each kept to
    its lowest 16 bits (:data:`SIGNATURE_TYPE`). Hashing shingles as strings and passing them
    to ``MinHash.update_batch`` took five times as long.
    """
    if len(hashes) < MIN_WORDS:
        return np.zeros(NUM_PERM, dtype=SIGNATURE_TYPE)  # "no signature": never grouped
    count = len(hashes) - SHINGLE + 1
    shingle = hashes[:count].copy()
    for offset in range(1, SHINGLE):
        shingle *= _SHINGLE_MULTIPLIER
        shingle += hashes[offset : offset + count]
    shingle ^= shingle >> np.uint64(32)
    values = _finalize(shingle.astype(np.uint32))  # a shingle met twice: the same minimum
    a, b = _permutations()
    # the lowest bits: the minimum's highest ones are mostly zeros
    return (a * values + b).min(axis=1).astype(SIGNATURE_TYPE)


_SHINGLE_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd; 2**64 over the golden ratio


def _finalize(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (its published shifts and constants), on uint32s."""
    values = values ^ (values >> np.uint32(16))
    values *= np.uint32(0x85EBCA6B)
    values ^= values >> np.uint32(13)
    values *= np.uint32(0xC2B2AE35)
    values ^= values >> np.uint32(16)
    return values


def import_grouping() -> None:
    """Import what grouping needs (datasketch, and SciPy through it: 0.4 s) ahead of
    :meth:`Signatures.save`: a build does it while its workers still write their segments."""
    import datasketch  # noqa: F401


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutations for :data:`NUM_PERM` and :data:`SEED` (drawn once: a tenth of
    a millisecond each time), as columns that broadcast over an article's shingles."""
    from datasketch import MinHash  # imported when needed: datasketch imports SciPy (0.4 s)

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
    return a.astype(np.uint32)[:, None], b.astype(np.uint32)[:, None]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def jaccard(a: set[str], b: set[str]) -> float:
    """The exact Jaccard similarity of two sets of shingles."""
    return len(a & b) / len(a | b) if a or b else 0.0


def similar_pairs(
    ids: list[str],
    signatures: np.ndarray,
    threshold: float = THRESHOLD,
    shingles_of: Callable[[str], set[str]] | None = None,
    every_pair: bool = False,
    settled: Iterable[list[int]] = (),
    dirty: np.ndarray | None = None,
) -> list[tuple[str, str, float]]:
    """Pairs of documents whose similarity reaches ``threshold``: enough of them to connect
    every group (``every_pair``: all of them, for measuring).

    Candidates are the documents that share a band of their signatures (LSH banding, with
    the bands and rows datasketch's ``MinHashLSH`` picks for the lowest similarity looked
    for). With ``shingles_of`` (a document's shingles, read again from its text) candidates
    are looked for down to :data:`CANDIDATE_MARGIN` below the threshold and judged by their
    exact similarity, unless their signatures' estimate is :data:`SURE_MARGIN` above it
    (``every_pair``: always exactly); without it, by the estimate alone (whose error is about
    0.045 at 0.5 with 128 permutations). A pair already in one group is not judged again, so
    a big group of copies (a template used thousands of times) costs time in proportion to
    its size, not to its square.

    An update passes what it knows already: ``settled``, groups (of document numbers) that
    stand as they were, and ``dirty``, the documents whose pairs are to be found (new and
    changed ones, and the members of the groups they left). Only buckets holding a dirty
    document are judged; the pairs returned are the new ones.
    """
    from datasketch import MinHashLSH  # see _permutations

    lowest = max(0.05, threshold - CANDIDATE_MARGIN) if shingles_of else threshold
    sure = 2.0 if every_pair else threshold + SURE_MARGIN  # 2.0: never (estimates reach 1.0)
    banding = MinHashLSH(threshold=lowest, num_perm=NUM_PERM)
    live = np.flatnonzero(signatures.any(axis=1)) if len(signatures) else np.zeros(0, int)
    parent = list(range(len(ids)))
    cache = Recent(SHINGLE_CACHE_DOCS)
    judged: set[tuple[int, int]] = set()
    pairs = []
    for group in settled:
        for member in group:
            parent[member] = group[0]

    def find(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def shingles_kept(item: int) -> set[str]:
        found = cache.recall(item)
        return found if found is not None else cache.keep(item, shingles_of(ids[item]))

    def judge(a: int, b: int) -> bool:
        """Judge the pair once; join the groups when it is similar enough."""
        a, b = min(a, b), max(a, b)
        if (a, b) in judged:
            return False
        judged.add((a, b))
        score = similarity(signatures[a], signatures[b])
        if shingles_of is not None and score < sure:
            if score < lowest:
                return False
            score = jaccard(shingles_kept(a), shingles_kept(b))
        if score < threshold:
            return False
        pairs.append((ids[a], ids[b], score))
        parent[max(find(a), find(b))] = min(find(a), find(b))
        return True

    for members in _buckets(signatures, live, banding.b, banding.r, dirty):
        if every_pair:
            for a, b in itertools.combinations(members.tolist(), 2):
                judge(a, b)
            continue
        first, *rest = members.tolist()
        for member in rest:
            if find(member) == find(first) or judge(first, member):
                continue
            # not like the first: like another member of the bucket? (a few tries)
            tried = 0
            for other in rest:
                if other == member or find(other) == find(member):
                    continue
                tried += 1
                if judge(member, other) or tried >= BUCKET_TRIES:
                    break
    pairs.sort()
    return pairs


def _buckets(
    signatures: np.ndarray,
    live: np.ndarray,
    bands: int,
    rows: int,
    dirty: np.ndarray | None = None,
) -> Iterator[np.ndarray]:
    """The documents (of ``live``) sharing a band of their signature, bucket by bucket; with
    ``dirty`` (per document number), only the buckets that hold a dirty document."""
    for band in range(bands):
        block = np.ascontiguousarray(signatures[live, band * rows : (band + 1) * rows])
        keys = _band_keys(block)
        where = np.arange(len(live))
        if dirty is not None:
            # An update: the keys its changed documents have, and every document with one.
            where = np.flatnonzero(np.isin(keys, np.unique(keys[dirty[live]])))
        for members in _same_keys(keys[where]):
            for group in _same_rows(block[where[members]], members):
                found = live[where[group]]
                if dirty is None or dirty[found].any():  # a split bucket may have none
                    yield found


def _band_keys(block: np.ndarray) -> np.ndarray:
    """One 64-bit number per row of a band (FNV-1a over its values): sorting these is several
    times faster than sorting the rows as byte strings (0.6 s a band at 1,000,000 articles)."""
    keys = np.full(len(block), 0xCBF29CE484222325, dtype=np.uint64)
    for column in block.T:
        keys ^= column.astype(np.uint64)
        keys *= np.uint64(0x100000001B3)  # wraps around, as FNV does
    return keys


def _same_keys(keys: np.ndarray) -> Iterator[np.ndarray]:
    """The positions in ``keys`` of each value found more than once."""
    if not keys.size:
        return
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    shared = np.flatnonzero(counts > 1)
    if not shared.size:
        return
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], shared)
    for bucket, start in zip(shared, starts, strict=True):
        yield order[start : start + counts[bucket]]


def _same_rows(rows: np.ndarray, members: np.ndarray) -> Iterator[np.ndarray]:
    """``members`` split by their band's actual values: one group unless two different bands
    met on one 64-bit key (a few chances in 10^8 a band at 1,000,000 articles)."""
    if (rows == rows[0]).all():
        yield members
        return
    values = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    for group in _same_keys(values):
        yield members[group]


def groups(
    ids: Iterable[str],
    pairs: Iterable[tuple[str, str, float]],
    joined: Iterable[list[str]] = (),
) -> dict[str, str]:
    """``{document id: group id}`` for documents in a group of two or more: the connected
    components of ``pairs`` and of the ``joined`` groups, each named by its first member id."""
    parent: dict[str, str] = {}
    links = [(group[0], member, 1.0) for group in joined for member in group[1:]]

    def find(item: str) -> str:
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for a, b, _ in itertools.chain(links, pairs):
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    return {item: find(item) for item in parent}


class Signatures:
    """Every document's signature, by id; what build and update keep beside the index."""

    def __init__(
        self,
        by_id: dict[str, np.ndarray] | None = None,
        previous_groups: dict[str, str] | None = None,
    ):
        self.by_id = by_id if by_id is not None else {}
        # An update's: the served generation's groups, and the documents added, changed or
        # removed since, so that only their pairs are looked for again (see save).
        self.previous_groups = previous_groups
        self.changed: set[str] = set()

    def add(self, doc_id: str, headline: str, body: str, script: str | None = None) -> None:
        self.by_id[doc_id] = signature(headline, body, script)
        self._note_change(doc_id)

    def add_hashes(self, doc_id: str, hashes: np.ndarray) -> None:
        """Add a document by its :func:`text_word_hashes`."""
        self.by_id[doc_id] = hashes_signature(hashes)
        self._note_change(doc_id)

    def remove(self, doc_id: str) -> None:
        self.by_id.pop(doc_id, None)
        self._note_change(doc_id)

    def _note_change(self, doc_id: str) -> None:
        if self.previous_groups is not None:  # an update's (a build's would only grow)
            self.changed.add(doc_id)

    def merge(self, other: Signatures) -> None:
        """Add the documents of ``other`` (another process's share of a job)."""
        self.by_id.update(other.by_id)
        for doc_id in other.by_id:
            self._note_change(doc_id)

    def __getstate__(self) -> dict:
        """Pickled as the ids and one matrix, not an array per document (a build's part:
        no previous groups)."""
        ids, matrix = self.arrays()
        return {"ids": ids, "matrix": matrix}

    def __setstate__(self, state: dict) -> None:
        self.by_id = dict(zip(state["ids"], state["matrix"], strict=True))
        self.previous_groups, self.changed = None, set()

    def arrays(self) -> tuple[list[str], np.ndarray]:
        ids = sorted(self.by_id)
        if not ids:
            return ids, np.zeros((0, NUM_PERM), dtype=SIGNATURE_TYPE)
        return ids, np.stack([self.by_id[i] for i in ids])

    def save(self, generation: Path) -> None:
        """Write the signatures and the groups they make; candidate pairs are checked on the
        text stored in the generation's (complete) index."""
        ids, matrix = self.arrays()
        temporary = generation / (SIGNATURES_FILE + ".tmp.npy")
        np.save(temporary, matrix)
        os.replace(temporary, generation / SIGNATURES_FILE)
        store.write_json(generation / IDS_FILE, ids)
        ix = whoosh_index.open_dir(str(generation))
        try:
            with ix.searcher() as searcher:

                def shingles_of(doc_id: str) -> set[str]:
                    fields = searcher.document(id=doc_id) or {}
                    text = (fields.get("headline", ""), fields.get("body", ""))
                    return shingles(words(*text, fields.get("script")))

                settled, dirty = self._unchanged_groups(ids)
                pairs = similar_pairs(
                    ids, matrix, shingles_of=shingles_of, settled=settled, dirty=dirty
                )
        finally:
            ix.close()
        joined = [[ids[n] for n in group] for group in settled]
        store.write_json(generation / GROUPS_FILE, groups(ids, pairs, joined))

    def _unchanged_groups(self, ids: list[str]) -> tuple[list[list[int]], np.ndarray | None]:
        """An update's groups that stand as they were (none of their members changed), as
        document numbers, and which documents are to be judged again: the new and changed
        ones and those of the groups they changed. A build: no groups, every document."""
        if self.previous_groups is None:
            return [], None
        number = {doc_id: n for n, doc_id in enumerate(ids)}
        members: dict[str, list[str]] = {}
        for doc_id, group in self.previous_groups.items():
            members.setdefault(group, []).append(doc_id)
        dirty = np.zeros(len(ids), dtype=bool)
        settled = []
        for group in members.values():
            # settled: none changed, and every member still here (else it may have linked them)
            if self.changed.isdisjoint(group) and all(doc_id in number for doc_id in group):
                numbers = sorted(number[doc_id] for doc_id in group)
                if len(numbers) > 1:
                    settled.append(numbers)
            else:
                dirty[[number[doc_id] for doc_id in group if doc_id in number]] = True
        dirty[[number[doc_id] for doc_id in self.changed if doc_id in number]] = True
        return settled, dirty

    @classmethod
    def load(cls, generation: Path) -> Signatures | None:
        """A generation's signatures, or ``None`` when it has none (built before them); with
        its groups, so that saving them after an update judges only around what changed."""
        try:
            ids = json.loads((generation / IDS_FILE).read_text(encoding="utf-8"))
            matrix = np.load(generation / SIGNATURES_FILE)
        except (OSError, ValueError):
            return None
        if len(ids) != len(matrix) or matrix.dtype != SIGNATURE_TYPE:
            return None
        # Without its groups, an update finds them all again (see save).
        return cls(dict(zip(ids, matrix, strict=True)), previous_groups=_read_groups(generation))


def load_groups(generation: Path) -> dict[str, str]:
    """A generation's ``{document id: group id}`` (empty when it has none)."""
    return _read_groups(generation) or {}


def _read_groups(generation: Path) -> dict[str, str] | None:
    """A generation's groups; ``None`` when its file is missing or unreadable."""
    try:
        found = json.loads((generation / GROUPS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def fold(
    selected: np.ndarray, group_of: np.ndarray, rank: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Keep one document per group among ``selected``: the one with the highest ``rank``.

    ``group_of`` holds each document's group number (-1: in no group). Returns the kept
    documents and, per document, how many other selected documents its group holds.
    """
    others = np.zeros(selected.shape, dtype=np.int64)
    grouped = np.flatnonzero(selected & (group_of >= 0))
    if grouped.size == 0:
        return selected, others
    numbers = group_of[grouped]
    order = np.lexsort((grouped, -rank[grouped], numbers))  # by group, best first
    ordered = grouped[order]
    first = np.ones(ordered.size, dtype=bool)
    first[1:] = numbers[order][1:] != numbers[order][:-1]
    kept = selected.copy()
    kept[ordered[~first]] = False
    sizes = np.bincount(numbers, minlength=int(numbers.max()) + 1)
    others[ordered[first]] = sizes[numbers[order][first]] - 1
    return kept, others
