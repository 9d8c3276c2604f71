"""Did you mean: in the script, spelling and case typed, only when it finds clearly more
(issue 14). A small archive built for it, then the issue's examples on the real corpus."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from search_service import indexer
from search_service.config import load_settings
from search_service.suggest import SUGGEST_GAIN

from .conftest import write_article

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
MANY = SUGGEST_GAIN + 1  # articles a correction needs when the typo itself has one


def suggest_archive() -> dict[str, tuple[str, str, str]]:
    """Right words in many articles, typos in one; near words in other scripts and languages
    that must not be offered."""
    articles = {}
    for n in range(MANY):
        articles[f"ru/2024/01/tokaev-{n}.txt"] = (
            f"2024-01-{n + 1:02d}",
            f"Президент Токаев провёл совещание {n}",
            "АЛМАТЫ. KAZINFORM – Токаев и в Алматы обсудили экономику Казахстана. "
            "Казахстан и Каспий в повестке. The president said GOV and RES were ready.",
        )
        articles[f"kk/2024/02/toqaev-{n}.txt"] = (
            f"2024-02-{n + 1:02d}",
            f"Мемлекет басшысы Тоқаев кеңес өткізді {n}",
            "АСТАНА. KAZINFORM – Президент Тоқаев Қазақстан білім жүйесі туралы айтты. "
            "Ресей делегациясы келді. Тоқаев Тоқаев.",
        )
        articles[f"ru/2024/03/kazni-{n}.txt"] = (
            f"2024-03-{n + 1:02d}",
            f"Отмена смертной казни {n}",
            "МОСКВА. KAZINFORM – Вопрос казни обсуждают. Индекс KASE вырос, сказали были.",
        )
    for n in range(3):
        articles[f"kk/2024/04/latin-{n}.txt"] = (
            f"2024-04-{n + 1:02d}",
            f"Qazaqstan prezıdenti Toqaev sóz sóıledi {n}",
            "ASTANA. KAZINFORM – Qazaqstan Prezıdenti bilim men Resei týraly aıtty.",
        )
    articles["ru/2024/05/almata.txt"] = (
        "2024-05-01",
        "Форум в Алмата",
        "АЛМАТЫ. KAZINFORM – В Алмата прошёл форум, Kaspi Bank и G20 упомянуты.",
    )
    return articles


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from search_service.web import create_app

    root = tmp_path_factory.mktemp("suggest-archive")
    for relative, (date, headline, body) in suggest_archive().items():
        write_article(root, relative, date, headline, body)
    index_dir = tmp_path_factory.mktemp("suggest-index")
    indexer.build([root], index_dir, procs=1)
    app = create_app(load_settings({}).replace(index_dir=index_dir))
    app.config.update(TESTING=True)
    return app.test_client()


def search(client, q: str, **params) -> dict:
    response = client.get("/api/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# Typed -> the suggestion (None: none must be offered).
SUGGESTIONS = [
    ("Токаеф", "Токаев"),  # Russian spelling: no Kazakh letters, the case kept
    ("токаеф", "токаев"),
    ("ТОКАЕФ", "ТОКАЕВ"),
    ("Тоқаеф", "Тоқаев"),  # Kazakh spelling: a Kazakh word
    ("Алмата", "Алматы"),  # one article, its correction in clearly more
    ("Казахтан", "Казахстан"),
    ("Каспи", "Каспий"),  # the nearest word, not the more frequent "казни"
    ("Qazaqstn", "Qazaqstan"),  # Latin stays Latin although the index holds Cyrillic
    ("QAZAQSTN", "QAZAQSTAN"),
    ("prezidnt", "prezident"),  # the Kazakh word in Latin, never English "president"
    ("Токаеф Алматы", "Токаев Алматы"),  # a missing word of a no-dead-end page
    ("prezident", None),  # found: nothing to correct
    ("bılım", None),  # білім is found; never Russian "были"
    ("Resei", None),  # never "res"
    ("G20", None),  # digits: never "gov"
    ("Kaspi", None),  # a real word with a hit: not "kase"
]


@pytest.mark.parametrize(("typed", "expected"), SUGGESTIONS)
def test_did_you_mean(client, typed, expected):
    body = search(client, typed)
    assert body["suggestion"] == expected
    if expected:
        assert search(client, expected)["total"] >= SUGGEST_GAIN * max(1, body["total"]) or (
            body["missing_words"] and not search(client, expected)["missing_words"]
        )


def test_a_suggestion_keeps_the_filters_and_must_find_within_them(client):
    assert search(client, "Токаеф", lang="ru")["suggestion"] == "Токаев"
    assert search(client, "Каспи", lang="ru")["suggestion"] == "Каспий"
    assert search(client, "Каспи", lang="kk")["suggestion"] is None  # no Каспий in Kazakh


def test_the_page_offers_the_suggestion_as_typed(client):
    html = client.get("/search?q=Qazaqstn", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert 'class="suggestion-link">Qazaqstan</a>' in html


# The examples on the real corpus, through /api/search ----------------------------
REAL_SUGGESTIONS = [
    ("Токаеф", "Токаев"),
    ("Алмата", "Алматы"),
    ("Казахтан", "Казахстан"),
    ("Каспи", "Каспий"),
    ("Qazaqstn", "Qazaqstan"),
    ("prezident", None),
    ("bılım", None),
    ("G20", None),
    ("Resei", None),
    ("Kaspi", None),
]


@pytest.fixture(scope="module")
def real_client(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not here")
    from search_service.web import create_app

    work = tmp_path_factory.mktemp("real-suggest")
    for part in ("kk", "kk-cyr", "ru"):
        with tarfile.open(CORPUS / f"{part}.tar.gz") as tar:
            tar.extractall(work / "archive", filter="data")
    indexer.build([work / "archive"], work / "index", procs=2)
    app = create_app(load_settings({}).replace(index_dir=work / "index"))
    app.config.update(TESTING=True)
    return app.test_client()


@pytest.mark.slow
@pytest.mark.parametrize(("typed", "expected"), REAL_SUGGESTIONS)
def test_did_you_mean_on_the_real_corpus(real_client, typed, expected):
    body = search(real_client, typed)
    assert body["suggestion"] == expected
    if expected:
        assert search(real_client, expected)["total"] >= SUGGEST_GAIN * max(1, body["total"])


# The query-language examples of the issue on the real corpus.
SAME_HITS = [
    ('"сайлау', "сайлау"),
    ("«сайлау", "сайлау"),
    ('сайлау"', "сайлау"),
    ("title:(сайлау OR выборы)", "title:сайлау OR title:выборы"),
    ("date:2019-06-30..2019-01-01", "date:2019-01-01..2019-06-30"),
    ("сайлау^2", "сайлау"),
    ("сайлау ИЛИ выборы", "сайлау OR выборы"),
    ("выборы НЕ президент", "выборы -президент"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("typed", "same"), SAME_HITS)
def test_query_language_on_the_real_corpus(real_client, typed, same):
    assert (
        search(real_client, typed, per_page=100)["total"]
        == (search(real_client, same, per_page=100)["total"])
    )


@pytest.mark.slow
def test_filter_prefixes_on_the_real_corpus(real_client):
    assert (
        search(real_client, "lang:ru выборы")["total"]
        == (search(real_client, "выборы", lang="ru")["total"])
        > 100
    )
    assert (
        search(real_client, "city:Астана Toqaev")["total"]
        == (search(real_client, "Toqaev", city="Астана")["total"])
        > 10
    )
    assert search(real_client, "year:2019")["total"] == search(real_client, "date:2019")["total"]
    response = real_client.get("/api/search", query_string={"q": "x", "city": "Nowhere"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_city"
