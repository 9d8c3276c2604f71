"""Whoosh analysis: tokenizers that hand the text package's terms to Whoosh.

Each indexed text field takes one part of every :class:`~search_service.text.Term`: its
normalised keys, its exact form, or its name-folding key. Whoosh pickles these tokenizers into
the index schema, so their import path and attributes must stay stable (renaming one needs a
rebuild).
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import STORED, TEXT

from search_service.engine import positions as compact
from search_service.engine.positions import CompactPositions
from search_service.engine.whoosh_internals import (
    Format,
    encode_frequency,
    is_frequency,
    is_positions,
)
from search_service.text import Term, analyze, caches
from search_service.text.analyze import IndexAnalysis, IndexPositions, index_analysis

KEYS = "keys"
FORM = "form"
FOLD = "fold"


class LangText(str):
    """Text that knows its document's language, so the analyser need not guess it again.

    A body may also carry its document's headline: the name-folding field indexes the fold
    keys of both (a name typed in another spelling finds an article that names it only in
    its headline, as Latin ``Toqaev`` is found by ``Токаев``), while the other body fields
    take the body alone.
    """

    lang: str | None
    headline: LangText | None

    def __new__(cls, text: str, lang: str | None, headline: LangText | None = None) -> LangText:
        value = super().__new__(cls, text)
        value.lang = lang
        value.headline = headline
        return value

    def __reduce__(self):  # keep the language when the multi-process writer pickles documents
        if self.headline is None:
            return (LangText, (str(self), self.lang))
        return (LangText, (str(self), self.lang, self.headline))


_last: tuple[str, str | None, list[Term]] = ("", None, [])


def analysed_terms(text: str, lang: str | None) -> list[Term]:
    """Analyse ``text``; the last result is kept because three fields index the same text."""
    global _last
    cached_text, cached_lang, terms = _last
    if cached_text is text or (cached_lang == lang and cached_text == text):
        return terms
    terms = analyze(text, lang)
    _last = (text, lang, terms)
    return terms


# The analyses of a document's last texts (its headline and its body): its fields index and
# store them in turn (see indexer.article_document), and each is analysed once.
_recent: list[tuple[str, str | None, IndexAnalysis]] = []
_RECENT = 2
caches.register(_recent.clear)


def analysed_words(text: str) -> list[str] | None:
    """The words of ``text`` as they stand (``WORD_RE.findall``) if this very string is one of
    the document's texts just analysed (its fields' values), else None: for what a writer
    counts beside the index, without finding the words again."""
    for cached_text, _, found in _recent:
        if cached_text is text:
            return found.raws
    return None


def indexed(text: str, lang: str | None) -> IndexAnalysis:
    """:func:`~search_service.text.analyze.index_analysis`, kept for the document's texts."""
    for cached_text, cached_lang, found in _recent:
        if cached_text is text or (cached_lang == lang and cached_text == text):
            return found
    found = index_analysis(text, lang)
    _recent.insert(0, (text, lang, found))
    del _recent[_RECENT:]
    return found


