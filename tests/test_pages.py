"""The HTML pages through the Flask test client, on a real index of a tiny archive.

The archive is ``PAGES_ARCHIVE`` in conftest.py: Kazakh and Russian election and budget news,
nine weather reports from 2020 for paging, and one article full of markup and entities.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from search_service import i18n, params, query
from search_service.web import SEARCHER_KEY
from search_service.web.pages import page_numbers, safe_next, search_state
from search_service.web.timeline import build_timeline, fill_months, fill_years

TEMPLATES = Path(__file__).resolve().parent.parent / "search_service" / "web" / "templates"
STATIC = TEMPLATES.parent / "static"
SAYLAU = "сайлау"
XSS_ID = "kk.2025.01.xss"
ENGLISH = {"Accept-Language": "en"}


def get(client, url: str, status: int = 200, **headers: str) -> str:
    response = client.get(url, headers=headers or ENGLISH)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def hit_ids(html: str) -> list[str]:
    return re.findall(r'<h2 class="hit-title"[^>]*>\s*<a href="/articles/([^"?]+)', html)


def links(html: str, css_class: str | None = None) -> list[str]:
    """The unescaped hrefs of the page's <a> elements (optionally of one class)."""
    pattern = r"<a\s([^>]*)>"
    found = []
    for attributes in re.findall(pattern, html):
        if css_class and not re.search(rf'class="[^"]*\b{css_class}\b', attributes):
            continue
        href = re.search(r'href="([^"]*)"', attributes)
        if href:
            found.append(unescape(href.group(1)))
    return found


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


# The page's scripts: files of our own, deferred (type-ahead is in typeahead.js).
OUR_SCRIPTS = [{"src": f"/static/{name}", "defer": None} for name in ("archive.js", "typeahead.js")]


def assert_no_live_markup(html: str) -> None:
    """Nothing from an article or a query became an element, an attribute or a live link."""
    collector = _TagCollector()
    collector.feed(html)
    for tag, attributes in collector.tags:
        assert tag not in ("img", "b", "style", "iframe"), tag
        if tag == "script":
            assert attributes in OUR_SCRIPTS
        for name, value in attributes.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action") and value != "data:,":  # the empty favicon
                assert value.startswith(("/", "#")), (tag, value)


# The empty state ------------------------------------------------------------------------


def test_home_teaches_the_query_language_with_clickable_examples(pages_client):
    html = get(pages_client, "/")
    assert re.search(r"<input[^>]*id=\"q\"[^>]*autofocus", html)
    assert '<label class="visually-hidden" for="q">Search query</label>' in html
    examples = {query_of(href)["q"][0] for href in links(html, "example")}
    for example in (
        "сайлау",
        "конституция",
        '"Қасым-Жомарт Тоқаев"',
        "Qazaqstan",
        "выборы -президент",
        "title:бюджет",
        "сайлау OR выборы",
        "экономик*",
        "date:2025-01-01..2025-06-30",
    ):
        assert example in examples
    assert all(urlsplit(href).path == "/search" for href in links(html, "example"))


def test_every_page_has_head_links_landmarks_and_no_inline_code(pages_client):
    for url in ("/", f"/search?q={SAYLAU}", f"/articles/{XSS_ID}?q={SAYLAU}", "/search?q=а*"):
        response = pages_client.get(url, headers=ENGLISH)
        html = response.get_data(as_text=True)
        assert response.status_code < 500
        assert html.startswith("<!doctype html>")
        assert '<html lang="en">' in html
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert re.search(
            r'<link rel="search" type="application/opensearchdescription\+xml"'
            r' href="/opensearch.xml"',
            html,
        )
        assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
        assert '<nav class="ui-languages" aria-label="Interface language">' in html
        # Ready for a strict Content-Security-Policy: scripts from files only, no inline
        # handlers or styles, nothing from another host.
        assert re.findall(r"<script\b[^>]*>", html) == [
            '<script src="/static/archive.js" defer>',
            '<script src="/static/typeahead.js" defer>',
        ]
        assert not re.search(r"\son[a-z]+=\"", html)
        assert " style=" not in html and "<style" not in html
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


