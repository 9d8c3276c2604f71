"""Kazakh Latin <-> Cyrillic.

Three Latin spellings reach the archive and the search box, and they disagree on letters:

====  ===========  ===========  ========================================================
Cyr   2018 decree  2021 draft   informal ASCII (what people type)
====  ===========  ===========  ========================================================
а ә   a á          a ä          a
б в   b v          b v          b v
г ғ   g ǵ          g ğ          g (ғ next to a back vowel, else г)
д е   d e          d e          d e
ж з   j z          j z          j / zh, z
и й   ı            i (İ i)      i / y (й after a vowel)
і     i (agency: Cyrillic І    ı (I ı)      i
      for capital і)
к қ   k q          k q          k (қ next to a back vowel, unless the word uses q), q
л м н l m n        l m n        l m n
ң     ń            ñ            n
о ө   o ó          o ö          o
п р   p r          p r          p r
с т   s t          s t          s t
у     ý            u            u / w
ұ ү   u ú          ū ü          u
ф х   f h          f h          f h / kh
ч ш   ch sh        ç ş          ch sh
ы     y            y            y
ц     ts           ts           ts
я ю   ıa ıý        ia iu        ya yu
====  ===========  ===========  ========================================================

So 2018 ``i`` is і but 2021 ``i`` is и/й, and 2018 ``u`` is ұ but 2021 ``u`` is у:
:func:`detect_variant` decides first. In the 2018 alphabet capital ``I`` is the capital of both
``i`` (і) and ``ı`` (и/й); the agency's Latin edition writes capital і as a Cyrillic ``І``
(``Іle``, ``BІShKEK``) and Latin ``I`` only for и/й (``Iran``, ``Izraıl``), and so do we.
Case is mapped letter by letter, never with ``str.lower()`` (``"İ".lower()`` is two characters).
"""

from __future__ import annotations

import re

_2018_MARKS = frozenset("áǵıńóúýÁǴŃÓÚÝ")
_2021_MARKS = frozenset("äğñöūüşçÄĞÑÖŪÜŞÇİ")
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏІі]+")

_COMMON = {
    "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "j": "ж", "k": "к",
    "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с", "t": "т",
    "v": "в", "y": "ы", "z": "з", "w": "у", "c": "ц", "x": "кс", "і": "і",
    # letters that mean the same wherever they occur (a 2018 text quoting a 2021 name)
    "á": "ә", "ǵ": "ғ", "ń": "ң", "ó": "ө", "ú": "ү", "ý": "у",
    "ä": "ә", "ğ": "ғ", "ñ": "ң", "ö": "ө", "ū": "ұ", "ü": "ү", "ş": "ш", "ç": "ч",
}  # fmt: skip
_LETTERS = {
    "2018": {**_COMMON, "i": "і", "ı": "и", "u": "ұ"},
    "2021": {**_COMMON, "ı": "і", "i": "и", "u": "у"},
    "ascii": {**_COMMON, "i": "і", "u": "у"},
}  # fmt: skip
# Capitals whose small letter is not what str.lower() gives.
_CAPITALS = {
    "2018": {"I": "ı", "І": "і"},
    "2021": {"I": "ı", "İ": "i", "І": "ı"},
    "ascii": {"І": "і"},
}
_DIGRAPHS = {"sh": "ш", "ch": "ч", "zh": "ж", "kh": "х"}
_BACK = frozenset("aouyıū")  # back vowels (Latin), for the ASCII к/қ and г/ғ guess
_FRONT = frozenset("eiáóúäöüі")
_VOWEL_CYR = frozenset("аәеиоөұүыіэюяу")
_SOFT_I = {"2018": "ı", "2021": "i", "ascii": "i"}  # the letter for и, which ц precedes in loans


# Counted with a regex: a whole document's letters, in C.
_2018_MARKS_RE = re.compile("[" + re.escape("".join(sorted(_2018_MARKS))) + "]")
_2018_ONLY_RE = re.compile("[" + re.escape("".join(sorted(_2018_MARKS - {"ı"}))) + "]")
_2021_MARKS_RE = re.compile("[" + re.escape("".join(sorted(_2021_MARKS))) + "]")


