"""Dateline cities are filed under one Cyrillic, Kazakh name."""

import tarfile
from pathlib import Path

import pytest

from search_service.archive import parse_article, parse_dateline
from search_service.text.cities import (
    CITY_NAMES_FILE,
    _city_names,
    canonical_city,
    city_names,
)
from search_service.text.language import script
from search_service.text.translit import detect_variant


@pytest.mark.parametrize(
    ("written", "variant", "filed"),
    [
        ("Astana", "2018", "Астана"),
        ("Астана", None, "Астана"),
        ("Nur-Sultan", "2018", "Нұр-Сұлтан"),
        ("Нур-Султан", None, "Нұр-Сұлтан"),
        ("Qaraǵandy", "2018", "Қарағанды"),
        ("Караганда", None, "Қарағанды"),
        ("Уральск", None, "Орал"),
        ("Oral", "2018", "Орал"),
        ("Усть-Каменогорск", None, "Өскемен"),
        ("Túrkistan", "2018", "Түркістан"),
        ("Bіshkek", "2018", "Бішкек"),  # a Cyrillic і inside a Latin word, as published
        ("Москва", None, "Москва"),
        ("", None, ""),
    ],
)
def test_one_name_per_city(written, variant, filed):
    assert canonical_city(written, variant) == filed


# Names in the interface languages -----------------------------------------------------------

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


@pytest.mark.parametrize(
    ("filed", "kk", "ru", "en"),
    [
        ("Токіо", "Токіо", "Токио", "Tokyo"),
        ("Бішкек", "Бішкек", "Бишкек", "Bishkek"),
        ("Астана", "Астана", "Астана", "Astana"),
        ("Орал", "Орал", "Уральск", "Oral"),
        ("Өскемен", "Өскемен", "Усть-Каменогорск", "Oskemen"),
        ("Мәскеу", "Мәскеу", "Москва", "Moscow"),
        # Not listed: as filed, and in Latin letters in English when it is a name at all.
        ("Қаратау", "Қаратау", "Қаратау", "Qaratau"),
        ("Қызыл'орда", "Қызыл'орда", "Қызыл'орда", "Qyzyl'orda"),
        ("<b>x</b>", "<b>x</b>", "<b>x</b>", "<b>x</b>"),
    ],
)
def test_city_names_in_each_interface_language(filed, kk, ru, en):
    assert city_names(filed) == {"kk": kk, "ru": ru, "en": en}


def test_every_listed_city_is_filed_under_its_own_name():
    """A listed name must be one that canonical_city can give, or no article would use it."""
    for line in CITY_NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            filed, russian, english = line.split("\t")
            assert canonical_city(filed) == filed, line
            assert russian and english.isascii(), line


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")
def test_every_dateline_city_of_the_real_corpus_has_its_names():
    filed = set()
    for archive in sorted(CORPUS.glob("*.tar.gz")):
        with tarfile.open(archive) as tar:
            for member in tar:
                if not member.isfile() or not member.name.endswith(".txt"):
                    continue
                text = tar.extractfile(member).read().decode("utf-8")
                parsed = parse_article(text)
                city, _ = parse_dateline(parsed[2])
                if city:
                    variant = detect_variant(parsed[2]) if script(city) == "Latn" else None
                    filed.add(canonical_city(city, variant))
    assert len(filed) >= 10
    assert not filed - set(_city_names()), filed - set(_city_names())
