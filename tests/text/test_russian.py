"""Russian lemmas (the ambiguity rule) and stop words."""

import pytest

from search_service.text import russian


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("конституции", ("конституция",)),
        ("конституцией", ("конституция",)),
        ("выборах", ("выборы",)),
        ("ёлками", ("елка",)),
        ("столицы", ("столица",)),
    ],
)
def test_lemmas(word, expected):
    assert russian.lemmas(word) == expected


@pytest.mark.parametrize(
    ("word", "kept", "dropped"),
    [
        # "стали": стать scores 0.97, сталь 0.03: a rare reading is not kept
        ("стали", "стать", "сталь"),
        # "быстро" is an adverb first; its short-adjective reading is not kept
        ("быстро", "быстро", "быстрый"),
    ],
)
def test_rare_readings_are_dropped(word, kept, dropped):
    found = russian.lemmas(word)
    assert kept in found
    assert dropped not in found


@pytest.mark.parametrize(
    ("word", "lemmas"),
    [
        ("мой", {"мой", "мыть"}),  # possessive or imperative of мыть: both plausible
        ("токаева", {"токаева", "токаев"}),  # a surname the dictionary guesses
    ],
)
def test_close_readings_are_all_kept(word, lemmas):
    assert lemmas <= set(russian.lemmas(word))


def test_select_lemmas_threshold():
    scored = [("a", 1.0), ("b", 0.3), ("c", 0.1)]
    assert russian.select_lemmas(scored, ratio=0.25) == ("a", "b")
    assert russian.select_lemmas(scored, ratio=0.0) == ("a", "b", "c")
    assert russian.select_lemmas([], ratio=0.5) == ()


def test_one_shared_analyser():
    assert russian.morph() is russian.morph()


@pytest.mark.parametrize(
    ("word", "stop"), [("и", True), ("что", True), ("это", True), ("выборы", False), ("нет", True)]
)
def test_stopwords(word, stop):
    assert russian.is_stopword(word) is stop


@pytest.mark.parametrize(
    ("word", "capitalised", "first"),
    [
        ("токаев", True, "токаев"),  # a surname, not "of the Tokays"
        ("токаев", False, "токай"),
        ("токаева", True, "токаева"),  # has its own name readings: the rule stays out
    ],
)
def test_capitalised_surnames(word, capitalised, first):
    assert russian.lemmas(word, capitalised)[0] == first


def test_capitalised_common_word_keeps_its_lemma():
    # Sentence-initial "Столов" gets its form first too, but the lemma is still a key.
    assert "стол" in russian.lemmas("столов", True)


@pytest.mark.parametrize(
    ("abbreviation", "word"),
    [("млн", "миллион"), ("млрд", "миллиард"), ("тыс", "тысяча"), ("руб", "рубль")],
)
def test_amount_abbreviations_meet_their_words(abbreviation, word):
    assert russian.lemmas(abbreviation) == (word,)
    assert word in russian.lemmas(word)