def detect_variant(text: str) -> str:
    """Which Latin Kazakh alphabet a Latin-script text uses: ``2018``, ``2021`` or ``ascii``.

    ``2018`` has the acute letters á ǵ ı ń ó ú ý and the digraphs sh ch; ``2021`` has ä ğ ñ ö ū
    ü ş ç and the dotted/dotless pair İ i (и/й) / I ı (і); ``ascii`` is informal typing without
    either. Works on a whole document and on a one-word query.

    >>> detect_variant("Qazaqstanǵa"), detect_variant("Qazaqstanğa"), detect_variant("shygys")
    ('2018', '2021', 'ascii')
    """
    marks_2018 = len(_2018_MARKS_RE.findall(text))
    marks_2021 = len(_2021_MARKS_RE.findall(text))
    if marks_2021 > marks_2018:
        return "2021"
    if marks_2018:
        return "2018"
    return "ascii"


ALL_VARIANTS = ("2018", "ascii", "2021")


def possible_variants(text: str) -> tuple[str, ...]:
    """The Latin alphabets a query may be typed in, decided for the whole query.

    Its letters decide when they can (an acute letter is 2018, ``ä ğ ñ ö ū ü ş ç İ`` are
    2021); a query with neither may be any of them: the agency's 2018 edition writes many
    words without an acute letter (``Kazinform``, ``doktor``), and so do 2021 and informal
    typing (``prezident``), each reading the same letters differently.

    >>> possible_variants("Frantsiia ölım"), possible_variants("Qazaqstanǵa")
    (('2021',), ('2018',))
    >>> possible_variants("bılım"), possible_variants("Kazinform")
    (('2018', '2021'), ('2018', 'ascii', '2021'))
    """
    marks_2018 = len(_2018_ONLY_RE.findall(text))
    marks_2021 = len(_2021_MARKS_RE.findall(text))
    if marks_2021 > marks_2018:
        return ("2021",)
    if marks_2018:
        return ("2018",)
    if "ı" in text:  # и/й in 2018, і in 2021
        return ("2018", "2021")
    return ALL_VARIANTS


def latin_letters(variant: str) -> frozenset[str]:
    """The small letters of a Latin Kazakh alphabet (``2018``, ``2021`` or ``ascii``).

    >>> "".join(sorted(latin_letters("2018") - latin_letters("ascii")))
    'áóúýıńǵ'
    >>> "".join(sorted(latin_letters("2021") - latin_letters("ascii")))
    'äçñöüğışū'
    """
    marks = {"2018": _2018_MARKS, "2021": _2021_MARKS | {"ı"}}.get(variant, frozenset())
    return frozenset("abcdefghijklmnopqrstuvwxyz") | {mark for mark in marks if mark.islower()}


def _small(ch: str, variant: str) -> str:
    special = _CAPITALS[variant].get(ch)
    if special is not None:
        return special
    low = ch.lower()
    return low if len(low) == 1 else ch


def _is_back(letters: str, i: int) -> bool:
    """For ASCII к/қ and г/ғ: is the nearest vowel (next one, else previous) a back vowel?"""
    for j in list(range(i + 1, len(letters))) + list(range(i - 1, -1, -1)):
        if letters[j] in _BACK:
            return True
        if letters[j] in _FRONT:
            return False
    return False


