"""Case folding, ё, İ, stress marks, mixed-script repair and name folding."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search_service.text import fold
from search_service.text.fold import fold_case, name_fold, repair_script


@pytest.mark.parametrize(
    ("word", "folded"),
    [
        ("Ёлка", "елка"),
        ("ЁЖ", "еж"),
        ("Йошкар-Ола", "йошкар-ола"),  # й stays й
        ("Қазақстан", "қазақстан"),
        ("ІЛЕ", "іле"),
        ("İle", "ile"),  # one character, no combining dot
        ("Ä", "ä"),
        ("КАЗИНФОРМ", "казинформ"),
        ("би\u0301тва", "битва"),
    ],
)
def test_fold_case(word, folded):
    assert fold_case(word) == folded


@pytest.mark.parametrize(
    ("word", "repaired"),
    [
        ("Кампaния", "Кампания"),  # Latin a inside Cyrillic
        ("сoвет", "совет"),
        ("Нұр-Cұлтан", "Нұр-Сұлтан"),
        ("КаzТrаnsCоm", "KazTransCom"),  # z, r, n, s have no Cyrillic twin
        ("BІShKEK", "BIShKEK"),  # Cyrillic І inside a Latin word
        ("Kaspi", "Kaspi"),
        ("Тоқаев", "Тоқаев"),
        ("Qазақ", "Qазақ"),  # Q has no Cyrillic twin and қ no Latin one: left alone
    ],
)
def test_repair_script(word, repaired):
    assert repair_script(word) == repaired


@pytest.mark.parametrize(
    ("key", "folded"),
    [
        ("тоқаев", "токаев"),
        ("әбішев", "абишев"),
        ("ұлытау", "улытау"),
        ("өскемен", "оскемен"),
        ("үкімет", "укимет"),
        ("шаңғы", "шангы"),
        ("һ", "х"),
        ("токаев", "токаев"),
    ],
)
def test_name_fold(key, folded):
    assert name_fold(key) == folded


@given(st.text(alphabet="аАЁеЕіІİiIйЙқҚ -zZ" + "".join(map(chr, fold._AFTER_LOWER)), max_size=12))
def test_folding_skips_the_letter_table_only_when_it_would_change_nothing(word):
    assert fold_case(word) == word.lower().translate(fold._AFTER_LOWER)
