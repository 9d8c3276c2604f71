"""Language and script detection, per document, per sentence and per word."""

import pytest

from search_service.text.language import (
    detect_language,
    sentence_language,
    sentence_languages,
    word_language,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Мемлекет басшысы бойынша жиын өтті.", ("kk", "Cyrl")),
        # no Kazakh-only letter, but Kazakh function words
        ("Ол сол жерде болды деп айтты.", ("kk", "Cyrl")),
        ("Президент подписал указ о выборах в Сенат.", ("ru", "Cyrl")),
        ("Qazaqstan Respýblıkasynyń Prezıdenti jarlyqqa qol qoıdy.", ("kk", "Latn")),
        ("Qazaqstan Respublikasynyñ Prezidentı jarlyqqa qol qoidy.", ("kk", "Latn")),
        (
            "Сайлау бойынша комиссия жұмыс істеп жатыр. "
            "Центризбирком сообщил, что явка составила 60 процентов.",
            ("mixed", "Cyrl"),
        ),
        ("", ("ru", "Cyrl")),
    ],
)
def test_detect_language(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("sentence", "lang"),
    [
        ("Бұл мәселе бойынша шешім қабылданды", "kk"),
        ("Это решение принято по итогам встречи", "ru"),
        ("Да, это так", "ru"),  # "да" is not taken as Kazakh
        ("Астана", None),
    ],
)
def test_sentence_language(sentence, lang):
    assert sentence_language(sentence) == lang


def test_sentence_runs_cover_the_text():
    text = "Бұл жақсы. Это хорошо. Тағы бір."
    runs = sentence_languages(text, "kk")
    assert [lang for *_, lang in runs] == ["kk", "ru", "kk"]
    assert runs[0][0] == 0 and runs[-1][1] == len(text)


@pytest.mark.parametrize(
    ("word", "context", "lang"),
    [("Тоқаев", "ru", "kk"), ("Токаев", "ru", "ru"), ("конституция", "kk", "kk")],
)
def test_kazakh_letters_override(word, context, lang):
    assert word_language(word, context) == lang
