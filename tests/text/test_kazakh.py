"""Kazakh stemmer: one table per rule family, with real Kazakh word forms."""

import pytest

from search_service.text.kazakh import STOPWORDS, stem


def _one_key(forms):
    return {stem(form) for form in forms}


# Forms that must meet on one key (the key itself is not part of the contract).
SAME_KEY = [
    # required by the issue
    ("сайлау", "сайлауы", "сайлауда", "сайлауға"),
    ("тоқаев", "тоқаевтың", "тоқаевқа"),
    # plural, harmonic and assimilated variants
    ("бала", "балалар", "балаларға"),
    ("ел", "елдер", "елдерде"),
    ("мемлекет", "мемлекеттер", "мемлекеттердің"),
    # case endings after vowels, sonorants and voiceless consonants
    ("адам", "адамның", "адамға", "адамнан", "адамды", "адаммен"),
    pytest.param(
        ("жер", "жерге", "жерде", "жерден"),
        marks=pytest.mark.xfail(reason="known: жерге is cut as же- + -р + -ге (issue 3)"),
    ),
    ("облыс", "облыста", "облысқа", "облыстың"),
    # possessive, then case with the pronominal н
    ("қала", "қаласы", "қаласында", "қаласына"),
    pytest.param(
        ("үй", "үйім", "үйіміз", "үйіңіз"),
        marks=pytest.mark.xfail(reason="known: үйім is listed in the lexicon (issue 3)"),
    ),
    # verbs back to the root: past, present, participle, converb, negation, conditional
    pytest.param(
        ("айтты", "айтады", "айтқан", "айтып", "айтпады", "айтса"),
        marks=pytest.mark.xfail(reason="known: one form keeps a listed ending (issue 3)"),
    ),
    ("келді", "келеді", "келген", "келіп", "келмеді"),
    ("жасады", "жасайды", "жасаған", "жасап"),
    # passive dropped as in the treebank: сатылып -> сат
    ("сатты", "сатылды", "сатылған"),
]


@pytest.mark.parametrize("forms", SAME_KEY)
def test_forms_share_a_key(forms):
    assert len(_one_key(forms)) == 1, {form: stem(form) for form in forms}


@pytest.mark.parametrize(
    ("word", "key"),
    [
        # Russian loanwords break vowel harmony; the key is the Russian lemma
        ("конституцияның", "конституция"),
        ("конституцияны", "конституция"),
        ("президенттің", "президент"),
        ("парламентке", "парламент"),
        # stem alternations: voicing and the dropped narrow vowel
        ("кітабы", "кітап"),
        ("құлағы", "құлақ"),
        ("жүрегі", "жүрек"),
        ("аузы", "ауыз"),
        ("орны", "орын"),
        # names that end like an ending keep it
        ("алматы", "алматы"),
        ("қарағанды", "қарағанды"),
        ("астана", "астана"),
        ("ақтау", "ақтау"),
        ("қазақстан", "қазақстан"),
        ("қазақстанға", "қазақстан"),
        ("өзбекстанның", "өзбекстан"),
        ("алматыда", "алматы"),
        # function words that look inflected are left alone
        ("туралы", "туралы"),
        ("арқылы", "арқылы"),
        ("бойынша", "бойынша"),
        ("кейін", "кейін"),
        # irregular pronoun forms
        ("оның", "ол"),
        ("маған", "мен"),
        ("саған", "сен"),
        ("бұған", "бұл"),
    ],
)
def test_key(word, key):
    assert stem(word) == key


@pytest.mark.parametrize("word", ["жер", "білім", "қала", "бала", "ауыл"])
def test_listed_words_are_not_over_cut(word):
    # жер is not же- + -р, білім is not біл- + -ім, ауыл is not ау + passive -ыл
    assert stem(word) == word


@pytest.mark.parametrize("word", ["ас", "ол", "үй", "е"])
def test_short_words_are_kept(word):
    assert stem(word) == word


def test_stopwords_are_lower_case_cyrillic():
    assert {"және", "мен", "туралы", "бойынша", "үшін"} <= STOPWORDS
    assert all(word == word.lower() and not word.isascii() for word in STOPWORDS)
    assert not {"қала", "сайлау", "президент"} & STOPWORDS
