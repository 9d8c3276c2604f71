"""Russian word keys: lemmas from pymorphy3, and the Russian stop words.

An ambiguous word form (``стали``: *стать* or *сталь*; ``мой``: *мой* or *мыть*) gets
the lemmas whose summed parse score is close to the best one, not just the first parse
(misses real matches) nor every parse (joins unrelated words). The threshold was tuned on
UD Russian-GSD dev with ``search-service bench-text`` and checked on test; see
:data:`LEMMA_SCORE_RATIO`. Before the scores are summed, a few rules of Russian morphology
settle the readings that pymorphy3 leaves tied: participle or adjective, superlative or
positive degree, possessive or personal pronoun (see :func:`scored_lemmas`).
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import pymorphy3

from search_service.text.caches import WordCache, memoize

# A second lemma is kept when its summed score is at least this share of the best lemma's.
# GSD dev, distinct forms (recall / precision), before the participle, superlative and
# pronoun rules: every lemma 0.969 / 0.885; first lemma 0.914 / 0.948; ratio 0.1:
# 0.964 / 0.907; 0.25: 0.961 / 0.915; 0.4: 0.952 / 0.920. With those rules, 0.15: 0.964 /
# 0.942; 0.2: 0.963 / 0.946; 0.25: 0.962 / 0.946; 0.3: 0.961 / 0.949. 0.2 and 0.25 differ by
# one word (рот/рота), so 0.25 stays; recall is kept above 0.96 on dev because GSD test has
# run about 0.01 below dev.
LEMMA_SCORE_RATIO = 0.25
_ADVERBS = frozenset({"ADVB", "PRED"})

# Abbreviations common in news text, keyed as the word they stand for: "5 млн тенге" is found
# by "миллион". Our tokeniser drops the full stop; others (UD's) keep it, so it is ignored.
# Adding "чел", "др" and the full stop: GSD dev recall 0.9579 -> 0.9624, precision 0.9485 ->
# 0.9463 (GSD itself lemmatises "гг." and "км" as themselves). Adding "г" (the year, "в 2019
# г."): dev recall 0.9624 -> 0.9659, precision 0.9463 -> 0.9419.
ABBREVIATIONS = {
    "тыс": "тысяча",
    "млн": "миллион",
    "г": "год",
    "млрд": "миллиард",
    "трлн": "триллион",
    "руб": "рубль",
    "долл": "доллар",
    "км": "километр",
    "чел": "человек",
    "др": "другой",  # "и др."
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


# Indeclinable anaphoric pronoun adjectives: the possessives его, её, их.
_POSSESSIVE = frozenset({"Fixd", "Apro", "Anph"})


class _TagFacts(NamedTuple):
    """What the rules below ask of a pymorphy3 tag."""

    pos: str | None
    superlative: bool
    possessive: bool


_TAG_FACTS = WordCache(10_000)  # tag -> _TagFacts; the dictionary has a few hundred distinct tags


def _facts(tag) -> _TagFacts:
    """A tag's facts, read once per distinct tag: pymorphy3 works out ``tag.POS`` and each
    ``in`` test anew, in Python, and a build of the archive would ask them a million times.
    The part of speech is kept as a plain ``str``: pymorphy3's own compares and hashes in
    Python too."""
    found = _TAG_FACTS.get(tag)
    if found is None:
        pos = None if tag.POS is None else str(tag.POS)
        found = _TAG_FACTS.put(tag, _TagFacts(pos, "Supr" in tag, _POSSESSIVE in tag))
    return found


def _dropped_classes(parses: list, facts: list[_TagFacts]) -> frozenset[str]:
    """Parts of speech whose readings of this word form are not keyed (see the comments);
    ``facts`` are those of the parses' tags."""
    tags = {fact.pos for fact in facts}
    dropped: set[str] = set()
    # "быстро", "видимо" are first adverbs; the short adjective or short participle reading
    # ("быстрый", "видеть") would join the adverb to every form of the word it comes from:
    # on GSD dev that cost precision only (the participle part: 0.9476 -> 0.9484).
    if facts[0].pos in _ADVERBS:
        dropped |= {"ADJS", "PRTS"}
    # A short passive participle ("открыт", "избран", "отделен") is a verb form in the
    # predicate; pymorphy3 also offers the short form of the adjective made from it
    # ("открытый", "отдельный"). GSD dev: 19 such forms lemmatised to the verb, 1 to the
    # adjective; dropping the adjective: precision 0.9225 -> 0.9241, recall unchanged.
    if "PRTS" in tags:
        dropped.add("ADJS")
    # A full participle that pymorphy3 also knows as an adjective ("бывший", "данный",
    # "следующий", "открытая") has become one; keying it by the verb too joins it to every
    # form of the verb ("бывший" to "будет"). The reading with the higher summed score wins,
    # the adjective on a tie (the scores are mostly 0.5 / 0.5). GSD dev: about 30 such forms
    # lemmatised as adjectives, 17 as verbs, but by pairs 57 false ones go for 12 true ones:
    # recall 0.9606 -> 0.9556, precision 0.9241 -> 0.9476.
    if "PRTF" in tags and "ADJF" in tags:
        pairs = list(zip(parses, facts, strict=True))
        adjective = sum(parse.score for parse, fact in pairs if fact.pos == "ADJF")
        participle = sum(parse.score for parse, fact in pairs if fact.pos == "PRTF")
        dropped.add("PRTF" if adjective >= participle else "ADJF")
    return frozenset(dropped)


