"""Shared fixtures: a tiny archive written into a temporary folder, its real index, the app.

Add fixtures here as new functions; keep the existing ones as they are.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from search_service import indexer
from search_service.config import load_settings
from search_service.searcher import ArchiveSearcher


# Tests marked slow (real child processes, servers, the real corpus; over a few seconds each)
# are left out of a plain `pytest`, so a developer's run is quick. `--run-slow` runs them too:
# the README's test command and CI (.ci/run) pass it. A -m expression or a test named by its
# node id (file::test) chooses for itself.
def pytest_addoption(parser):
    parser.addoption(
        "--run-slow",
        action="store_true",
        help="also run the tests marked slow (the README's test command and CI do)",
    )


def _slow_left_out(config) -> bool:
    chosen = config.getoption("markexpr") or any("::" in arg for arg in config.args)
    return not (config.getoption("--run-slow") or chosen)


def pytest_report_header(config):
    if _slow_left_out(config):
        return "tests marked slow are left out: pass --run-slow to run them too"
    return None


def pytest_collection_modifyitems(config, items):
    if not _slow_left_out(config):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


# Relative path -> (date, headline, body). Ids follow from the paths: "ru/2024/02/a.txt" is
# "ru.2024.02.a". Word choices matter to the tests: see the comments.
TINY_ARCHIVE = {
    # "тариф" in a headline (first) versus only in a body (second); same city and month.
    "ru/2024/02/tariff-title.txt": (
        "2024-02-01",
        "Тариф на воду вырос",
        "ОРАЛ. KAZINFORM – Коммунальщики объявили новые цены. Жители обсуждают новость.",
    ),
    "ru/2024/02/tariff-body.txt": (
        "2024-02-02",
        "Новости коммунального хозяйства",
        "ОРАЛ. KAZINFORM – Городские службы подвели итоги года. Тариф на тепло не изменился.",
    ),
    # The same words, side by side (first) or far apart (second), in bodies of equal length.
    "ru/2024/03/near.txt": (
        "2024-03-04",
        "Итоги недели",
        "Водный транспорт города получил новые суда и причалы летом.",
    ),
    "ru/2024/03/far.txt": (
        "2024-03-05",
        "Итоги месяца",
        "Водный парк города получил новые суда и транспорт летом.",
    ),
    # Other forms of one word in two languages (need the Kazakh/Russian normalisation).
    "kk/2025/03/const-kk.txt": (
        "2025-03-10",
        "Конституцияның жаңа редакциясы",
        "АСТАНА. KAZINFORM – Депутаттар сайлауға дайындықты талқылады.\n"
        "Мемлекет басшысы Тоқаев Қазақстан халқына үндеу жолдады.",
    ),
    "ru/2025/01/const-ru.txt": (
        "2025-01-20",
        "Поправки к конституции",
        "АСТАНА. KAZINFORM – Президент Токаев подписал закон о выборах. "
        "Депутаты обсудили поправки.",
    ),
    "kk/2022/06/referendum.txt": (
        "2022-06-05",
        "Конституция бойынша референдум өтті",
        "НҰР-СҰЛТАН. KAZINFORM – Референдумда азаматтар конституция өзгерістерін қолдады.\n"
        "Сайлау учаскелері кешке дейін жұмыс істеді.",
    ),
    # Markup and entities in an article: they must come out as text, never as markup.
    "ru/2023/11/xss.txt": (
        "2023-11-11",
        '<script>alert(1)</script> Бюджет "><img src=x onerror=alert(1)> &amp; отчёт',
        "АЛМАТЫ. KAZINFORM – Бюджет <script>alert(1)</script> утвердили.\n"
        'Ссылка javascript:alert(1) и "><img src=x onerror=alert(1)> и &amp; в тексте.',
    ),
}
# Enough documents with one word for several pages of results, over two years.
FILLER_COUNT = 27
FILLER_WORD = "хроника"


def write_article(root: Path, relative: str, date: str, headline: str, body: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"date {date} {headline}\n{body}\n", encoding="utf-8")


def write_tiny_archive(root: Path) -> None:
    """The tiny test archive: :data:`TINY_ARCHIVE` plus the filler articles."""
    for relative, (date, headline, body) in TINY_ARCHIVE.items():
        write_article(root, relative, date, headline, body)
    for n in range(FILLER_COUNT):
        year = 2022 + n % 2
        month = 1 + n % 12
        write_article(
            root,
            f"ru/{year}/{month:02d}/filler-{n:02d}.txt",
            f"{year}-{month:02d}-{1 + n % 28:02d}",
            f"Городская {FILLER_WORD} номер {n}",
            f"КОСТАНАЙ. KAZINFORM – Очередная {FILLER_WORD} событий дня, выпуск {n}.",
        )


# The ways a generation's gzip JSON file (manifest, type-ahead) is found missing or damaged.
GZIP_DAMAGES = ("missing", "cut short", "plain JSON", "flipped byte")


def damage_gzip_file(path: Path, damage: str) -> None:
    """Damage ``path`` in one of the ways of :data:`GZIP_DAMAGES` ("plain JSON": the data
    uncompressed, as an older version wrote it)."""
    data = path.read_bytes()
    path.unlink()  # never through a hard link into another generation
    if damage == "cut short":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "plain JSON":
        path.write_bytes(gzip.decompress(data))
    elif damage == "flipped byte":
        flipped = bytearray(data)
        flipped[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(flipped))
    elif damage != "missing":
        raise ValueError(damage)


@pytest.fixture(scope="session")
def tiny_archive(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny-archive")
    write_tiny_archive(root)
    return root


@pytest.fixture(scope="session")
def tiny_index(tiny_archive, tmp_path_factory) -> Path:
    """A real index of the tiny archive, built once per test session; do not change it."""
    index_dir = tmp_path_factory.mktemp("tiny-index")
    indexer.build([tiny_archive], index_dir, procs=1)
    return index_dir


@pytest.fixture(scope="session")
def tiny_searcher(tiny_index) -> ArchiveSearcher:
    searcher = ArchiveSearcher(tiny_index)
    yield searcher
    searcher.close()


@pytest.fixture
def clean_environ(monkeypatch):
    """No SEARCH_SERVICE_* variables from the caller's shell."""
    for key in list(os.environ):
        if key.startswith("SEARCH_SERVICE_"):
            monkeypatch.delenv(key)


