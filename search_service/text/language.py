"""Which language and script a text is in, per document and per sentence.

Only about two Kazakh words in three contain a letter Russian lacks, so a single word says
little; a sentence says a lot. A sentence is scored by its frequent function words and by
the words with Kazakh-only letters; a document is the tally of its sentences. A word with a
Kazakh-only letter is Kazakh whatever its sentence (see :func:`word_language`).
"""

from __future__ import annotations

import re

from search_service.text.wordlists import read_items

KAZAKH_ONLY = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_KAZAKH_LETTER = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]+")
# A sentence ends at . ! ? … or a line break; the pieces keep their offsets.
_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…\n]*|[.!?…\n]+")

# Frequent words of one language that are rare or absent in the other (no Kazakh-only
# letters here: those already count on their own); see the files' headers.
KAZAKH_MARKERS = frozenset(read_items("kk_markers.txt"))
RUSSIAN_MARKERS = frozenset(read_items("ru_markers.txt"))
# Letters of Russian words that native Kazakh words lack; loanwords in Kazakh text have
# them too, so they weigh less than a function word.
_RUSSIAN_LETTERS = frozenset("щъэё")


def has_kazakh_letters(word: str) -> bool:
    """True if the word contains a letter Russian lacks.

    >>> has_kazakh_letters("Тоқаев"), has_kazakh_letters("Токаев")
    (True, False)
    """
    return _KAZAKH_LETTER.search(word) is not None


def script(text: str) -> str:
    """``Latn`` if Latin letters outnumber Cyrillic ones, else ``Cyrl``.

    >>> script("Qazaqstan Respýblıkasy"), script("Қазақстан Kaspi")
    ('Latn', 'Cyrl')
    """
    latin = _letters(_LATIN_WORD, text)
    if not latin:
        return "Cyrl"
    return "Latn" if latin > _letters(_CYRILLIC_WORD, text) else "Cyrl"


def _letters(word: re.Pattern[str], text: str) -> int:
    return sum(map(len, word.findall(text)))


# Each distinct lower-case word's (Kazakh, Russian) evidence, remembered: detection runs on
# every article the indexer reads.
_word_scores: dict[str, tuple[float, float]] = {}
_WORD_SCORES_LIMIT = 200_000


def _word_score(word: str) -> tuple[float, float]:
    kazakh = russian = 0.0
    if word in KAZAKH_MARKERS:
        kazakh += 1
    elif word in RUSSIAN_MARKERS:
        russian += 1
    if _KAZAKH_LETTER.search(word):
        kazakh += 1
    elif _RUSSIAN_LETTERS.intersection(word):
        russian += 0.5
    if len(_word_scores) >= _WORD_SCORES_LIMIT:
        _word_scores.clear()
    _word_scores[word] = (kazakh, russian)
    return kazakh, russian


def _scores(text: str) -> tuple[float, float, int]:
    """The Kazakh and Russian evidence of a text, and its number of Cyrillic words."""
    kazakh = russian = 0.0
    words = _CYRILLIC_WORD.findall(text.lower())
    known = _word_scores.get
    for word in words:
        score = known(word) or _word_score(word)
        kazakh += score[0]
        russian += score[1]
    return kazakh, russian, len(words)


def sentence_language(text: str) -> str | None:
    """``kk`` or ``ru`` for a Cyrillic sentence; None when it gives no evidence either way.

    >>> sentence_language("Ол Астанаға бара жатыр деп айтты")
    'kk'
    >>> sentence_language("Президент прибыл в Астану и провел встречу")
    'ru'
    >>> sentence_language("Астана") is None
    True
    """
    kazakh, russian, _ = _scores(text)
    return _verdict(kazakh, russian)


def _verdict(kazakh: float, russian: float) -> str | None:
    if kazakh > russian:
        return "kk"
    if russian > kazakh:
        return "ru"
    return None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of the sentences of ``text``.

    >>> sentence_spans("Бір. Два!")
    [(0, 4), (4, 9)]
    """
    return [match.span() for match in _SENTENCE.finditer(text)]


def sentence_languages(text: str, default: str) -> list[tuple[int, int, str]]:
    """Split text into runs of sentences of one language; undecided ones join the run before.

    >>> sentence_languages("Бұл жақсы. Это хорошо.", "kk")
    [(0, 10, 'kk'), (10, 22, 'ru')]
    """
    runs: list[tuple[int, int, str]] = []
    for start, end in sentence_spans(text):
        lang = sentence_language(text[start:end]) or (runs[-1][2] if runs else default)
        if runs and runs[-1][2] == lang:
            runs[-1] = (runs[-1][0], end, lang)
        else:
            runs.append((start, end, lang))
    return runs


def detect_language(text: str) -> tuple[str, str]:
    """Return ``(language, script)``: language ``kk``, ``ru`` or ``mixed``; ``Cyrl`` or ``Latn``.

    Latin-script text in this archive is Kazakh (the 2018 and 2021 alphabets). ``mixed``
    means that at least a fifth of the decided sentences' words are in the minority language.

    >>> detect_language("Qazaqstan men Reseı kelissózderi ótti.")
    ('kk', 'Latn')
    >>> detect_language("Әкім сайлау туралы айтты. Глава выступил на форуме.")
    ('mixed', 'Cyrl')
    >>> detect_language("Глава государства выступил на форуме в Астане.")
    ('ru', 'Cyrl')
    """
    if script(text) == "Latn":
        return "kk", "Latn"
    weight = {"kk": 0, "ru": 0}
    for start, end in sentence_spans(text):
        kazakh, russian, words = _scores(text[start:end])
        lang = _verdict(kazakh, russian)
        if lang:
            weight[lang] += words
    total = weight["kk"] + weight["ru"]
    if not total:
        return ("kk" if has_kazakh_letters(text) else "ru"), "Cyrl"
    if min(weight.values()) * 5 >= total:
        return "mixed", "Cyrl"
    return ("kk" if weight["kk"] > weight["ru"] else "ru"), "Cyrl"


def word_language(word: str, context: str) -> str:
    """The language a word is analysed in: Kazakh if it has a Kazakh-only letter.

    >>> word_language("Тоқаев", "ru"), word_language("Токаев", "ru")
    ('kk', 'ru')
    """
    return "kk" if _KAZAKH_LETTER.search(word) else context
