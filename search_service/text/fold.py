"""Case and letter folding, and repair of words typed in two scripts at once.

All functions take one word (already cleaned by :mod:`search_service.text.tokenize`).
"""

from __future__ import annotations

import re

# After str.lower(): "ё" is spelled "е" (an explicit mapping, because generic accent folding
# would also turn "й" into "и"); stress accents go; and the dot that str.lower() leaves
# behind from "İ" ("İ".lower() is "i" + U+0307) goes, so "İ" becomes a plain "i".
_AFTER_LOWER = str.maketrans({"ё": "е", "\u0301": None, "\u0300": None, "\u0307": None})
_FOLDED_AFTER_LOWER = re.compile("[" + "".join(map(chr, _AFTER_LOWER)) + "]")

# Kazakh letters spelled the way Russian text spells the same names.
_KAZAKH_LETTERS, _AS_RUSSIAN = "әғқңөұүһі", "агкноуухи"
_NAME_FOLD = str.maketrans(_KAZAKH_LETTERS, _AS_RUSSIAN)

# Letters that Kazakh Latin spellings lose or write another way: the 2018 and 2021 alphabets
# write э as e and drop ь and ъ (``Kremlde`` for ``Кремльде``), so a Kazakh key is spelt the
# way every script can reach it.
_KAZAKH_KEY_FOLD = str.maketrans({"э": "е", "ь": None, "ъ": None})

# The skeleton: one spelling for every script and alphabet of a Kazakh word. On top of the
# name fold, the letters that Latin spellings (2018, 2021, informal ASCII) and Russian-style
# spellings of names do not tell apart meet: й and и (``ı``, ``i``, ``y``), я and иа (``ıa``,
# ``ia``), ю and иу, ц and тс, щ and ш, э and е, ь and ъ dropped.
_SKELETON = str.maketrans(
    {
        **dict(zip(_KAZAKH_LETTERS + "ёйэщ", _AS_RUSSIAN + "еиеш", strict=True)),
        "я": "иа",
        "ю": "иу",
        "ц": "тс",
        "ь": None,
        "ъ": None,
    }
)

# Letters that look the same in both scripts, by case (Latin "H" is Cyrillic "Н", but Latin
# "h" is Kazakh "һ"). Used only to repair a word that mixes the two scripts.
_LATIN_TWINS = "aAcCeEoOpPxXyYkKMmTtHhBbiI"
_CYRILLIC_TWINS = "аАсСеЕоОрРхХуУкКМмТтНһВьіІ"
_LATIN_TO_CYRILLIC = str.maketrans(_LATIN_TWINS, _CYRILLIC_TWINS)
_CYRILLIC_TO_LATIN = str.maketrans(_CYRILLIC_TWINS + "ҮүјЈѕЅԛԚԝԜ", _LATIN_TWINS + "YyjJsSqQwW")

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Basic and extended Latin letters (Kazakh Latin uses á ǵ ı ń ó ú ý ä ğ ñ ö ū ü ş).
_LATIN = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")


def fold_case(word: str) -> str:
    """Lower-case a word the way both languages need.

    >>> fold_case("Ёлка"), fold_case("Йошкар-Ола")
    ('елка', 'йошкар-ола')
    >>> fold_case("İLE"), len(fold_case("İ"))
    ('ile', 1)
    >>> fold_case("би\u0301тва")
    'битва'
    """
    lower = word.lower()
    # translate() looks up every letter in a dict: most words have none of these letters.
    if _FOLDED_AFTER_LOWER.search(lower) is None:
        return lower
    return lower.translate(_AFTER_LOWER)


def name_fold(key: str) -> str:
    """Spell Kazakh letters the Russian way, so Kazakh and Russian spellings of a name meet.

    >>> name_fold("тоқаев"), name_fold("әлихан"), name_fold("нұр-сұлтан")
    ('токаев', 'алихан', 'нур-султан')
    """
    return key.translate(_NAME_FOLD)


def kazakh_key_fold(key: str) -> str:
    """A Kazakh key as every script spells it: ``э`` is ``е``, ``ь`` and ``ъ`` go.

    >>> kazakh_key_fold("экономика"), kazakh_key_fold("кремль"), kazakh_key_fold("съезд")
    ('економика', 'кремл', 'сезд')
    """
    return key.translate(_KAZAKH_KEY_FOLD)


def skeleton(key: str) -> str:
    """The spelling every script and alphabet of a Kazakh word meets at (the ``fold`` key).

    >>> skeleton("тоқаев"), skeleton("жеңілдік"), skeleton("тыйым"), skeleton("полиция")
    ('токаев', 'женилдик', 'тыиым', 'политсииа')
    >>> skeleton("биатлон") == skeleton("бятлон")
    True

    Not so yet: the Russian-style я after и (эстония) and ``ia`` typed for it (Estonia) do
    not meet, since я becomes иа and the и before it stays (естонииа, естониа).

    >>> skeleton("эстония") == skeleton("естониа")  # doctest: +SKIP
    True
    """
    return key.translate(_SKELETON)


def is_cyrillic(word: str) -> bool:
    """True if the word has a Cyrillic letter.

    >>> is_cyrillic("Kaspi"), is_cyrillic("Қазақстан")
    (False, True)
    """
    return _CYRILLIC.search(word) is not None


def is_latin(word: str) -> bool:
    """True if the word has a Latin letter (basic or extended).

    >>> is_latin("Qazaqstanǵa"), is_latin("ҚР")
    (True, False)
    """
    return _LATIN.search(word) is not None


def repair_script(word: str) -> str:
    """Rewrite a word that mixes Cyrillic and Latin letters in one script.

    Letters are swapped only for their look-alike twins; the word goes to the script that
    all its letters can be written in, and when both would do, to the script most of its
    letters already use. A word that cannot be written in one script is left alone.

    >>> repair_script("Кампaния") == "Кампания"
    True
    >>> repair_script("КаzТrаnsCоm")
    'KazTransCom'
    >>> repair_script("BІShKEK")
    'BIShKEK'
    >>> repair_script("Kaspi"), repair_script("Қазақстан")
    ('Kaspi', 'Қазақстан')
    """
    cyrillic = len(_CYRILLIC.findall(word))
    if not cyrillic:
        return word
    latin = len(_LATIN.findall(word))
    if not latin:
        return word
    as_cyrillic = word.translate(_LATIN_TO_CYRILLIC)
    as_latin = word.translate(_CYRILLIC_TO_LATIN)
    cyrillic_ok = not _LATIN.search(as_cyrillic)
    latin_ok = not _CYRILLIC.search(as_latin)
    if cyrillic_ok and (not latin_ok or cyrillic >= latin):
        return as_cyrillic
    if latin_ok:
        return as_latin
    return word
