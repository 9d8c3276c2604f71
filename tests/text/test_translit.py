"""Kazakh Latin <-> Cyrillic: every letter of both alphabets, both ways, and real agency text."""

import pytest

from search_service.text.translit import cyrillic_to_latin, detect_variant, latin_to_cyrillic

# (Latin, Cyrillic) per letter; words chosen so each letter is in a real Kazakh word.
LETTERS_2018 = [
    ("ana", "ана"), ("áke", "әке"), ("bala", "бала"), ("dala", "дала"), ("eski", "ескі"),
    ("fakt", "факт"), ("gúl", "гүл"), ("ǵylym", "ғылым"), ("halyq", "халық"),
    ("ishki", "ішкі"), ("tıis", "тиіс"), ("aı", "ай"), ("jer", "жер"), ("kitap", "кітап"),
    ("qala", "қала"), ("lager", "лагер"), ("mal", "мал"), ("nan", "нан"), ("ań", "аң"),
    ("ot", "от"), ("ómir", "өмір"), ("pikir", "пікір"), ("ras", "рас"), ("su", "сұ"),
    ("tas", "тас"), ("ul", "ұл"), ("úı", "үй"), ("ýaqyt", "уақыт"), ("vagon", "вагон"),
    ("ylǵal", "ылғал"), ("zań", "заң"), ("shyn", "шын"), ("chempıon", "чемпион"),
    ("operatsııa", "операция"), ("saıasat", "саясат"), ("ıýrıst", "юрист"),
]  # fmt: skip
LETTERS_2021 = [
    ("äke", "әке"), ("ğylym", "ғылым"), ("añ", "аң"), ("ömır", "өмір"), ("ūl", "ұл"),
    ("üi", "үй"), ("uaqyt", "уақыт"), ("şyn", "шын"), ("çempion", "чемпион"),
    ("ışkı", "ішкі"), ("tiıs", "тиіс"), ("ai", "ай"), ("qala", "қала"), ("bala", "бала"),
]  # fmt: skip


@pytest.mark.parametrize(("latin", "cyrillic"), LETTERS_2018)
def test_2018_letters(latin, cyrillic):
    assert latin_to_cyrillic(latin, "2018") == cyrillic


@pytest.mark.parametrize(("latin", "cyrillic"), LETTERS_2021)
def test_2021_letters(latin, cyrillic):
    assert latin_to_cyrillic(latin, "2021") == cyrillic


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("әке", "äke"), ("ғылым", "ğylym"), ("аң", "añ"), ("өмір", "ömır"), ("ұл", "ūl"),
        ("үй", "üi"), ("уақыт", "uaqyt"), ("шын", "şyn"), ("чемпион", "çempion"),
        ("ішкі", "ışkı"), ("тиіс", "tiıs"), ("жер", "jer"), ("халық", "halyq"), ("вагон", "vagon"),
        ("фото", "foto"), ("зат", "zat"), ("бек", "bek"), ("дерек", "derek"), ("газ", "gaz"),
        ("операция", "operatsiia"), ("юрист", "iurist"), ("щи", "şşi"), ("пәтер", "päter"),
        ("Қазақстан", "Qazaqstan"), ("ІШКІ", "IŞKI"), ("Иран", "İran"), ("Іле", "Ile"),
    ],
)  # fmt: skip
def test_cyrillic_to_latin(cyrillic, latin):
    assert cyrillic_to_latin(cyrillic) == latin


@pytest.mark.parametrize(
    "word", ["Қазақстанға", "әкелуім", "жарияланған", "шығыс", "Үкімет", "ЖЕҢІС", "ұлттық", "Иран"]
)
def test_round_trip_through_2021(word):
    assert latin_to_cyrillic(cyrillic_to_latin(word), "2021") == word


@pytest.mark.parametrize(
    ("text", "variant"),
    [
        ("Qazaqstanǵa", "2018"),
        ("Bul ózi úshin aýyr jańalyq bolǵanyn atap ótti.", "2018"),
        ("Qazaqstanğa", "2021"),
        ("Būl özı üşın auyr jañalyq", "2021"),
        ("qazaqstan", "ascii"),
        ("shygys", "ascii"),
        ("tokaev", "ascii"),
    ],
)
def test_detect_variant(text, variant):
    assert detect_variant(text) == variant


# Real words from the agency's 2018 Latin edition, and the informal spellings of a query.
@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Qazaqstandyq", "Қазақстандық"), ("aıtty", "айтты"), ("jarııalanǵan", "жарияланған"),
        ("ýaqyt", "уақыт"), ("úshin", "үшін"), ("ákelýim", "әкелуім"), ("shyn", "шын"),
        ("Qazaqstanǵa", "Қазақстанға"), ("keıinge", "кейінге"), ("Italııa", "Италия"),
        ("Inflıatsııa", "Инфляция"), ("aıtsa", "айтса"), ("qazaqstan", "қазақстан"),
        ("shygys", "шығыс"), ("tokaev", "тоқаев"), ("Tokaev", "Тоқаев"), ("saylau", "сайлау"),
    ],
)  # fmt: skip
def test_real_words(latin, cyrillic):
    assert latin_to_cyrillic(latin) == cyrillic


def test_running_text_keeps_case_and_punctuation():
    text = (
        "ASTANA. KAZINFORM – Qazaqstandyq sheberi «oktagonǵa» shyqpaýyna ne sebep bolǵanyn aıtty."
    )
    assert latin_to_cyrillic(text) == (
        "АСТАНА. КАЗИНФОРМ – Қазақстандық шебері «октагонға» шықпауына не себеп болғанын айтты."
    )


@pytest.mark.parametrize(
    ("latin", "variant", "cyrillic"),
    [
        # the agency writes capital і as Cyrillic І inside Latin words, and Latin I for и/й
        ("BІShKEK", "2018", "БІШКЕК"),
        ("TÚRKІSTAN", "2018", "ТҮРКІСТАН"),
        ("Іle", "2018", "Іле"),
        ("Iran", "2018", "Иран"),
        ("MEIІRІMDІ", "2018", "МЕЙІРІМДІ"),
        # 2021: İ is и, I is і; "İ".lower() would give two characters
        ("İran", "2021", "Иран"),
        ("IŞKI", "2021", "ІШКІ"),
        ("Işkı İster", "2021", "Ішкі Истер"),
    ],
)
def test_capital_i(latin, variant, cyrillic):
    assert latin_to_cyrillic(latin, variant) == cyrillic


def test_non_letters_untouched():
    assert latin_to_cyrillic("2025 jyly, 9 aı — 100%") == "2025 жылы, 9 ай — 100%"
