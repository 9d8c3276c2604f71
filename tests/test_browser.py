"""The pages in a real Chromium, against the real server on a free port.

The server is started the way an operator would: ``search-service build`` over the bundled
sample archive, then ``search-service serve``. Chromium is Debian's (/usr/bin/chromium); the
test is skipped when it is not installed. Screenshots of the results pages are saved to
``artifacts/screenshots/`` (git-ignored) for people to look at: ``results-kk-desktop.png``,
``results-kk-phone.png``, ``results-kk-phone-filters.png`` and the same for ``ru``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a real server and a real Chromium

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parent.parent
SAMPLE_ARCHIVE = REPO / "search_service" / "sample_archive"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
START_TIMEOUT = 20.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _command() -> list[str]:
    """The installed console script, or the module when the venv's bin is not on PATH."""
    script = shutil.which("search-service") or str(Path(sys.executable).with_name("search-service"))
    return [script] if Path(script).exists() else [sys.executable, "-m", "search_service"]


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited early: {server.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer on {url}")


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    """The base URL of a real server over an index of the sample archive."""
    index_dir = tmp_path_factory.mktemp("browser-index")
    env = {key: value for key, value in os.environ.items() if not key.startswith("SEARCH_SERVICE_")}
    build = [*_command(), "build", "--archive", str(SAMPLE_ARCHIVE), "--index", str(index_dir)]
    subprocess.run(build, check=True, capture_output=True, env=env, timeout=120)
    port = _free_port()
    serve = [*_command(), "serve", "--index", str(index_dir), "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*serve, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/", server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_search_filter_page_open_and_switch_language(server_url, browser):
    context = browser.new_context(
        locale="kk-KZ", viewport={"width": 1280, "height": 900}, device_scale_factor=1
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    # The front page: Kazakh from Accept-Language, the box focused, type and search.
    page.goto(server_url + "/")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("сайлау")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=%D1%81"))
    marks = page.locator(".hit mark")
    assert marks.count() > 3
    assert marks.first.inner_text().lower().startswith("сайлау")
    total = _total(page)
    assert total > 5
    assert page.locator(".timeline-chart a.bar").count() >= 3

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot = SCREENSHOTS / "results.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.exists() and screenshot.stat().st_size > 10_000

    # "/" anywhere on the page brings the focus back to the box.
    page.locator("h2.hit-title a").first.focus()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"

    # A filter from the timeline: the bar of 2022; the query stays, months are offered.
    page.locator(".timeline-chart a.bar", has=page.locator("title", has_text="2022")).click()
    page.wait_for_url(re.compile(r"year=2022"))
    assert page.locator("#q").input_value() == "сайлау"
    dates = page.locator(".hit-meta time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates and all(date.startswith("2022-") for date in dates)
    assert _total(page) < total
    assert page.locator('section[aria-labelledby="facet-month"] a').count() >= 1
    # Then a facet on top of it: a city; both filters show as removable chips.
    page.locator('section[aria-labelledby="facet-city"] a').first.click()
    page.wait_for_url(re.compile(r"city="))
    assert "year=2022" in page.url
    assert page.locator(".active-filters a.chip").count() == 2

    # Paging with a small page size, through the "next" link.
    page.goto(server_url + "/search?q=сайлау&per_page=2")
    page.locator('.pagination a[rel="next"]').click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "per_page=2" in page.url and "q=%D1%81" in page.url
    assert page.locator('.pagination a[aria-current="page"]').inner_text() == "2"
    assert page.locator(".hit").count() == 2

    # An article, with the query marked and the way back to this very page.
    headline = page.locator("h2.hit-title a").first
    headline.click()
    page.wait_for_url(re.compile(r"/articles/"))
    assert page.locator(".article-body mark, .article-title mark").count() > 0
    assert page.locator(".similar li").count() > 0
    back = page.locator("a.back")
    assert "page=2" in back.get_attribute("href")

    # The interface language: English, remembered for the next page.
    page.locator(".ui-languages a", has_text="English").click()
    page.wait_for_url(re.compile(r"/articles/"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("a.back").inner_text().endswith("Back to the results")
    back.click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".hit").count() == 2

    # The same results on a phone-sized screen, for people to look at.
    phone = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    phone_page = phone.new_page()
    phone_page.goto(server_url + "/search?q=сайлау")
    phone_page.screenshot(path=str(SCREENSHOTS / "results-phone.png"), full_page=True)
    phone.close()
    context.close()
    assert problems == []


def _total(page) -> int:
    """The hit count from the line above the results ("12 мақала табылды")."""
    text = page.locator(".results-count").inner_text()
    return int(re.sub(r"\D", "", text.split("мақала")[0].split(":")[-1]) or 0)


def test_type_ahead_with_the_keyboard_and_follow_the_search(server_url, browser):
    """Type three letters, pick a completion with the arrows and Enter, see its results;
    Escape closes the list; the results page links a valid feed of the same search."""
    context = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(server_url + "/")
    box = page.locator("#q")
    assert box.get_attribute("role") == "combobox"
    page.keyboard.type("сай")
    listbox = page.locator('[role="listbox"]')
    listbox.wait_for(state="visible")
    options = listbox.locator('[role="option"]')
    assert 1 <= options.count() <= 8
    texts = options.all_inner_texts()
    assert all(text.lower().startswith("сай") for text in texts)
    assert box.get_attribute("aria-expanded") == "true"

    # Escape closes the list; typing again opens it.
    page.keyboard.press("Escape")
    assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false"
    page.keyboard.type("л")
    listbox.wait_for(state="visible")
    texts = options.all_inner_texts()
    assert texts and all(text.lower().startswith("сайл") for text in texts)

    # Down twice, up once: the first option is active and named by aria-activedescendant.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    first = options.first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    chosen = first.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    assert box.input_value() == chosen
    assert page.locator(".hit").count() > 0
    assert page.locator(".hit mark").count() > 0

    # Follow: the page names its feed, and the feed is Atom with the same search's articles.
    alternate = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    assert alternate.get_attribute("href") == page.locator("a.follow").get_attribute("href")
    feed = page.request.get(server_url + alternate.get_attribute("href"))
    assert feed.status == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert feed.headers["etag"]
    assert feed.text().count("<entry>") >= page.locator(".hit").count()
    again = page.request.get(
        server_url + alternate.get_attribute("href"),
        headers={"If-None-Match": feed.headers["etag"]},
    )
    assert again.status == 304
    context.close()
    assert problems == []


# Phones ---------------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}
NARROW_PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
LOCALES = {"kk": "kk-KZ", "ru": "ru-RU", "en": "en-GB"}


def _context(browser, server_url: str, lang: str, viewport: dict):
    """A browser context in the interface language ``lang`` (its cookie, as the switch sets)."""
    context = browser.new_context(locale=LOCALES[lang], viewport=viewport, device_scale_factor=1)
    context.add_cookies([{"name": "ui_lang", "value": lang, "url": server_url}])
    return context


def _top(locator) -> float:
    return locator.bounding_box()["y"]


def test_phone_filters_are_a_control_above_the_results_with_chips(server_url, browser):
    context = _context(browser, server_url, "ru", PHONE)
    page = context.new_page()
    page.goto(server_url + "/search?q=сайлау")
    toggle = page.locator("summary.filters-toggle")
    first_hit = page.locator(".hit").first
    assert toggle.is_visible() and toggle.inner_text().strip() == "Фильтры"
    assert _top(toggle) < _top(first_hit) < PHONE["height"]  # results start on the first screen
    city_facet = page.locator('section[aria-labelledby="facet-city"]')
    assert not city_facet.is_visible()  # behind the control until tapped

    toggle.click()
    assert city_facet.is_visible()
    city = city_facet.locator("a.facet-value").first
    city_name = city.locator(".facet-label").inner_text()
    city.click()
    page.wait_for_url(re.compile(r"city="))
    # The chosen filter is a chip above the results; the control counts it and is closed.
    chip = page.locator(".active-filters a.chip")
    assert chip.count() == 1 and city_name in chip.inner_text()
    assert chip.is_visible() and _top(chip) < _top(page.locator(".hit").first)
    assert page.locator(".filters-count").inner_text() == "1"
    assert not city_facet.is_visible()
    # Tapping the chip drops that filter and keeps the query.
    chip.click()
    page.wait_for_url(lambda url: "city=" not in url)
    assert page.locator("#q").input_value() == "сайлау"
    assert page.locator(".active-filters a.chip").count() == 0

    # The timeline fits the screen: the newest year's label is on it, not behind a swipe.
    labels = page.locator(".timeline-chart text.bar-label")
    newest = labels.last
    years = page.locator('section[aria-labelledby="facet-year"] .facet-label').all_text_contents()
    assert newest.text_content() == max(year.strip() for year in years)
    assert newest.is_visible()
    assert newest.bounding_box()["x"] + newest.bounding_box()["width"] <= PHONE["width"]
    context.close()

    # On a desktop the same filters are a sidebar, open, with no control to tap.
    context = _context(browser, server_url, "ru", DESKTOP)
    page = context.new_page()
    page.goto(server_url + "/search?q=сайлау")
    assert not page.locator("summary.filters-toggle").is_visible()
    assert page.locator('section[aria-labelledby="facet-city"]').is_visible()
    assert page.locator(".filters-heading").is_visible()
    sidebar, results = page.locator("aside.filters"), page.locator("section.results")
    assert (
        sidebar.bounding_box()["x"] + sidebar.bounding_box()["width"] < results.bounding_box()["x"]
    )
    context.close()


NARROW_PAGES = (
    "/",
    "/search?q=сайлау",
    "/search?q=сайлау+OR+выборы&lang=kk&year=2022&city=Шымкент&from=2022-01-01",
    "/search?q=date:2025-99",  # an error page
    "/articles/no-such-article",
)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_nothing_scrolls_sideways_on_a_360_px_phone(server_url, browser, lang):
    context = _context(browser, server_url, lang, NARROW_PHONE)
    page = context.new_page()
    page.goto(server_url + "/search?q=сайлау")
    article = page.locator("h2.hit-title a").first.get_attribute("href")
    for url in (*NARROW_PAGES, article):
        page.goto(server_url + url)
        assert page.locator("html").get_attribute("lang") == lang
        if page.locator("summary.filters-toggle").count():
            page.locator("summary.filters-toggle").click()  # the open panel must fit too
        overflow = page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                const wide = [...document.querySelectorAll("body *")]
                    .filter(e => e.getBoundingClientRect().right > width + 0.5)
                    .map(e => e.tagName.toLowerCase() + "." + (e.getAttribute("class") || ""));
                return [document.documentElement.scrollWidth, width, wide.slice(0, 5)];
            }"""
        )
        scroll_width, width, wide = overflow
        assert scroll_width <= width == NARROW_PHONE["width"], (lang, url, overflow)
        assert not wide, (lang, url, wide)
    context.close()


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_screenshots_of_results_on_desktop_and_phone(server_url, browser, lang):
    """Screenshots for people to look at: artifacts/screenshots/results-<lang>-<screen>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = server_url + "/search?q=сайлау&lang=kk"
    for screen, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = _context(browser, server_url, lang, viewport)
        page = context.new_page()
        page.goto(url)
        assert page.locator(".hit").count() > 3
        path = SCREENSHOTS / f"results-{lang}-{screen}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000
        if screen == "phone":
            page.locator("summary.filters-toggle").click()
            path = SCREENSHOTS / f"results-{lang}-phone-filters.png"
            page.screenshot(path=str(path))
            assert path.stat().st_size > 10_000
        context.close()