def _word_to_cyrillic(word: str, variant: str) -> str:
    letters = "".join(_small(ch, variant) for ch in word)
    table = _LETTERS[variant]
    uses_q = "q" in letters
    out: list[str] = []
    upper: list[bool] = []
    i = 0
    while i < len(letters):
        pair = letters[i : i + 2]
        nxt = letters[i + 2 : i + 3]
        prev = out[-1] if out else ""
        take = 1
        if (variant == "2018" and pair in ("ıa", "ıý", "ıu")) or (
            variant == "2021"
            and pair
            in (
                "ia",
                "iu",
            )
        ):
            cyr, take = ("я" if pair[1] == "a" else "ю"), 2
        elif variant == "ascii" and pair in ("ya", "yu") and (not prev or prev in _VOWEL_CYR):
            cyr, take = ("я" if pair == "ya" else "ю"), 2
        elif pair == "ts" and (i == 0 or nxt == _SOFT_I[variant]):
            # ц in loanwords (operatsııa, tsentr); elsewhere т + с (aıtsa, ketse)
            cyr, take = "ц", 2
        elif (
            pair in _DIGRAPHS
            and (pair != "zh" or variant == "ascii")
            and (pair != "kh" or variant == "ascii")
        ):
            cyr, take = _DIGRAPHS[pair], 2
        else:
            ch = letters[i]
            cyr = table.get(ch, ch)
            if cyr == "и" and prev and prev in _VOWEL_CYR and prev != "у":
                cyr = "й"  # aıtty, keıin, saılaý: ı after a vowel is й
            elif variant == "ascii" and ch == "y" and prev and prev in _VOWEL_CYR:
                following = letters[i + 1 : i + 2]
                if following == "e":
                    cyr, take = "е", 2  # Tokayev, Nazarbayev: the Russian-style е after a vowel
                elif following in ("", *"bdfghjklmnpqrstvwxz", *"aou"):
                    cyr = "й"  # saylau, Maykl, Kayyrbek
            elif variant == "ascii" and ch in "kg" and _is_back(letters, i):
                cyr = {"k": "к" if uses_q else "қ", "g": "ғ"}[ch]
            elif variant == "ascii" and ch == "i" and _is_back(letters, i):
                cyr = "и"  # a back-vowel word: mıllıon, not міллион
        out.append(cyr)
        upper.append(word[i].isupper())
        i += take
    return "".join(_case(cyr, up) for cyr, up in zip(out, upper, strict=True))


def _case(cyr: str, upper: bool) -> str:
    return cyr.upper() if upper else cyr


def latin_to_cyrillic(text: str, variant: str | None = None) -> str:
    """Convert Latin Kazakh to Cyrillic; ``variant`` None means detect it from ``text``.

    Keeps case and everything that is not a letter; works on words and on running text.

    >>> latin_to_cyrillic("Qazaqstanǵa aıtty: jarııalanǵan ýaqyt úshin")
    'Қазақстанға айтты: жарияланған уақыт үшін'
    >>> latin_to_cyrillic("BІShKEK"), latin_to_cyrillic("İlim ısı", "2021")
    ('БІШКЕК', 'Илим ісі')
    """
    if variant is None:
        variant = detect_variant(text)
    return _LATIN_WORD.sub(lambda m: _word_to_cyrillic(m.group(), variant), text)


_TO_LATIN = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ё": "io",
    "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū",
    "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ç", "ш": "ş", "щ": "şş", "ъ": "",
    "ы": "y", "і": "ı", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
_TO_LATIN_UPPER = {"і": "I", "и": "İ", "й": "İ"}  # not what str.upper() gives for ı and i


def cyrillic_to_latin(text: str) -> str:
    """Cyrillic Kazakh to the 2021 Latin alphabet (for display and suggestions).

    >>> cyrillic_to_latin("Қазақстан Ішкі істер министрлігі")
    'Qazaqstan Işkı ıster ministrlıgı'
    """
    out = []
    for i, ch in enumerate(text):
        low = ch.lower()
        latin = _TO_LATIN.get(low)
        if latin is None:
            out.append(ch)
        elif ch == low or not latin:
            out.append(latin)
        else:
            upper = _TO_LATIN_UPPER.get(low, latin.upper())
            # a two-letter capital stays capital only inside a capitalised word: ŞŞ, Ts
            following = text[i + 1 : i + 2]
            out.append(upper if len(upper) == 1 or following.isupper() else upper.capitalize())
    return "".join(out)
