"""Kazakh index keys: a lexicon-checked suffix stripper, stop words and the word lists it uses.

Kazakh is agglutinative: a noun takes plural, possessive, case and predicative endings in a fixed
order (``қала-лар-ы-нда-ғы``), a verb takes voice, negation, tense/aspect and person
(``қарастыр-ыл-ма-ды``), and a participle or verbal noun turns a verb into a noun that takes the
nominal endings again (``айт-қан-ы-на``). Each ending has variants chosen by the sound it follows
(``-лар`` after a vowel, ``-дар`` after л/м/н, ``-тар`` after a voiceless consonant).

:func:`stem` peels endings off from the right through that order, tries every way of doing so, and
keeps a remainder that a lexicon knows as a noun stem or verb root (the lexicon is the precision:
without it ``бала`` would lose its ``-а``): the reading with the fewest endings, then the shorter
stem, then the noun (``жер-ге``, not ``же-р-ге``; ``ал-ады``, not ``ала-ды``). Verbs go back to
the bare root, as the UD Kazakh treebank lemmatises them (``шыққан`` -> ``шық``), so a verb's
participles, converbs and verbal nouns meet its finite forms (``сайлау``, ``сайлады`` ->
``сайла``). Words the lexicon does not know (names, new loanwords) only lose nominal endings, down
to a minimum length.

Word lists, in ``data/``: ``kk_nouns.txt`` and ``kk_verbs.txt`` come from the Debian
``hunspell-kk`` dictionary (see their headers); ``kk_places.txt`` and the tables below are ours.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from search_service.text.caches import WordCache, memoize
from search_service.text.fold import kazakh_key_fold
from search_service.text.wordlists import read_items, read_paradigms

_STEM_CACHE = 500_000  # words (or stems) remembered by each cache of this module

_DATA = Path(__file__).parent / "data"

_VOWELS = frozenset("аәеиоөұүыіэюяё")

# Sound classes of the last letter of a stem; they choose the variant of an ending. у and й
# behave like р (``сайлауға``, ``алуды``). б/в/г/д end only loanwords, which
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
    # spelt as the keys are (э as е, no ь or ъ): the way every script can reach them
    return frozenset(
        kazakh_key_fold(line.strip()) for line in lines if line.strip() and not line.startswith("#")
    )


NOUNS = _read_words("kk_nouns.txt")
VERBS = _read_words("kk_verbs.txt")
PLACES = _read_words("kk_places.txt")
# listed nouns that must not be read as a shorter stem plus an ending (бүгін is not бүг-ін)
WHOLE_NOUNS = _read_words("kk_whole_nouns.txt")


# Function words: postpositions, conjunctions, particles and pronouns. Several look inflected
# (``туралы``, ``арқылы``, ``бойынша``, ``кейін``), so :func:`stem` must not cut them.
STOPWORDS: frozenset[str] = frozenset(read_items("kk_stopwords.txt"))

# Irregular forms: pronouns, whose stem changes in the oblique cases (ол -> о-ны, бұл -> мұ-ның,
# мен -> ма-ған), and the short verbs е- (the copula) and де- "say", whose forms are short
# enough to look like anything else.
_PARADIGMS = read_paradigms("kk_paradigms.txt")
EXCEPTIONS: dict[str, str] = {form: key for key, forms in _PARADIGMS.items() for form in forms}
# the copula's -екен and -емес also take nominal endings: екенін, екендігі, емесін
_COPULA_PREFIXES = ("екен", "емес")

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
        return "R"  # у is a consonant to the endings, after a vowel or not: алуы, алуды
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
    # (the 1st person by the sound before it, as -мақ/-бақ/-пақ below: мұғаліммін, кезбін,
    # қазақпын; біргеміз, барғанбыз, кетпіз; so себебін is not себе-бін)
    ("мын мін", "N", _N_PRED, "N", _N_SIM, "VRLN"),
    ("бын бін", "N", _N_PRED, "N", _N_SIM, "Z"),
    ("пын пін пыз піз", "N", _N_PRED, "N", _N_SIM, "T"),
    ("мыз міз", "N", _N_PRED, "N", _N_SIM, "VRL"),
    ("быз біз", "N", _N_PRED, "N", _N_SIM, "NZ"),
    ("сың сің сыз сіз", "N", _N_PRED, "N", _N_SIM, _ANY),
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
    # -мақ/-мас after vowels and р, у, й, л; -бақ/-бас after nasals and з, ж; -пақ/-пас after
    # voiceless consonants (бармақ, жазбақ, кетпек): балабақша is not бала- + -бақ + -ша
    ("мақ мек", "N", 0, "V", _V_NEG, "VRL"),
    ("бақ бек", "N", 0, "V", _V_NEG, "NZ"),
    ("пақ пек", "N", 0, "V", _V_NEG, "T"),
    ("мас мес", "N", 0, "V", _V_VOICE, "VRL"),
    ("бас бес", "N", 0, "V", _V_VOICE, "NZ"),
    ("пас пес", "N", 0, "V", _V_VOICE, "T"),
    # verbal: person
    # (left chain "T": a tense ending must come next, ал-а-мын, not ала-мын)
    ("м ң қ к ңыз ңіз ңдар ңдер ңыздар ңіздер", "V", _V_PERS, "T", _V_TENSE, "V"),
    ("мын мін", "V", _V_PERS, "T", _V_TENSE, "VRLN"),
    ("бын бін", "V", _V_PERS, "T", _V_TENSE, "Z"),
    ("пын пін пыз піз", "V", _V_PERS, "T", _V_TENSE, "T"),
    ("мыз міз", "V", _V_PERS, "T", _V_TENSE, "VRL"),
    ("быз біз", "V", _V_PERS, "T", _V_TENSE, "NZ"),
    ("сың сің сыз сіз сыңдар сіңдер сыздар сіздер", "V", _V_PERS, "T", _V_TENSE, _ANY),
    # present tense, 3rd person
    ("ады еді иды иді", "V", _V_TENSE, "V", _V_NEG, _CONS),
    ("йды йді", "V", _V_TENSE, "V", _V_NEG, "V"),
    # tense, aspect, mood
    ("ды ді", "V", _V_TENSE, "V", _V_NEG, "VRLNZ"),
    ("ты ті", "V", _V_TENSE, "V", _V_NEG, "T"),
    ("а е", "V", _V_TENSE, "V", _V_NEG, _CONS),
    ("й", "V", _V_TENSE, "V", _V_NEG, "V"),
    ("и", "V", _V_TENSE, "V", _V_NEG, _CONS),  # оқы + й is written оқи-
    ("ып іп ыпты іпті", "V", _V_TENSE, "V", _V_NEG, _CONS),
    ("п пты пті", "V", _V_TENSE, "V", _V_NEG, "V"),
    ("сыңдар сіңдер сыздар сіздер", "V", _V_TENSE, "V", _V_NEG, _ANY),
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
_SIMILATIVE = frozenset(["ша", "ше", "нша", "нше", "дай", "дей", "тай", "тей", "ндай", "ндей"])
# (with the dative after "my", -ма/-ме, rare in news: мекеме, сілтеме, тапсырма are words)
_DATIVE_LOCATIVE = frozenset(["ға", "ге", "қа", "ке", "да", "де", "та", "те", "ма", "ме"])
_CASE_ENDINGS = frozenset(
    text for text, entries in _ENDINGS.items() if any(e.rank == _N_CASE for e in entries)
)


def is_case_ending(text: str) -> bool:
    """True for a case ending written on its own (after a hyphen: ``АҚШ-тың``, ``ҚР-да``).

    >>> is_case_ending("тың"), is_case_ending("ға"), is_case_ending("жек")
    (True, True, False)
    """
    return text in _CASE_ENDINGS


# Endings that also derive new words: a listed word that can only be cut by removing one of
# these last is a word of its own (жер is not же- + -р); see the file's header.
_LEXICAL_ENDINGS = frozenset(read_items("kk_lexical_endings.txt"))
# Verbal endings seldom met in news (imperatives, optatives): a reading that needs one loses
# to one that does not (басын is бас-ын "its head", not ба- + -сын "let him tie").
_RARE_VERBAL = frozenset(
    {"сын", "сін", "шы", "ші", "айын", "ейін", "йын", "йін", "айық", "ейік", "йық", "йік"}
    | {"ғай", "гей", "қай", "кей", "ар", "ер", "р"}
    | {"ң"}  # "you" (singular): қоқыстың is "of the rubbish", not қоқыс- + -ты + -ң
)
# The possessive of "your" (singular), seldom met in news: бөгет-і-нің is "of its dam", not
# бөк- + -етін + -ің.
_RARE_NOMINAL = frozenset({"ың", "ің", "ң"})
_DEVOICE = str.maketrans("бгғ", "пкқ")
# "my" and "your" on an unknown word (a name, a new loanword) are too rare in news to cut
_PERSONAL = ("ым", "ім", "ың", "ің", "м", "ң")


_VERBAL_NOUN = re.compile(
    r"(.{2,}?)у(?:ы|і)?(?:ның|нің|дың|дің|ға|ге|да|де|дан|ден|нан|нен|ды|ді|ны|ні|н|на|не"
    r"|нда|нде|мен|нша|нше|ынша|інше)?"
)


def _verbal_noun_root(word: str) -> str | None:
    """The verb of a verbal noun in -у with a case or "according to" ending (кездесу-дің,
    айт-у-ынша), when the verb is attested; else None."""
    match = _VERBAL_NOUN.fullmatch(word)
    if match is None or match.group(0) == match.group(1) + "у":
        return None
    return _verb_root(match.group(1))


def _personal_inside(endings: str) -> bool:
    """True when the endings cut from a word start with "my" or "your" (-м-да, -ң-нан)."""
    for personal in _PERSONAL:
        if endings.startswith(personal):
            after = endings[len(personal) :]
            return not after or after in _ENDINGS
    return False


# Roots whose forms in -ды/-ді are not the -ады/-еді present of a shorter root: жасады is
# жаса-ды, not жас-ады (but алады is ал-ады, not ала-ды). On a tie the shorter root wins except
# for these, chosen by how often each reading's unambiguous forms occur in news text.
_FAVOURED_ROOTS = frozenset(["жаса", "ата", "қара", "тала"])
# Verbs that end like a passive but are not one (орал- "return" is not ора- "wrap" + -л).
_NOT_PASSIVE = frozenset(["орал", "айнал", "қамал", "тоқтал"])


class _Reading(NamedTuple):
    key: str
    repaired: bool  # a dropped vowel was put back (аузы -> ауыз)
    derived: bool = False  # attested through what it is made from, not listed itself


@memoize(maxsize=_STEM_CACHE)
def _known(stem: str, chain: str) -> _Reading | None:
    """The lexicon form of a stripped remainder, undoing stem alternations, or None.

    >>> [_known(*args).key for args in [("кітаб", "N"), ("ауз", "N"), ("таб", "V")]]
    ['кітап', 'ауыз', 'тап']
    """
    if chain == "T":
        return None
    lexicon = VERBS if chain == "V" else NOUNS
    found = _spelled(stem, lexicon)
    if found is None and chain == "N":
        if _loanword(stem):
            found = stem
        elif stem.endswith("с") and (stem + "т" in NOUNS or _loanword(stem + "т")):
            found = stem + "т"  # турист-тер is written туристер, турист-тің туристің
    repaired = False
    # a narrow vowel drops before a vowel ending: ауыз -> аузы, орын -> орны, қорық -> қорқады
    if found is None and len(stem) >= 3 and stem[-1] not in _VOWELS and stem[-2] not in _VOWELS:
        for vowel in "ыі":
            full = stem[:-1] + vowel + stem[-1]
            if full in lexicon:
                found, repaired = full, True
                break
    if found is None and chain == "V":
        found = _passive_base(stem)
    derived = False
    if found is None:  # the last resort: a word made from an attested one
        if chain == "V":
            found = _derived_verb(stem)
        else:  # агенттіг-і is агенттік, a noun made from агент
            found = _derived_noun(stem) or _derived_noun(_devoiced(stem))
        derived = found is not None
    if found is None:
        return None
    return _Reading(_without_passive(found) if chain == "V" else found, repaired, derived)


def _spelled(stem: str, lexicon: frozenset[str]) -> str | None:
    """``stem`` or the lexicon spelling it stands for before an ending."""
    if stem in lexicon:
        return stem
    # a voiceless final voices before a vowel: кітап -> кітабы, тап- -> табады, шық- -> шығады
    if stem[-1] in "бгғ":
        devoiced = _devoiced(stem)
        if devoiced in lexicon:
            return devoiced
    if lexicon is VERBS and len(stem) >= 3:
        # hunspell lists оқы-, есті- as оқ-, ест- (from оқу, есту): оқы-ған, оқи-ды, ести-ді
        if stem[-1] in "ыіи" and stem[:-1] in VERBS:
            return stem[:-1]
        # and қорық- as қорқ- (from қорқу): қорық-па, қорық-қан
        if stem[-2] in "ыі" and stem[-1] not in _VOWELS and stem[-3] not in _VOWELS:
            dropped = stem[:-2] + stem[-1]
            if dropped in VERBS:
                return dropped
    return None


# Endings that make a new word of a known one. A stem made with them is attested when what
# it is made from is (derivation is not inflection: ``серіктестік`` is a word of its own, not
# ``серіктес`` + ``-ті`` + ``-к``; ``қымбатта-`` is a verb made from ``қымбат``).
# (each list split once, into the tuple ``str.endswith`` takes)
_NOUN_DERIVATIONS = tuple(
    tuple(suffixes.split())
    for suffixes in (
        "лық лік дық дік тық тік шылық шілік сыз сіз шы ші",  # from nouns
        "ушы уші ма ме ба бе па пе ыс іс ым ім ғыш гіш қыш кіш",  # from verbs
    )
)
_VERB_DERIVATIONS = tuple(
    tuple(suffixes.split())
    for suffixes in (
        "ла ле да де та те лан лен дан ден тан тен лас лес дас дес тас тес ландыр лендір",  # nouns
        "т тыр тір дыр дір ғыз гіз қыз кіз ыс іс",  # causatives and reciprocals of verbs
    )
)


def _split_derivation(stem: str, suffixes: tuple[str, ...]) -> list[str]:
    if not stem.endswith(suffixes):  # most stems end in none: one test in C for all of them
        return []
    return [
        stem[: -len(suffix)]
        for suffix in suffixes
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 2
    ]


@memoize(maxsize=_STEM_CACHE)
def _derived_noun(stem: str) -> str | None:
    """``stem`` when it is a noun or adjective made from an attested word, else None.

    >>> _derived_noun("серіктестік"), _derived_noun("көшірме"), _derived_noun("тұтынушы")
    ('серіктестік', 'көшірме', 'тұтынушы')
    """
    if len(stem) < 4:
        return None
    from_nouns, from_verbs = _NOUN_DERIVATIONS
    if any(_attested_noun(base) for base in _split_derivation(stem, from_nouns)):
        return stem
    verb_bases = [base for base in _split_derivation(stem, from_verbs) if len(base) >= 3]
    if any(_spelled(base, VERBS) for base in verb_bases):
        return stem
    # -лы/-лі after a vowel only: after a consonant it is the accusative (ауыл-ды)
    if stem[-2:] in ("лы", "лі") and stem[-3] in _VOWELS and _attested_noun(stem[:-2]):
        return stem
    return None


@memoize(maxsize=_STEM_CACHE)
def _derived_verb(stem: str) -> str | None:
    """``stem`` when it is a verb made from an attested noun or verb, else None.

    >>> _derived_verb("қымбатта"), _derived_verb("салқындат")
    ('қымбатта', 'салқындат')
    """
    if len(stem) < 4:
        return None
    from_nouns, causatives = _VERB_DERIVATIONS
    bases = [base for base in _split_derivation(stem, from_nouns) if len(base) >= 4]
    if any(_attested_noun(base) for base in bases):
        return stem
    for base in _split_derivation(stem, causatives):
        if _spelled(base, VERBS) or (len(base) >= 6 and _derived_verb(base)):
            return stem
    return None


def _attested_noun(stem: str) -> bool:
    return _spelled(stem, NOUNS) is not None or _loanword(stem) or stem in PLACES


def _verb_root(stem: str) -> str | None:
    """The attested verb root ``stem`` stands for (listed, or made from a known word)."""
    return _spelled(stem, VERBS) or _derived_verb(stem)


@memoize(maxsize=_STEM_CACHE)
def _loanword(word: str) -> bool:
    """A Russian noun in its dictionary form that Kazakh writes unchanged (``шахта``,
    ``магнитуда``, ``турист``, ``Канада``): the Russian dictionary attests it as a stem, so
    its last syllable is not cut as an ending. Only words the Kazakh lexicon lacks ask."""
    if len(word) < 4:
        return False
    # Kazakh keys write э as е and drop ь: ask the dictionary for the Russian spellings too
    spellings = [word, word + "ь"] + (["э" + word[1:]] if word[0] == "е" else [])
    return any(_russian_noun(spelling) for spelling in spellings)


def _russian_noun(word: str) -> bool:
    """A Russian noun in the nominative singular, by the dictionary (see :func:`_loanword`)."""
    for parse in _russian_parses(word):
        tag = parse.tag
        if parse.normal_form != word or tag.POS != "NOUN" or tag.case != "nomn":
            continue
        if tag.number != "sing" or parse.score < 0.2:
            continue
        # a name only when the dictionary is sure of it (Канада), not for any word that
        # happens to be a rare first name or town (айта, берген)
        if not _NAME_TAGS.isdisjoint(tag.grammemes) and ("Sgtm" not in tag or parse.score < 0.6):
            continue
        return True
    return False


_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn"})


def _russian_parses(word: str) -> list:
    """pymorphy3's parses of a word its dictionary knows (none for a guess), loaded only
    when a word first asks."""
    from search_service.text.russian import morph

    analyser = morph()
    return analyser.parse(word) if analyser.word_is_known(word) else []


def _devoiced(stem: str) -> str:
    """A stem as it ends before a consonant or nothing: кітаб -> кітап, агенттіг -> агенттік."""
    return stem[:-1] + stem[-1].translate(_DEVOICE)


def _passive_base(stem: str) -> str | None:
    """The listed root of an unlisted passive stem (салын- -> сал-, айтыл- -> айт-), or None."""
    base = _without_passive(stem)
    if base == stem:
        return None
    return _verb_root(base)


def _without_passive(root: str) -> str:
    """The root without a passive or reflexive, as the treebank lemmatises.

    >>> _without_passive("сатыл"), _without_passive("салын"), _without_passive("жасал")
    ('сат', 'сал', 'жаса')
    """
    if root in _NOT_PASSIVE:
        return root
    for passive in ("ыл", "іл", "л", "ын", "ін", "н"):
        if not root.endswith(passive):
            continue
        base = root[: -len(passive)]
        # -л and -н only after a vowel, and not after a two-letter root (кел- is not ке- + -л)
        if passive in ("л", "н") and (len(base) < 3 or base[-1] not in _VOWELS):
            continue
        if len(base) >= 2 and (listed := _verb_root(base)) is not None:
            return listed
    return root


def _endings_by_chain() -> dict[str, dict[str, tuple[tuple, ...]]]:
    """Per chain a word may be in, the endings it may lose: text -> (rank, left chain, left
    rank, sound classes, cost). Right after a person ending (chain "T") only a tense fits."""
    by_chain: dict[str, dict[str, list[tuple]]] = {"N": {}, "V": {}, "T": {}}
    for text, entries in _ENDINGS.items():
        for e in entries:
            rare = _RARE_VERBAL if e.chain == "V" else _RARE_NOMINAL
            cost = 1.5 if text in rare and (e.chain == "V" or e.rank == _N_POSS) else 1
            if e.chain == "V" and e.rank == _V_NEG:
                cost = 0  # negation is part of the verb's inflection: ал-ма-са, not алмас-а
            entry = (e.rank, e.left_chain, e.left_rank, e.after, cost)
            by_chain[e.chain].setdefault(text, []).append(entry)
            if e.chain == "V" and e.rank == _V_TENSE:
                # tense and person make one inflection: ал-а-мын costs what ал-ды costs
                by_chain["T"].setdefault(text, []).append((0, *entry[1:4], 0))
    return {
        chain: {text: tuple(found) for text, found in table.items()}
        for chain, table in by_chain.items()
    }


_BY_CHAIN = _endings_by_chain()
# per chain and last letter, the longest ending that may be cut (0: none ends in that letter)
_LONGEST_IN: dict[str, dict[str, int]] = {chain: {} for chain in _BY_CHAIN}
for _chain, _table in _BY_CHAIN.items():
    for _text in _table:
        _longest = _LONGEST_IN[_chain]
        _longest[_text[-1]] = max(_longest.get(_text[-1], 0), len(_text))
_CLASS_OF = {letter: _sound_class(letter) for letter in "абвгғдеәжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"}


def _strippings(word: str) -> list[tuple[str, str, float, str, bool]]:
    """Every (remainder, chain, cost of the endings removed, outermost ending, whether an
    ending that also derives words was removed) reachable from ``word``."""
    found = []
    seen = set()
    todo = [(word, "N", 100, 0, "", False), (word, "V", 100, 0, "", False)]
    while todo:
        stem, chain, max_rank, depth, outer, lexical = todo.pop()
        if (stem, chain, max_rank) in seen:
            continue
        seen.add((stem, chain, max_rank))
        found.append((stem, chain, depth, outer, lexical))
        if depth and (stem in PLACES or stem in _KEEP or _is_name(stem)):
            continue
        table = _BY_CHAIN[chain]
        longest = _LONGEST_IN[chain].get(stem[-1], 0)
        for size in range(1, min(longest, len(stem) - MIN_STEM) + 1):
            text = stem[-size:]
            entries = table.get(text)
            if entries is None:
                continue
            rest = stem[:-size]
            sound = _CLASS_OF.get(rest[-1], "T")
            for rank, left_chain, left_rank, after, cost in entries:
                if rank <= max_rank and sound in after:
                    todo.append(
                        (
                            rest,
                            left_chain,
                            left_rank,
                            depth + cost,
                            outer or text,
                            lexical or text in _LEXICAL_ENDINGS,
                        )
                    )
    return found


def _verb_form(word: str) -> bool:
    """True when ``word`` is a listed verb root with verbal endings (бола: бол-а)."""
    return any(
        chain == "V" and rest != word and _spelled(rest, VERBS) is not None
        for rest, chain, _, _, _ in _strippings(word)
    )


def _is_stan_name(stem: str) -> bool:
    """A country in -стан (``Қазақстан``), not the ablative of a noun in -с (``қоқыс-тан``,
    ``жарылыс-тан``).

    >>> _is_stan_name("өзбекстан"), _is_stan_name("жарылыстан")
    (True, False)
    """
    return stem.endswith("стан") and not _attested_noun(stem[:-3])


def _is_name(stem: str) -> bool:
    """A country in -стан or a patronymic in -ұлы/-қызы (``Бопайұлы`` is not ``бопайұл-ы``).

    >>> _is_name("бопайұлы"), _is_name("ұлы")
    (True, False)
    """
    return _is_stan_name(stem) or (len(stem) >= 6 and stem.endswith(("ұлы", "қызы")))


_VOWEL_YU = re.compile("([аәеоөұүыі])ю")


def _shortest(reading: tuple) -> tuple:
    """Order of noun readings: none through a derivational-looking ending (білім-ді, not
    біл-ім-ді), then the shortest stem, then the fewest endings."""
    return reading[6], len(reading[4]), reading[0]


def _without_passive_rivals(readings: list[tuple]) -> list[tuple]:
    """Drop a passive (-ыл, -л) verb reading of a remainder that is also a listed noun.

    ``ауылды`` is the village in the accusative, not the past of a passive ``ау-ыл-``;
    ``ақылды`` is ``ақыл``, not ``ақ-ыл-ды``. (The lexicon builder drops the passive stems that
    hunspell also lists as nouns, ``ашыл``, ``бастал``, so a listed noun is a real one.)
    """
    nouns = {reading[8] for reading in readings if not (reading[3] or reading[1] or reading[7])}
    return [
        reading
        for reading in readings
        if not (
            reading[3] and reading[8].endswith("л") and reading[8] in nouns and _passive(reading[8])
        )
    ]


def _not_inside_whole(nouns: list[tuple]) -> list[tuple]:
    """Drop noun readings that cut into a hand-listed whole noun another reading found.

    ``бүгінде`` is ``бүгін-де``, not ``бүг-інде``: the remainder ``бүг`` lies inside ``бүгін``.
    """
    whole = [reading[8] for reading in nouns if reading[8] in WHOLE_NOUNS]
    return [
        reading
        for reading in nouns
        if not any(len(reading[8]) < len(kept) and kept.startswith(reading[8]) for kept in whole)
    ]


def _passive(stem: str) -> bool:
    """True when the verb stem ``stem`` is read as a passive or reflexive of a shorter root."""
    spelled = _spelled(stem, VERBS)
    return spelled is None or _without_passive(spelled) != spelled


_HAVING = ("ды", "ді", "ты", "ті", "лы", "лі")


def keys(word: str) -> tuple[str, ...]:
    """Index keys of one lower-cased Cyrillic Kazakh word: its stem, and the word itself as
    well when both readings stay plausible.

    A listed word in -ды/-лы is an adjective of its own ("clever") and also the accusative
    of its noun ("the mind"): ``ақылды`` keys both ``ақылды`` and ``ақыл``, the adjective
    first, so a search for either word finds it and the adjective ranks it as the word typed.

    >>> keys("ақылды"), keys("ақылдылар"), keys("ауылды")
    (('ақылды', 'ақыл'), ('ақылды',), ('ауыл',))
    """
    key = stem(word)
    if key != word and word in NOUNS and word.endswith(_HAVING) and len(key) == len(word) - 2:
        return (word, key)
    return (key,)


# Kazakh letters that plain ASCII typing writes as the Russian ones: ауылдың typed auyldyn.
# (and i, y stand for і or и, ы or й: the reading of the whole word picks one of each)
_ASCII_LOSSES = {
    **{"а": "ә", "о": "ө", "у": "ұү", "н": "ң", "г": "ғ", "к": "қ"},
    **{"і": "и", "и": "ій", "й": "ы"},
}


def attested(word: str) -> bool:
    """True when ``word``'s stem is attested: listed, a name, or made from a listed word.

    >>> attested("ауылдың"), attested("ауылдын")
    (True, False)
    """
    key = stem(word)
    return key in PLACES or _known(key, "N") is not None or _known(key, "V") is not None


def ascii_respellings(word: str, most: int = 3, widest: int = 400) -> list[str]:
    """Spellings of a Kazakh word typed in plain ASCII whose stem is attested, with the lost
    Kazakh letters put back: the fewest changes (at most ``most``, trying at most ``widest``
    spellings a step) that give any.

    An ASCII typist writes ң, ғ, қ, ә, ө, ұ, ү as n, g, k, a, o, u, so ``auyldyn`` is read
    ``ауылдын``, which has no known stem; ``ауылдың`` has. Nothing is tried when ``word``
    is attested as it is.

    >>> ascii_respellings("ауылдын"), ascii_respellings("рас1мдеу".replace("1", "і"))
    (['ауылдың'], ['рәсімдеу'])
    """
    if not word or attested(word):  # nothing to respell (a word of ъ alone folds to nothing)
        return []
    spots = [at for at, letter in enumerate(word) if letter in _ASCII_LOSSES]
    found: list[str] = []
    level = [word]
    for _ in range(most):
        changed = []
        for spelling in level:
            for at in spots:
                for letter in _ASCII_LOSSES.get(spelling[at], ""):
                    changed.append(spelling[:at] + letter + spelling[at + 1 :])
        level = list(dict.fromkeys(changed))[:widest]
        found = [spelling for spelling in level if attested(spelling)]
        if found:
            return found
    return found


_STEMS = WordCache(_STEM_CACHE)  # word -> its stem


def stem(word: str) -> str:
    """Index key of one lower-cased Cyrillic Kazakh word (ё already folded to е), cached.

    >>> stem("табады"), stem("жерге"), stem("мұндай")
    ('тап', 'жер', 'бұл')
    """
    found = _STEMS.get(word)
    if found is None:
        found = _STEMS.put(word, _stem(word))
    return found


def _stem(word: str) -> str:
    """Index key of one lower-cased Cyrillic Kazakh word (ё already folded to е).

    >>> [_stem(w) for w in ("сайлау", "сайлауы", "сайлауда", "сайлауға")]
    ['сайла', 'сайла', 'сайла', 'сайла']
    >>> _stem("конституцияның"), _stem("қазақстанға"), _stem("кітабы")
    ('конституция', 'қазақстан', 'кітап')
    """
    if word in EXCEPTIONS:
        return EXCEPTIONS[word]
    if word in _KEEP or word in PLACES or len(word) <= MIN_STEM:
        return word
    if word.startswith(_COPULA_PREFIXES):
        return "е"
    listed = word in NOUNS
    loanword_is_verb_form = False
    if not listed and _loanword(word):
        if not _verb_form(word):
            return word  # шахта is not шах + -та
        loanword_is_verb_form = True
    if not listed and "ю" in word:
        word = _VOWEL_YU.sub(r"\1йу", word)  # қою is қой-у: the verbal noun after a vowel
    readings: list[tuple[float, bool, int, bool, str, str, bool, bool, str]] = []
    guess: str | None = None
    for rest, chain, depth, outer, lexical in _strippings(word):
        if rest in PLACES or _is_name(rest):
            return rest  # a name guards its own ending: қазақстан-ға, not қазақ-стан-ға
        if rest.endswith(("ұл", "қыз")) and _is_name(rest + "ы") and word.startswith(rest + "ы"):
            return rest + "ы"  # Момышұлы-н
        reading = _known(rest, chain)
        if reading is not None and rest == word and loanword_is_verb_form:
            continue  # бола is бол-а, though Russian has a noun бола
        if reading is not None:
            key = reading.key
            # the shorter root on a tie, unless the longer one is the commoner reading
            size = 0 if key in _FAVOURED_ROOTS else len(key)
            # a bare verb root is an imperative, rare in news: rank it with one ending
            if chain == "V":
                if reading.derived and rest == word:
                    continue  # a verb made from a noun, with no ending: not a reading
                depth = max(depth, 1)
            if reading.derived:
                depth += 1  # attested only through what it is made from
            readings.append(
                (
                    depth,
                    reading.repaired,
                    size,
                    chain == "V",
                    key,
                    outer,
                    lexical,
                    reading.derived,
                    rest,
                )
            )
        elif (
            chain == "N"
            and len(rest) >= MIN_GUESSED_STEM
            and outer not in _SIMILATIVE  # an unknown word in -ша, -дай is more likely whole
            and not _personal_inside(word[len(rest) :])  # Вьетнам-да, not Вьетна-м-да
            and (guess is None or len(rest) < len(guess))
        ):
            guess = rest
    if listed and (root := _verbal_noun_root(word)):
        return root  # the lexicon lists some verbal nouns with a case: кездесудің, айтуынша
    if listed:
        # a listed word is its own stem, unless it is another listed noun plus an
        # inflection (жылы: жыл-ы); a derivational-looking ending keeps it (білім, жер)
        nominal = [
            reading
            for reading in readings
            if reading[0]
            and not reading[3]
            and not reading[7]  # a listed word is no form of a merely derived one
            and reading[5] not in _LEXICAL_ENDINGS
            # a listed word is not a bare dative or locative: теңге is not тең-ге, бірге not
            # бір-ге (the lexicon does list accusatives and possessives: адамды, басы)
            and (reading[5] not in _DATIVE_LOCATIVE or reading[0] > 1)
        ]
        return min(nominal, key=_shortest)[4] if nominal else word
    if readings:
        readings = _without_passive_rivals(readings)
        # the best noun reading is the shortest stem (the lexicon lists some inflected nouns:
        # елдер, еліміз); the best verb reading has the fewest endings. Then between the two:
        # fewest endings, no repaired vowel, the shorter stem, the noun
        # a reading through a derivation only when nothing listed explains the word
        attested = [reading for reading in readings if not reading[7]] or readings
        nouns = _not_inside_whole([reading for reading in attested if not reading[3]])
        verbs = [reading for reading in attested if reading[3]]
        best = ([min(nouns, key=_shortest)] if nouns else []) + ([min(verbs)] if verbs else [])
        return min(best)[4]
    return guess or word
