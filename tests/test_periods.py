"""Date presets (period=7d|30d|12m|year), counted back from the newest article."""

from __future__ import annotations

import datetime as dt

import pytest

from search_service.periods import period_range


@pytest.mark.parametrize(
    ("period", "newest", "first"),
    [
        ("7d", "2026-02-10", "2026-02-04"),
        ("30d", "2026-02-10", "2026-01-12"),
        ("12m", "2026-02-10", "2025-02-11"),
        ("12m", "2024-02-29", "2023-03-01"),
        ("year", "2026-02-10", "2026-01-01"),
        ("year", "2026-01-01", "2026-01-01"),
    ],
)
def test_period_range(period, newest, first):
    newest_day = dt.date.fromisoformat(newest)
    assert period_range(period, newest_day) == (dt.date.fromisoformat(first), newest_day)


def test_unknown_period_is_an_error():
    with pytest.raises(ValueError):
        period_range("week", dt.date(2026, 1, 1))


def _ids(client, **params):
    # every article, not one per story: the presets filter articles
    query = {"per_page": 50, "dupes": "show", **params}
    response = client.get("/api/search", query_string=query)
    assert response.status_code == 200, response.json
    return {hit["id"] for hit in response.json["hits"]}


# Dates of the follow archive: newest 2026-02-10; 02-08, 02-06, 02-05; 01-20; 01-02;
# 2025-06-01; 2025-01-15.
def test_presets_count_back_from_the_newest_article(follow_client):
    every = _ids(follow_client)
    assert len(every) == 8
    week = _ids(follow_client, period="7d")
    assert week == {
        "ru.2026.02.newest",
        "ru.2026.02.hostile",
        "ru.2026.02.wire-update",
        "ru.2026.02.wire",
    }
    month = _ids(follow_client, period="30d")
    assert month == week | {"ru.2026.01.wire-repost"}
    this_year = _ids(follow_client, period="year")
    assert this_year == month | {"kk.2026.01.tokayev"}
    twelve = _ids(follow_client, period="12m")
    assert twelve == this_year | {"kk.2025.06.qazaqstan"}
    assert "ru.2025.01.old" not in twelve


def test_preset_combines_with_a_query_and_other_filters(follow_client):
    assert _ids(follow_client, q="наполнились", period="7d") == {"ru.2026.02.newest"}
    assert _ids(follow_client, q="налог", period="12m") == set()
    assert _ids(follow_client, period="30d", to="2026-02-05") == {
        "ru.2026.02.wire",
        "ru.2026.01.wire-repost",
    }


def test_bad_period_is_a_clear_400(follow_client):
    response = follow_client.get("/api/search?q=вода&period=week")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_period"
    page = follow_client.get("/search?q=вода&period=week")
    assert page.status_code == 400
    assert "7d, 30d, 12m" in page.get_data(as_text=True)


def test_results_page_offers_presets_and_shows_the_chosen_range(follow_client):
    html = follow_client.get(
        "/search?q=водный&lang=ru", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    for label in ("Last 7 days", "Last 30 days", "Last 12 months", "This year"):
        assert label in html
    assert "period=7d" in html and "lang=ru" in html
    chosen = follow_client.get(
        "/search?q=водный&period=30d", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "12 January 2026 – 10 February 2026" in chosen
    assert 'aria-current="true"' in chosen
    # the chosen preset is an active filter with a link that removes it
    assert "Recent:" in chosen and "Last 30 days" in chosen
