"""Text -> index terms, for documents and for queries, in Kazakh and Russian.

A word goes through: cleaning and offsets (:mod:`.tokenize`), repair of mixed scripts,
Latin Kazakh -> Cyrillic (:mod:`.translit`), case folding (:mod:`.fold`), routing to a
language (:mod:`.language`), then Kazakh stems (:mod:`.kazakh`) or Russian lemmas
(:mod:`.russian`). The result for a (word, language, alphabet) triple is cached, so the
per-token path is a regex match and a dict lookup.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from search_service.text import caches, kazakh, russian, translit
from search_service.text.caches import WordCache
from search_service.text.fold import (
    fold_case,
    is_cyrillic,
    is_latin,
    kazakh_key_fold,
    name_fold,
    repair_script,
    skeleton,
)
from search_service.text.language import (
    detect_language,
    has_kazakh_letters,
    script,
    sentence_language,
    sentence_languages,
)
from search_service.text.tokenize import HYPHEN_RE, WORD_RE, Token, clean, tokenize


@dataclass(slots=True)
class Term:
    """One analysed word of a text.

    ``form`` is the exact form (lower-cased, folded, Kazakh Latin turned into Cyrillic): the key
    of quoted search. ``keys`` are the normalised keys (lemmas or stems), primary first; empty
    for a stop word, which still takes its position so phrases keep their shape. ``fold`` is
    the name-folding key (Kazakh letters spelled the Russian way). ``start``/``end`` are
    character offsets into the analysed string; ``pos`` is the word position, which two terms
    may share (a hyphenated word whole and its first part).
    """

    form: str
    keys: tuple[str, ...]
    fold: str
    start: int
    end: int
    pos: int
    lang: str
    # A query word read several ways (a Latin word whose alphabet its letters do not tell):
    # every reading's exact form and skeleton key, the primary ones first.
    forms: tuple[str, ...] = ()
    folds: tuple[str, ...] = ()


class _Word(NamedTuple):
    """A word's analysis, cached per (text, language, Latin alphabet)."""

    form: str
    keys: tuple[str, ...]  # all keys, even for a stop word
    stop: bool
    lang: str
    fold: str  # the name-folding key of the primary key
    index_keys: tuple[str, ...]  # what the index gets: no keys for a stop word
    # The fold key the fold field gets: only when it differs from the keys (words with Kazakh
    # letters), since a query's fold key is searched in the keys field too.
    index_fold: str | None


def _word(form: str, keys: tuple[str, ...], stop: bool, lang: str) -> _Word:
    # Kazakh words meet every script's spelling at their skeleton; Russian words fold only
    # the Kazakh letters, so a Russian spelling of a Kazakh name meets it in the keys field.
    fold = (skeleton if lang == "kk" else name_fold)(keys[0] if keys else form)
    index_keys = () if stop else keys
    index_fold = fold if index_keys and fold not in index_keys else None
    return _Word(form, keys, stop, lang, fold, index_keys, index_fold)


_CACHE_LIMIT = 200_000  # word forms; a worker stays well under 300 MB
_cache: WordCache = WordCache(_CACHE_LIMIT)  # (word, language, alphabet) -> _Word


def clear_caches() -> None:
    """Forget every cached word analysis (the benchmark's cold runs start from here): every
    cache of :mod:`.caches`, those of the rest of the package included."""
    caches.clear_caches()


_DIGRAPH_H = re.compile(r"(?<=[SCZK])h")


def _is_abbreviation_with_ending(parts: tuple[Token, ...]) -> bool:
    """``ҚР-ның``, ``АҚШ-тың``, ``55-ші``: an ending hyphened to an acronym or a number."""
    if len(parts) != 2:
        return False
    head, ending = parts[0].text, parts[1].text
    # a Latin acronym writes ш/ч/ж as Sh/Ch/Zh: ``AQSh-tyń``
    acronym = head.isdigit() or (len(head) > 1 and _DIGRAPH_H.sub("", head).isupper())
    if acronym and ending.islower() and len(ending) <= 3:
        return True
    # typed in lower case (``ақш-тың``): a part that is only a case ending is one too
    return len(head) > 1 and kazakh.is_case_ending(ending)


