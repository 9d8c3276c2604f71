"""Follow a search: /feed.atom, its validators, and its links from the page and the API."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote
from xml.etree import ElementTree as ET

from search_service import indexer
from tests.conftest import write_article, write_follow_archive

ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(client, **params):
    response = client.get("/feed.atom", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    return response, ET.fromstring(response.data)  # raises unless well-formed


def _entries(root):
    return root.findall(f"{ATOM}entry")


def test_feed_is_valid_atom_newest_first(follow_client):
    _, root = _feed(follow_client, q="водный")
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None, required
    self_link = root.find(f"{ATOM}link[@rel='self']").get("href")
    assert unquote(self_link) == "http://localhost/feed.atom?q=водный"
    alternate = root.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert "/search?q=" in alternate
    entries = _entries(root)
    assert len(entries) >= 3
    dates = [entry.findtext(f"{ATOM}updated") for entry in entries]
    assert dates == sorted(dates, reverse=True)
    for entry in entries:
        for required in ("id", "title", "updated", "content"):
            assert entry.find(f"{ATOM}{required}") is not None
        link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert "/articles/" in link and entry.findtext(f"{ATOM}id") == link
        dt.datetime.strptime(entry.findtext(f"{ATOM}updated"), "%Y-%m-%dT%H:%M:%SZ")
        assert entry.find(f"{ATOM}content").get("type") == "html"
    first = entries[0]
    assert first.findtext(f"{ATOM}id").endswith("/articles/ru.2026.02.hostile")
    assert first.findtext(f"{ATOM}updated") == "2026-02-08T00:00:00Z"


def test_feed_escapes_hostile_headlines_and_snippets(follow_client):
    response, root = _feed(follow_client, q="отчёт")
    raw = response.get_data(as_text=True)
    assert "<script>" not in raw and "<b>" not in raw
    (entry,) = [e for e in _entries(root) if "hostile" in e.findtext(f"{ATOM}id")]
    # The headline comes back exactly as text after XML parsing.
    assert entry.findtext(f"{ATOM}title") == (
        '<script>alert(1)</script> Водный "отчёт" & <b>бюджет</b> ]]>'
    )
    # The content is HTML (escaped once more for XML): the article's markup is text in it,
    # the query's words are <mark>ed.
    html = entry.findtext(f"{ATOM}content")
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<mark>отчёт</mark>" in html
    assert "<script>" not in html


def test_feed_keeps_the_filters(follow_client):
    _, root = _feed(follow_client, q="водный", period="7d", lang="ru", city="Астана")
    ids = {entry.findtext(f"{ATOM}id").rsplit("/", 1)[1] for entry in _entries(root)}
    # the wire and its update are one story: the feed has its newest version
    assert ids == {"ru.2026.02.hostile", "ru.2026.02.wire-update"}
    _, elsewhere = _feed(follow_client, q="водный", city="Алматы")
    assert [e.findtext(f"{ATOM}id").rsplit("/", 1)[1] for e in _entries(elsewhere)] == [
        "ru.2025.01.old"
    ]
    self_link = root.find(f"{ATOM}link[@rel='self']").get("href")
    assert "period=7d" in self_link and "lang=ru" in self_link
    # page, per_page and sort do not belong to a followed search
    assert "page" not in _feed(follow_client, q="водный", page="2", sort="oldest")[1].find(
        f"{ATOM}link[@rel='self']"
    ).get("href")


def test_feed_without_a_query_lists_the_newest_articles(follow_client):
    _, root = _feed(follow_client)
    assert len(_entries(root)) == 6  # 8 articles, the three versions of the wire folded
    _, every = _feed(follow_client, dupes="show")
    assert len(_entries(every)) == 8


def test_bad_feed_parameters_are_a_clear_400(follow_client):
    response = follow_client.get("/feed.atom?q=x&from=yesterday")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_date"
    response = follow_client.get('/feed.atom?q="')
    assert response.status_code in (200, 400)  # a lone quote is repaired or refused, never 500


def test_conditional_requests_answer_304_when_unchanged(follow_client):
    response, _ = _feed(follow_client, q="водный")
    etag = response.headers["ETag"]
    modified = response.headers["Last-Modified"]
    assert etag and modified
    again = follow_client.get("/feed.atom?q=водный", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    assert again.headers["ETag"] == etag
    since = follow_client.get("/feed.atom?q=водный", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    # another search has another ETag
    other, _ = _feed(follow_client, q="налог")
    assert other.headers["ETag"] != etag
    stale = follow_client.get("/feed.atom?q=водный", headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200


def test_a_feed_reader_sees_new_articles_after_the_update(tmp_path, clean_environ):
    from search_service.config import load_settings
    from search_service.web import create_app

    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    write_follow_archive(archive)
    indexer.build([archive], index_dir)
    client = create_app(load_settings({}).replace(index_dir=index_dir)).test_client()
    first = client.get("/feed.atom?q=водный")
    etag = first.headers["ETag"]
    assert client.get("/feed.atom?q=водный", headers={"If-None-Match": etag}).status_code == 304
    write_article(
        archive,
        "ru/2026/02/fresh.txt",
        "2026-02-11",
        "Водный транспорт вышел на линию",
        "АСТАНА. KAZINFORM – Водный транспорт вышел на линию.",
    )
    indexer.update([archive], index_dir)
    polled = client.get("/feed.atom?q=водный", headers={"If-None-Match": etag})
    assert polled.status_code == 200
    newest = _entries(ET.fromstring(polled.data))[0]
    assert newest.findtext(f"{ATOM}id").endswith("/articles/ru.2026.02.fresh")
    assert polled.headers["ETag"] != etag


def test_results_page_and_api_link_the_feed(follow_client):
    html = follow_client.get(
        "/search?q=водный&lang=ru&page=1", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml" href="/feed.atom?q=' in html
    assert (
        'class="follow" href="/feed.atom?q=%D0%B2%D0%BE%D0%B4%D0%BD%D1%8B%D0%B9&amp;lang=ru"'
        in html
    )
    assert "Follow (Atom)" in html
    api = follow_client.get("/api/search?q=водный&lang=ru&page=1")
    assert 'rel="alternate"; type="application/atom+xml"' in api.headers["Link"]
    assert api.headers["Link"].startswith("</feed.atom?q=%D0%B2")


def test_control_characters_never_break_the_feed(follow_client):
    _, root = _feed(follow_client, q="водный\x1b\x00")
    assert "\ufffd" in root.findtext(f"{ATOM}title")