def test_query_on_the_front_page_goes_to_the_results(pages_client):
    response = pages_client.get(f"/?q={SAYLAU}&lang=kk")
    assert response.status_code == 302
    assert query_of(response.headers["Location"]) == {"q": [SAYLAU], "lang": ["kk"]}


def test_empty_form_fields_are_dropped_from_the_address(pages_client):
    response = pages_client.get(f"/search?q={SAYLAU}&from=&to=&lang=&sort=")
    assert response.status_code == 302
    assert query_of(response.headers["Location"]) == {"q": [SAYLAU]}
    assert pages_client.get("/search?q=&from=").headers["Location"] == "/"


# Results --------------------------------------------------------------------------------


def test_a_word_no_article_has_is_named_not_a_dead_end(pages_client):
    html = get(pages_client, f"/search?q={SAYLAU}+<b>жоқсөз</b>")
    assert set(hit_ids(html)) >= {"kk.2024.03.oral-saylau", "kk.2024.07.astana-saylau"}
    notice = re.search(r'<p class="notice missing-words">(.*?)</p>', html, re.S).group(1)
    assert "No article has all the words" in notice
    assert "<q>&lt;b&gt;жоқсөз&lt;/b&gt;</q>" in notice  # escaped as every user text


def test_results_rank_mark_and_describe_hits(pages_client):
    html = get(pages_client, f"/search?q={SAYLAU}")
    ids = hit_ids(html)
    assert ids[0] == "kk.2024.03.oral-saylau"  # headline and body: the best match
    assert set(ids) == {
        "kk.2024.03.oral-saylau",
        "kk.2024.07.astana-saylau",
        "kk.2023.05.konstitutsiya",
        XSS_ID,
    }
    assert "4 articles found" in html
    assert re.search(r'<span class="results-took">[\d.]+ ms</span>', html)
    assert re.search(r'value="сайлау"', html)  # the query stays in the box
    assert "Оралда <mark>сайлау</mark> учаскелері ашылды" in html
    assert "<mark>Сайлауға</mark> жүз мыңнан" in html  # another form, marked in the snippet
    assert '<time datetime="2024-03-10">10 March 2024</time>' in html
    assert '<span class="hit-city">Oral</span>' in html  # the city in the interface language
    assert '<span class="hit-lang">Kazakh</span>' in html
    assert '<h2 class="hit-title" lang="kk">' in html


def test_headline_match_ranks_first_and_title_search_finds_only_headlines(pages_client):
    assert hit_ids(get(pages_client, "/search?q=бюджет")) == [
        "ru.2021.01.budget-title",
        "ru.2021.02.budget-body",
    ]
    html = get(pages_client, "/search?q=title:бюджет")
    assert hit_ids(html) == ["ru.2021.01.budget-title"]
    assert "1 article found" in html


def test_results_in_russian_and_kazakh(pages_client):
    html = get(pages_client, f"/search?q={SAYLAU}", **{"Accept-Language": "ru-RU,ru;q=0.9"})
    assert '<html lang="ru">' in html and "Найдено статей: 4" in html
    assert "10 марта 2024" in html
    html = get(pages_client, f"/search?q={SAYLAU}", **{"Accept-Language": "kk"})
    assert "4 мақала табылды" in html and "2024 жылғы 10 наурыз" in html


def test_hits_link_to_articles_carrying_the_search(pages_client):
    html = get(pages_client, f"/search?q={SAYLAU}&lang=kk&per_page=2&page=2")
    article_links = [href for href in links(html) if href.startswith("/articles/")]
    assert len(article_links) == 2
    for href in article_links:
        assert query_of(href) == {
            "q": [SAYLAU],
            "lang": ["kk"],
            "per_page": ["2"],
            "page": ["2"],
        }


def test_pagination_keeps_every_parameter(pages_client):
    url = "/search?q=ауа+райы&lang=kk&sort=oldest&per_page=1&page=5"
    html = get(pages_client, url)
    assert "9 articles found" in html and "Page 5 of 9" in html
    assert hit_ids(html) == ["kk.2020.05.weather-5"]  # oldest first: the fifth month
    nav = re.search(r'<nav class="pagination" aria-label="Pages">.*?</nav>', html, re.S).group()
    pages = [query_of(href) for href in links(nav)]
    for page in pages:
        assert page["q"] == ["ауа райы"] and page["lang"] == ["kk"]
        assert page["sort"] == ["oldest"] and page["per_page"] == ["1"]
    numbers = [page.get("page", ["1"])[0] for page in pages]
    # previous, 1, gap, 3..7, gap, 9, next
    assert numbers == ["4", "1", "3", "4", "5", "6", "7", "9", "6"]
    assert nav.count("…") == 2
    current = re.findall(r'<a href="([^"]*)" aria-current="page"', nav)
    assert [query_of(unescape(href))["page"] for href in current] == [["5"]]
    assert 'rel="prev"' in nav and 'rel="next"' in nav