def _analyze_simple(text: str, lang: str, alphabet: str | None) -> _Word:
    """Analyse a word without hyphens; ``alphabet`` set means Latin letters are Kazakh."""
    word = repair_script(text)
    if is_latin(word) and not is_cyrillic(word):
        if alphabet is None:
            form = fold_case(word)  # a brand or a foreign word in Cyrillic text
            return _word(form, (form,), False, lang)
        word = translit.latin_to_cyrillic(word, alphabet)
        lang = "kk"
    form = fold_case(word)
    if not any(ch.isalpha() for ch in form) or not is_cyrillic(form):
        # Numbers, and words in other scripts (Greek, Arabic, CJK...): keyed as written.
        return _word(form, (form,), False, lang)
    if lang == "kk" or has_kazakh_letters(form):
        form = kazakh_key_fold(form)  # the lexicon is folded the same way
        return _word(form, kazakh.keys(form), form in kazakh.STOPWORDS, "kk")
    capitalised = word[:1].isupper()
    return _word(form, russian.lemmas(form, capitalised), russian.is_stopword(form), "ru")


def _analyze_compound(token: Token, lang: str, alphabet: str | None) -> _Word:
    """The whole of a hyphenated word: its last part carries the inflection."""
    parts = [analyze_word(part.text, lang, alphabet) for part in token.parts]
    if _is_abbreviation_with_ending(token.parts):
        head = parts[0]
        form = head.form + "-" + fold_case(token.parts[1].text)
        return _word(form, head.keys, False, head.lang)
    lang = "kk" if any(part.lang == "kk" for part in parts) else parts[-1].lang
    form = "-".join(part.form for part in parts)
    if lang == "ru":
        # pymorphy3 knows hyphenated words ("какого-то" -> "какой-то", "северо-западного").
        return _word(form, russian.lemmas(form), russian.is_stopword(form), "ru")
    prefix = form[: len(form) - len(parts[-1].form)]
    return _word(form, tuple(prefix + key for key in parts[-1].keys), False, lang)


def analyze_word(text: str, lang: str, alphabet: str | None = None) -> _Word:
    """Analyse one cleaned word in a context language (``kk``/``ru``), cached."""
    cache_key = (text, lang, alphabet)
    found = _cache.get(cache_key)
    if found is None:
        tokens = list(tokenize(text)) if HYPHEN_RE.search(text) else ()  # only for compounds
        if len(tokens) == 1 and tokens[0].parts:
            found = _analyze_compound(tokens[0], lang, alphabet)
        else:
            found = _analyze_simple(text, lang, alphabet)
        _cache.put(cache_key, found)
    return found


def _alphabet(text: str) -> str | None:
    """The Latin Kazakh alphabet of a text, or None if its Latin words are not Kazakh."""
    return translit.detect_variant(text) if script(text) == "Latn" else None


# What a run of text between word boundaries analyses to: the whole word and, for a hyphenated
# word, its parts with their offsets relative to the word's start. Keyed by the raw text as it
# stands in the document, so the common case costs one regex match and one dict lookup.
_Piece = tuple[int, int, "_Word"]
_RawEntry = tuple["_Word", tuple[_Piece, ...]]
_raw_cache: WordCache = WordCache(_CACHE_LIMIT)  # (raw, language, alphabet) -> _RawEntry


def _analyze_raw(raw: str, lang: str, alphabet: str | None) -> _RawEntry:
    known = _known_words.get((raw, lang, alphabet))
    if known is not None:  # analysed by an earlier job (see import_words)
        entry = _unpack_entry(raw, known)
        _raw_cache.put((raw, lang, alphabet), entry)
        return entry
    token = Token(clean(raw), 0, len(raw), ())
    if HYPHEN_RE.search(raw):
        token = next(tokenize(raw))
    word = analyze_word(token.text, lang, alphabet)
    pieces: tuple[_Piece, ...] = ()
    if token.parts and not _is_abbreviation_with_ending(token.parts):
        pieces = tuple(
            (part.start, part.end, analyze_word(part.text, lang, alphabet)) for part in token.parts
        )
    entry = (word, pieces)
    _raw_cache.put((raw, lang, alphabet), entry)
    return entry


