"""Searching a real index of the tiny archive (tests/conftest.py): ranks, exact counts,
facets, highlighting and escaping, and picking up a rebuilt index without a restart."""

import datetime as dt
import threading

import pytest
from whoosh import query as wq

from search_service import indexer
from search_service.engine import store
from search_service.highlight import SNIPPET_CHARS, _scorer, mark_text, matched_spans, snippets
from search_service.models import SearchRequest
from search_service.query import BAD_DATE, combine, filter_clauses, parse_query
from search_service.searcher import ArchiveSearcher

from .conftest import FILLER_COUNT, FILLER_WORD, write_article, write_tiny_archive


def ids(page) -> list[str]:
    return [hit.id for hit in page.hits]


def full_count(index_dir, request: SearchRequest) -> int:
    """Count the hits the slow, sure way: every matching document number."""
    parsed = parse_query(request.q)
    filters = filter_clauses(
        lang=request.lang,
        date_from=request.date_from,
        date_to=request.date_to,
        city=request.city,
        year=request.year,
        month=request.month,
    )
    clauses = [parsed.query or wq.Every(), *filters.values()]
    ix, _ = store.open_current(index_dir)
    with ix.searcher() as searcher:
        return len(set(searcher.docs_for_query(combine(clauses))))


# Ranking ---------------------------------------------------------------------------------


def test_a_match_in_the_headline_ranks_above_one_in_the_body(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(q="тариф"))
    assert ids(page) == ["ru.2024.02.tariff-title", "ru.2024.02.tariff-body"]
    assert page.hits[0].score > page.hits[1].score


def test_words_standing_together_rank_above_the_same_words_apart(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(q="водный транспорт"))
    assert ids(page) == ["ru.2024.03.near", "ru.2024.03.far"]


def test_a_quoted_phrase_needs_the_words_in_order(tiny_searcher):
    assert ids(tiny_searcher.search(SearchRequest(q='"водный транспорт"'))) == ["ru.2024.03.near"]
    assert tiny_searcher.search(SearchRequest(q='"транспорт водный"')).total == 0


def test_title_only_searches_headlines(tiny_searcher):
    assert ids(tiny_searcher.search(SearchRequest(q="title:тариф"))) == ["ru.2024.02.tariff-title"]


def test_exclusion_and_alternatives(tiny_searcher):
    assert ids(tiny_searcher.search(SearchRequest(q="тариф -вырос"))) == ["ru.2024.02.tariff-body"]
    either = tiny_searcher.search(SearchRequest(q="тариф OR бюджет"))
    assert set(ids(either)) == {
        "ru.2024.02.tariff-title",
        "ru.2024.02.tariff-body",
        "ru.2023.11.xss",
    }


# Forms of a word: these need the Kazakh/Russian normalisation of search_service.text.


def test_a_word_finds_its_other_forms_in_both_languages(tiny_searcher):
    found = set(ids(tiny_searcher.search(SearchRequest(q="конституция"))))
    assert {"kk.2025.03.const-kk", "ru.2025.01.const-ru", "kk.2022.06.referendum"} <= found


def test_the_exact_form_ranks_first(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(q="конституция"))
    assert ids(page)[0] == "kk.2022.06.referendum"


def test_a_kazakh_word_finds_its_inflected_form(tiny_searcher):
    found = ids(tiny_searcher.search(SearchRequest(q="сайлау")))
    assert "kk.2025.03.const-kk" in found  # сайлауға


def test_latin_kazakh_finds_cyrillic(tiny_searcher):
    assert "kk.2025.03.const-kk" in ids(tiny_searcher.search(SearchRequest(q="Qazaqstan")))


def test_names_are_found_across_spellings(tiny_searcher):
    assert "ru.2025.01.const-ru" in ids(tiny_searcher.search(SearchRequest(q="Тоқаев")))
    assert "kk.2025.03.const-kk" in ids(tiny_searcher.search(SearchRequest(q="Токаев")))


