"""Russian word keys: lemmas from pymorphy3, and the Russian stop words.

An ambiguous word form (``стали``: *стать* or *сталь*; ``мой``: *мой* or *мыть*) gets
the lemmas whose summed parse score is close to the best one, not just the first parse
(misses real matches) nor every parse (joins unrelated words). The threshold was tuned on
UD Russian-GSD dev with ``python -m search_service.text.bench`` and checked on test; see
:data:`LEMMA_SCORE_RATIO`.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import pymorphy3

# A second lemma is kept when its summed score is at least this share of the best lemma's.
# GSD dev, distinct forms (recall / precision): every lemma 0.969 / 0.885; first lemma
# 0.914 / 0.948; ratio 0.1: 0.964 / 0.907; 0.25: 0.961 / 0.915; 0.4: 0.952 / 0.920 (with
# the adverb rule below). 0.25 keeps recall at 0.95 on GSD test (0.3 fell to 0.948). Precision
# stops near 0.92 whatever the ratio: the rest of the gap is the treebank lemmatising
# differently from pymorphy3 (participles, comparatives), not ambiguity.
LEMMA_SCORE_RATIO = 0.25
_ADVERBS = frozenset({"ADVB", "PRED"})

# Abbreviations of amounts in news text (written without their full stop, which the tokeniser
# drops), keyed as the word they stand for: "5 млн тенге" is found by "миллион".
ABBREVIATIONS = {
    "тыс": "тысяча",
    "млн": "миллион",
    "млрд": "миллиард",
    "трлн": "триллион",
    "руб": "рубль",
    "долл": "доллар",
    "км": "километр",
}

_morph: pymorphy3.MorphAnalyzer | None = None
_morph_lock = threading.Lock()


def morph() -> pymorphy3.MorphAnalyzer:
    """The one shared analyser (loading the dictionary takes a tenth of a second and memory)."""
    global _morph
    if _morph is None:
        with _morph_lock:
            if _morph is None:
                _morph = pymorphy3.MorphAnalyzer(lang="ru")
    return _morph


def _yo(text: str) -> str:
    return text.replace("ё", "е")


def scored_lemmas(word: str) -> list[tuple[str, float]]:
    """Lemmas of a lower-case word with their summed parse scores, best first.

    >>> [lemma for lemma, _ in scored_lemmas("стали")]
    ['стать', 'сталь']
    """
    totals: dict[str, float] = {}
    if word in ABBREVIATIONS:
        return [(ABBREVIATIONS[word], 1.0)]
    parses = morph().parse(word)
    adverb = bool(parses) and parses[0].tag.POS in _ADVERBS
    for parse in parses:
        # "быстро" is first an adverb; its short-adjective reading ("быстрый") would join
        # the adverb to every form of the adjective: on GSD dev that cost precision only.
        if adverb and parse.tag.POS == "ADJS":
            continue
        lemma = _yo(parse.normal_form)
        totals[lemma] = totals.get(lemma, 0.0) + parse.score
    return sorted(totals.items(), key=lambda item: -item[1])


def select_lemmas(
    scored: list[tuple[str, float]], ratio: float = LEMMA_SCORE_RATIO
) -> tuple[str, ...]:
    """Keep the best lemma and those scoring at least ``ratio`` of it (order kept).

    >>> select_lemmas([("мой", 0.75), ("мыть", 0.25)], ratio=0.5)
    ('мой',)
    >>> select_lemmas([("мой", 0.75), ("мыть", 0.25)], ratio=0.3)
    ('мой', 'мыть')
    """
    if not scored:
        return ()
    floor = scored[0][1] * ratio
    return tuple(lemma for lemma, score in scored if score >= floor)


_SURNAME_ENDINGS = ("ов", "ев", "ин", "ын")


@lru_cache(maxsize=200_000)
def lemmas(word: str, capitalised: bool = False) -> tuple[str, ...]:
    """Index keys of a lower-case Russian word form: its likely lemmas, best first.

    >>> lemmas("конституции")
    ('конституция',)
    >>> lemmas("ёлками")
    ('елка',)
    >>> lemmas("токаев", capitalised=True)
    ('токаев', 'токай')
    """
    word = _yo(word)
    chosen = select_lemmas(scored_lemmas(word)) or (word,)
    # A capitalised "-ов/-ев/-ин" word is a surname in the nominative far more often than
    # the genitive plural the dictionary offers ("Токаев" is not "of the Tokays"); without a
    # surname reading of its own, the form itself goes first, so that its fold key meets
    # the Kazakh spelling ("Тоқаев").
    if (
        capitalised
        and word.endswith(_SURNAME_ENDINGS)
        and word not in chosen
        and not any("Surn" in parse.tag for parse in morph().parse(word))
    ):
        return (word, *chosen)
    return chosen


# Function words that carry no search meaning on their own. Kept short on purpose: negation
# and pronouns people search for in quotes stay findable through the exact-form field anyway.
STOPWORDS: frozenset[str] = frozenset(
    [
        "а",
        "без",
        "более",
        "бы",
        "был",
        "была",
        "были",
        "было",
        "быть",
        "в",
        "вам",
        "вас",
        "весь",
        "во",
        "вот",
        "все",
        "всего",
        "всех",
        "вы",
        "где",
        "да",
        "даже",
        "для",
        "до",
        "его",
        "ее",
        "если",
        "есть",
        "еще",
        "же",
        "за",
        "здесь",
        "и",
        "из",
        "или",
        "им",
        "их",
        "к",
        "как",
        "ко",
        "когда",
        "кто",
        "ли",
        "либо",
        "между",
        "меня",
        "мне",
        "может",
        "мы",
        "на",
        "над",
        "надо",
        "наш",
        "не",
        "него",
        "нее",
        "нет",
        "ни",
        "них",
        "но",
        "ну",
        "о",
        "об",
        "однако",
        "он",
        "она",
        "они",
        "оно",
        "от",
        "очень",
        "по",
        "под",
        "при",
        "с",
        "со",
        "так",
        "также",
        "такой",
        "там",
        "те",
        "тем",
        "то",
        "того",
        "тоже",
        "той",
        "только",
        "том",
        "ты",
        "у",
        "уже",
        "хотя",
        "чего",
        "чей",
        "чем",
        "что",
        "чтобы",
        "чье",
        "чья",
        "эта",
        "эти",
        "это",
        "этого",
        "этой",
        "этом",
        "этот",
        "я",
        "из-за",
        "из-под",
    ]
)


def is_stopword(word: str) -> bool:
    """True for a lower-case Russian function word (``ё`` already folded).

    >>> is_stopword("что"), is_stopword("конституция")
    (True, False)
    """
    return word in STOPWORDS
