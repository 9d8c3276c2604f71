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


def test_a_word_is_parsed_once_whether_capitalised_or_not(monkeypatch):
    # "Токаев" and "токаев" (and the surname check) share one parse of the word.
    russian.lemmas.cache_clear()
    analyser = russian.morph()
    parsed: list[str] = []
    parse = analyser.parse
    monkeypatch.setattr(analyser, "parse", lambda word: parsed.append(word) or parse(word))
    assert russian.lemmas("токаев", True) == ("токаев", "токай")
    assert russian.lemmas("токаев", False) == ("токай",)
    assert parsed == ["токаев"]
    russian.lemmas.cache_clear()  # what the benchmark's cold runs call: the parse is forgotten
    russian.lemmas("токаев")
    assert parsed == ["токаев", "токаев"]


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


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("лучший", "лучший"),
        ("лучшая", "лучший"),
        ("наилучших", "наилучший"),
        ("новейшего", "новейший"),
        ("старейших", "старейший"),
        ("высший", "высший"),
    ],
)
def test_superlatives_are_their_own_words(word, lemma):
    assert russian.lemmas(word) == (lemma,)


def test_superlative_does_not_meet_the_positive_degree():
    assert not set(russian.lemmas("лучшая")) & set(russian.lemmas("хорошая"))


@pytest.mark.parametrize(
    ("word", "verb", "adjective"),
    [
        ("открыт", "открыть", "открытый"),
        ("отделен", "отделить", "отдельный"),
        ("избран", "избрать", "избранный"),
    ],
)
def test_short_participles_are_keyed_by_the_verb(word, verb, adjective):
    found = russian.lemmas(word)
    assert verb in found
    assert adjective not in found


@pytest.mark.parametrize(
    ("word", "kept", "dropped"),
    [
        # a participle turned adjective: "бывший" must not meet "будет"
        ("бывший", "бывший", "быть"),
        ("бывшая", "бывший", "быть"),
        ("данного", "данный", "дать"),
        ("следующим", "следующий", "следовать"),
        # the verb reading scores higher here: the adjective goes instead
        ("погибших", "погибнуть", "погибший"),
    ],
)
def test_full_participles_keep_the_better_scored_class(word, kept, dropped):
    found = russian.lemmas(word)
    assert kept in found
    assert dropped not in found


@pytest.mark.parametrize(
    ("word", "verb"),
    [("давших", "дать"), ("ставшие", "стать"), ("сделанных", "сделать")],
)
def test_participles_without_an_adjective_keep_the_verb(word, verb):
    assert verb in russian.lemmas(word)


def test_adverb_drops_its_short_participle_reading():
    assert russian.lemmas("видимо") == ("видимо",)


@pytest.mark.parametrize(
    ("possessive", "pronoun", "case_form"),
    [("ее", "она", "ней"), ("её", "она", "ней"), ("их", "они", "ними")],
)
def test_possessives_are_keyed_by_the_personal_pronoun(possessive, pronoun, case_form):
    assert russian.lemmas(possessive)[0] == pronoun
    assert pronoun in russian.lemmas(case_form)


@pytest.mark.parametrize(
    ("abbreviation", "word"),
    [
        ("чел", "человек"),
        ("чел.", "человек"),
        ("др.", "другой"),
        ("млн.", "миллион"),
        ("г.", "год"),
    ],
)
def test_abbreviations_with_or_without_their_full_stop(abbreviation, word):
    assert russian.lemmas(abbreviation) == (word,)