def test_first_and_last_pages_have_no_step_beyond(pages_client):
    nav = get(pages_client, "/search?q=ауа+райы&per_page=4")
    assert 'rel="prev"' not in nav and 'rel="next"' in nav
    assert '<span class="disabled" aria-disabled="true">← Previous</span>' in nav
    nav = get(pages_client, "/search?q=ауа+райы&per_page=4&page=3")
    assert 'rel="next"' not in nav and 'rel="prev"' in nav


def test_facets_count_and_combine_with_the_query_and_each_other(pages_client):
    html = get(pages_client, "/search?q=сайлау+OR+выборы&sort=newest")
    facet = re.search(r'aria-labelledby="facet-lang">.*?</section>', html, re.S).group()
    assert re.findall(r'facet-label">([^<]+)</span>\s*<span class="facet-count">(\d+)', facet) == [
        ("Kazakh", "4"),
        ("Russian", "2"),
    ]
    kazakh = links(facet)[0]
    assert query_of(kazakh) == {"q": ["сайлау OR выборы"], "lang": ["kk"], "sort": ["newest"]}
    # Chosen: marked as current, its link removes it, and the other filters stay.
    html = get(pages_client, kazakh + "&city=Орал&page=1")
    assert hit_ids(html) == ["kk.2024.03.oral-saylau"]
    facet = re.search(r'aria-labelledby="facet-lang">.*?</section>', html, re.S).group()
    chosen = re.search(r'<a href="([^"]*)" class="facet-value selected"\s*aria-current', facet)
    assert query_of(unescape(chosen.group(1))) == {
        "q": ["сайлау OR выборы"],
        "city": ["Орал"],
        "sort": ["newest"],
    }
    chips = links(html, "chip")
    assert [query_of(href) for href in chips] == [
        {"q": ["сайлау OR выборы"], "city": ["Орал"], "sort": ["newest"]},
        {"q": ["сайлау OR выборы"], "lang": ["kk"], "sort": ["newest"]},
    ]
    assert query_of(links(html, "clear-filters")[0]) == {
        "q": ["сайлау OR выборы"],
        "sort": ["newest"],
    }


def test_months_appear_within_a_chosen_year(pages_client):
    html = get(pages_client, f"/search?q={SAYLAU}")
    assert 'id="facet-month"' not in html
    html = get(pages_client, f"/search?q={SAYLAU}&year=2024")
    assert hit_ids(html) == ["kk.2024.03.oral-saylau", "kk.2024.07.astana-saylau"]
    months = re.search(r'aria-labelledby="facet-month">.*?</section>', html, re.S).group()
    assert re.findall(r'facet-label">([^<]+)</span>', months) == ["March 2024", "July 2024"]
    march = links(months)[0]
    assert query_of(march) == {"q": [SAYLAU], "year": ["2024"], "month": ["2024-03"]}
    html = get(pages_client, march)
    assert hit_ids(html) == ["kk.2024.03.oral-saylau"]
    # Choosing another year forgets the month.
    years = re.search(r'aria-labelledby="facet-year">.*?</section>', html, re.S).group()
    assert {tuple(query_of(href).get("month", [])) for href in links(years)} == {()}