def _words(
    text: str, runs: list[tuple[int, int, str]], alphabet: str | None
) -> Iterator[tuple[_Word, int, int, int]]:
    """``(analysis, start, end, position)`` of each word of ``text`` in order; a hyphenated
    word whole at its first part's position, then its parts at consecutive positions."""
    pos = 0
    cache = _raw_cache
    for start, end, lang in runs:
        for match in WORD_RE.finditer(text, start, end):
            raw = match.group()
            word, pieces = cache.get((raw, lang, alphabet)) or _analyze_raw(raw, lang, alphabet)
            at = match.start()
            yield word, at, at + len(raw), pos
            if pieces:
                for offset, (part_start, part_end, piece) in enumerate(pieces):
                    yield piece, at + part_start, at + part_end, pos + offset
                pos += len(pieces)
            else:
                pos += 1


def analyze(text: str, lang: str | None = None) -> list[Term]:
    """Analyse a document's text; ``lang`` is the document language if already known.

    A hyphenated word gives its whole form at the first part's position, then its parts at
    consecutive positions. Offsets point into ``text`` as given.

    >>> [(t.form, t.pos) for t in analyze("Нұр-Сұлтан", "kk")]
    [('нұр-сұлтан', 0), ('нұр', 0), ('сұлтан', 1)]
    >>> [t.keys for t in analyze("В Конституции", "ru")]
    [(), ('конституция',)]
    """
    alphabet, runs = _runs(text, lang)
    return [
        Term(word.form, word.index_keys, word.fold, start, end, pos, word.lang)
        for word, start, end, pos in _words(text, runs, alphabet)
    ]


class IndexPositions(NamedTuple):
    """Where each index key, exact form and name-folding key stands in a text (word positions,
    in order): what the index fields take from it."""

    keys: dict[str, list[int]]
    forms: dict[str, list[int]]
    folds: dict[str, list[int]]  # only words whose fold is not one of their keys


def index_positions(text: str, lang: str | None = None) -> IndexPositions:
    """The positions :func:`analyze`'s terms give, gathered by key without a term per word
    (the indexer's path: a tenth of a build went into building and re-reading terms).

    >>> index_positions("Сайлау мен сайлауға", "kk").keys
    {'сайла': [0, 2]}
    """
    return index_analysis(text, lang).positions


class IndexAnalysis(NamedTuple):
    """What the index keeps of a text's analysis: the positions of its terms (the indexed
    fields) and its :func:`word_table` (a stored field, for highlighting); and the text's
    words as they stand (``WORD_RE.findall``), which the sidecars count."""

    positions: IndexPositions
    table: str
    raws: list[str]


def index_analysis(text: str, lang: str | None = None) -> IndexAnalysis:
    """:func:`index_positions` and :func:`word_table` of ``text`` in one pass over its words
    (the indexer needs both; each pass finds and looks up every word again)."""
    alphabet, runs = _runs(text, lang)
    keys: dict[str, list[int]] = {}
    forms: dict[str, list[int]] = {}
    folds: dict[str, list[int]] = {}
    lines = [_table_header(text, alphabet, runs)]
    seen_in: dict[str, set[str]] = {}  # run language -> the words met in it so far
    pos = 0
    found: list[str] = []
    for start, end, run_lang in runs:
        front = _index_fronts.get((run_lang, alphabet)) or _index_front(run_lang, alphabet)
        seen = seen_in.setdefault(run_lang, set())
        found = WORD_RE.findall(text, start, end)
        for raw in found:
            entry, line = front[raw]
            if raw not in seen:  # the word's first time in the text: its table line
                seen.add(raw)
                lines.append(line)
            word, pieces = entry
            _add_position(keys, forms, folds, word, pos)
            if pieces:
                for offset, (_, _, piece) in enumerate(pieces):
                    _add_position(keys, forms, folds, piece, pos + offset)
                pos += len(pieces)
            else:
                pos += 1
    # One run is the whole text; the runs of a mixed text are sentences, found anew as one.
    raws = found if len(runs) == 1 else WORD_RE.findall(text)
    return IndexAnalysis(IndexPositions(keys, forms, folds), "\n".join(lines), raws)