def _lemma(parse, facts: _TagFacts, parses: list, word: str) -> str:
    """The lemma a reading is keyed by: pymorphy3's normal form, but for two classes."""
    # A superlative is its own word ("лучший", "новейший", "крупнейший"), not a form of the
    # positive ("хороший", "новый"): keyed by itself it stops joining "лучшая" to
    # "хорошая". GSD dev lemmatises all 9 superlative words so; precision 0.9104 -> 0.9225.
    if facts.superlative:
        return _superlative_lemma(parse, word)
    # The possessives его/её/их are genitives of он/она/они: keyed by the personal
    # pronoun, as GSD does (dev recall 0.9556 -> 0.9579).
    if facts.possessive:
        for other in parses:
            if other.tag.POS == "NPRO":
                return other.normal_form
    return parse.normal_form


def _superlative_lemma(parse, word: str) -> str:
    """The masculine nominative singular of a superlative, from the word's own stem.

    pymorphy3 files лучший, наилучший and наихороший under хороший: of the superlative
    lemmas in that paradigm, the one sharing the longest beginning with ``word`` is taken.
    """
    best, best_shared = parse.normal_form, -1
    for form in parse.lexeme:
        if {"Supr", "masc", "sing", "nomn"} in form.tag:
            shared = next(
                (i for i, (a, b) in enumerate(zip(word, form.word, strict=False)) if a != b),
                min(len(word), len(form.word)),
            )
            if shared > best_shared:
                best, best_shared = form.word, shared
    return best


def _parses(word: str) -> list:
    """pymorphy3's parses of ``word``; none for a word it cannot look up."""
    try:
        return morph().parse(word)
    except ValueError:  # pymorphy3 looks up Unicode names; some letters have none (U+17000)
        return []


def scored_lemmas(word: str, parses: list | None = None) -> list[tuple[str, float]]:
    """Lemmas of a lower-case word with their summed parse scores, best first.

    ``parses`` are the word's parses when the caller has them already.

    >>> [lemma for lemma, _ in scored_lemmas("стали")]
    ['стать', 'сталь']
    """
    abbreviation = word.rstrip(".")
    if abbreviation in ABBREVIATIONS:
        return [(ABBREVIATIONS[abbreviation], 1.0)]
    if parses is None:
        parses = _parses(word)
    if not parses:
        return []
    facts = [_facts(parse.tag) for parse in parses]
    dropped = _dropped_classes(parses, facts)
    totals: dict[str, float] = {}
    for parse, fact in zip(parses, facts, strict=True):
        if fact.pos in dropped:
            continue
        lemma = _yo(_lemma(parse, fact, parses, word))
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
    chosen, surname = _word_lemmas(word)
    # A capitalised "-ов/-ев/-ин" word is a surname in the nominative far more often than
    # the genitive plural the dictionary offers ("Токаев" is not "of the Tokays"); without a
    # surname reading of its own, the form itself goes first, so that its fold key meets
    # the Kazakh spelling ("Тоқаев").
    if capitalised and word.endswith(_SURNAME_ENDINGS) and word not in chosen and not surname:
        return (word, *chosen)
    return chosen


@memoize(maxsize=200_000)
def _word_lemmas(word: str) -> tuple[tuple[str, ...], bool]:
    """A word's chosen lemmas, and whether pymorphy3 has a surname reading of it.

    Cached by the word alone, not by :func:`lemmas`' arguments: a word met both capitalised
    and not ("Президент", "президент") is parsed once, and so is a surname candidate.
    """
    parses = [] if word.rstrip(".") in ABBREVIATIONS else _parses(word)
    chosen = select_lemmas(scored_lemmas(word, parses)) or (word,)
    surname = word.endswith(_SURNAME_ENDINGS) and any("Surn" in parse.tag for parse in parses)
    return chosen, surname


lemmas.cache_clear = _word_lemmas.cache_clear  # type: ignore[attr-defined]  # as lru_cache offers


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
