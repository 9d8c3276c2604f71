"""Highlighting: the one place that turns article text into markup.

The words of the stored text are judged with the analysis the indexer made of them: the
index keeps each headline's and body's word table (:class:`search_service.analysis.WordTable`),
so a results page analyses no word of its hits; without a table (an older index) the text is
analysed again the same way. Either way every form of a query word is found at its exact
character offsets. :func:`mark_text` escapes all text and adds the ``<mark>`` tags; everything
else here only chooses which spans and which slices of text to hand it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable

from markupsafe import Markup, escape

from search_service.models import Marks
from search_service.text.analyze import Accept, Judgements, find_words, find_words_in_table
from search_service.text.caches import memoize
from search_service.text.language import script
from search_service.text.tokenize import WORD_RE

Span = tuple[int, int]  # start and end character offsets of a matched word

MARK_OPEN = Markup("<mark>")
MARK_CLOSE = Markup("</mark>")
ELLIPSIS = "…"
SNIPPET_CHARS = 200  # about this long, cut at word boundaries
SNIPPET_LEAD = 50  # characters of context kept before a passage's first match
MAX_SNIPPETS = 3
EXPORT_SCAN_CHARS = 3000  # how much of a body the export's snippet looks at


def matched_spans(
    text: str, lang: str | None, marks: Marks, table: str | None = None
) -> list[Span]:
    """Offsets of the words in ``text`` that match the query, sorted and not overlapping.

    ``table`` is the text's word table from the index (:class:`~search_service.analysis.
    WordTable`): with it no word of the text is analysed again.
    """
    if not marks or not text:
        return []
    forms, keys, folds = marks.forms, marks.keys, marks.folds
    prefixes = tuple(marks.prefixes)

    def accept(form: str, word_keys: tuple[str, ...], fold: str) -> bool:
        return (
            form in forms
            or (bool(fold) and fold in folds)
            or not keys.isdisjoint(word_keys)
            or bool(prefixes and form.startswith(prefixes))
        )

    found = _found(text, lang, table, accept, _judgements(marks))
    if marks.joiners and found:
        joiners = marks.joiners

        def accept_joiner(form: str, word_keys: tuple[str, ...], fold: str) -> bool:
            return form in joiners

        beside = _found(text, lang, table, accept_joiner, _judgements(marks, joiners=True))
        if beside:
            found = [*found, *_next_to(text, beside, found, marks)]
    return _merge(found)


def _found(
    text: str, lang: str | None, table: str | None, accept: Accept, judged: Judgements
) -> list[Span]:
    found = find_words_in_table(text, table, accept, judged) if isinstance(table, str) else None
    if found is None:  # an index made before word tables, or a text without one
        found = find_words(text, lang, accept, judged)
    return found


def _next_to(text: str, joiners: list[Span], marked: list[Span], marks: Marks) -> list[Span]:
    """Those of ``joiners`` that stand in one of the quoted phrases (``marks.phrases``) with
    its marked words, word after word (no other word between): `в` and `том` of `в том
    числе`, not a `в` elsewhere."""
    kinds = {span: False for span in joiners} | {span: True for span in marked}
    kept: list[Span] = []
    run: list[Span] = []
    for span in sorted(kinds):
        if run and WORD_RE.search(text, run[-1][1], span[0]):
            kept += _in_phrases(text, run, kinds, marks)
            run = []
        run.append(span)
    kept += _in_phrases(text, run, kinds, marks)
    return kept


def _in_phrases(
    text: str,
    run: list[Span],
    marked: dict[Span, bool],
    marks: Marks,
) -> list[Span]:
    """The joiners (not marked) of ``run`` (words one after another) inside an occurrence of
    one of ``marks.phrases``. A word stands for a phrase's word if its lower-case text is one
    of that word's forms, or, written in Latin letters (a phrase typed in Cyrillic, found in
    the Latin edition), if it is of the same kind: a marked word for a marked one, a joiner
    for a joiner."""
    words = [text[start:end].lower().replace("ё", "е") for start, end in run]
    latin = [script(word) == "Latn" for word in words]
    kept: list[Span] = []
    for phrase in marks.phrases:
        kinds = [not forms <= marks.joiners for forms in phrase]  # True: a marked word
        for first in range(len(run) - len(phrase) + 1):
            window = range(first, first + len(phrase))
            if all(
                words[at] in forms or (latin[at] and marked[run[at]] == kind)
                for at, forms, kind in zip(window, phrase, kinds, strict=True)
            ):
                kept += [run[at] for at in window if not marked[run[at]]]
    return kept


@memoize(maxsize=64)
def _judgements(marks: Marks, joiners: bool = False) -> Judgements:
    """One dict of judged words per recent query (and per way of judging): its hits (and the
    same query asked again) share the verdicts, so each distinct word is analysed and
    judged once."""
    return {}


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mark_text(text: str, spans: Iterable[Span], lead: str = "", tail: str = "") -> Markup:
    """Escape ``text`` and wrap each span in ``<mark>``; ``lead``/``tail`` are escaped too."""
    parts = [escape(lead)]
    position = 0
    for start, end in spans:
        parts += [escape(text[position:start]), MARK_OPEN, escape(text[start:end]), MARK_CLOSE]
        position = end
    parts += [escape(text[position:]), escape(tail)]
    return Markup("").join(parts)


def highlight(text: str, lang: str | None, marks: Marks, table: str | None = None) -> Markup:
    """The whole of a short text (a headline) with the query's words marked."""
    return mark_text(text, matched_spans(text, lang, marks, table))


def mark_paragraphs(
    body: str, lang: str | None, marks: Marks, table: str | None = None
) -> list[Markup]:
    """The full body, one marked paragraph per line."""
    spans = matched_spans(body, lang, marks, table)
    paragraphs = []
    start = 0
    for line in body.split("\n"):
        end = start + len(line)
        inside = [(s - start, e - start) for s, e in spans if start <= s and e <= end]
        if line.strip():
            paragraphs.append(mark_text(line, inside))
        start = end + 1
    return paragraphs


def snippets(body: str, lang: str | None, marks: Marks, table: str | None = None) -> list[Markup]:
    """The best 1-3 passages of the body (about 200 characters each), query words marked.

    A passage cut inside the text starts or ends with "…". Without a match in the body the
    opening of the body is shown.
    """
    spans = matched_spans(body, lang, marks, table)
    if not spans:
        start, end = _window(body, 0)
        return [_passage(body, start, end, [])] if body.strip() else []
    windows = [_window(body, max(0, s - SNIPPET_LEAD)) for s, _ in spans]
    score = _scorer(body, spans)
    ranked = sorted(windows, key=lambda w: (*score(w), -w[0]), reverse=True)
    chosen: list[Span] = []
    for window in ranked:
        if len(chosen) == MAX_SNIPPETS:
            break
        if all(window[1] <= c[0] or window[0] >= c[1] for c in chosen):
            chosen.append(window)
    passages = sorted(chosen)
    # Passages are shown one after another: the "…" that ends one also opens the next.
    return [
        _passage(body, start, end, spans, first=index == 0)
        for index, (start, end) in enumerate(passages)
    ]


def plain_snippet(body: str, lang: str | None, marks: Marks) -> str:
    """The passages of :func:`snippets` as one line of plain text, without any markup (for
    the CSV export, which has one for every hit).

    Only the start of a long body is searched for the query's words (news put them there):
    each new word costs an analysis, and whole bodies made an export of 961 hits of the real
    corpus 16.5 s long instead of 10.7 s (without snippets: 0.2 s).
    """
    if len(body) > EXPORT_SCAN_CHARS:
        cut = body.rfind(" ", EXPORT_SCAN_CHARS // 2, EXPORT_SCAN_CHARS)
        body = body[: cut if cut > 0 else EXPORT_SCAN_CHARS]
    return " ".join(passage.striptags() for passage in snippets(body, lang, marks))


def _window(text: str, start: int) -> Span:
    """A passage of about SNIPPET_CHARS from ``start``, both ends moved to word boundaries."""
    if start > 0:
        space = text.rfind(" ", max(0, start - 20), start)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start + SNIPPET_CHARS // 2, end)
        end = space if space > 0 else end
    return start, end


def _scorer(text: str, spans: list[Span]) -> Callable[[Span], tuple[int, int]]:
    """A passage's score: different matched words first, then all matches. The matches inside
    a passage are found by bisection (a long article has hundreds of matches and passages)."""
    ordered = sorted(spans)
    starts = [start for start, _ in ordered]
    words = [text[start:end].lower() for start, end in ordered]

    def score(window: Span) -> tuple[int, int]:
        low = bisect_left(starts, window[0])
        high = bisect_left(starts, window[1], low)
        inside = [words[i] for i in range(low, high) if ordered[i][1] <= window[1]]
        return len(set(inside)), len(inside)

    return score


def _passage(text: str, start: int, end: int, spans: list[Span], first: bool = True) -> Markup:
    inside = [(s - start, e - start) for s, e in spans if start <= s and e <= end]
    lead = ELLIPSIS if start > 0 and first else ""
    tail = ELLIPSIS if end < len(text) else ""
    return mark_text(text[start:end].replace("\n", " "), inside, lead, tail)
