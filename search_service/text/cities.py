"""Dateline cities under one name, whatever the script or the language of the article.

The facet "city" should show Astana once, not as ``ASTANA`` (Latin edition), ``Астана`` and
``Astana``; and Oral once, not as ``Орал`` (Kazakh) and ``Уральск`` (Russian). Kazakhstan's
cities are shown by their Kazakh names, in Cyrillic; foreign cities as the dateline spells
them in Cyrillic.
"""

from __future__ import annotations

from search_service.text.language import script
from search_service.text.translit import detect_variant, latin_to_cyrillic

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