# index_analysis's front to the caches of raw words and their table lines: per (language,
# Latin alphabet), raw word -> (analysis, table line). Keyed by the raw word alone, whose hash
# the string keeps, where a (raw, language, alphabet) key's hash is computed at every look-up
# (several times per word of every text a build indexes).
_index_fronts: dict[tuple[str, str | None], WordCache] = {}
caches.register(_index_fronts.clear)


def _index_front(lang: str, alphabet: str | None) -> WordCache:
    front = WordCache(_CACHE_LIMIT, make=functools.partial(_entry_and_line, lang, alphabet))
    _index_fronts[lang, alphabet] = front
    return front


def _entry_and_line(lang: str, alphabet: str | None, raw: str) -> tuple[_RawEntry, str]:
    key = (raw, lang, alphabet)
    entry = _raw_cache.get(key) or _analyze_raw(raw, lang, alphabet)
    before = len(_packed_cache)
    line = _packed(key, entry)
    if len(_packed_cache) < before:
        # The packed lines were full and emptied: so are the fronts, or the words they hold
        # would not be packed again, and a job's words file (export_words) would lack them.
        for front in _index_fronts.values():
            front.clear()
    return entry, line


def _add_position(
    keys: dict[str, list[int]],
    forms: dict[str, list[int]],
    folds: dict[str, list[int]],
    word: _Word,
    pos: int,
) -> None:
    for key in word.index_keys:
        found = keys.get(key)
        if found is None:
            keys[key] = [pos]
        else:
            found.append(pos)
    found = forms.get(word.form)
    if found is None:
        forms[word.form] = [pos]
    else:
        found.append(pos)
    if word.index_fold:
        found = folds.get(word.index_fold)
        if found is None:
            folds[word.index_fold] = [pos]
        else:
            found.append(pos)


def _runs(text: str, lang: str | None) -> tuple[str | None, list[tuple[int, int, str]]]:
    """The Latin alphabet of a text and its runs of one language each."""
    if lang is None or lang == "mixed":
        detected, _ = detect_language(text)
        lang = detected if lang is None else "mixed"
    alphabet = _alphabet(text) if lang in ("kk", "mixed") else None
    if lang == "mixed":
        return alphabet, sentence_languages(text, "kk" if has_kazakh_letters(text) else "ru")
    return alphabet, [(0, len(text), lang)]


Accept = Callable[[str, tuple[str, ...], str], bool]  # (form, index keys, fold) -> marked?


Judgements = dict[tuple[str, str, str | None], tuple[tuple[int, int], ...]]
JUDGEMENTS_LIMIT = 50_000  # distinct words remembered per ``judged`` dict before it is emptied


def find_words(
    text: str, lang: str | None, accept: Accept, judged: Judgements | None = None
) -> list[tuple[int, int]]:
    """Offsets of the words (or parts of hyphenated words) that ``accept`` takes.

    The same analysis as :func:`analyze`, made for highlighting: no term is built, and each
    distinct word is judged once. Pass the same ``judged`` dict for texts highlighted with
    the same ``accept`` (the hits of one query) to judge each word once for all of them.

    >>> find_words("Сайлау мен сайлауға", "kk", lambda form, keys, fold: "сайла" in keys)
    [(0, 6), (11, 19)]
    """
    alphabet, runs = _runs(text, lang)
    spans: list[tuple[int, int]] = []
    if judged is None:
        judged = {}
    elif len(judged) > JUDGEMENTS_LIMIT:
        judged.clear()
    for start, end, run_lang in runs:
        for match in WORD_RE.finditer(text, start, end):
            raw = match.group()
            key = (raw, run_lang, alphabet)
            marked = judged.get(key)
            if marked is None:
                entry = _raw_cache.get(key) or _analyze_raw(raw, run_lang, alphabet)
                marked = judged[key] = _judge(entry, len(raw), accept)
            if marked:
                at = match.start()
                spans.extend((at + s, at + e) for s, e in marked)
    return spans


