"""Kazakh index keys: a lexicon-checked suffix stripper, stop words and the word lists it uses.

Kazakh is agglutinative: a noun takes plural, possessive, case and predicative endings in a fixed
order (``қала-лар-ы-нда-ғы``), a verb takes voice, negation, tense/aspect and person
(``қарастыр-ыл-ма-ды``), and a participle or verbal noun turns a verb into a noun that takes the
nominal endings again (``айт-қан-ы-на``). Each ending has variants chosen by the sound it follows
(``-лар`` after a vowel, ``-дар`` after л/м/н, ``-тар`` after a voiceless consonant).

:func:`stem` peels endings off from the right through that order, tries every way of doing so, and
keeps the shortest remainder that a lexicon knows as a noun stem or verb root (the lexicon is the
precision: without it ``бала`` would lose its ``-а``). Verbs go back to the bare root, as the
UD Kazakh treebank lemmatises them (``шыққан`` -> ``шық``), so a verb's participles, converbs and
verbal nouns meet its finite forms (``сайлау``, ``сайлады`` -> ``сайла``). Words the lexicon does
not know (names, new loanwords) only lose nominal endings, down to a minimum length.

Word lists, in ``data/``: ``kk_nouns.txt`` and ``kk_verbs.txt`` come from the Debian
``hunspell-kk`` dictionary (see their headers); ``kk_places.txt`` and the tables below are ours.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import NamedTuple

_DATA = Path(__file__).parent / "data"

_VOWELS = frozenset("аәеиоөұүыіэюяё")

# Sound classes of the last letter of a stem; they choose the variant of an ending. у and й
# after a vowel behave like р (``сайлауға``, ``сайлаудың``). б/в/г/д end only loanwords, which
# take the voiceless variants (``клубта``, ``парламентке``).
_SONORANT_R = frozenset("руй")
_LATERAL = frozenset("л")
_NASAL = frozenset("мнң")
_VOICED = frozenset("жз")
_VOICELESS = frozenset("кқпстфхцчшщбвгдһ")

MIN_STEM = 2
MIN_GUESSED_STEM = 3  # for words the lexicon does not know, strip less eagerly


def _read_words(name: str) -> frozenset[str]:
    path = _DATA / name
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


NOUNS = _read_words("kk_nouns.txt")
VERBS = _read_words("kk_verbs.txt")
PLACES = _read_words("kk_places.txt")


# Function words: postpositions, conjunctions, particles and pronouns. Several look inflected
# (``туралы``, ``арқылы``, ``бойынша``, ``кейін``), so :func:`stem` must not cut them.
STOPWORDS: frozenset[str] = frozenset(
    [
        "және",
        "мен",
        "бен",
        "пен",
        "да",
        "де",
        "та",
        "те",
        "ма",
        "ме",
        "ба",
        "бе",
        "па",
        "пе",
        "ғой",
        "қой",
        "ғана",
        "қана",
        "тек",
        "әрі",
        "бірақ",
        "алайда",
        "дегенмен",
        "немесе",
        "не",
        "яки",
        "я",
        "болмаса",
        "әйтпесе",
        "себебі",
        "өйткені",
        "сондықтан",
        "егер",
        "онда",
        "үшін",
        "туралы",
        "арқылы",
        "бойынша",
        "сияқты",
        "секілді",
        "тәрізді",
        "кейін",
        "дейін",
        "шейін",
        "бері",
        "соң",
        "бұрын",
        "қарай",
        "гөрі",
        "қарағанда",
        "сайын",
        "тарапынан",
        "ретінде",
        "жөнінде",
        "жайында",
        "жайлы",
        "қатысты",
        "байланысты",
        "ол",
        "бұл",
        "осы",
        "сол",
        "мына",
        "мынау",
        "анау",
        "сонау",
        "ана",
        "мен",
        "сен",
        "сіз",
        "біз",
        "олар",
        "бұлар",
        "осылар",
        "солар",
        "оның",
        "оған",
        "оны",
        "онда",
        "одан",
        "онымен",
        "бұның",
        "мұның",
        "бұған",
        "мұған",
        "мұны",
        "бұны",
        "мұнда",
        "бұнда",
        "бұдан",
        "мұнан",
        "осының",
        "осыған",
        "осыны",
        "осында",
        "осыдан",
        "сонда",
        "содан",
        "соны",
        "соған",
        "соның",
        "менің",
        "маған",
        "мені",
        "менде",
        "менен",
        "сенің",
        "саған",
        "сені",
        "біздің",
        "бізге",
        "бізді",
        "сіздің",
        "сізге",
        "сізді",
        "олардың",
        "оларға",
        "оларды",
        "оларда",
        "олардан",
        "кім",
        "не",
        "қандай",
        "қай",
        "қашан",
        "қайда",
        "неге",
        "неліктен",
        "қалай",
        "қанша",
        "еді",
        "екен",
        "емес",
        "ғой",
        "әлі",
        "енді",
        "тағы",
        "ақ",
        "әрине",
        "дейді",
        "деп",
        "деген",
    ]
)

# Irregular forms: pronoun cases and the verb де- "say", whose forms are short enough to look
# like anything else.
EXCEPTIONS: dict[str, str] = {
    **dict.fromkeys(["мені", "менің", "маған", "менде", "менен", "менімен"], "мен"),
    **dict.fromkeys(["сені", "сенің", "саған", "сенде", "сенен", "сенімен"], "сен"),
    **dict.fromkeys(["оның", "оған", "оны", "онда", "одан", "онымен"], "ол"),
    **dict.fromkeys(["бізді", "біздің", "бізге", "бізде", "бізден", "бізбен"], "біз"),
    **dict.fromkeys(["сізді", "сіздің", "сізге", "сізде", "сізден", "сізбен"], "сіз"),
    **dict.fromkeys(["оларды", "олардың", "оларға", "оларда", "олардан", "олармен"], "олар"),
    **dict.fromkeys(
        ["бұның", "мұның", "бұған", "мұған", "мұны", "бұны", "мұнда", "бұнда", "бұдан", "мұнан"],
        "бұл",
    ),
    **dict.fromkeys(["соның", "соған", "соны", "сонда", "содан", "сонымен"], "сол"),
    **dict.fromkeys(
        [
            "деп",
            "деді",
            "дейді",
            "деген",
            "деген",
            "деу",
            "деуге",
            "деуі",
            "десе",
            "дер",
            "деймін",
            "дейміз",
        ],
        "де",
    ),
    **dict.fromkeys(["еді", "екен", "емес"], "е"),
}

# Words that stay whole though they end like an inflection (the ``PLACES`` file adds towns).
_KEEP = STOPWORDS - EXCEPTIONS.keys()


class _Ending(NamedTuple):
    chain: str  # "N" nominal or "V" verbal: the word it attaches to
    rank: int  # endings are stripped right to left in falling rank
    left_chain: str  # the chain of what is left after stripping it
    left_rank: int  # highest rank allowed on the left
    after: frozenset[str]  # sound classes it may follow: "V" vowel, "R", "L", "N", "Z", "T"


def _sound_class(stem: str) -> str:
    last = stem[-1]
    if last in _VOWELS:
        return "V"
    if last in _SONORANT_R:
        return "V" if len(stem) < 2 or stem[-2] not in _VOWELS else "R"
    if last in _LATERAL:
        return "L"
    if last in _NASAL:
        return "N"
    if last in _VOICED:
        return "Z"
    return "T"


_ANY = "VRLNZT"
_CONS = "RLNZT"

# Nominal ranks, right to left: predicative person > similative > case > possessive > plural.
# Participles and verbal nouns (rank 0, allowed anywhere) hand over to the verbal chain;
# -ғы/-гі after a locative makes a new adjective that takes the nominal endings again.
_N_PRED, _N_SIM, _N_CASE, _N_POSS, _N_PLUR = 60, 50, 40, 30, 20
# Verbal ranks: person > tense/aspect/mood > negation > passive.
_V_PERS, _V_TENSE, _V_NEG, _V_VOICE = 90, 80, 70, 60

# (variants, chain, rank, left chain, left rank, sound classes it follows)
_TABLE: list[tuple[str, str, int, str, int, str]] = [
    # nominal: plural
    ("лар лер", "N", _N_PLUR, "N", _N_PLUR - 1, "VR"),
    ("дар дер", "N", _N_PLUR, "N", _N_PLUR - 1, "LNZ"),
    ("тар тер", "N", _N_PLUR, "N", _N_PLUR - 1, "T"),
    # possessive
    ("ым ім ың ің ы і ымыз іміз ыңыз іңіз", "N", _N_POSS, "N", _N_PLUR, _CONS),
    ("м ң сы сі мыз міз ңыз ңіз", "N", _N_POSS, "N", _N_PLUR, "V"),
    ("лары лері дары дері тары тері", "N", _N_POSS, "N", _N_PLUR - 1, _ANY),
    # case, plain
    ("ның нің", "N", _N_CASE, "N", _N_POSS, "VN"),
    ("дың дің", "N", _N_CASE, "N", _N_POSS, "RLZ"),
    ("тың тің", "N", _N_CASE, "N", _N_POSS, "T"),
    ("ға ге", "N", _N_CASE, "N", _N_POSS, "VRLNZ"),
    ("қа ке", "N", _N_CASE, "N", _N_POSS, "T"),
    ("да де", "N", _N_CASE, "N", _N_POSS, "VRLNZ"),
    ("та те", "N", _N_CASE, "N", _N_POSS, "T"),
    ("дан ден", "N", _N_CASE, "N", _N_POSS, "VRLZ"),
    ("нан нен", "N", _N_CASE, "N", _N_POSS, "N"),
    ("тан тен", "N", _N_CASE, "N", _N_POSS, "T"),
    ("ны ні", "N", _N_CASE, "N", _N_POSS, "V"),
    ("ды ді", "N", _N_CASE, "N", _N_POSS, "RLNZ"),
    ("ты ті", "N", _N_CASE, "N", _N_POSS, "T"),
    ("мен", "N", _N_CASE, "N", _N_POSS, "VRLN"),
    ("бен", "N", _N_CASE, "N", _N_POSS, "Z"),
    ("пен", "N", _N_CASE, "N", _N_POSS, "T"),
    # case after a possessive: 3rd person -ы/-сы takes н-forms, 1st/2nd take a bare -а/-е
    (
        "ына іне сына сіне ында інде сында сінде ынан інен сынан сінен ын ін сын сін",
        "N",
        _N_CASE,
        "N",
        _N_PLUR,
        _ANY,
    ),
    (
        "ларына леріне дарына деріне тарына теріне ларында лерінде дарында дерінде тарында "
        "терінде ларынан лерінен дарынан дерінен тарынан терінен ларын лерін дарын дерін тарын "
        "терін",
        "N",
        _N_CASE,
        "N",
        _N_PLUR - 1,
        _ANY,
    ),
    ("ыма іме ма ме ыңа іңе ңа ңе", "N", _N_CASE, "N", _N_PLUR, _ANY),
    # similative and manner
    ("дай дей тай тей ндай ндей ша ше нша нше", "N", _N_SIM, "N", _N_CASE, _ANY),
    # predicative person (copula endings)
    (
        "мын мін бын бін пын пін сың сің сыз сіз мыз міз быз біз пыз піз",
        "N",
        _N_PRED,
        "N",
        _N_SIM,
        _ANY,
    ),
    # -ғы/-гі adjectives from a locative or a time word: a fresh nominal stem
    ("дағы дегі тағы тегі ндағы ндегі", "N", 0, "N", _N_POSS, _ANY),
    # participles and verbal nouns: nominal on the right, verbal on the left
    ("ған ген", "N", 0, "V", _V_NEG, "VRLNZ"),
    ("қан кен", "N", 0, "V", _V_NEG, "T"),
    ("ғандық гендік", "N", 0, "V", _V_NEG, "VRLNZ"),
    ("қандық кендік", "N", 0, "V", _V_NEG, "T"),
    ("у", "N", 0, "V", _V_NEG, "V" + _CONS),
    ("ушы уші", "N", 0, "V", _V_NEG, "V" + _CONS),
    ("атын етін", "N", 0, "V", _V_NEG, _CONS),
    ("йтын йтін", "N", 0, "V", _V_NEG, "V"),
    ("ар ер арлық ерлік", "N", 0, "V", _V_NEG, _CONS),
    ("р рлық рлік", "N", 0, "V", _V_NEG, "V"),
    ("мақ мек бақ бек пақ пек", "N", 0, "V", _V_NEG, _ANY),
    ("мас мес бас бес пас пес", "N", 0, "V", _V_VOICE, _ANY),
    # verbal: person
    # (left chain "T": a tense ending must come next, ал-а-мын, not ала-мын)
    ("м ң қ к ңыз ңіз ңдар ңдер ңыздар ңіздер", "V", _V_PERS, "T", _V_TENSE, "V"),
    (
        "мын мін бын бін пын пін сың сің сыз сіз мыз міз быз біз пыз піз",
        "V",
        _V_PERS,
        "T",
        _V_TENSE,
        _ANY,
    ),
    # present tense, 3rd person
    ("ады еді иды иді", "V", _V_TENSE, "V", _V_NEG, _CONS),
    ("йды йді", "V", _V_TENSE, "V", _V_NEG, "V"),
    # tense, aspect, mood
    ("ды ді", "V", _V_TENSE, "V", _V_NEG, "VRLNZ"),
    ("ты ті", "V", _V_TENSE, "V", _V_NEG, "T"),
    ("а е", "V", _V_TENSE, "V", _V_NEG, _CONS),
    ("й", "V", _V_TENSE, "V", _V_NEG, "V"),
    ("и", "V", _V_TENSE, "V", _V_NEG, _CONS),  # оқы + й is written оқи-
    ("ып іп", "V", _V_TENSE, "V", _V_NEG, _CONS),
    ("п", "V", _V_TENSE, "V", _V_NEG, "V"),
    ("са се", "V", _V_TENSE, "V", _V_NEG, _ANY),
    ("сын сін", "V", _V_TENSE, "V", _V_NEG, _ANY),
    ("ыңыз іңіз ыңдар іңдер", "V", _V_TENSE, "V", _V_NEG, _CONS),
    ("шы ші", "V", _V_TENSE, "V", _V_NEG, _ANY),
    ("айын ейін айық ейік", "V", _V_TENSE, "V", _V_NEG, _CONS),
    ("йын йін йық йік", "V", _V_TENSE, "V", _V_NEG, "V"),
    ("ған ген ғалы гелі ғанша генше ғай гей", "V", _V_TENSE, "V", _V_NEG, "VRLNZ"),
    ("қан кен қалы келі қанша кенше қай кей", "V", _V_TENSE, "V", _V_NEG, "T"),
    ("мақшы мекші бақшы бекші пақшы пекші", "V", _V_TENSE, "V", _V_NEG, _ANY),
    ("ар ер", "V", _V_TENSE, "V", _V_NEG, _CONS),
    ("р", "V", _V_TENSE, "V", _V_NEG, "V"),
    # negation
    ("ма ме", "V", _V_NEG, "V", _V_VOICE, "VRL"),
    ("ба бе", "V", _V_NEG, "V", _V_VOICE, "NZ"),
    ("па пе", "V", _V_NEG, "V", _V_VOICE, "T"),
    # passive: the treebank lemmatises сатылып to сат
    ("ыл іл", "V", _V_VOICE, "V", 0, _CONS),
    ("л", "V", _V_VOICE, "V", 0, "V"),
]


def _build_endings() -> dict[str, tuple[_Ending, ...]]:
    endings: dict[str, list[_Ending]] = {}
    for variants, chain, rank, left_chain, left_rank, after in _TABLE:
        entry = _Ending(chain, rank, left_chain, left_rank, frozenset(after))
        for text in variants.split():
            endings.setdefault(text, []).append(entry)
    return {text: tuple(entries) for text, entries in endings.items()}


_ENDINGS = _build_endings()

# Endings that also derive new words. A word listed in the lexicon that can only be cut by
# removing one of these last is taken as a word of its own (жер is not же- + -р, білім is not
# біл + -ім, ішкі is not іш + -кі); inflectional endings are cut even from listed words, because
# the dictionary lists many inflected forms (басы, болды).
_LEXICAL_ENDINGS = frozenset(
    [
        "ар",
        "ер",
        "р",
        "мақ",
        "мек",
        "бақ",
        "бек",
        "пақ",
        "пек",
        "ым",
        "ім",
        "ғы",
        "гі",
        "қы",
        "кі",
        "ыл",
        "іл",
        "л",
        "ын",
        "ін",
        "ша",
        "ше",
        "нша",
        "нше",
        "дай",
        "дей",
        "тай",
        "тей",
        "ушы",
        "уші",
        "мас",
        "мес",
        "бас",
        "бес",
        "пас",
        "пес",
        "у",
    ]
)
_LONGEST = max(map(len, _ENDINGS))
_DEVOICE = str.maketrans("бгғ", "пкқ")


def _known(stem: str, chain: str) -> str | None:
    """The lexicon form of a stripped remainder, undoing stem alternations, or None.

    >>> _known("кітаб", "N"), _known("ауз", "N"), _known("оқы", "V")
    ('кітап', 'ауыз', 'оқ')
    """
    if chain == "T":
        return None
    if chain == "V":
        return _verb_root(stem)
    if stem in NOUNS:
        return stem
    # a voiceless final voices between vowels: кітап -> кітабы, құлақ -> құлағы
    if stem[-1] in "бгғ":
        devoiced = stem[:-1] + stem[-1].translate(_DEVOICE)
        if devoiced in NOUNS:
            return devoiced
    # a narrow vowel drops before a vowel ending: ауыз -> аузы, орын -> орны
    if len(stem) >= 3 and stem[-1] not in _VOWELS and stem[-2] not in _VOWELS:
        for vowel in "ыі":
            full = stem[:-1] + vowel + stem[-1]
            if full in NOUNS:
                return full
    return None


def _verb_root(stem: str) -> str | None:
    """The bare root of a verb stem, or None if it is not a known verb.

    The root is what the treebank lemmatises to: the passive is dropped (сатыл- -> сат-), a
    final б/г/ғ is written voiceless (таб-ады -> тап), and оқы- is listed as оқ(у).
    """
    if stem[-1] in "бгғ":
        stem = stem[:-1] + stem[-1].translate(_DEVOICE)
    for root in (stem, stem[:-1] + "ы", stem[:-1] + "і") if stem[-1] in "ыі" else (stem,):
        if root in VERBS:
            break
    else:
        if stem + "ы" in VERBS or stem + "і" in VERBS:  # ест-иді: і + й is written и
            return stem + ("ы" if stem + "ы" in VERBS else "і")
        if len(stem) >= 3 and stem[-1] not in _VOWELS and stem[-2] not in _VOWELS:
            for vowel in "ыі":  # қорқ-ады: the root is қорық
                full = stem[:-1] + vowel + stem[-1]
                if full in VERBS:
                    return full
        return None
    if root[-1] in "ыі" and root[:-1] in VERBS:
        root = root[:-1]
    for passive in ("ыл", "іл", "ын", "ін"):
        # -ын is the passive only after л (сал-ын-); elsewhere it is reflexive and kept
        if root.endswith(passive) and (passive[1] == "л" or root[-3:-2] == "л"):
            base = root[: -len(passive)]
            if len(base) >= 2 and base in VERBS:
                return base
    return root


def _is_place(stem: str) -> bool:
    return stem in PLACES or stem.endswith("стан")


def _strippings(
    word: str, todo: list[tuple[str, str, int, int]] | None = None
) -> list[tuple[str, str, int, str]]:
    """Every (remainder, chain, endings removed, outermost ending) reachable from ``word``."""
    found = []
    seen = set()
    if todo is None:
        todo = [(word, "N", 100, 0, ""), (word, "V", 100, 0, "")]
    while todo:
        state = todo.pop()
        stem, chain, max_rank, depth, outer = state
        if state[:3] in seen:
            continue
        seen.add(state[:3])
        found.append((stem, chain, depth, outer))
        if depth and (_is_place(stem) or stem in _KEEP):
            continue
        for size in range(1, min(_LONGEST, len(stem) - MIN_STEM) + 1):
            entries = _ENDINGS.get(stem[-size:])
            if not entries:
                continue
            rest = stem[:-size]
            sound = _sound_class(rest)
            for ending in entries:
                if chain == "T":  # right after a person ending: only a tense ending fits
                    fits = ending.chain == "V" and ending.rank == _V_TENSE
                else:
                    fits = ending.chain == chain and ending.rank <= max_rank
                if fits and sound in ending.after:
                    todo.append(
                        (
                            rest,
                            ending.left_chain,
                            ending.left_rank,
                            depth + 1,
                            outer or stem[-size:],
                        )
                    )
    return found


@cache
def stem(word: str) -> str:
    """Index key of one lower-cased Cyrillic Kazakh word (ё already folded to е).

    >>> [stem(w) for w in ("сайлау", "сайлауы", "сайлауда", "сайлауға")]
    ['сайла', 'сайла', 'сайла', 'сайла']
    >>> stem("конституцияның"), stem("қазақстанға"), stem("кітабы")
    ('конституция', 'қазақстан', 'кітап')
    """
    if word in EXCEPTIONS:
        return EXCEPTIONS[word]
    if word in _KEEP or word in PLACES or len(word) <= MIN_STEM:
        return word
    best: dict[str, tuple] = {}
    guess: tuple[int, str] | None = None
    for rest, chain, depth, outer in _strippings(word):
        if _is_place(rest):
            return rest  # a name guards its own ending: қазақстан-ға, not қазақ-стан-ға
        known = _known(rest, chain)
        if known is not None:
            # fewest endings win (the lexicon lists stems, so a listed word is its own stem),
            # then nouns before verbs, then the longer stem
            # nouns: the shortest stem; verbs: the fewest endings (жаса-ды, not жас-а-ды)
            candidate = (len(known) if chain == "N" else (depth, -len(known)), known, outer)
            if chain not in best or candidate < best[chain]:
                best[chain] = candidate
        elif (
            chain == "N"
            and len(rest) >= MIN_GUESSED_STEM
            and (guess is None or len(rest) < guess[0])
        ):
            guess = (len(rest), rest)
    if best:
        # the shorter of the best noun and the best verb reading; a noun on a tie
        _, known, outer = min(
            (len(choice[1]), chain == "V", choice[1], choice[2]) for chain, choice in best.items()
        )[1:]
        if word in NOUNS and outer in _LEXICAL_ENDINGS:
            return word  # a listed word whose ending may be derivational: жер, білім, ішкі
        return known
    if guess is not None:
        return guess[1]
    return word
