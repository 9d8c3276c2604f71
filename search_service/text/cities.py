"""Dateline cities under one name, whatever the script or the language of the article.

The facet "city" should show Astana once, not as ``ASTANA`` (Latin edition), ``Астана`` and
``Astana``; and Oral once, not as ``Орал`` (Kazakh) and ``Уральск`` (Russian). Kazakhstan's
cities are shown by their Kazakh names, in Cyrillic; foreign cities as the dateline spells
them in Cyrillic.

That filed name is the facet's key and the filter's value in every interface language;
:func:`city_name` gives the name to show for it in Kazakh, Russian or English
(``data/city_names.tsv``).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from search_service.text.language import script
from search_service.text.translit import cyrillic_to_latin, detect_variant, latin_to_cyrillic

# A name in Cyrillic letters (with hyphens, spaces, apostrophes) that English can spell in
# Latin letters; anything else is shown as it is.
_CYRILLIC_NAME = re.compile(r"[\u0400-\u04ff]+(?:[-' ][\u0400-\u04ff]+)*")
CITY_NAMES_FILE = Path(__file__).parent / "data" / "city_names.tsv"
NAME_LANGUAGES = ("kk", "ru", "en")

# Russian (and older) names of Kazakhstan's cities -> the Kazakh name.
KAZAKH_NAMES = {
    "Актау": "Ақтау",
    "Актобе": "Ақтөбе",
    "Алма-Ата": "Алматы",
    "Акмола": "Астана",
    "Байконур": "Байқоңыр",
    "Жезказган": "Жезқазған",
    "Караганда": "Қарағанды",
    "Кокшетау": "Көкшетау",
    "Конаев": "Қонаев",
    "Костанай": "Қостанай",
    "Кызылорда": "Қызылорда",
    "Нур-Султан": "Нұр-Сұлтан",
    "Петропавловск": "Петропавл",
    "Семипалатинск": "Семей",
    "Талдыкорган": "Талдықорған",
    "Туркестан": "Түркістан",
    "Уральск": "Орал",
    "Усть-Каменогорск": "Өскемен",
    "Экибастуз": "Екібастұз",
}


def canonical_city(city: str, variant: str | None = None) -> str:
    """The one name a dateline city is filed under.

    ``variant`` is the Latin Kazakh alphabet of the article (``2018``, ``2021``, ``ascii``),
    used when the city is written in Latin letters.

    >>> canonical_city("Qaraǵandy", "2018"), canonical_city("Astana"), canonical_city("Уральск")
    ('Қарағанды', 'Астана', 'Орал')
    >>> canonical_city("Москва"), canonical_city("")
    ('Москва', '')
    """
    if not city:
        return ""
    if script(city) == "Latn":
        city = latin_to_cyrillic(city, variant or detect_variant(city))
    return KAZAKH_NAMES.get(city, city)


@functools.cache
def _city_names() -> dict[str, dict[str, str]]:
    """Filed name -> ``{"kk": ..., "ru": ..., "en": ...}`` from the data file."""
    names: dict[str, dict[str, str]] = {}
    for line in CITY_NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        filed, russian, english = line.split("\t")
        names[filed] = {"kk": filed, "ru": russian, "en": english}
    return names


def city_name(city: str, lang: str) -> str:
    """The name to show for the filed ``city`` in the interface language ``lang``.

    A city without a listed name is shown as filed, and in English in Latin letters.

    >>> city_name("Токіо", "ru"), city_name("Токіо", "en"), city_name("Бішкек", "ru")
    ('Токио', 'Tokyo', 'Бишкек')
    >>> city_name("Астана", "kk"), city_name("Астана", "ru"), city_name("Астана", "en")
    ('Астана', 'Астана', 'Astana')
    >>> city_name("Қаратау", "ru"), city_name("Қаратау", "en"), city_name("", "en")
    ('Қаратау', 'Qaratau', '')
    """
    names = _city_names().get(city)
    if names is not None:
        return names.get(lang, city)
    if lang == "en" and _CYRILLIC_NAME.fullmatch(city):
        return cyrillic_to_latin(city)
    return city


def city_names(city: str) -> dict[str, str]:
    """The city's name in each interface language."""
    return {lang: city_name(city, lang) for lang in NAME_LANGUAGES}
