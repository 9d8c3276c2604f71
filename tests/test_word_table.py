"""Word tables: highlighting from the analysis the index keeps, the same as analysing again.

A results page judges its hits' words with the table the build stored for each headline and
body (:func:`search_service.text.analyze.word_table`) instead of analysing the texts. These
tests hold the two ways to the same offsets, word for word, and check that the searcher reads
the tables of a real index.
"""

import pytest
from whoosh import index as whoosh_index

from search_service import highlight
from search_service.query import parse_query
from search_service.schema import BODY_WORDS_FIELD, HEADLINE_WORDS_FIELD
from search_service.text.analyze import (
    WORD_TABLE_VERSION,
    clear_caches,
    find_words,
    find_words_in_table,
    word_table,
)

TEXTS = [
    ("Сайлау мен сайлауға дайындық", "kk"),
    ("Нұр-Сұлтан мен ҚР-ның Үкіметі, АҚШ-тың елшісі, 55-ші мектеп", "kk"),
    ("Qazaqstan Respýblıkasynyń Prezıdenti Astanada saılaý týraly aıtty", "kk"),
    ("Qazaqstan Respublikasynyñ Prezidenti Astanada sailau turaly", "kk"),
    ("В Конституции какого-то северо-западного района, в том числе ёлки", "ru"),
    ("Президент Тоқаев Мәжілісте сөйледі. Затем премьер-министр выступил в Сенате.", "mixed"),
    ("Kaspi, COVID-19 және 2025 жылы ЭКСПО-2017 Кремльде", None),
    ("", "kk"),
    ("Кремль ь ъ Ь сөз", "kk"),  # a lone soft sign: an empty form and key
]


def _every_third(form: str, keys: tuple[str, ...], fold: str) -> bool:
    # judges on all three parts, so that a wrong form, key or fold would change the result
    return (len(form) + sum(map(len, keys)) + len(fold)) % 3 == 0


@pytest.mark.parametrize("text, lang", TEXTS)
@pytest.mark.parametrize(
    "accept",
    [
        _every_third,
        lambda form, keys, fold: True,
        lambda form, keys, fold: not keys,  # stop words only
        lambda form, keys, fold: fold.startswith(("т", "к", "п")),
    ],
)
def test_the_table_finds_the_words_analysis_finds(text, lang, accept):
    table = word_table(text, lang)
    clear_caches()  # the table alone, with nothing of the analysis left in memory
    assert find_words_in_table(text, table, accept) == find_words(text, lang, accept)


@pytest.mark.parametrize("text, lang", TEXTS)
def test_a_query_marks_the_same_spans_with_and_without_the_table(text, lang):
    table = word_table(text, lang)
    queries = ("сайлау", "конституция", "Тоқаев", "Qazaqstan", "президент", "нұр*", "министр")
    for q in (*queries, '"в том числе"', '"Сайлау мен сайлауға"'):
        marks = parse_query(q).marks
        clear_caches()
        with_table = highlight.matched_spans(text, lang, marks, table)
        highlight._judgements.cache_clear()
        assert with_table == highlight.matched_spans(text, lang, marks), q


def test_a_table_of_another_version_or_text_is_not_used():
    text = "Сайлау мен сайлауға"
    table = word_table(text, "kk")
    assert table.startswith(WORD_TABLE_VERSION + "\t")
    older = "w0" + table[len(WORD_TABLE_VERSION) :]
    assert find_words_in_table(text, older, _every_third) is None
    longer = text + " және жаңа сөздер"
    assert find_words_in_table(longer, table, _every_third) is None
    # the highlighter then analyses the text, and marks what analysis marks
    marks = parse_query("сөз").marks
    assert highlight.matched_spans(longer, "kk", marks, table) == [(30, 36)]  # сөздер


def test_the_index_stores_a_table_for_each_headline_and_body(tiny_index):
    ix = whoosh_index.open_dir(str(tiny_index / "current"))
    with ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            for text_field, table_field in (
                ("headline", HEADLINE_WORDS_FIELD),
                ("body", BODY_WORDS_FIELD),
            ):
                table = fields[table_field]
                assert table == word_table(fields[text_field], fields["lang"])


def test_result_pages_are_highlighted_from_the_tables(tiny_searcher, monkeypatch):
    from search_service.models import SearchRequest

    expected = tiny_searcher.search(SearchRequest(q="сайлау"))
    assert expected.total and any("<mark>" in str(f) for h in expected.hits for f in h.fragments)

    def no_analysis(*args, **kwargs):
        raise AssertionError("a text was analysed again")

    clear_caches()
    highlight._judgements.cache_clear()
    monkeypatch.setattr(highlight, "find_words", no_analysis)
    page = tiny_searcher.search(SearchRequest(q="сайлау"))
    assert [h.fragments for h in page.hits] == [h.fragments for h in expected.hits]
    assert [h.headline_html for h in page.hits] == [h.headline_html for h in expected.hits]
    article = tiny_searcher.article(page.hits[0].id, q="сайлау")
    assert any("<mark>" in str(paragraph) for paragraph in article.body_html)