def find_words_in_table(
    text: str, table: str, accept: Accept, judged: Judgements | None = None
) -> list[tuple[int, int]] | None:
    """:func:`find_words` from a :func:`word_table` made at index time: the same offsets
    without analysing a word. ``None`` when the table is not one this code reads (an index
    built by another version) or not of this text: then call :func:`find_words`."""
    head, _, body = table.partition("\n")
    header = head.split("\t")
    if len(header) != 4 or header[0] != WORD_TABLE_VERSION or header[2] != str(len(text)):
        return None  # another version's table, or not this text's
    alphabet = header[1] or None
    runs = [_unpack_run(run) for run in header[3].split(";") if run]
    spans: list[tuple[int, int]] = []
    if judged is None:
        judged = {}
    elif len(judged) > JUDGEMENTS_LIMIT:
        judged.clear()
    # Read only when a word was not judged before (a query's words asked again judge none).
    lines: list[str] | None = None
    numbers: dict[tuple[str, str, str | None], int] = {}
    for start, end, run_lang in runs:
        for match in WORD_RE.finditer(text, start, end):
            raw = match.group()
            key = (raw, run_lang, alphabet)
            marked = judged.get(key)
            if marked is None:
                entry = _raw_cache.get(key)
                if entry is None:
                    if lines is None:
                        lines = body.split("\n")
                        numbers = _first_appearances(text, runs, alphabet)
                    number = numbers.get(key, len(lines))
                    if number >= len(lines):
                        return None  # the text is not the one the table was made from
                    entry = _unpack_entry(raw, lines[number])
                    _raw_cache.put(key, entry)  # the analysis, as analysing the word gives it
                marked = judged[key] = _judge(entry, len(raw), accept)
            if marked:
                at = match.start()
                spans.extend((at + s, at + e) for s, e in marked)
    return spans


def _first_appearances(
    text: str, runs: list[tuple[int, int, str]], alphabet: str | None
) -> dict[tuple[str, str, str | None], int]:
    """Each distinct word's number in the order of first appearance: its line in the table."""
    numbers: dict[tuple[str, str, str | None], int] = {}
    for start, end, run_lang in runs:
        for raw in WORD_RE.findall(text, start, end):
            numbers.setdefault((raw, run_lang, alphabet), len(numbers))
    return numbers


# The first field of a word table; change it when the layout changes (older tables are then
# not read, and highlighting analyses the text as before).
WORD_TABLE_VERSION = "w1"


def word_table(text: str, lang: str | None = None) -> str:
    """What highlighting needs of ``text``'s analysis, made once at index time.

    A header line (version, Latin alphabet, the text's length, language runs), then one line
    per distinct word in the order the words first appear in the text: its language, whether
    it is a stop word, its exact form and its keys, each left out or shortened when the word
    itself gives it (most words: the form is the word case-folded, the key a beginning of
    the form), and the same for the parts of a hyphenated word. The words themselves are not
    stored: the same expression finds them again in the text, in the same order. A results
    page reads it with :func:`find_words_in_table` instead of analysing its hits' bodies.

    >>> text = "Сайлау мен сайлауға"
    >>> word_table(text, "kk").split(chr(10))[1:]
    ['kk\\t\\t=5', 'kk!\\t\\t', 'kk\\t\\t=5']
    >>> find_words_in_table(text, word_table(text, "kk"), lambda f, k, o: "сайла" in k)
    [(0, 6), (11, 19)]
    """
    return index_analysis(text, lang).table


def _table_header(text: str, alphabet: str | None, runs: list[tuple[int, int, str]]) -> str:
    """A word table's first line: version, Latin alphabet, the text's length, language runs."""
    spans = ";".join(f"{s},{e},{ln}" for s, e, ln in runs)
    return "\t".join((WORD_TABLE_VERSION, alphabet or "", str(len(text)), spans))


def _packed(key: tuple[str, str, str | None], entry: _RawEntry) -> str:
    """A word's line of a word table: from an earlier job's words or packed once."""
    packed = _packed_cache.get(key) or _known_words.get(key)
    if packed is None:
        packed = _packed_cache.put(key, _pack_entry(key[0], entry))
        if _unshared is not None:
            _unshared.append(_words_line(key, packed))
    return packed