def test_timeline_by_year_links_its_bars_to_the_year_filter(pages_client):
    html = get(pages_client, "/search?q=сайлау+OR+выборы+OR+бюджет&lang=ru")
    svg = re.search(r"<svg class=\"timeline-chart\".*?</svg>", html, re.S).group()
    assert 'role="group" aria-labelledby="timeline-caption"' in svg
    assert '<figcaption id="timeline-caption">Articles by year' in html
    bars = re.findall(r'<a href="([^"]*)" class="bar" aria-label="([^"]*)"', svg)
    assert [label for _, label in bars] == [
        "2021: 2 articles",
        "2022: 1 article",
        "2024: 1 article",
    ]
    assert [query_of(unescape(href))["year"] for href, _ in bars] == [["2021"], ["2022"], ["2024"]]
    assert all(query_of(unescape(href))["lang"] == ["ru"] for href, _ in bars)
    # 2023 had no hit: it is drawn as an empty slot with its label, but is no link.
    labels = re.findall(r'class="bar-label[^"]*"[^>]*>([^<]*)</text>', svg)
    assert labels == ["2021", "2022", "2023", "2024"]


def test_timeline_by_month_within_a_chosen_year(pages_client):
    html = get(pages_client, "/search?q=ауа+райы&year=2020&month=2020-03")
    assert "Articles in 2020 by month" in html
    svg = re.search(r"<svg class=\"timeline-chart\".*?</svg>", html, re.S).group()
    labels = re.findall(r'class="bar-label[^"]*"[^>]*>([^<]*)</text>', svg)
    assert labels[:3] == ["Jan", "Feb", "Mar"] and len(labels) == 12
    bars = re.findall(r'<a href="([^"]*)" class="bar( selected)?"', svg)
    assert len(bars) == 9  # January to September have reports
    months = [query_of(unescape(href))["month"][0] for href, _ in bars]
    assert months[0] == "2020-01" and months[-1] == "2020-09"
    assert [selected for _, selected in bars].count(" selected") == 1
    assert 'class="bar-label selected"' in svg


def test_sort_links_and_orders(pages_client):
    html = get(pages_client, "/search?q=ауа+райы&sort=newest&per_page=3")
    assert hit_ids(html) == ["kk.2020.09.weather-9", "kk.2020.08.weather-8", "kk.2020.07.weather-7"]
    sort_nav = re.search(r'<nav class="sort".*?</nav>', html, re.S).group()
    assert [query_of(href).get("sort") for href in links(sort_nav)] == [
        None,
        ["newest"],
        ["oldest"],
    ]
    assert re.search(r'sort=newest[^"]*"\s*aria-current="true">Newest first', sort_nav)


def test_did_you_mean_is_one_click_away(pages_client):
    html = get(pages_client, "/search?q=сайлуа&lang=kk")
    assert "Nothing was found for “сайлуа”." in html
    suggestion = links(html, "suggestion-link")
    assert [query_of(href) for href in suggestion] == [{"q": [SAYLAU], "lang": ["kk"]}]
    assert len(hit_ids(get(pages_client, suggestion[0]))) == 4


def test_export_link_carries_the_search(pages_client):
    html = get(pages_client, f"/search?q={SAYLAU}&lang=kk&year=2024&sort=oldest&page=1")
    export = links(html, "export")
    assert len(export) == 1 and urlsplit(export[0]).path == "/export.csv"
    assert query_of(export[0]) == {
        "q": [SAYLAU],
        "lang": ["kk"],
        "year": ["2024"],
        "sort": ["oldest"],
    }


def test_filters_without_a_query_browse_newest_first(pages_client):
    html = get(pages_client, "/search?lang=ru&year=2021")
    assert hit_ids(html) == ["ru.2021.02.budget-body", "ru.2021.01.budget-title"]


def test_empty_results_say_so(pages_client):
    html = get(pages_client, "/search?q=жолбарыс")
    assert "0 articles found" in html
    assert "Nothing was found for “жолбарыс”." in html
    assert "Try removing filters or using other words." in html
    html = get(pages_client, "/search?q=бюджет&year=2025")
    assert "Nothing was found for “бюджет”." in html


# Errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/search?q=а*", 400, "Put at least 2 letters before the asterisk (*)"),
        ("/search?q=date:2025-13", 400, "The date is not written right."),
        ("/search?q=x&page=abc", 400, "There is no such page."),
        ("/search?q=x&page=0", 400, "There is no such page."),
        (f"/search?q={SAYLAU}&page=3", 404, "There is no such page."),
        ("/search?q=x&from=2025-02-30", 400, "Write dates as YYYY-MM-DD"),
        ("/search?q=x&from=2025-03-01&to=2025-01-01", 400, "Write dates as YYYY-MM-DD"),
        ("/search?q=x&lang=de", 400, "There is no such language filter"),
        ("/search?q=x&sort=random", 400, "There is no such sort order"),
        ("/search?q=x&year=99", 400, "four digits"),
        ("/search?q=x&month=2025-13", 400, "Write the month as YYYY-MM"),
        ("/search?q=x&per_page=100000", 400, "results per page"),
        ("/search?q=" + "слово+" * 300, 400, "The query is too long."),
    ],
)
def test_bad_queries_and_parameters_get_a_friendly_page(pages_client, url, status, message):
    html = get(pages_client, url, status)
    assert message in html
    assert "The search could not be run" in html
    assert 'id="help"' in html  # the query language is explained right there


def test_query_errors_are_translated(pages_client):
    html = get(pages_client, "/search?q=а*", 400, **{"Accept-Language": "ru"})
    assert "Перед звёздочкой (*) нужно хотя бы 2 буквы" in html
    html = get(pages_client, "/search?q=а*", 400, **{"Accept-Language": "kk"})
    assert "Жұлдызшаның (*) алдына кемінде 2 әріп жазыңыз" in html


# The article page ----------------------------------------------------------------------


def test_article_page_marks_the_query_and_shows_its_details(pages_client):
    html = get(pages_client, f"/articles/kk.2024.03.oral-saylau?q={SAYLAU}&lang=kk&page=2")
    assert '<h1 class="article-title">Оралда <mark>сайлау</mark> учаскелері ашылды</h1>' in html
    assert (
        "<p>ОРАЛ. KAZINFORM – Батыс Қазақстан облысында <mark>сайлау</mark> басталды.</p>" in html
    )
    assert "<p><mark>Сайлауға</mark> жүз мыңнан астам адам қатысады.</p>" in html
    assert '<time datetime="2024-03-10">10 March 2024</time>' in html
    assert "<dd>Oral</dd>" in html and "<dd>Kazakh</dd>" in html and "<dd>KAZINFORM</dd>" in html
    assert '<article class="article" lang="kk">' in html
    back = links(html, "back")
    assert [query_of(href) for href in back] == [{"q": [SAYLAU], "lang": ["kk"], "page": ["2"]}]
    assert urlsplit(back[0]).path == "/search"


def test_article_page_lists_similar_articles(pages_client):
    html = get(pages_client, f"/articles/kk.2024.03.oral-saylau?q={SAYLAU}")
    similar = re.search(r'<aside class="similar".*?</aside>', html, re.S).group()
    assert "More like this" in similar
    similar_links = links(similar)
    assert similar_links and all(href.startswith("/articles/") for href in similar_links)
    assert "/articles/kk.2024.03.oral-saylau?" not in similar_links
    assert all(query_of(href) == {"q": [SAYLAU]} for href in similar_links)


def test_article_without_a_search_offers_a_new_one(pages_client):
    html = get(pages_client, "/articles/ru.2021.01.budget-title")
    assert "<mark>" not in html
    assert links(html, "back") == ["/"]


@pytest.mark.parametrize("article_id", ["no.such.article", "%3Cscript%3Ealert(1)", "a" * 300])
def test_unknown_article_is_a_friendly_404(pages_client, article_id):
    html = get(pages_client, f"/articles/{article_id}", 404)
    assert "Article not found" in html


# The interface language ----------------------------------------------------------------


def test_interface_language_follows_accept_language_then_the_cookie(pages_client):
    assert '<html lang="kk">' in get(pages_client, "/", **{"Accept-Language": "de"})
    assert '<html lang="ru">' in get(pages_client, "/", **{"Accept-Language": "ru,en;q=0.5"})
    response = pages_client.get(f"/lang/en?next=/search?q%3D{SAYLAU}%26lang%3Dkk")
    assert response.status_code == 303
    assert query_of(response.headers["Location"]) == {"q": [SAYLAU], "lang": ["kk"]}
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("ui_lang=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    html = get(pages_client, "/", **{"Accept-Language": "ru"})
    assert '<html lang="en">' in html and "How to search" in html
    assert "Vary" in pages_client.get("/").headers


def test_language_links_return_to_the_same_page(pages_client):
    html = get(pages_client, f"/search?q={SAYLAU}&year=2024")
    switch = re.search(r'<nav class="ui-languages".*?</nav>', html, re.S).group()
    targets = links(switch)
    assert [urlsplit(href).path for href in targets] == ["/lang/kk", "/lang/ru", "/lang/en"]
    assert query_of(query_of(targets[0])["next"][0]) == {"q": [SAYLAU], "year": ["2024"]}
    assert re.search(r'lang="en" hreflang="en"\s*aria-current="true">English', switch)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/%0d%0aSet-Cookie:x",
        "",
    ],
)
def test_language_switch_is_no_open_redirect(pages_client, target):
    response = pages_client.get("/lang/ru", query_string={"next": target})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "evil" not in location or location.startswith("/%")


