"""What the pages, the API and the exports show of an article: decoded entities, city names in
the interface language, the export's name and snippets, OpenSearch in the user's language."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import quote, unquote

import pytest
from werkzeug.http import parse_options_header

from search_service import indexer
from search_service.config import load_settings
from search_service.web import create_app

from .conftest import write_article

BREXIT_ID = "ru.2018.07.brexit"
DISPLAY_ARCHIVE = {
    # As the source had it: HTML character references in the headline and the body.
    "ru/2018/07/brexit.txt": (
        "2018-07-09",
        "Новый министр по делам &quot;брексита&quot;",
        "БРЮССЕЛЬ. KAZINFORM &#8211; Министр встретился с &#171;переговорщиками&#187; ЕС "
        "&amp; обсудил брексит.\nТег &lt;script&gt;alert(1)&lt;/script&gt; был в тексте.",
    ),
    "kk/2025/05/tokyo.txt": (
        "2025-05-10",
        "Токиода көрме ашылды",
        "ТОКІО. KAZINFORM – Жапония астанасында қазақ мәдениетінің көрмесі ашылды.",
    ),
    "kk/2025/06/bishkek.txt": (
        "2025-06-11",
        "Бішкекте көрме өтті",
        "БІШКЕК. KAZINFORM – Қырғызстан астанасында кітап көрмесі өтті.",
    ),
    "ru/2025/07/astana.txt": (
        "2025-07-12",
        "В Астане открылась выставка",
        "АСТАНА. KAZINFORM – В столице открылась выставка книг.",
    ),
    "kk/2025/08/karatau.txt": (
        "2025-08-13",
        "Қаратауда көрме",
        "ҚАРАТАУ. KAZINFORM – Қалада өлкетану көрмесі ашылды.",
    ),
}
LANGUAGES = {"kk": "kk", "ru": "ru-RU,ru;q=0.9", "en": "en-GB,en;q=0.8"}


@pytest.fixture(scope="module")
def display_client(tmp_path_factory):
    root = tmp_path_factory.mktemp("display-archive")
    for relative, (date, headline, body) in DISPLAY_ARCHIVE.items():
        write_article(root, relative, date, headline, body)
    index_dir = tmp_path_factory.mktemp("display-index")
    indexer.build([root], index_dir, procs=1)
    app = create_app(load_settings({}).replace(index_dir=index_dir))
    app.config.update(TESTING=True)
    return app.test_client()


def page(client, url: str, lang: str = "en") -> str:
    response = client.get(url, headers={"Accept-Language": LANGUAGES[lang]})
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# HTML entities from the source -------------------------------------------------------------


def test_entities_from_the_source_read_as_text_on_the_pages(display_client):
    html = page(display_client, f"/articles/{BREXIT_ID}")
    assert '<h1 class="article-title">Новый министр по делам &#34;брексита&#34;</h1>' in html
    assert "<title>Новый министр по делам &#34;брексита&#34; · " in html
    assert "Министр встретился с «переговорщиками» ЕС &amp; обсудил брексит." in html
    # A decoded "<script>" is text: escaped once on output, never live markup.
    assert "Тег &lt;script&gt;alert(1)&lt;/script&gt; был в тексте." in html
    assert "<script>alert" not in html
    assert "&amp;quot;" not in html and "&amp;#171;" not in html and "&amp;amp;" not in html
    html = page(display_client, "/search?q=брексит")
    assert "по делам &#34;<mark>брексита</mark>&#34;" in html
    assert "&amp;quot;" not in html


def test_entities_from_the_source_read_as_text_in_the_api(display_client):
    body = display_client.get(f"/api/articles/{BREXIT_ID}").get_json()
    assert body["headline"] == 'Новый министр по делам "брексита"'
    assert body["headline_html"] == "Новый министр по делам &#34;брексита&#34;"
    assert body["body_html"][0].startswith("БРЮССЕЛЬ. KAZINFORM – Министр встретился с «")
    assert body["body_html"][1] == "Тег &lt;script&gt;alert(1)&lt;/script&gt; был в тексте."
    assert body["agency"] == "KAZINFORM" and body["city"] == "Брюссель"
    # The quotes were entities in the file, so a phrase search finds the word between them.
    hits = display_client.get("/api/search", query_string={"q": '"брексита"'}).get_json()
    assert [hit["id"] for hit in hits["hits"]] == [BREXIT_ID]


# City names in the interface language ----------------------------------------------------


def city_facet(html: str) -> list[tuple[str, str]]:
    """(label, city= value of the link) for each value of the page's city facet."""
    facet = re.search(r'aria-labelledby="facet-city">.*?</section>', html, re.S).group()
    found = re.findall(r'<a href="([^"]*)"[^>]*>\s*<span class="facet-label">([^<]*)<', facet)
    return sorted(
        (label, unquote(re.search(r"city=([^&]*)", href).group(1))) for href, label in found
    )


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("kk", {"Токіо": "Токіо", "Бішкек": "Бішкек", "Астана": "Астана", "Қаратау": "Қаратау"}),
        ("ru", {"Токіо": "Токио", "Бішкек": "Бишкек", "Астана": "Астана", "Қаратау": "Қаратау"}),
        ("en", {"Токіо": "Tokyo", "Бішкек": "Bishkek", "Астана": "Astana", "Қаратау": "Qaratau"}),
    ],
)
def test_city_facet_shows_names_in_the_interface_language_and_filters_by_key(
    display_client, lang, names
):
    html = page(display_client, "/search?q=көрме+OR+выставка", lang)
    # The label is the interface language's name; the link's value stays the filed key.
    assert city_facet(html) == sorted((label, key) for key, label in names.items())
    html = page(display_client, "/search?q=көрме&city=Токіо", lang)
    assert f'<span class="hit-city">{names["Токіо"]}</span>' in html
    assert re.search(rf'<span class="chip-name">[^<]*</span> {names["Токіо"]}\s', html)
    html = page(display_client, "/articles/kk.2025.06.bishkek", lang)
    assert f"<dd>{names['Бішкек']}</dd>" in html