_packed_cache: WordCache = WordCache(_CACHE_LIMIT)  # (raw, language, alphabet) -> packed
# Word analyses of earlier jobs, packed (import_words): a word found here is not analysed.
_known_words: dict[tuple[str, str, str | None], str] = {}
# A worker takes other workers' words while it knows fewer than this many (they are kept for
# the whole build, where its caches are emptied when full).
_SHARED_WORDS_LIMIT = 2 * _CACHE_LIMIT
# The export_words lines of the words packed since words_to_share last gave them, once a
# build's worker has called share_words.
_unshared: list[str] | None = None


@functools.cache
def analysis_fingerprint() -> str:
    """What the analysis of a word depends on: this package's code and data, pymorphy3 and
    its dictionary. Saved word analyses are used only by the same fingerprint."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version
    from pathlib import Path

    digest = hashlib.sha1()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".txt", ".tsv", ".json", ".gz", ".dic"):
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    for name in ("pymorphy3", "pymorphy3-dicts-ru"):
        try:
            digest.update(f"{name} {version(name)}".encode())
        except PackageNotFoundError:
            digest.update(name.encode())
    return digest.hexdigest()[:16]


def export_words(new_only: bool = False) -> Iterator[str]:
    """Every word packed for a word table by this process and, unless ``new_only``, those
    imported: one line each, ``word<TAB>language<TAB>alphabet<TAB>packed analysis``."""
    sources = (_packed_cache,) if new_only else (_known_words, _packed_cache)
    for words in sources:
        for key, packed in words.items():
            if words is _packed_cache and key in _known_words:
                continue
            yield _words_line(key, packed)


def _words_line(key: tuple[str, str, str | None], packed: str) -> str:
    """A word's line of a words file: ``word<TAB>language<TAB>alphabet<TAB>packed``."""
    raw, lang, alphabet = key
    return f"{raw}\t{lang}\t{alphabet or ''}\t{packed}"


def _read_words_line(line: str) -> tuple[tuple[str, str, str | None], str]:
    """The key and the packed analysis of a :func:`_words_line`."""
    raw, lang, alphabet, packed = line.rstrip("\n").split("\t", 3)
    return (raw, lang, alphabet or None), packed


def share_words(share: bool = True) -> None:
    """From now on (until called with ``False``), keep the :func:`export_words` line of every
    word this process packs for :func:`words_to_share`: a build's workers share their new
    words as they go (see :class:`search_service.words.WordExchange`)."""
    global _unshared
    if not share:
        _unshared = None
    elif _unshared is None:
        _unshared = []


def words_to_share() -> list[str]:
    """The lines of the words packed since the last call (after :func:`share_words`)."""
    global _unshared
    if not _unshared:
        return []
    lines, _unshared = _unshared, []
    return lines


def import_shared_words(lines: Iterable[str]) -> int:
    """:func:`import_words` for the lines another worker shared (:func:`words_to_share`), but
    for the words this process has packed itself: it keeps those as its own, in its part
    file (a word both took from the other would be in neither's)."""
    count = 0
    for line in lines:
        if len(_known_words) >= _SHARED_WORDS_LIMIT:
            break  # a large archive's worker: memory for its own words first
        key, packed = _read_words_line(line)
        if key not in _packed_cache:
            _known_words[key] = packed
            count += 1
    return count


def import_words(lines: Iterable[str]) -> int:
    """Take the word analyses of :func:`export_words` lines (from an earlier build or update
    of the same analysis: see :func:`analysis_fingerprint`); returns how many."""
    count = 0
    for line in lines:
        key, packed = _read_words_line(line)
        _known_words[key] = packed
        count += 1
    return count


def forget_imported_words() -> None:
    _known_words.clear()


def _unpack_run(text: str) -> tuple[int, int, str]:
    start, end, lang = text.split(",")
    return int(start), int(end), lang


_EMPTY = "\x1e"  # an empty form, or no keys, in a packed word


def _pack_word(raw: str, word: _Word) -> str:
    """``lang[!]<TAB>form<TAB>keys``: the form empty when it is the word as case-folded, a
    key empty when it is the form and ``=N`` when it is the form's first N letters; an empty
    form or no keys at all is ``_EMPTY``."""
    form = word.form
    keys = "\x1f".join(
        "" if key == form else f"={len(key)}" if form.startswith(key) else key for key in word.keys
    )
    if not word.keys:
        keys = _EMPTY  # no keys at all (an empty join would read as one key, the form)
    folded = fold_case(raw)
    shown = "" if form == folded else form or _EMPTY
    return f"{word.lang}{'!' if word.stop else ''}\t{shown}\t{keys}"


