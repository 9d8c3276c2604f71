"""The repaired-query notice in a real Chromium (issue 14): typed, seen, and its link followed.

Reuses the real server and browser of :mod:`tests.test_browser`; skipped without Chromium.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pytest

from .test_browser import SCREENSHOTS, browser, server_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a real server and a real Chromium


@pytest.mark.parametrize(
    ("locale", "words"),
    [("kk-KZ", "Жұбы жоқ тырнақша"), ("ru-RU", "Кавычка без пары")],
)
def test_a_lone_quote_is_dropped_and_said(server_url, browser, locale, words):  # noqa: F811
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server_url + "/")
    page.locator("#q").click()  # not relying on autofocus, which a loaded machine may lag
    page.keyboard.type("«сайлау")  # a lone opening quote
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=%C2%AB"))
    notice = page.locator('.query-notice[data-notice="lone_quote"]')
    assert notice.is_visible()
    assert words in notice.inner_text()
    assert _total(page) == _api_total(server_url, "сайлау")  # not an exact-form phrase
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"notice-{locale[:2]}.png"))

    notice.locator("a.notice-literal").click()  # the literal alternative: the phrase
    page.wait_for_url(re.compile(r"q=%C2%AB.*%C2%BB"))
    assert page.locator(".query-notice").count() == 0
    assert page.locator("#q").input_value() == "«сайлау»"
    context.close()


def _total(page) -> int:
    """The hit count of the results line, in any interface language."""
    text = page.evaluate("document.querySelector('.results-count').firstChild.textContent")
    return int(re.sub(r"\D", "", text))


def _api_total(base: str, q: str) -> int:
    url = f"{base}/api/search?{urllib.parse.urlencode({'q': q})}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)["total"]