@pytest.fixture
def runner(clean_environ) -> CliRunner:
    """A click test runner for ``search_service.cli.main``, with no SEARCH_SERVICE_* variables
    from the caller's shell."""
    return CliRunner()


# The command line in a child process: a real `python -m search_service`, for what the test
# runner cannot show (a process killed half way, a server, the exit code a shell sees).
SERVICE_COMMAND = (sys.executable, "-m", "search_service")


def service_environ(**settings: str) -> dict[str, str]:
    """This process's environment without SEARCH_SERVICE_* variables, plus ``settings`` as
    variables (``log_level="WARNING"`` is SEARCH_SERVICE_LOG_LEVEL=WARNING)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_SERVICE_")}
    env.update({f"SEARCH_SERVICE_{key.upper()}": value for key, value in settings.items()})
    return env


def start_service(*args: str, **popen) -> subprocess.Popen:
    """``search-service ARGS`` started in a child process, its output piped as bytes."""
    return subprocess.Popen(
        [*SERVICE_COMMAND, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen
    )


def run_service(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """``search-service ARGS`` run to its end in a child process: output captured as text, the
    exit code in ``returncode`` (a non-zero one is not an exception)."""
    return subprocess.run(
        [*SERVICE_COMMAND, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def tiny_settings(tiny_index, clean_environ):
    return load_settings({}).replace(index_dir=tiny_index)


@pytest.fixture
def tiny_app(tiny_settings):
    from search_service.web import create_app

    app = create_app(tiny_settings)
    app.config.update(TESTING=True)
    return app


@pytest.fixture
def tiny_client(tiny_app):
    return tiny_app.test_client()


# The pages' archive (tests/test_pages.py) -------------------------------------------------
# Kazakh and Russian articles about elections, budgets and the weather, one article with
# markup and entities in its headline, body and city, and enough weather reports for pages.
PAGES_ARCHIVE = {
    # "сайлау" in the headline and twice in the body: the best match for сайлау.
    "kk/2024/03/oral-saylau.txt": (
        "2024-03-10",
        "Оралда сайлау учаскелері ашылды",
        "ОРАЛ. KAZINFORM – Батыс Қазақстан облысында сайлау басталды.\n"
        "Сайлауға жүз мыңнан астам адам қатысады.",
    ),
    "kk/2024/07/astana-saylau.txt": (
        "2024-07-05",
        "Астанада мәслихат сайлауы өтті",
        "АСТАНА. KAZINFORM – Елордада мәслихат депутаттарының сайлауы өтті.",
    ),
    # "сайлау" once, in the body only: ranks below the two above.
    "kk/2023/05/konstitutsiya.txt": (
        "2023-05-12",
        "Конституция күніне дайындық",
        "АСТАНА. KAZINFORM – Облыста мерекелік шаралар өтеді. Келесі жылы сайлау болады.",
    ),
    "ru/2024/03/uralsk-vybory.txt": (
        "2024-03-11",
        "В Уральске открылись избирательные участки",
        "УРАЛЬСК. KAZINFORM – Выборы депутатов проходят спокойно.\n"
        "Президент обратился к избирателям.",
    ),
    "ru/2022/06/referendum.txt": (
        "2022-06-06",
        "Итоги референдума по поправкам в Конституцию",
        "АСТАНА. KAZINFORM – ЦИК подвела итоги. Выборы и референдум прошли спокойно.",
    ),
    # "бюджет" in a headline versus only in a body (for ranking and title:).
    "ru/2021/01/budget-title.txt": (
        "2021-01-15",
        "Бюджет области утверждён",
        "КОСТАНАЙ. KAZINFORM – Депутаты маслихата одобрили расходы на дороги.",
    ),
    "ru/2021/02/budget-body.txt": (
        "2021-02-15",
        "Новости маслихата",
        "КОСТАНАЙ. KAZINFORM – Депутаты обсудили бюджет города на следующий год.",
    ),
    # Markup, a javascript: link and an entity in the headline and the body, and an
    # apostrophe in the city: all of it must reach the page as text.
    "kk/2025/01/xss.txt": (
        "2025-01-20",
        'Сайлау <script>alert(1)</script> "><img src=x onerror=alert(1)> &amp; нәтижесі',
        "ҚЫЗЫЛ'ОРДА. KAZINFORM – Сайлау javascript:alert(1) туралы &amp; <b>хабар</b>.",
    ),
}
# Weather reports, one a month through 2020, for results over several pages.
PAGES_WEATHER_COUNT = 9


def write_pages_archive(root: Path) -> None:
    """The pages' test archive: :data:`PAGES_ARCHIVE` plus the weather reports."""
    for relative, (date, headline, body) in PAGES_ARCHIVE.items():
        write_article(root, relative, date, headline, body)
    for n in range(1, PAGES_WEATHER_COUNT + 1):
        write_article(
            root,
            f"kk/2020/{n:02d}/weather-{n}.txt",
            f"2020-{n:02d}-15",
            f"Шымкентте ауа райы өзгереді ({n})",
            f"ШЫМКЕНТ. KAZINFORM – Синоптиктер ауа райы туралы {n}-болжамын жариялады.",
        )