@pytest.mark.parametrize("procs", [1, 2])
def test_a_name_only_in_the_headline_is_found_in_another_spelling(tmp_path, procs):
    # A real case: a Latin-script article names the president in its headline only, and
    # its body calls him "Prezıdent"; the Russian spelling found every other article but it.
    archive = tmp_path / "archive"
    write_article(
        archive,
        "kk/2026/01/quryltai.txt",
        "2026-01-20",
        "Ulttyq quryltaı: Toqaev bir top azamatty marapattady",
        "ASTANA. KAZINFORM — Prezıdent bir top azamatty memlekettik nagradamen marapattady.",
    )
    write_article(
        archive,
        "kk-cyr/2026/01/zhiyn.txt",
        "2026-01-21",
        "Тоқаев Ұлттық құрылтайда сөз сөйледі",
        "Мемлекет басшысы жиында реформалар туралы айтты.",
    )
    write_article(
        archive,
        "ru/2026/01/other.txt",
        "2026-01-22",
        "Заседание курултая",
        "АСТАНА. KAZINFORM – Президент выступил на заседании.",
    )
    index_dir = tmp_path / "index"
    indexer.build([archive], index_dir, procs=procs)
    searcher = ArchiveSearcher(index_dir)
    expected = ["kk-cyr.2026.01.zhiyn", "kk.2026.01.quryltai"]
    for q in ("Токаев", "Тоқаев", "Toqaev", "Tokayev"):
        assert sorted(ids(searcher.search(SearchRequest(q=q)))) == expected, q
    # The body's other words are not moved: its phrases and highlights are as before.
    page = searcher.search(SearchRequest(q='"Мемлекет басшысы"'))
    assert ids(page) == ["kk-cyr.2026.01.zhiyn"]
    assert "<mark>" in " ".join(page.hits[0].fragments)
    searcher.close()


def test_a_prefix_finds_the_forms_it_starts(tiny_searcher):
    found = set(ids(tiny_searcher.search(SearchRequest(q="конституц*"))))
    assert {"ru.2025.01.const-ru", "kk.2025.03.const-kk", "kk.2022.06.referendum"} <= found