@pytest.mark.parametrize(
    ("accept", "tokyo", "kazakh"),
    [("en", "Tokyo", "Kazakh"), ("ru", "Токио", "Казахский"), ("kk", "Токіо", "Қазақша")],
)
def test_api_gives_a_display_name_beside_each_key(display_client, accept, tokyo, kazakh):
    headers = {"Accept-Language": accept}
    body = display_client.get("/api/search?q=көрме", headers=headers).get_json()
    cities = {value["value"]: value["label"] for value in body["facets"]["city"]}
    assert cities["Токіо"] == tokyo
    assert {v["value"]: v["label"] for v in body["facets"]["lang"]}["kk"] == kazakh
    (hit,) = [hit for hit in body["hits"] if hit["city"] == "Токіо"]
    assert hit["city_label"] == tokyo
    article = display_client.get("/api/articles/kk.2025.05.tokyo", headers=headers).get_json()
    assert (article["city"], article["city_label"]) == ("Токіо", tokyo)
    assert "Accept-Language" in display_client.get("/api/search?q=көрме").headers["Vary"]


# The CSV export --------------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def export(client, url: str):
    """The export's response, read to the end (the rows are streamed)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def test_export_names_the_file_after_the_query_and_the_day(display_client):
    today = dt.date.today().isoformat()
    response = export(display_client, "/export.csv?q=көрме+OR+выставка&city=Астана")
    header = response.headers["Content-Disposition"]
    # RFC 6266: the real name in UTF-8 (filename*), a plain ASCII one for old clients.
    name = quote(f"көрме-OR-выставка-{today}.csv")
    assert header == (f"attachment; filename=archive-search-{today}.csv; filename*=UTF-8''{name}")
    disposition, options = parse_options_header(header)
    assert disposition == "attachment"
    assert options["filename"] == f"көрме-OR-выставка-{today}.csv"  # as a browser reads it
    response = export(display_client, "/export.csv?q=Tokio")
    assert response.headers["Content-Disposition"] == f"attachment; filename=Tokio-{today}.csv"
    response = export(display_client, '/export.csv?q="../../x"; rm -rf')
    assert parse_options_header(response.headers["Content-Disposition"])[1] == {
        "filename": f"x-rm-rf-{today}.csv"
    }
    response = export(display_client, "/export.csv?city=Астана")
    assert f"filename=archive-search-{today}.csv" in response.headers["Content-Disposition"]


def test_export_has_city_names_and_plain_snippets(display_client):
    response = display_client.get(
        "/export.csv?q=брексит+OR+көрме&sort=oldest", headers={"Accept-Language": "ru"}
    )
    rows = read_csv(response)
    assert [row["city"] for row in rows[:3]] == ["Брюссель", "Токіо", "Бішкек"]
    assert [row["city_label"] for row in rows[:3]] == ["Брюссель", "Токио", "Бишкек"]
    brexit = rows[0]
    assert brexit["headline"] == 'Новый министр по делам "брексита"'
    # Plain text: the passages without <mark>, entities decoded, markup in the text as text.
    assert "Министр встретился с «переговорщиками» ЕС & обсудил брексит." in brexit["snippet"]
    assert "Тег <script>alert(1)</script> был" in brexit["snippet"]
    assert "<mark>" not in brexit["snippet"] and "&amp;" not in brexit["snippet"]
    # The cookie's interface language wins over Accept-Language, as on the pages.
    display_client.set_cookie("ui_lang", "en")
    try:
        rows = read_csv(
            display_client.get("/export.csv?q=көрме", headers={"Accept-Language": "ru"})
        )
    finally:
        display_client.delete_cookie("ui_lang")
    assert {row["city_label"] for row in rows} == {"Tokyo", "Bishkek", "Qaratau"}


# OpenSearch -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "cookie", "name", "lang"),
    [
        ("ru-RU,ru;q=0.9", None, "Поиск по архиву", "ru"),
        ("en", None, "Archive search", "en"),
        ("de", None, "Мұрағаттан іздеу", "kk"),
        ("ru", "en", "Archive search", "en"),
        ("en", "kk", "Мұрағаттан іздеу", "kk"),
    ],
)
def test_opensearch_is_in_the_interface_language(display_client, accept, cookie, name, lang):
    if cookie:
        display_client.set_cookie("ui_lang", cookie)
    try:
        response = display_client.get("/opensearch.xml", headers={"Accept-Language": accept})
    finally:
        display_client.delete_cookie("ui_lang")
    text = response.get_data(as_text=True)
    assert f"<ShortName>{name}</ShortName>" in text
    assert f"<Language>{lang}</Language>" in text and f'xml:lang="{lang}"' in text
    assert len(name) <= 16  # OpenSearch's limit for ShortName
    assert {"Cookie", "Accept-Language"} <= set(response.vary)
