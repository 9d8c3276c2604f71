"""The query language, without an index: table-driven, every malformed case included."""

import contextlib
import datetime as dt

import pytest
from whoosh import query as wq

from search_service import query as q
from search_service.query import QueryError, filter_clauses, parse_query
from search_service.schema import (
    DATE_FIELD,
    FOLD_FIELD,
    TEXT_EXACT_FIELD,
    TEXT_FIELD,
    TITLE_EXACT_FIELD,
    TITLE_FIELD,
)


def fields_of(query: wq.Query) -> set[str]:
    return {name for name, _ in query.iter_all_terms()}


def parts(query: wq.Query, kind: type) -> list[wq.Query]:
    """Every sub-query of one type, the query itself included."""
    found = [query] if isinstance(query, kind) else []
    for child in query.children():
        found += parts(child, kind)
    return found


# A malformed query and the well-formed query it is repaired into.
REPAIRS = [
    ('"жаңа заң', "жаңа заң"),  # a lone quote: dropped, with a notice (test_query_language)
    ("«жаңа заң»", '"жаңа заң"'),  # typographic quotes
    ("„жаңа заң“", '"жаңа заң"'),
    ('тариф ""', "тариф"),  # empty quotes
    ('тариф "!!!"', "тариф"),  # nothing searchable in quotes
    ("OR тариф", "тариф"),  # leading OR
    ("тариф OR", "тариф"),  # trailing OR
    ("тариф OR OR бюджет", "тариф OR бюджет"),  # doubled OR
    ("тариф AND бюджет", "тариф бюджет"),  # AND is what two words mean anyway
    ("тариф NOT", "тариф"),  # dangling NOT
    ("тариф -", "тариф"),  # dangling minus
    ("тариф *", "тариф"),  # lone star
    ("* тариф **", "тариф"),
    ("тариф title:", "тариф"),  # title: with no term
    ("title: тариф", "title:тариф"),  # title: followed by a space
    ("TITLE:тариф", "title:тариф"),
    ("тариф date:", "тариф"),  # empty date
    ("date:2025-06-30..2025-01-01", "date:2025-01-01..2025-06-30"),  # reversed range
    ("тариф   бюджет", "тариф бюджет"),
    ("тариф NOT бюджет", "тариф -бюджет"),
    ("тариф OR -бюджет", "тариф -бюджет"),  # OR with an exclusion: the OR is dropped
    ("   ", None),  # nothing at all: browse
    ("", None),
]


@pytest.mark.parametrize(("typed", "meant"), REPAIRS)
def test_malformed_queries_are_repaired_when_the_intent_is_clear(typed, meant):
    if meant is None:
        assert parse_query(typed).query is None
        return
    assert parse_query(typed).query == parse_query(meant).query


# A query that cannot be understood, and the message key it is answered with.
ERRORS = [
    ("*", q.EMPTY),
    ("OR", q.EMPTY),
    ("NOT", q.EMPTY),
    ("OR AND NOT", q.EMPTY),
    ('""', q.EMPTY),
    ("title:", q.EMPTY),
    ("-", q.EMPTY),
    ("date:", q.EMPTY),
    ("!!! ...", q.EMPTY),
    ("date:2025-13", q.BAD_DATE),
    ("date:2025-02-30", q.BAD_DATE),
    ("date:yesterday", q.BAD_DATE),
    ("date:20250101", q.BAD_DATE),
    ("date:2025-01-01...2025-02-01", q.BAD_DATE),
    ("date:..", q.BAD_DATE),
    ("тариф date:2025-1-1x", q.BAD_DATE),
    ("а*", q.SHORT_PREFIX),
    ("x*", q.SHORT_PREFIX),
    (" ".join(["тариф"] * (q.MAX_TERMS + 1)), q.TOO_MANY_TERMS),
]


@pytest.mark.parametrize(("typed", "key"), ERRORS)
def test_queries_that_cannot_be_understood_raise_a_query_error_with_a_key(typed, key):
    with pytest.raises(QueryError) as caught:
        parse_query(typed)
    assert caught.value.key == key