def test_unknown_interface_language_is_404(pages_client):
    assert pages_client.get("/lang/de?next=/").status_code == 404


# Escaping -------------------------------------------------------------------------------


def test_article_text_is_escaped_in_results_article_and_facets(pages_client):
    html = get(pages_client, f"/search?q={SAYLAU}")
    assert_no_live_markup(html)
    assert (
        "<mark>Сайлау</mark> &lt;script&gt;alert(1)&lt;/script&gt; &#34;&gt;&lt;img src=x "
        "onerror=alert(1)&gt; &amp; нәтижесі"
    ) in html  # the source's "&amp;" is the character "&", escaped once on output
    assert "javascript:alert(1) туралы &amp; &lt;b&gt;хабар&lt;/b&gt;" in html
    assert '<span class="hit-city">Qyzyl&#39;orda</span>' in html  # English: Latin letters
    # The city with an apostrophe, as a facet: label escaped, link encoded.
    city = re.search(r'aria-labelledby="facet-city">.*?</section>', html, re.S).group()
    assert "Qyzyl&#39;orda" in city
    assert any(query_of(href).get("city") == ["Қызыл'орда"] for href in links(city))
    html = get(pages_client, f"/articles/{XSS_ID}?q={SAYLAU}")
    assert_no_live_markup(html)
    assert "<title><mark>" not in html and "<title>Сайлау &lt;script&gt;" in html
    assert "javascript:alert(1) туралы &amp; &lt;b&gt;хабар&lt;/b&gt;.</p>" in html


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "javascript:alert(1)",
        "&amp; сайлау",
        "сайлуа <script>alert(1)</script>",
    ],
)
def test_query_text_is_escaped_everywhere(pages_client, evil):
    escaped = evil.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&#34;")
    for url in ("/search", f"/articles/{XSS_ID}"):
        response = pages_client.get(url, query_string={"q": evil, "city": evil}, headers=ENGLISH)
        assert response.status_code in (200, 400)
        html = response.get_data(as_text=True)
        assert_no_live_markup(html)
        assert f'value="{escaped}"' in html  # the box keeps the query, as text
    title = re.search(r"<title>(.*?)</title>", html := get_search(pages_client, evil), re.S)
    assert escaped in title.group(1)
    assert f'<span class="chip-name">City:</span> {escaped}' in html


def get_search(client, q: str) -> str:
    response = client.get("/search", query_string={"q": q, "city": q}, headers=ENGLISH)
    return response.get_data(as_text=True)


def test_suggestion_is_escaped(pages_client, monkeypatch):
    searcher = pages_client.application.extensions[SEARCHER_KEY]
    evil = '"><img src=x onerror=alert(1)> javascript:alert(1) &amp;'
    monkeypatch.setattr(searcher, "suggest", lambda q, **options: evil)
    html = get(pages_client, "/search?q=сайлуа")
    assert_no_live_markup(html)
    assert (
        'suggestion-link">&#34;&gt;&lt;img src=x onerror=alert(1)&gt; javascript:alert(1) '
        "&amp;amp;</a>"
    ) in html
    assert [query_of(href)["q"] for href in links(html, "suggestion-link")] == [[evil]]


# Pieces, without an app ----------------------------------------------------------------


def test_templates_never_mark_text_safe():
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", ""), template.name
        assert "Markup(" not in text and "autoescape false" not in text, template.name


