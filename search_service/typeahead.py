"""Type-ahead: the words of the archive, in their usual written form, by prefix.

Built at index time beside each generation, never by scanning terms per request:

- ``typeahead-counts.json.gz``: for every word (case-folded), the number of documents that use it
  and how often each written form of it appears; every build writes it and every update
  changes it by the documents it adds, re-indexes or deletes (their old text is read from the
  served generation), so it stays exact without re-reading the archive;
- ``typeahead.json.gz``: what a server loads: the words sorted, each with its written form and
  document count, and the best completions of every prefix of up to
  :data:`PREFIX_TABLE_LENGTH` letters (the long lists), so one lookup is a table read or a
  binary search over a short range.

Both are gzip-compressed JSON (:func:`~search_service.engine.store.write_json_gz`).

A word's written form is the one it has most often inside a sentence: a name keeps its
capital (``Тоқаев``), an ordinary word is lower case even though it also opens sentences
(``сайлау``, not ``Сайлау``); a word seen only at sentence starts or in capitals keeps the
form seen most. Latin-script Kazakh words are found without their accents too (``ozb`` finds
``Ózbekstan``), but a Latin prefix never completes to a Cyrillic word or the reverse.
"""

from __future__ import annotations

import bisect
import heapq
import os
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from search_service.archive import article_text
from search_service.engine import store
from search_service.engine.store import CURRENT
from search_service.index_errors import IndexMissing
from search_service.text.caches import WordCache
from search_service.text.fold import fold_case, is_cyrillic
from search_service.text.tokenize import HYPHEN_RE, WORD_RE, clean, tokenize

COUNTS_FILE = "typeahead-counts.json.gz"
TABLE_FILE = "typeahead.json.gz"
LIMIT = 8  # completions offered
MIN_WORD_LENGTH = 2
MAX_WORD_LENGTH = 40
PREFIX_TABLE_LENGTH = 3  # prefixes up to this long have their completions stored
MAX_PREFIX_LENGTH = 60
WORD_CACHE = 1 << 18  # distinct words whose forms are remembered
# Punctuation after which the next word opens a sentence (or a headline, a dateline's text).
_SENTENCE_BREAK = r"[.!?…:;–—\n«\"“„(]"
# A word after a break and what separates them (letters and digits are all in words); not a
# point or colon inside a number (2.5, 10:30), which is in the number's word. The pattern
# opens with the break so that the regex engine skips to the next break character at C speed.
_OPENING_WORD = re.compile(rf"{_SENTENCE_BREAK}(?!(?<=\d[.:])\d)[^\w]*({WORD_RE.pattern})")
_ACCENTS = str.maketrans({"ı": "i", "ǵ": "g", "ń": "n", "ý": "y", "ş": "s", "ğ": "g"})


def search_key(text: str) -> str:
    """How a word and a typed prefix are compared: case folded.

    >>> search_key("Ózbekstan"), search_key("ТОҚАЕВ")
    ('ózbekstan', 'тоқаев')
    """
    return fold_case(text)


def plain_latin(key: str) -> str | None:
    """A Latin key without its accents (``ózbekstan`` -> ``ozbekstan``), or ``None`` when that
    changes nothing or the key is not Latin.

    >>> plain_latin("ózbekstan"), plain_latin("qazaq"), plain_latin("сайлау")
    ('ozbekstan', None, None)
    """
    if key.isascii() or is_cyrillic(key):  # nothing to drop, or never plain Latin
        return None
    if all("a" <= c <= "z" or not c.isascii() for c in key):
        decomposed = unicodedata.normalize("NFD", key.translate(_ACCENTS))
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
        if plain != key and plain.isascii():
            return plain
    return None


def opening_words(text: str) -> list[str]:
    """The words of ``text`` that open a sentence: the first, and each one with a sentence
    break between it and the word before it.

    >>> opening_words("«Тоқаев» сапарда. Президент 2.5 млн (жаңа) ақша")
    ['Тоқаев', 'Президент', 'жаңа']
    """
    first = WORD_RE.search(text)
    if first is None:
        return []
    return [first.group(), *_OPENING_WORD.findall(text, first.end())]


def _forms_of_word(raw: str) -> tuple[tuple[str, str, str, bool], ...]:
    """The words type-ahead counts in one word of a text (a hyphenated word's parts): each
    one's key, its labels inside a sentence and elsewhere, and whether it is in capitals."""
    if HYPHEN_RE.search(raw):
        token = next(tokenize(raw))
        forms = [word.text for word in token.parts or (token,)]
    else:
        forms = [clean(raw)]
    return tuple(
        (search_key(form), "+" + form, "-" + form, form.isupper() and len(form) > 1)
        for form in forms
        if MIN_WORD_LENGTH <= len(form) <= MAX_WORD_LENGTH and form.isalpha()
    )


# raw word -> what type-ahead keeps of it, read by ``map(cache.__getitem__, words)``, a lookup
# at C speed, where an ``lru_cache`` call costs several times as much a word.
_word_forms = WordCache(WORD_CACHE, make=_forms_of_word)
_word_keys = WordCache(WORD_CACHE, make=lambda raw: tuple(key for key, _, _, _ in _word_forms[raw]))