@pytest.mark.parametrize("key", sorted(q.MESSAGES))
def test_every_error_message_exists_in_kazakh_russian_and_english(key):
    error = QueryError(key)
    for lang in ("kk", "ru", "en"):
        assert error.message(lang).strip()
    assert error.message("de") == error.message("en")


@pytest.mark.parametrize(
    "typed",
    [
        "a" * 400,
        '"' * 50,
        "-" * 30,
        "title:" * 10,
        "date:" * 10,
        "((тариф)) OR [бюджет]",
        "тариф\x00бюджет",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "title:-тариф -title:бюджет NOT -date:2024",
        "*" * 20,
        "тариф*" + "*" * 10,
    ],
)
def test_odd_input_gives_a_query_or_a_query_error_never_another_exception(typed):
    with contextlib.suppress(QueryError):
        parse_query(typed)


def test_a_word_matches_its_keys_its_exact_form_and_its_fold_key():
    parsed = parse_query("Тоқаев")
    terms = set(parsed.query.iter_all_terms())
    assert {TITLE_FIELD, TEXT_FIELD, TITLE_EXACT_FIELD, TEXT_EXACT_FIELD, FOLD_FIELD} == {
        name for name, _ in terms
    }
    assert (TEXT_EXACT_FIELD, "тоқаев") in terms
    assert (FOLD_FIELD, "токаев") in terms
    boosts = {(t.fieldname, t.text): t.boost for t in parts(parsed.query, wq.Term)}
    assert boosts[(TEXT_EXACT_FIELD, "тоқаев")] > boosts[(FOLD_FIELD, "токаев")]
    assert all(
        boosts[(TEXT_EXACT_FIELD, "тоқаев")] > b
        for (f, _), b in boosts.items()
        if f in (TITLE_FIELD, TEXT_FIELD)
    )


def test_all_words_must_match():
    parsed = parse_query("тариф бюджет")
    main = parsed.query.a if isinstance(parsed.query, wq.AndMaybe) else parsed.query
    assert isinstance(main, wq.And) and len(main.subqueries) == 2


def test_two_plain_words_add_an_optional_proximity_clause():
    parsed = parse_query("водный транспорт")
    assert isinstance(parsed.query, wq.AndMaybe)
    phrases = parts(parsed.query.b, wq.Phrase)
    assert {p.fieldname for p in phrases} == {TITLE_FIELD, TEXT_FIELD}
    assert all(p.slop == q.PROXIMITY_SLOP for p in phrases)


def test_alternatives_get_no_proximity_clause():
    assert not isinstance(parse_query("тариф OR бюджет").query, wq.AndMaybe)


def test_or_joins_its_neighbours_and_binds_tighter_than_and():
    parsed = parse_query("тариф OR бюджет хроника")
    main = parsed.query  # one plain word only: no proximity clause
    assert isinstance(main, wq.And)
    either, other = main.subqueries
    assert (TEXT_EXACT_FIELD, "тариф") in set(either.iter_all_terms())
    assert (TEXT_EXACT_FIELD, "бюджет") in set(either.iter_all_terms())
    assert (TEXT_EXACT_FIELD, "хроника") in set(other.iter_all_terms())


@pytest.mark.parametrize("typed", ["-спорт", "NOT спорт"])
def test_an_exclusion_alone_means_everything_else(typed):
    parsed = parse_query(typed)
    assert isinstance(parsed.query, wq.AndNot)
    assert parsed.query.a == wq.Every()
    assert not parsed.scored
    assert not parsed.marks  # excluded words are not highlighted


def test_excluded_words_are_not_marked():
    parsed = parse_query("тариф -бюджет")
    assert "тариф" in parsed.marks.forms
    assert "бюджет" not in parsed.marks.forms


def test_quotes_mean_exact_forms_in_order_with_stop_words_in_place():
    parsed = parse_query('"в Астане"')
    phrases = parts(parsed.query, wq.Phrase)
    assert {p.fieldname for p in phrases} == {TITLE_EXACT_FIELD, TEXT_EXACT_FIELD}
    assert all(p.words == ["в", "астане"] for p in phrases)
    assert "в" not in parsed.marks.forms  # a stop word is kept in the phrase, not marked