def _unpack_word(raw: str, packed: str) -> _Word:
    flags, form, keys_text = packed.split("\t")
    form = "" if form == _EMPTY else form or fold_case(raw)
    keys: tuple[str, ...] = ()
    if keys_text != _EMPTY:
        keys = tuple(
            form if not key else form[: int(key[1:])] if key[0] == "=" else key
            for key in keys_text.split("\x1f")
        )
    stop = flags.endswith("!")
    return _word(form, keys, stop, flags[:-1] if stop else flags)


def _pack_entry(raw: str, entry: _RawEntry) -> str:
    word, pieces = entry
    parts = [_pack_word(raw, word)]
    parts += [f"{s},{e}\t{_pack_word(raw[s:e], piece)}" for s, e, piece in pieces]
    return "\x1d".join(parts)


def _unpack_entry(raw: str, packed: str) -> _RawEntry:
    if "\x1d" not in packed:
        return _unpack_word(raw, packed), ()
    word, *pieces = packed.split("\x1d")
    unpacked = []
    for piece in pieces:
        span, _, rest = piece.partition("\t")
        s, e = map(int, span.split(","))
        unpacked.append((s, e, _unpack_word(raw[s:e], rest)))
    return _unpack_word(raw, word), tuple(unpacked)


def _judge(entry: _RawEntry, length: int, accept: Accept) -> tuple[tuple[int, int], ...]:
    word, pieces = entry
    if accept(word.form, word.index_keys, word.fold):
        return ((0, length),)
    return tuple(
        (s, e) for s, e, piece in pieces if accept(piece.form, piece.index_keys, piece.fold)
    )


class _QueryWord(NamedTuple):
    """A query word: its analysis in its likely language, and what every reading gives."""

    main: _Word
    keys: tuple[str, ...]  # every reading's keys, in both languages, the main ones first
    forms: tuple[str, ...]  # every reading's exact form, the main one first
    folds: tuple[str, ...]  # every reading's fold key, the main one first


def _latin_readings(text: str, variants: tuple[str, ...]) -> list[_Word]:
    """A Latin word read in each alphabet the query may be in. In the 2018 alphabet a capital
    ``I`` is both і and и (the agency writes capital і as Cyrillic ``І``, people type ``I``)."""
    readings = []
    for variant in variants:
        spellings = [text]
        if variant == "2018" and "I" in text:
            spellings.append(text.replace("I", "i"))
        readings += [analyze_word(spelling, "kk", variant) for spelling in spellings]
        if variant == "ascii":
            # plain ASCII loses ң ғ қ ә ө ұ ү: auyldyn is ауылдың when ауылдын has no known stem
            ascii_form = readings[-1].form
            readings += [analyze_word(form, "kk") for form in kazakh.ascii_respellings(ascii_form)]
    return list({word.form: word for word in readings}.values())


def _unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _query_word(token: Token, likely: str | None, variants: tuple[str, ...]) -> _QueryWord:
    """A query word read every way its letters allow, in Kazakh and in Russian."""
    text = token.text
    latin = is_latin(text) and not is_cyrillic(text)
    kazakh_words = _latin_readings(text, variants) if latin else [analyze_word(text, "kk")]
    if has_kazakh_letters(text):
        words = kazakh_words
    else:
        russian_word = analyze_word(text, "ru", None)
        known = not latin and russian.morph().word_is_known(russian_word.form)
        if not (latin or known):
            # typed where the keyboard has no Kazakh letters (a Russian phone layout) and no
            # Russian word: ауылдын is ауылдың when ауылдын has no known stem, as in ASCII
            typed = kazakh_words[0].form
            kazakh_words += [analyze_word(form, "kk") for form in kazakh.ascii_respellings(typed)]
        if known and likely != "kk":
            # a Russian dictionary word read as Kazakh is only itself (a loanword): костёр is
            # not кос + -тер
            kazakh_words = [_word(w.form, (w.form,), w.stop, "kk") for w in kazakh_words]
        if likely is None:
            lowered = text.lower()
            looks_kazakh = latin and (variants != translit.ALL_VARIANTS or "q" in lowered)
            likely = "kk" if looks_kazakh or not (known or latin) else "ru"
        words = [*kazakh_words, russian_word] if likely == "kk" else [russian_word, *kazakh_words]
    main = words[0]
    # a Latin word as written (a brand: Kaspi) is never a skeleton in the fold field, which
    # holds Cyrillic Kazakh words: only the Kazakh readings of a Latin word give skeletons
    spelt = kazakh_words if latin else words
    return _QueryWord(
        main,
        _unique(key for word in words for key in word.keys),
        _unique(word.form for word in words),
        # the skeletons its keys meet Kazakh words at, in either script, and that of the word
        # as typed: a Latin word read with the wrong letters may not cut right (tutynushy is
        # read тутынушы, not a known word), but a dictionary form is the stem's skeleton
        _unique(skeleton(key) for word in spelt for key in (*word.keys, word.form)),
    )