def forget_words() -> None:
    """Empty the per-word caches a job filled."""
    _word_forms.clear()
    _word_keys.clear()


@dataclass
class WordCounts:
    """Per key: documents using it, and counts of each written form (see module doc).

    A job meets a million words: each document adds its keys to ``documents`` and its words,
    as they stand in the text, to two counters (all of them, those opening a sentence), with
    C-speed counter updates; the counters become counts of written forms once per distinct
    word, when the forms are read (:meth:`fold`).
    """

    documents: Counter
    forms: dict[str, dict[str, int]]  # plain dicts: a job holds a hundred thousand of them
    _words: Counter = field(default_factory=Counter)
    _opening: Counter = field(default_factory=Counter)

    @classmethod
    def empty(cls) -> WordCounts:
        return cls(Counter(), {})

    def add(self, headline: str, body: str, sign: int = 1) -> None:
        """Count one document's words (``sign=-1`` takes a document away)."""
        text = article_text(headline, body)
        self.add_text(text, WORD_RE.findall(text), sign)

    def add_text(self, text: str, raws: list[str], sign: int = 1) -> None:
        """Count a document by its ``text`` (headline, newline, body) and its words as they
        stand in it (``tokenize.WORD_RE.findall``), which the indexer finds once for all it
        keeps beside the index. The newline opens the body's first sentence."""
        keys = set().union(*map(_word_keys.__getitem__, set(raws)))
        opening = opening_words(text)
        if sign > 0:
            self.documents.update(keys)
            self._words.update(raws)
            self._opening.update(opening)
            return
        self.documents.subtract(keys)
        self._words.subtract(raws)
        self._opening.subtract(opening)
        for key in keys:
            if self.documents[key] <= 0:
                del self.documents[key]

    def remove(self, headline: str, body: str) -> None:
        self.add(headline, body, sign=-1)

    def merge(self, other: WordCounts) -> None:
        """Add the counts of other documents (another process's share of a build): the same
        counts as if they had been added here, whether either side was folded or not.

        Folding is additive, so folded forms are summed as they are and words not yet folded
        are folded with this side's.
        """
        self.documents.update(other.documents)
        self._words.update(other._words)
        self._opening.update(other._opening)
        forms = self.forms
        for key, labels in other.forms.items():
            mine = forms.get(key)
            if mine is None:
                forms[key] = dict(labels)
            else:
                for label, n in labels.items():
                    mine[label] = mine.get(label, 0) + n

    def __getstate__(self) -> dict:
        """Folded before it is pickled: the process that counted the words has their forms in
        its cache (the one that unpickles may not), and folded counts are smaller."""
        self.fold()
        return self.__dict__

    def fold(self) -> WordCounts:
        """Turn the words counted since the last fold into counts of written forms."""
        forms, opening = self.forms, self._opening
        for raw, total in self._words.items():
            found = _word_forms[raw] if total else ()
            if not found:
                continue
            key, inside, elsewhere, capitals = found[0]  # the one a sentence's start falls on
            opened = total if capitals else opening.get(raw, 0)
            changes = [(key, elsewhere, opened), (key, inside, total - opened)]
            changes += [(k, e if c else i, total) for k, i, e, c in found[1:]]
            for key, label, n in changes:
                if n:
                    counter = forms.get(key)
                    if counter is None:
                        forms[key] = {label: n}
                    else:
                        counter[label] = counter.get(label, 0) + n
        if self._words:
            for key in list(forms):
                if key not in self.documents:
                    del forms[key]
                    continue
                counter = forms[key]
                for label in [label for label, n in counter.items() if n <= 0]:
                    del counter[label]
        self._words.clear()
        self._opening.clear()
        return self

    def written_form(self, key: str) -> str:
        """The form shown for ``key``: the most frequent inside a sentence, else the most
        frequent at all (a form that is not all capitals first)."""
        if self._words:
            self.fold()
        return _written_form(key, self.forms.get(key) or {})

    def save(self, generation: Path) -> None:
        """Write the counts file: the words sorted, and each one's written forms sorted too,
        so that the file does not depend on the order the forms were first met in (which
        differs when a build's processes count the documents and their counts are merged)."""
        forms, documents = self.fold().forms, self.documents
        data = {}
        for key in sorted(documents):
            labels = forms.get(key, {})
            data[key] = [
                documents[key],
                dict(sorted(labels.items())) if len(labels) > 1 else labels,
            ]
        store.write_json_gz(generation / COUNTS_FILE, data)

    @classmethod
    def load(cls, generation: Path) -> WordCounts | None:
        """The counts of a generation, or ``None`` when it has none (built before them)."""
        try:
            data = store.read_json_gz(generation / COUNTS_FILE)
        except (OSError, ValueError):
            return None
        documents = Counter({key: value[0] for key, value in data.items()})
        forms = {key: value[1] for key, value in data.items()}
        return cls(documents, forms)