def test_static_files_are_our_own_and_small():
    names = sorted(p.name for p in STATIC.iterdir())
    assert names == ["archive.css", "archive.js", "typeahead.js"]
    assert (STATIC / "archive.js").stat().st_size < 2000
    assert (STATIC / "typeahead.js").stat().st_size < 6000
    assert "http" not in (STATIC / "archive.css").read_text(encoding="utf-8")


def test_catalogue_has_every_language_and_every_error_key():
    for key, entry in i18n.MESSAGES.items():
        assert set(entry) == set(i18n.UI_LANGUAGES), key
        assert all(text.strip() for text in entry.values()), key
    for key in query.MESSAGES:
        assert key in i18n.MESSAGES, key
    codes = [value for name, value in vars(params).items() if name.startswith(("BAD_", "TOO_"))]
    assert codes
    for code in codes:
        assert f"error.{code}" in i18n.MESSAGES, code


@pytest.mark.parametrize(
    ("cookie", "accepted", "expected"),
    [
        (None, [], "kk"),
        (None, [("ru-RU", 1), ("en", 0.5)], "ru"),
        (None, [("de", 1), ("en-GB", 0.8)], "en"),
        ("en", [("ru", 1)], "en"),
        ("xx", [("ru", 1)], "ru"),
    ],
)
def test_choose_ui_language(cookie, accepted, expected):
    assert i18n.choose_ui_language(cookie, accepted) == expected


def test_dates_numbers_and_months_in_three_languages():
    import datetime as dt

    date = dt.date(2025, 3, 7)
    assert i18n.format_date("kk", date) == "2025 жылғы 7 наурыз"
    assert i18n.format_date("ru", date) == "7 марта 2025"
    assert i18n.format_date("en", date) == "7 March 2025"
    assert i18n.format_number("en", 12345) == "12,345"
    assert i18n.format_number("ru", 12345) == "12\u202f345"
    assert i18n.month_label("kk", "2025-03") == "наурыз 2025"
    assert i18n.month_label("ru", "2025-03", short=True) == "мар"
    assert i18n.month_label("en", "<b>") == "<b>"  # not a month: left for the template to escape


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/search?q=x", "/search?q=x"),
        ("/articles/a.b?q=%D1%81", "/articles/a.b?q=%D1%81"),
        (None, "/"),
        ("", "/"),
        ("//evil.example", "/"),
        ("///evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/search\r\nSet-Cookie: x=1", "/"),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_page_numbers():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 4) == [1, 2, 3, 4]
    assert page_numbers(6, 12) == [1, None, 4, 5, 6, 7, 8, None, 12]
    assert page_numbers(12, 12) == [1, None, 10, 11, 12]


def test_search_state_keeps_known_non_default_parameters_in_order():
    args = {"page": "1", "sort": "relevance", "x": "1", "lang": " kk ", "q": " сайлау ", "to": ""}
    assert list(search_state(args).items()) == [("q", "сайлау"), ("lang", "kk")]


def test_timeline_layout():
    assert fill_years({"2021": 3, "2023": 1}) == [("2021", 3), ("2022", 0), ("2023", 1)]
    months = fill_months("2025", {"2025-02": 4})
    assert len(months) == 12 and months[1] == ("2025-02", 4) and months[0] == ("2025-01", 0)
    timeline = build_timeline(
        [("2021", 4), ("2022", 0), ("2023", 2)],
        caption="by year",
        selected="2023",
        label_of=str,
        title_of=lambda value, count: f"{value}: {count}",
        href_of=lambda value: f"/search?year={value}",
    )
    tall, empty, half = timeline.bars
    assert tall.y + tall.height == timeline.baseline and tall.height == 2 * half.height
    assert empty.height == 0 and empty.href is None and tall.href == "/search?year=2021"
    assert half.selected and not tall.selected
    assert all(bar.x >= 0 and bar.x + bar.width <= timeline.width for bar in timeline.bars)
    assert (
        build_timeline(
            [("2021", 0)], caption="", selected=None, label_of=str, title_of=str, href_of=str
        )
        is None
    )


# The phone layout ---------------------------------------------------------------------------


