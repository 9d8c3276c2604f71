"""The query language as staff type it: repairs said out loud, groups, filter prefixes, the
operators in Kazakh and Russian, boosts, and unknown cities (issue 14)."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from search_service.cli import EXIT_USAGE, main
from search_service.query import Notice, parse_query, tokenize

ENGLISH = {"Accept-Language": "en"}


def api(client, headers=ENGLISH, **params) -> dict:
    response = client.get("/api/search", query_string=params, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(client, **params) -> set[str]:
    body = api(client, per_page=100, **params)
    return {hit["id"] for hit in body["hits"]}


# Two ways of typing one query: the same Whoosh query ----------------------------------------
SAME_QUERY = [
    # A field prefix applies to a bracketed group.
    ("title:(сайлау OR выборы)", "title:сайлау OR title:выборы"),
    ('title:(сайлау "мәслихат сайлауы")', 'title:сайлау title:"мәслихат сайлауы"'),
    ("(сайлау OR выборы) Астана", "сайлау OR выборы Астана"),
    # A lone quotation mark is dropped, not made into a phrase running to the end.
    ('"сайлау', "сайлау"),
    ("«сайлау", "сайлау"),
    ('сайлау"', "сайлау"),
    ('"мәслихат сайлауы', "мәслихат сайлауы"),
    ('"Астана" "сайлау', '"Астана" сайлау'),
    # Operators in Russian and Kazakh, in capitals.
    ("сайлау ИЛИ выборы", "сайлау OR выборы"),
    ("сайлау НЕМЕСЕ выборы", "сайлау OR выборы"),
    ("выборы НЕ президент", "выборы NOT президент"),
    ("сайлау ЕМЕС Астана", "сайлау -Астана"),
    ("бюджет И школа", "бюджет школа"),
    ("бюджет ЖӘНЕ мектеп", "бюджет мектеп"),
    # A headline pasted in capitals keeps its words.
    ("ЗАКОН НЕ ПРИНЯТ", '"ЗАКОН" "НЕ" "ПРИНЯТ"'.replace('"', "")),
    # Lone brackets are dropped.
    ("сайлау)", "сайлау"),
    ("(сайлау", "сайлау"),
    # The filters of the form as prefixes.
    ("year:2019", "date:2019"),
    ("year:2015..2019", "date:2015..2019"),
    ("city:уральск", "city:Орал"),
    ("city:Oral", "city:Орал"),
    ('city:"Нұр-Сұлтан"', "city:Нұр-Сұлтан"),
    ("lang:KK", "lang:kk"),
    # What is not a field stays text, or (a try at a field) its value is searched.
    ("author:Токаев", "Токаев"),
]


@pytest.mark.parametrize(("typed", "meant"), SAME_QUERY)
def test_two_ways_of_typing_give_one_query(typed, meant):
    assert parse_query(typed).query == parse_query(meant).query


DIFFERENT_QUERY = [
    ("сайлау или выборы", "сайлау OR выборы"),  # lower case: a word, not an operator
    ("сайлау немесе выборы", "сайлау OR выборы"),
    ("выборы не президент", "выборы NOT президент"),
    ("title:(сайлау OR выборы)", "title:сайлау OR выборы"),
]


@pytest.mark.parametrize(("typed", "other"), DIFFERENT_QUERY)
def test_lower_case_operator_words_stay_words(typed, other):
    assert parse_query(typed).query != parse_query(other).query


def test_ordinary_colons_are_text():
    for text in ("10:30", "https://kazinform.kz", "Токаев: экономика", "http:"):
        assert not parse_query(text).notices, text
    assert [t.text for t in tokenize("10:30")] == ["10:30"]


def test_a_boost_weighs_the_word_but_keeps_its_forms():
    plain, boosted = parse_query("сайлау"), parse_query("сайлау^2")
    assert boosted.query == plain.query.with_boost(2.0)
    assert parse_query('"мәслихат сайлауы"^3').query.boost == 3.0
    assert parse_query("(сайлау OR выборы)^2").query.boost == 2.0
    assert parse_query("сайлау^").query == plain.query
    assert not boosted.notices


# Notices: what was repaired, what was searched, and the literal alternative ---------------
NOTICES = [
    ('"сайлау', Notice("lone_quote", '"сайлау', "сайлау", '"сайлау"')),
    ("«сайлау", Notice("lone_quote", "«сайлау", "сайлау", "«сайлау»")),
    ('сайлау"', Notice("lone_quote", 'сайлау"', "сайлау", '"сайлау"')),
    ('Астана "мәслихат сайлауы', Notice("lone_quote", "", "", 'Астана "мәслихат сайлауы"')),
    (
        "date:2019-06-30..2019-01-01",
        Notice("reversed_dates", "date:2019-06-30..2019-01-01", "date:2019-01-01..2019-06-30"),
    ),
    ("year:2020..2015", Notice("reversed_dates", "year:2020..2015", "year:2015..2020")),
    ("author:Токаев", Notice("unknown_field", "author", "Токаев", "author Токаев")),
    ("lang:en сайлау", Notice("bad_lang_value", "en")),
]


@pytest.mark.parametrize(("typed", "expected"), NOTICES)
def test_a_repair_is_a_notice(typed, expected):
    (notice,) = parse_query(typed).notices
    assert notice.code == expected.code
    assert notice.literal == expected.literal
    if expected.typed:
        assert (notice.typed, notice.searched) == (expected.typed, expected.searched)
    for lang in ("kk", "ru", "en"):
        assert notice.message(lang) and "{" not in notice.message(lang)


def test_lone_quote_gives_the_hits_of_the_word_with_a_notice_in_the_api(pages_client):
    plain = api(pages_client, q="сайлау")
    for typed in ('"сайлау', "«сайлау", 'сайлау"'):
        body = api(pages_client, q=typed, headers={"Accept-Language": "ru"})
        assert body["total"] == plain["total"] > 0
        (notice,) = body["notices"]
        assert notice["code"] == "lone_quote"
        assert notice["searched"] == "сайлау"
        assert notice["literal"] in ('"сайлау"', "«сайлау»")
        assert notice["message"] == "Кавычка без пары пропущена: искали сайлау."
    assert plain["notices"] == []


def test_the_page_says_what_was_searched_and_links_the_literal_search(pages_client):
    for ui, words in (("kk", "Жұбы жоқ тырнақша"), ("ru", "Кавычка без пары"), ("en", "pair")):
        response = pages_client.get(
            "/search", query_string={"q": '"сайлау'}, headers={"Accept-Language": ui}
        )
        html = response.get_data(as_text=True)
        notice = re.search(
            r'<p class="query-notice" data-notice="lone_quote">(.*?)</p>', html, re.S
        )
        assert notice and words in notice.group(1)
        link = re.search(r'class="notice-literal" href="([^"]+)"', notice.group(1))
        literal = pages_client.get(unescape(link.group(1)), headers=ENGLISH)
        assert 'data-notice="lone_quote"' not in literal.get_data(as_text=True)
        assert unescape(link.group(1)).endswith("q=%22%D1%81%D0%B0%D0%B9%D0%BB%D0%B0%D1%83%22")


def test_a_notice_is_escaped(pages_client):
    html = pages_client.get(
        "/search", query_string={"q": '<b>x</b> "<script>alert(1)'}, headers=ENGLISH
    ).get_data(as_text=True)
    assert 'data-notice="lone_quote"' in html
    assert "<script>" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;" in html


def test_a_reversed_date_range_is_turned_round_and_said(pages_client):
    body = api(pages_client, q="date:2024-12-31..2024-01-01")
    assert body["total"] == api(pages_client, q="date:2024-01-01..2024-12-31")["total"] > 0
    assert [n["code"] for n in body["notices"]] == ["reversed_dates"]
    assert "runs backwards" in body["notices"][0]["message"]


# Groups and prefixes against the index --------------------------------------------------
def test_title_applies_to_a_group(pages_client):
    grouped = ids(pages_client, q="title:(сайлау OR выборы)")
    assert grouped == ids(pages_client, q="title:сайлау OR title:выборы")
    assert "kk.2023.05.konstitutsiya" not in grouped  # сайлау only in its body
    assert "kk.2024.03.oral-saylau" in grouped


@pytest.mark.parametrize(
    ("typed", "form"),
    [
        ("lang:ru выборы", {"q": "выборы", "lang": "ru"}),
        ("выборы lang:ru", {"q": "выборы", "lang": "ru"}),
        ("lang:kk сайлау", {"q": "сайлау", "lang": "kk"}),
        ("city:Астана сайлау", {"q": "сайлау", "city": "Астана"}),
        ("city:астана сайлау", {"q": "сайлау", "city": "Астана"}),
        ("city:Уральск", {"city": "Орал"}),
        ("city:Oral", {"city": "Орал"}),
        ("year:2024 сайлау", {"q": "сайлау", "year": "2024"}),
        ("year:2020..2021", {"from": "2020-01-01", "to": "2021-12-31"}),
    ],
)
def test_filter_prefixes_work_like_the_forms_filters(pages_client, typed, form):
    found = ids(pages_client, q=typed)
    assert found and found == ids(pages_client, **form)


def test_a_filter_prefix_is_never_relaxed(pages_client):
    # No Russian article has сайлау: the no-dead-end fallback relaxes the words, never lang:.
    body = api(pages_client, q="lang:ru сайлау Астана")
    assert body["total"] > 0 and body["missing_words"] == ["сайлау"]
    assert {hit["language"] for hit in body["hits"]} == {"ru"}
    assert api(pages_client, q="-lang:kk сайлау")["total"] == 0


def test_an_unknown_field_searches_its_value_and_says_so(pages_client):
    body = api(pages_client, q="author:сайлау", headers={"Accept-Language": "kk"})
    assert body["total"] == api(pages_client, q="сайлау")["total"]
    (notice,) = body["notices"]
    assert notice["code"] == "unknown_field" and "«author:»" in notice["message"]


def test_a_boost_keeps_every_hit(pages_client):
    assert ids(pages_client, q="сайлау^2") == ids(pages_client, q="сайлау")
    assert ids(pages_client, q="сайлау^2 OR выборы") == ids(pages_client, q="сайлау OR выборы")


def test_russian_and_kazakh_operators_find_what_the_english_ones_do(pages_client):
    assert ids(pages_client, q="сайлау ИЛИ выборы") == ids(pages_client, q="сайлау OR выборы")
    assert ids(pages_client, q="сайлау НЕМЕСЕ выборы") == ids(pages_client, q="сайлау OR выборы")
    assert ids(pages_client, q="сайлау ЕМЕС Астана") == ids(pages_client, q="сайлау -Астана")
    assert ids(pages_client, q="выборы НЕ президент") == ids(pages_client, q="выборы -президент")
    assert ids(pages_client, q="сайлау -Астана") != ids(pages_client, q="сайлау")


# Unknown cities: 400 bad_city in the API and the CLI, an empty page with a note -----------
@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "There is no such city in the archive"),
        ("ru", "Такого города в архиве нет"),
        ("kk", "Мұрағатта мұндай қала жоқ"),
    ],
)
def test_an_unknown_city_is_a_bad_city_error_in_the_api(pages_client, lang, message):
    response = pages_client.get(
        "/api/search",
        query_string={"q": "сайлау", "city": "Nowhere"},
        headers={"Accept-Language": lang},
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_city" and message in error["message"]
    assert "Ноухере" not in response.get_data(as_text=True)


def test_a_known_city_in_any_spelling_is_no_error(pages_client):
    for city in ("Орал", "Уральск", "Oral", "уральск"):
        assert api(pages_client, city=city)["total"] == 2, city


def test_an_unknown_city_on_the_page_is_an_empty_result_with_a_note(pages_client):
    response = pages_client.get(
        "/search", query_string={"q": "сайлау", "city": "Nowhere"}, headers=ENGLISH
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-notice="unknown_city"' in html and "Nowhere" in html
    assert "Ноухере" not in html  # no invented facet value
    assert 'class="hit"' not in html


def test_an_unknown_city_prefix_is_a_note(pages_client):
    body = api(pages_client, q="city:Nowhere сайлау")
    assert body["total"] == 0
    assert [(n["code"], n["typed"]) for n in body["notices"]] == [("unknown_city", "Nowhere")]
    assert "Ноухере" not in json.dumps(body, ensure_ascii=False)


def test_the_cli_says_an_unknown_city_is_unknown(pages_index, runner):
    result = runner.invoke(main, ["search", "--index", str(pages_index), "--city", "Nowhere", "x"])
    assert result.exit_code == EXIT_USAGE
    assert "There is no such city in the archive" in result.output
    result = runner.invoke(
        main, ["search", "--index", str(pages_index), "--json", "--city", "Nowhere", "x"]
    )
    assert json.loads(result.output)["error"]["code"] == "bad_city"


def test_the_cli_prints_notices(pages_index, runner):
    result = runner.invoke(main, ["search", "--index", str(pages_index), '"сайлау'])
    assert result.exit_code == 0
    assert "note: A quotation mark without its pair was left out" in result.output


# The help page --------------------------------------------------------------------------
@pytest.mark.parametrize("ui", ["kk", "ru", "en"])
def test_the_help_lists_the_operators_in_every_interface_language(pages_client, ui):
    html = pages_client.get("/", headers={"Accept-Language": ui}).get_data(as_text=True)
    help_text = unescape(re.search(r'<section class="help".*?</section>', html, re.S).group(0))
    for operator in ("OR", "ИЛИ", "НЕМЕСЕ", "NOT", "НЕ", "ЕМЕС", "AND", "И", "ЖӘНЕ"):
        assert re.search(rf"(?<!\w){operator}(?!\w)", help_text), operator
    for example in ("title:(сайлау OR выборы)", "lang:ru выборы", "city:Астана", "сайлау^2"):
        assert example in help_text