def analyze_query(text: str) -> list[Term]:
    """Analyse query text (short, language unknown): each word gets its keys in both languages.

    ``form`` and ``fold`` come from the word's likely language (the query's, if its words
    tell; else Kazakh for a Latin Kazakh or unknown word, Russian for a dictionary word).
    A Latin word is read in every alphabet the whole query may be in (see
    :func:`~.translit.possible_variants`); ``forms`` and ``folds`` hold every reading's.

    >>> "конституция" in analyze_query("конституции")[0].keys
    True
    >>> analyze_query("Kazinform")[0].forms  # the word as written first: it may be a brand
    ('kazinform', 'казінформ', 'қазинформ', 'казинформ')
    """
    likely = sentence_language(text) if is_cyrillic(text) else None
    variants = translit.possible_variants(text) if is_latin(text) else translit.ALL_VARIANTS
    terms: list[Term] = []
    pos = 0
    for token in tokenize(text):
        pieces = [token, *token.parts] if not _is_abbreviation_with_ending(token.parts) else [token]
        for offset, piece in enumerate(pieces):
            word = _query_word(piece, likely, variants)
            at = pos + max(offset - 1, 0)
            stop = word.main.stop and likely is not None
            terms.append(
                Term(
                    word.main.form,
                    () if stop else word.keys,
                    word.main.fold,
                    piece.start,
                    piece.end,
                    at,
                    word.main.lang,
                    word.forms,
                    word.folds,
                )
            )
        pos += max(len(pieces) - 1, 1)
    return terms


def word_keys(word: str, lang: str) -> tuple[str, ...]:
    """Keys of one word with the language forced (stop words keep their keys here).

    This is what the benchmark measures and ``search-service analyze --lang`` shows.

    >>> word_keys("Конституции", "ru")
    ('конституция',)
    """
    alphabet = translit.detect_variant(word) if lang == "kk" and is_latin(word) else None
    return analyze_word(word, lang, alphabet).keys


def explain(text: str, lang: str = "auto") -> list[dict]:
    """Per word of ``text``: input, routed language, keys, exact form, fold key.

    ``lang`` is ``kk`` or ``ru`` (forced), ``auto`` (detected, as for a document) or
    ``query`` (both languages, as for a query).
    """
    if lang == "query":
        terms = analyze_query(text)
    else:
        terms = analyze(text, None if lang == "auto" else lang)
    return [
        {
            "input": text[term.start : term.end],
            "lang": term.lang,
            "keys": list(term.keys),
            "form": term.form,
            "fold": term.fold,
            "pos": term.pos,
            "stop": not term.keys,
        }
        for term in terms
    ]


def describe(text: str, lang: str = "auto") -> dict:
    """One input (a word or a line) as ``search-service analyze --json`` and ``/api/analyze``
    show it: the language it was routed to, all its index keys, and each word's details.

    >>> describe("Қазақстанға", "auto")["keys"]
    ['қазақстан']
    """
    words = explain(text, lang)
    languages = sorted({word["lang"] for word in words if word["lang"]})
    routed = "mixed" if len(languages) > 1 else "".join(languages)
    keys = list(dict.fromkeys(key for word in words for key in word["keys"]))
    return {"input": text, "lang": routed, "keys": keys, "words": words}
