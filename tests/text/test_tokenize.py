"""Tokeniser: words, numbers, hyphens, apostrophes, invisible characters and offsets."""

import pytest

from search_service.text.tokenize import clean, tokenize


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Мемлекет басшысы Астанаға келді.", ["Мемлекет", "басшысы", "Астанаға", "келді"]),
        ("«ҚХП» және ҚР туралы", ["ҚХП", "және", "ҚР", "туралы"]),
        ('Сенат "США" одобрил', ["Сенат", "США", "одобрил"]),
        ("инфляция 8,5 процента", ["инфляция", "8,5", "процента"]),
        ("12.05.2024 жылы", ["12.05.2024", "жылы"]),
        ("Qazaqstan'da o'z", ["Qazaqstan'da", "o'z"]),
        ("Nur\u2011Sultan", ["Nur-Sultan"]),
        ("мың\u00a0теңге", ["мың", "теңге"]),
        ("'Kaspi'", ["Kaspi"]),
    ],
)
def test_words(text, words):
    assert [token.text for token in tokenize(text)] == words


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Қасым-Жомарт", ["Қасым", "Жомарт"]),
        ("Нұр-Сұлтан", ["Нұр", "Сұлтан"]),
        ("северо-западный", ["северо", "западный"]),
        ("Ростов-на-Дону", ["Ростов", "на", "Дону"]),
        ("Астана", []),
    ],
)
def test_hyphenated_parts(text, parts):
    (token,) = tokenize(text)
    assert [part.text for part in token.parts] == parts
    for part in token.parts:
        assert text[part.start : part.end] == part.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Аста\u00adна қаласы", [("Астана", 0, 7), ("қаласы", 8, 14)]),
        ("\u200bПрезидент\u200b жарлығы", [("Президент", 1, 10), ("жарлығы", 12, 19)]),
        ("\ufeffсайлау", [("сайлау", 1, 7)]),
        ("Сай\u200dлау\u2060ға", [("Сайлауға", 0, 10)]),
    ],
)
def test_invisible_characters_keep_original_offsets(text, expected):
    assert [(t.text, t.start, t.end) for t in tokenize(text)] == expected


def test_nfc_composes_decomposed_letters():
    decomposed = "и\u0306гі"  # "й" typed as и + combining breve
    (token,) = tokenize(decomposed)
    assert token.text == "йгі"
    assert (token.start, token.end) == (0, 4)


def test_clean_is_identity_on_plain_words():
    assert clean("Тоқаев") == "Тоқаев"


def test_start_and_end_bounds():
    text = "Бір. Екі үш."
    assert [t.text for t in tokenize(text, 5, 8)] == ["Екі"]