@pytest.fixture(scope="session")
def pages_index(tmp_path_factory) -> Path:
    """A real index of the pages' archive, built once per session; do not change it."""
    root = tmp_path_factory.mktemp("pages-archive")
    write_pages_archive(root)
    index_dir = tmp_path_factory.mktemp("pages-index")
    indexer.build([root], index_dir, procs=1)
    return index_dir


@pytest.fixture
def pages_client(pages_index, clean_environ):
    """A test client of the app over the pages' index."""
    from search_service.web import create_app

    app = create_app(load_settings({}).replace(index_dir=pages_index))
    app.config.update(TESTING=True)
    return app.test_client()


# The follow archive (feeds, date presets, type-ahead, duplicate folding) ------------------
# The newest article is of 2026-02-10: the date presets count back from it.
_WIRE = (
    "Правительство утвердило программу развития водного хозяйства на ближайшие пять лет. "
    "Министр сельского хозяйства рассказал журналистам о строительстве новых каналов, "
    "ремонте плотин и водохранилищ в южных областях страны. На эти цели из республиканского "
    "бюджета выделят значительные средства, а первые объекты сдадут уже летом."
)
FOLLOW_ARCHIVE = {
    "ru/2026/02/newest.txt": (
        "2026-02-10",
        "Водохранилища наполнились к весне",
        "АСТАНА. KAZINFORM – Водохранилища наполнились, сообщили в министерстве.",
    ),
    # The same wire three times: the original, an update with one sentence more, a repost.
    "ru/2026/02/wire.txt": (
        "2026-02-05",
        "Программа водного хозяйства",
        f"АСТАНА. KAZINFORM – {_WIRE}",
    ),
    "ru/2026/02/wire-update.txt": (
        "2026-02-06",
        "Программа водного хозяйства (обновлено)",
        f"АСТАНА. KAZINFORM – {_WIRE} Подробности будут опубликованы позже.",
    ),
    "ru/2026/01/wire-repost.txt": (
        "2026-01-20",
        "Программа развития водного хозяйства",
        f"АСТАНА. KAZINFORM – {_WIRE}",
    ),
    "kk/2026/01/tokayev.txt": (
        "2026-01-02",
        "Тоқаев жаңа жылмен құттықтады",
        "АСТАНА. KAZINFORM – Мемлекет басшысы Тоқаев халықты құттықтады. Сайлау биыл өтеді.\n"
        "Тоқаевтың үндеуі теледидардан көрсетілді. Биыл сайлау науқаны басталады.",
    ),
    "kk/2025/06/qazaqstan.txt": (
        "2025-06-01",
        "Qazaqstan eksporty óskeni",
        "ASTANA. KAZINFORM – Qazaqstan eksporty óskenі týraly aıtyldy. Qazaqstanda saılaý "
        "ótedi. Qazaqstannyń ekonomıkasy ósti.",
    ),
    "ru/2025/01/old.txt": (
        "2025-01-15",
        "Водный налог изменится",
        "АЛМАТЫ. KAZINFORM – Сайлау и выборы. Водный налог изменится, сообщили в Минфине.",
    ),
    # A hostile headline: every feed and page must carry it as text.
    "ru/2026/02/hostile.txt": (
        "2026-02-08",
        '<script>alert(1)</script> Водный "отчёт" & <b>бюджет</b> ]]>',
        "АСТАНА. KAZINFORM – Водный <script>alert(2)</script> отчёт & цифры ]]> опубликованы.",
    ),
}


def write_follow_archive(root: Path) -> None:
    for relative, (date, headline, body) in FOLLOW_ARCHIVE.items():
        write_article(root, relative, date, headline, body)


@pytest.fixture(scope="session")
def follow_index(tmp_path_factory) -> Path:
    """A real index of the follow archive, built once per session; do not change it."""
    root = tmp_path_factory.mktemp("follow-archive")
    write_follow_archive(root)
    index_dir = tmp_path_factory.mktemp("follow-index")
    indexer.build([root], index_dir, procs=1)
    return index_dir


@pytest.fixture
def follow_client(follow_index, clean_environ):
    """A test client of the app over the follow archive's index."""
    from search_service.web import create_app

    app = create_app(load_settings({}).replace(index_dir=follow_index))
    app.config.update(TESTING=True)
    return app.test_client()