def _written_form(key: str, labels: dict[str, int]) -> str:
    """:meth:`WordCounts.written_form` of a key with these labels."""
    if len(labels) == 1:  # most words: their one form
        return next(iter(labels))[1:]
    inside = [(n, label[1:]) for label, n in labels.items() if label[0] == "+"]
    if inside:
        return max(inside)[1]
    other = [(not label[1:].isupper(), n, label[1:]) for label, n in labels.items()]
    return max(other)[2] if other else key


def write_table(generation: Path, counts: WordCounts) -> None:
    """Write the served table (:data:`TABLE_FILE`) from ``counts``."""
    forms_of, documents = counts.fold().forms, counts.documents
    sorted_keys = sorted(documents)
    entries = [
        (key, _written_form(key, forms_of.get(key) or {}), documents[key]) for key in sorted_keys
    ]
    plain = [(p, form, n) for key, form, n in entries if (p := plain_latin(key))]
    if plain:  # two sorted runs: one merge
        entries += sorted(plain)
        entries.sort()
    keys = [key for key, _, _ in entries]
    forms = [form for _, form, _ in entries]
    docs = [n for _, _, n in entries]
    table = {"keys": keys, "forms": forms, "docs": docs, "top": _top(keys, forms, docs)}
    store.write_json_gz(generation / TABLE_FILE, table)


def _top(keys: list[str], forms: list[str], docs: list[int]) -> dict[str, list[int]]:
    """The best completions of each prefix of up to :data:`PREFIX_TABLE_LENGTH` letters, by
    one pass over the words, the most used first (then the shorter form, then the earlier
    word): each prefix keeps the first ``2 * LIMIT`` it meets."""
    if not keys:
        return {}
    lengths = np.fromiter(map(len, forms), np.int64, len(forms))
    # that order as one number per word, in a stable sort (numpy's, not a Python key per word)
    rank = -np.array(docs, dtype=np.int64) * (int(lengths.max()) + 1) + lengths
    top: dict[str, list[int]] = {}
    limit = LIMIT * 2
    for position in np.argsort(rank, kind="stable").tolist():
        key = keys[position]
        for prefix in map(key.__getitem__, _PREFIXES[: len(key)]):
            bucket = top.get(prefix)
            if bucket is None:
                top[prefix] = [position]
            elif len(bucket) < limit:
                bucket.append(position)
    return top


_PREFIXES = [slice(0, length) for length in range(1, PREFIX_TABLE_LENGTH + 1)]


class SuggestTable:
    """The completions of one generation, loaded once and shared between threads."""

    def __init__(self, keys: list[str], forms: list[str], docs: list[int], top: dict):
        self.keys, self.forms, self.docs, self.top = keys, forms, docs, top

    @classmethod
    def load(cls, generation: Path) -> SuggestTable:
        """The generation's table; an empty one when it has none (built before type-ahead)."""
        try:
            data = store.read_json_gz(generation / TABLE_FILE)
        except (OSError, ValueError):
            return cls([], [], [], {})
        return cls(data["keys"], data["forms"], data["docs"], data["top"])

    def complete(self, prefix: str, limit: int = LIMIT) -> list[tuple[str, int]]:
        """Up to ``limit`` written forms that start with ``prefix``, the most used first
        (names first when the prefix starts with a capital), each with its number of
        documents."""
        key = search_key(prefix.strip())
        if not key or len(key) > MAX_PREFIX_LENGTH:
            return []
        if len(key) <= PREFIX_TABLE_LENGTH:
            positions: Iterable[int] = self.top.get(key, [])
        else:
            low = bisect.bisect_left(self.keys, key)
            high = bisect.bisect_left(self.keys, key + "\U0010ffff", low)
            positions = heapq.nlargest(
                LIMIT * 2,
                range(low, high),
                key=lambda i: (self.docs[i], -len(self.forms[i]), -i),
            )
        if prefix.strip()[:1].isupper():  # a capital typed: names first, each kind by use
            positions = sorted(positions, key=lambda i: not self.forms[i][:1].isupper())
        found: list[tuple[str, int]] = []
        seen = set()
        for position in positions:
            form = self.forms[position]
            if form in seen:  # a Latin word found by its accented and its plain key
                continue
            seen.add(form)
            found.append((form, self.docs[position]))
            if len(found) == limit:
                break
        return found


class Completer:
    """Completions from the served generation, following ``current`` like the searcher: a
    new generation's table is loaded on the first request that sees it."""

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._target: str | None = None
        self._table = SuggestTable([], [], [], {})

    def table(self) -> SuggestTable:
        try:
            target = os.readlink(self.index_dir / CURRENT)
        except OSError:
            raise IndexMissing(f"no index in {self.index_dir}") from None
        if target != self._target:
            with self._lock:
                if target != self._target:
                    self._table = SuggestTable.load(self.index_dir / target)
                    self._target = target
        return self._table

    def complete(self, prefix: str, limit: int = LIMIT) -> list[tuple[str, int]]:
        return self.table().complete(prefix, limit)