def test_filters_are_a_control_above_the_results_with_chips(pages_client):
    html = get(pages_client, "/search?q=сайлау+OR+выборы&lang=kk&city=Орал")
    layout = html[html.index('<div class="results-layout">') :]
    # Before the results in the page (and so above them on a phone): the chips, then the
    # "Filters" control, a <details> that holds every facet and the dates.
    aside = re.search(r'<aside class="filters".*?</aside>', layout, re.S).group()
    assert layout.index("<aside") < layout.index('<section class="results"')
    assert aside.index('class="active-filters"') < aside.index('<details class="filters-panel">')
    details = re.search(r'<details class="filters-panel">.*?</details>', aside, re.S).group()
    assert '<details class="filters-panel" open' not in aside  # closed until tapped
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", details, re.S).group(1)
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", summary)).strip() == "Filters 2"
    assert 'id="facet-lang"' in details and 'id="facet-city"' in details
    assert 'name="from"' in details and 'name="to"' in details
    # Each chip is a link that drops its own filter and keeps the rest.
    chips = links(aside, "chip")
    assert [query_of(href) for href in chips] == [
        {"q": ["сайлау OR выборы"], "city": ["Орал"]},
        {"q": ["сайлау OR выборы"], "lang": ["kk"]},
    ]
    assert re.findall(r'<span class="chip-name">([^<]*)</span> ([^<\n]*)', aside) == [
        ("Language:", "Kazakh"),
        ("City:", "Oral"),
    ]
    # Without active filters: no chips, and no count on the control.
    aside = re.search(
        r'<aside class="filters".*?</aside>', get(pages_client, "/search?q=сайлау"), re.S
    )
    assert "active-filters" not in aside.group() and "filters-count" not in aside.group()


def test_stylesheet_keeps_the_filters_open_on_wide_screens_only():
    css = (STATIC / "archive.css").read_text(encoding="utf-8")
    wide = re.search(r"@media \(min-width: 801px\) \{(.*?)\n\}", css, re.S).group(1)
    assert ".filters-panel::details-content { content-visibility: visible; }" in wide
    narrow = re.search(r"@media \(max-width: 800px\) \{(.*?)\n\}", css, re.S).group(1)
    assert '"filters" "results"' in narrow and ".filters-toggle {" in narrow
    assert "min-width: 440px" not in css  # the timeline no longer scrolls sideways


def test_timeline_fits_any_width_and_always_labels_the_newest_period():
    periods = [
        (str(year), 1 if year in (1914, 1999) or year > 2010 else 0) for year in range(1914, 2027)
    ]
    timeline = build_timeline(
        periods,
        caption="",
        selected="1999",
        label_of=str,
        title_of=lambda value, count: value,
        href_of=str,
    )
    bars = timeline.bars
    # Across in per cent: every bar inside 0..100, whatever the number of bars.
    assert timeline.width == 100 and len(bars) == 113
    assert all(bar.x >= 0 and bar.x + bar.width <= 100 for bar in bars)
    labelled = [bar.value for bar in bars if bar.label]
    assert labelled[-1] == "2026" and "1999" in labelled  # the newest, and the chosen one
    assert len(labelled) <= 13
    narrow = [bar.value for bar in bars if bar.label and not bar.minor]
    assert narrow[-1] == "2026" and len(narrow) <= 7 and set(narrow) <= set(labelled)
    assert not timeline.counts  # 113 counts would overlap: the bars' titles say them
    assert bars[-1].anchor == "end" and bars[-1].label_x == round(bars[-1].x + bars[-1].width, 2)
    assert bars[50].anchor == "middle" and bars[0].anchor == "start"
    months = build_timeline(
        [(f"2025-{m:02d}", m) for m in range(1, 13)],
        caption="",
        selected=None,
        label_of=str,
        title_of=lambda value, count: value,
        href_of=str,
    )
    assert all(bar.label for bar in months.bars)
    assert [bar.value for bar in months.bars if not bar.minor][-1] == "2025-12"
    assert sum(not bar.minor for bar in months.bars) == 6
    assert months.counts and months.narrow_counts


def test_timeline_is_drawn_in_per_cent_of_its_column(pages_client):
    html = get(pages_client, "/search?q=сайлау+OR+выборы+OR+бюджет&lang=ru")
    svg = re.search(r'<svg class="timeline-chart.*?</svg>', html, re.S).group()
    assert 'width="100%"' in svg and "viewBox" not in svg
    assert re.search(r'<rect x="[\d.]+%" y="[\d.]+" width="[\d.]+%"', svg)