class TermTokenizer(Tokenizer):
    """Yields one part of each analysed term (``keys``, ``form`` or ``fold``) as Whoosh tokens."""

    def __init__(self, part: str = KEYS):
        if part not in (KEYS, FORM, FOLD):
            raise ValueError(f"unknown term part: {part!r}")
        self.part = part

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TermTokenizer) and other.part == self.part

    def __hash__(self) -> int:
        return hash((TermTokenizer, self.part))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        terms = analysed_terms(value, getattr(value, "lang", None))
        texts = [(value, terms, start_pos, start_char)]
        headline = getattr(value, "headline", None) if self.part == FOLD else None
        if headline is not None:  # after the body's words, as if it followed the body
            after = start_pos + (terms[-1].pos + 1 if terms else 0)
            texts.append((headline, analysed_terms(headline, headline.lang), after, None))
        for text, text_terms, first_pos, first_char in texts:
            for term in text_terms:
                for part in self._texts(term):
                    token.text = part
                    token.stopped = False
                    token.boost = 1.0
                    if keeporiginal:
                        token.original = text[term.start : term.end]
                    if positions:
                        token.pos = first_pos + term.pos
                    if chars and first_char is None:  # a headline word: none of the body's
                        token.startchar = token.endchar = start_char
                    elif chars:
                        token.startchar = first_char + term.start
                        token.endchar = first_char + term.end
                    yield token

    def _texts(self, term: Term) -> tuple[str, ...]:
        if self.part == KEYS:
            return term.keys
        if self.part == FORM:
            return (term.form,)
        if term.keys and term.fold not in term.keys:
            # Only words whose fold differs from their keys (those with Kazakh letters):
            # a query's fold key is searched in the keys field too, which covers the rest.
            return (term.fold,)
        return ()

    def postings(self, value: str, format_: Format) -> list[tuple[bytes, int, float, bytes]]:
        """``(term bytes, frequency, weight, value)`` of each distinct term: what Whoosh's
        ``Positions``/``Frequency.word_values`` make of this tokenizer's tokens, without a
        token stream."""
        positions = indexed(value, getattr(value, "lang", None)).positions
        if self.part == KEYS:
            occurrences = positions.keys
        elif self.part == FORM:
            occurrences = positions.forms
        else:
            occurrences = positions.folds
            headline = getattr(value, "headline", None)
            if headline is not None:
                occurrences = _with_headline(positions, indexed(headline, headline.lang))
        boost = format_.field_boost
        encode = compact.encode if isinstance(format_, CompactPositions) else encode_frequency
        return [
            (text.encode("utf-8"), len(found), len(found) * boost, encode(found))
            for text, found in occurrences.items()
        ]


def _with_headline(body: IndexPositions, headline: IndexAnalysis) -> dict[str, list[int]]:
    """The fold keys of a body and then of its headline, the headline's words numbered on
    from the body's last (as :meth:`TermTokenizer.__call__` yields them)."""
    folds = headline.positions.folds
    if not folds:
        return body.folds
    after = 1 + max((found[-1] for found in body.forms.values()), default=-1)
    merged = dict(body.folds)  # the body's lists are shared, never changed
    for key, found in folds.items():
        merged[key] = [*merged.get(key, ()), *(after + position for position in found)]
    return merged


class AnalysedText(TEXT):
    """A ``TEXT`` field of :class:`TermTokenizer` terms whose postings come straight from the
    analysed terms: the same postings as Whoosh's token stream gives, with less work per word
    (a tenth of a build's time went into the token stream). Its positions are stored as
    :class:`~search_service.engine.positions.CompactPositions`."""

    def __init__(self, *args, **kwargs):  # TEXT's signature
        super().__init__(*args, **kwargs)
        if is_positions(self.format):
            self.format = CompactPositions(field_boost=self.format.field_boost)

    def index(self, value, **kwargs):  # Whoosh's signature
        analyzer = self.analyzer
        if kwargs or not isinstance(analyzer, TermTokenizer):
            return super().index(value, **kwargs)
        if not (isinstance(self.format, CompactPositions) or is_frequency(self.format)):
            return super().index(value, **kwargs)
        return analyzer.postings(value, self.format)


def keys_analyzer() -> TermTokenizer:
    return TermTokenizer(KEYS)


def form_analyzer() -> TermTokenizer:
    return TermTokenizer(FORM)


def fold_analyzer() -> TermTokenizer:
    return TermTokenizer(FOLD)


class WordTable(STORED):
    """A stored field that keeps, instead of the text it is given, the text's
    :func:`~search_service.text.analyze.word_table`: what highlighting needs of the analysis,
    so a results page never analyses its hits' bodies again.

    The table is made by the segment writer (:meth:`stored_value`), that is in the build's
    worker processes, which analyse the text for the other fields anyway.
    """

    def stored_value(self, value: str) -> str:
        return indexed(value, getattr(value, "lang", None)).table