def test_one_quoted_word_means_only_its_exact_form():
    parsed = parse_query('"конституции"')
    assert fields_of(parsed.query) == {TITLE_EXACT_FIELD, TEXT_EXACT_FIELD}


def test_a_prefix_searches_exact_forms_converted_to_cyrillic():
    parsed = parse_query("Qazaq*")
    prefixes = parts(parsed.query, wq.Prefix)
    assert {(p.fieldname, p.text) for p in prefixes} >= {
        (TITLE_EXACT_FIELD, "қазақ"),
        (TEXT_EXACT_FIELD, "қазақ"),
    }
    assert parsed.marks.prefixes[0] == "қазақ"


def test_title_restricts_words_phrases_and_prefixes_to_the_headline():
    for typed in ("title:тариф", 'title:"жаңа заң"', "title:тари*"):
        assert fields_of(parse_query(typed).query) <= {TITLE_FIELD, TITLE_EXACT_FIELD}, typed
    mixed = parse_query("title:тариф бюджет")
    assert TEXT_FIELD in fields_of(mixed.query)  # only the next word is restricted


def test_a_query_of_stop_words_only_searches_their_exact_forms():
    parsed = parse_query("и")
    assert fields_of(parsed.query) == {TITLE_EXACT_FIELD, TEXT_EXACT_FIELD}


def test_latin_kazakh_words_are_searched_in_cyrillic():
    parsed = parse_query("Qazaqstan")
    assert (TEXT_EXACT_FIELD, "қазақстан") in set(parsed.query.iter_all_terms())


DATES = [
    ("date:2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ("date:2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ("date:2025-03-07", dt.date(2025, 3, 7), dt.date(2025, 3, 7)),
    ("date:2025-01-01..2025-06-30", dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
    ("date:2025-01-01..", dt.date(2025, 1, 1), None),
    ("date:..2020-12-31", None, dt.date(2020, 12, 31)),
    ("date:2019..2020", dt.date(2019, 1, 1), dt.date(2020, 12, 31)),
    ("DATE:2025-3", dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
]


@pytest.mark.parametrize(("typed", "start", "end"), DATES)
def test_date_ranges(typed, start, end):
    parsed = parse_query(typed)
    assert parsed.query == q.date_range(start, end)
    assert parsed.query.fieldname == DATE_FIELD
    assert not parsed.scored  # nothing to rank by: the searcher lists newest first


def test_form_filters_build_the_same_queries_as_the_query_language():
    filters = filter_clauses(
        year="2025", month="2025-03", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 6, 30)
    )
    assert filters[q.FILTER_YEAR] == parse_query("date:2025").query
    assert filters[q.FILTER_MONTH] == parse_query("date:2025-03").query
    assert filters[q.FILTER_DATES] == parse_query("date:2025-01-01..2025-06-30").query
    assert filter_clauses(lang="kk", city="Астана") == {
        q.FILTER_LANG: wq.Term("lang", "kk"),
        q.FILTER_CITY: wq.Term("city", "Астана"),
    }
    assert q.combine([]) is None


def test_words_are_kept_as_typed_for_did_you_mean():
    parsed = parse_query('Тарив "жаңа заң" -спорт')
    assert parsed.words == (("Тарив", "тарив"),)


def test_a_quoted_phrase_marks_only_its_exact_forms():
    marks = parse_query('"Северный поток"').marks
    assert {"северный", "поток"} <= marks.forms
    assert not marks.keys and not marks.folds  # Северного потока stays unmarked
    both = parse_query('"Северный поток" газ').marks
    assert "газ" in both.keys and "поток" not in both.keys


def test_a_quoted_latin_word_is_searched_and_marked_in_every_reading():
    parsed = parse_query('"Iskakov"')
    searched = {text for _, text in parsed.query.iter_all_terms()}
    assert {"искаков", "іскаков"} <= searched
    assert searched == set(parsed.marks.forms)  # what is marked is what is searched
    assert {text for _, text in parse_query('"выборы"').query.iter_all_terms()} == {"выборы"}