# Counts, pages, order --------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(q=FILLER_WORD),
        SearchRequest(q=FILLER_WORD, page=3),
        SearchRequest(q=FILLER_WORD, per_page=5, sort="newest"),
        SearchRequest(q=FILLER_WORD, year="2022"),
        SearchRequest(q=FILLER_WORD, month="2023-02"),
        SearchRequest(q=FILLER_WORD, date_from=dt.date(2022, 6, 1), date_to=dt.date(2023, 3, 31)),
        SearchRequest(q=f"{FILLER_WORD} OR тариф", lang="ru"),
        SearchRequest(q=f"-{FILLER_WORD}"),
        SearchRequest(city="Костанай"),
        SearchRequest(),
    ],
    ids=repr,
)
def test_the_hit_count_is_exact(tiny_searcher, tiny_index, request_):
    page = tiny_searcher.search(request_)
    assert page.total == full_count(tiny_index, request_)
    assert page.pages == -(-page.total // request_.per_page)
    shown = min(request_.per_page, max(0, page.total - (request_.page - 1) * request_.per_page))
    assert len(page.hits) == shown


def test_pages_cover_every_hit_once(tiny_searcher):
    seen = []
    for number in (1, 2, 3):
        seen += ids(tiny_searcher.search(SearchRequest(q=FILLER_WORD, page=number)))
    assert len(seen) == len(set(seen)) == FILLER_COUNT
    assert tiny_searcher.search(SearchRequest(q=FILLER_WORD, page=4)).hits == []


def test_sorting_by_date(tiny_searcher):
    newest = tiny_searcher.search(SearchRequest(q=FILLER_WORD, sort="newest", per_page=50))
    oldest = tiny_searcher.search(SearchRequest(q=FILLER_WORD, sort="oldest", per_page=50))
    dates = [hit.date for hit in newest.hits]
    assert dates == sorted(dates, reverse=True)
    assert [hit.date for hit in oldest.hits] == sorted(dates)


def test_filters_without_a_query_browse_newest_first(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(lang="ru", per_page=50))
    dates = [hit.date for hit in page.hits]
    assert page.total > 0 and dates == sorted(dates, reverse=True)
    assert {hit.language for hit in page.hits} == {"ru"}


def test_filters_narrow_the_query(tiny_searcher):
    page = tiny_searcher.search(
        SearchRequest(q=FILLER_WORD, date_from=dt.date(2023, 1, 1), city="Костанай")
    )
    assert page.total > 0
    assert all(hit.date.year == 2023 and hit.city == "Қостанай" for hit in page.hits)


# Facets ----------------------------------------------------------------------------------


def counts(page, name) -> dict[str, int]:
    return {value.value: value.count for value in page.facets[name]}


def test_facets_count_the_whole_result(tiny_searcher, tiny_index):
    page = tiny_searcher.search(SearchRequest(q=FILLER_WORD, per_page=5))
    assert counts(page, "year") == {"2022": 14, "2023": 13}
    assert counts(page, "city") == {"Қостанай": FILLER_COUNT}
    assert sum(counts(page, "lang").values()) == page.total
    assert "month" not in page.facets  # months are shown once a year is chosen


def test_a_chosen_facet_still_shows_its_other_values(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(q=FILLER_WORD, year="2022"))
    assert page.total == 14
    assert counts(page, "year") == {"2022": 14, "2023": 13}
    assert [v.value for v in page.facets["year"] if v.selected] == ["2022"]
    months = counts(page, "month")
    assert all(month.startswith("2022-") for month in months)
    assert sum(months.values()) == 14


def test_month_facet_with_a_chosen_month(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(q=FILLER_WORD, month="2022-03"))
    months = counts(page, "month")
    assert page.total == months["2022-03"]
    assert sum(months.values()) == 14  # the other months of the year stay visible
    assert counts(page, "year")["2023"] == 13


def test_facets_combine_with_the_other_filters(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(q="тариф OR хроника", city="Орал"))
    assert page.total == 2
    assert counts(page, "year") == {"2024": 2}
    assert counts(page, "city") == {"Орал": 2, "Қостанай": FILLER_COUNT}


def test_a_chosen_value_without_hits_stays_visible(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(q="тариф", city="Астана"))  # a city, no тариф
    assert page.total == 0
    assert [(v.value, v.count, v.selected) for v in page.facets["city"]][-1] == (
        "Астана",
        0,
        True,
    )


def test_a_city_no_article_has_is_not_invented_as_a_facet_value(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(q="тариф", city="Атырау"))
    assert (page.total, page.hits, page.facets, page.unknown_city) == (0, [], {}, "Атырау")
    assert [(n.code, n.typed) for n in page.notices] == [("unknown_city", "Атырау")]


# Did you mean, errors --------------------------------------------------------------------


def test_did_you_mean_offers_a_word_from_the_index(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(q="тарив"))
    assert page.total == 0
    assert page.suggestion == "тариф"
    assert tiny_searcher.search(SearchRequest(q=page.suggestion)).total == 2


def test_no_suggestion_for_a_query_with_hits(tiny_searcher):
    assert tiny_searcher.search(SearchRequest(q=FILLER_WORD)).suggestion is None
    assert tiny_searcher.suggest("тариф") is None


def test_a_query_that_cannot_be_understood_gives_an_error_key_not_an_exception(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(q="date:2025-13-45"))
    assert page.error == BAD_DATE
    assert page.total == 0 and page.hits == []


# Highlighting and escaping ---------------------------------------------------------------

ATTACKS = ("<script", "<img", "onerror=alert(1)>")


def assert_safe(html: str) -> None:
    for attack in ATTACKS:
        assert attack not in html
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_hits_mark_the_query_words_and_escape_everything_else(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(q="бюджет"))
    (hit,) = page.hits
    assert hit.headline.startswith("<script>")  # the plain text is kept as it was
    headline = str(hit.headline_html)
    assert_safe(headline)
    assert "<mark>Бюджет</mark>" in headline
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in headline
    # "&amp;" in the source is the character "&" (decoded when read), escaped again here.
    assert " &amp; отчёт" in headline and "&amp;amp;" not in headline
    body = str(hit.fragments[0])
    assert_safe(body)
    assert body.count("<mark>") == 1 and "<mark>Бюджет</mark>" in body
    assert "javascript:alert(1)" in body  # text, not a link


def test_markup_in_the_query_is_harmless(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(q='<script>alert(1)</script> "><img src=x>'))
    for hit in page.hits:
        assert_safe(str(hit.headline_html))
        for fragment in hit.fragments:
            assert_safe(str(fragment))


def test_other_forms_are_marked_too(tiny_searcher):
    page = tiny_searcher.search(SearchRequest(q="конституция"))
    marked = {hit.id: str(hit.headline_html) for hit in page.hits}
    assert "<mark>Конституцияның</mark>" in marked["kk.2025.03.const-kk"]
    assert "<mark>конституции</mark>" in marked["ru.2025.01.const-ru"]


def test_article_view_marks_paragraphs(tiny_searcher):
    view = tiny_searcher.article("ru.2023.11.xss", q="бюджет")
    assert len(view.body_html) == 2
    assert "<mark>Бюджет</mark>" in str(view.body_html[0])
    for html in (view.headline_html, *view.body_html):
        assert_safe(str(html))
    plain = tiny_searcher.article("ru.2023.11.xss")
    assert "<mark>" not in str(plain.headline_html) + "".join(map(str, plain.body_html))
    assert (view.city, view.agency, view.path) == ("Алматы", "KAZINFORM", "ru/2023/11/xss.txt")


@pytest.mark.parametrize("bad_id", ["no.such.article", "", "../etc/passwd", "a b", "x" * 300])
def test_unknown_or_invalid_article_ids(tiny_searcher, bad_id):
    assert tiny_searcher.article(bad_id) is None
    assert tiny_searcher.more_like_this(bad_id) == []


def test_snippets_are_short_passages_cut_at_word_boundaries():
    body = (
        " ".join(f"слово{n}" for n in range(200))
        + " тариф "
        + " ".join(f"текст{n}" for n in range(200))
    )
    marks = parse_query("тариф").marks
    (passage,) = snippets(body, "ru", marks)
    text = str(passage)
    assert "<mark>тариф</mark>" in text
    assert text.startswith("…") and text.endswith("…")
    words = text.strip("…").replace("<mark>", "").replace("</mark>", "").split(" ")
    assert all(word.startswith(("слово", "текст", "тариф")) for word in words)
    assert all(len(word) > 5 or word == "тариф" for word in words)  # no cut words
    assert len(text) < SNIPPET_CHARS + 40


def test_up_to_three_passages_best_first_kept_in_text_order():
    filler = " ".join(["пусто"] * 80)
    body = f"тариф {filler} бюджет {filler} тариф бюджет {filler} тариф {filler} хроника"
    marks = parse_query("тариф OR бюджет OR хроника").marks
    passages = [str(p) for p in snippets(body, "ru", marks)]
    assert 1 <= len(passages) <= 3
    assert any("<mark>тариф</mark> <mark>бюджет</mark>" in p for p in passages)


def test_passage_scores_count_the_matches_inside_each_passage():
    body = "Тариф бюджет тариф. Бюджет-тариф ... тариф" * 20
    spans = [(m, m + 5) for m in range(0, len(body), 7)]  # overlapping ones included
    score = _scorer(body, spans)
    for window in [(0, 40), (3, 90), (100, 100), (500, len(body)), (len(body), len(body) + 9)]:
        inside = [body[s:e].lower() for s, e in spans if window[0] <= s and e <= window[1]]
        assert score(window) == (len(set(inside)), len(inside))


@pytest.mark.parametrize(
    "q, lang, text, marked",
    [
        (
            '"в том числе"',
            "ru",
            "Рост, в том числе в области. В городе в том году. Всё в Том ЧИСЛЕ.",
            ["в", "том", "числе", "в", "Том", "ЧИСЛЕ"],  # the phrase's words, not the other в
        ),
        ('"по словам"', "ru", "По словам министра, по делам.", ["По", "словам"]),
        ('"ел мен жер"', "kk", "Бұл ел мен жер туралы. Ел мен халық.", ["ел", "мен", "жер", "Ел"]),
        ("в том числе", "ru", "Рост, в том числе в области.", ["том", "числе"]),  # unquoted: no в
        (  # typed in Cyrillic, found in the Latin edition
            '"Қазақстан мен Ресей"',
            "kk",
            "Qazaqstan men Reseı arasynda. Men de. Qazaqstan men Ýkraına.",
            ["Qazaqstan", "men", "Reseı", "Qazaqstan"],
        ),
    ],
)
def test_a_quoted_phrase_marks_its_stop_words_only_in_the_phrase(q, lang, text, marked):
    marks = parse_query(q).marks
    assert [text[s:e] for s, e in matched_spans(text, lang, marks)] == marked


def test_mark_text_escapes_before_marking():
    html = mark_text("<b>a</b> & b", [(3, 4)], lead="<", tail=">")
    assert str(html) == "&lt;&lt;b&gt;<mark>a</mark>&lt;/b&gt; &amp; b&gt;"


# More like this, export, health ---------------------------------------------------------


def test_more_like_this_finds_related_articles_but_not_itself(tiny_searcher):
    similar = tiny_searcher.more_like_this("ru.2024.02.tariff-title", limit=3)
    assert 0 < len(similar) <= 3
    assert "ru.2024.02.tariff-title" not in [hit.id for hit in similar]
    assert similar[0].id == "ru.2024.02.tariff-body"


def test_export_gives_every_hit_in_order(tiny_searcher):
    rows = list(tiny_searcher.export_rows(SearchRequest(q=FILLER_WORD, sort="oldest")))
    assert len(rows) == FILLER_COUNT
    assert set(rows[0]) == {"id", "date", "language", "city", "headline", "snippet"}
    assert [row["date"] for row in rows] == sorted(row["date"] for row in rows)
    # The snippet is the passage around the query's words, as plain text without <mark>.
    assert rows[0]["snippet"].startswith("КОСТАНАЙ. KAZINFORM – Очередная хроника событий")
    assert "<" not in rows[0]["snippet"]
    assert list(tiny_searcher.export_rows(SearchRequest(q="date:2025-99"))) == []


def test_health(tiny_searcher):
    info = tiny_searcher.health()
    assert info["status"] == "ok"
    assert info["documents"] == FILLER_COUNT + 8
    assert info["generation"].startswith(store.GENERATION_PREFIX)


def test_no_index(tmp_path):
    searcher = ArchiveSearcher(tmp_path / "nothing")
    assert searcher.health()["status"] == "unavailable"
    with pytest.raises(store.IndexMissing):
        searcher.search(SearchRequest(q="тариф"))
    with pytest.raises(store.IndexMissing):
        searcher.article("ru.2024.02.tariff-title")


# A rebuilt or updated index is picked up without a restart ------------------------------


@pytest.fixture
def own_index(tmp_path):
    archive = tmp_path / "archive"
    write_tiny_archive(archive)
    index_dir = tmp_path / "index"
    indexer.build([archive], index_dir, procs=1)
    return archive, index_dir


def test_an_update_is_picked_up_without_a_restart(own_index):
    archive, index_dir = own_index
    searcher = ArchiveSearcher(index_dir)
    assert searcher.search(SearchRequest(q="дирижабль")).total == 0
    first = searcher.health()["generation"]
    write_article(archive, "ru/2025/05/new.txt", "2025-05-05", "Дирижабль над городом", "Текст.")
    indexer.update([archive], index_dir)
    assert ids(searcher.search(SearchRequest(q="дирижабль"))) == ["ru.2025.05.new"]
    assert searcher.health()["generation"] != first


def test_old_generations_deleted_under_the_searcher_do_not_break_it(own_index):
    archive, index_dir = own_index
    searcher = ArchiveSearcher(index_dir)
    assert searcher.search(SearchRequest(q="тариф")).total == 2
    for n in range(3):  # each build removes all but the two newest generations
        write_article(archive, f"ru/2025/06/more-{n}.txt", "2025-06-01", "Тариф снова", "Текст.")
        indexer.build([archive], index_dir, procs=1)
    assert searcher.search(SearchRequest(q="тариф")).total == 5


def test_reading_is_retried_once_on_a_reopened_index(own_index):
    _, index_dir = own_index
    searcher = ArchiveSearcher(index_dir)
    calls = []

    def flaky(whoosh_searcher):
        calls.append(whoosh_searcher)
        if len(calls) == 1:
            raise FileNotFoundError("segment file gone")
        return whoosh_searcher.doc_count()

    assert searcher._run(flaky) == FILLER_COUNT + 8
    assert len(calls) == 2 and calls[0] is not calls[1]


def test_threads_share_one_searcher_while_the_index_changes(own_index):
    archive, index_dir = own_index
    searcher = ArchiveSearcher(index_dir)
    errors, totals = [], []

    def work():
        try:
            for _ in range(15):
                totals.append(searcher.search(SearchRequest(q=FILLER_WORD, per_page=5)).total)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    write_article(archive, "ru/2025/07/x.txt", "2025-07-01", f"Ещё одна {FILLER_WORD}", "Текст.")
    indexer.update([archive], index_dir)
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(totals) <= {FILLER_COUNT, FILLER_COUNT + 1}
    assert searcher.search(SearchRequest(q=FILLER_WORD)).total == FILLER_COUNT + 1


def test_passages_shown_in_a_row_share_one_ellipsis():
    filler = " ".join(["пусто"] * 80)
    body = f"{filler} тариф {filler} бюджет {filler} тариф {filler}"
    passages = [str(p) for p in snippets(body, "ru", parse_query("тариф бюджет").marks)]
    assert len(passages) >= 2
    assert passages[0].startswith("…")
    assert all(p.endswith("…") for p in passages)
    assert not any(p.startswith("…") for p in passages[1:])
    assert "… …" not in " ".join(passages)


def test_export_snippet_looks_at_the_start_of_a_long_body():
    from search_service.highlight import EXPORT_SCAN_CHARS, plain_snippet
    from search_service.query import parse_query

    marks = parse_query("бюджет").marks
    early = "Депутаты обсудили бюджет города. " + "Другие новости дня. " * 400
    assert "бюджет" in plain_snippet(early, "ru", marks)
    late = "Другие новости дня. " * 400 + "Депутаты обсудили бюджет города."
    assert len(late) > EXPORT_SCAN_CHARS
    snippet = plain_snippet(late, "ru", marks)  # the opening instead, and quickly
    assert snippet.startswith("Другие новости дня.") and "бюджет" not in snippet
