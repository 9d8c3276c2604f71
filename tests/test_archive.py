"""The archive reader: every file format variant and every skip reason."""

import datetime as dt
import os
from pathlib import Path

import pytest

from search_service.archive import (
    Article,
    Skip,
    article_id,
    decode,
    parse_dateline,
    read_article,
    walk_archive,
)

KAZAKH = (
    "date 2025-03-07 Орал облысында жаңа мектеп ашылды\n"
    "ОРАЛ. KAZINFORM – Облыста үш мектеп салынды.\n"
    "Оқушылар қуанышты.\n"
)
RUSSIAN = (
    "date 2024-11-02 В Уральске открыли новую школу\n"
    "Уральск. 2 ноября. KAZINFORM - В области построили школу.\n"
)


def read_one(root: Path, name: str, data: bytes, max_bytes: int = 10_000) -> Article | Skip:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    (file,) = [f for f in walk_archive([root]) if f.relative == name]
    return read_article(file, max_bytes)


def test_plain_utf8_article(tmp_path):
    article = read_one(tmp_path, "kk/2025/03/school.txt", KAZAKH.encode())
    assert isinstance(article, Article)
    assert article.id == "kk.2025.03.school"
    assert article.path == "kk/2025/03/school.txt"
    assert article.date == dt.date(2025, 3, 7)
    assert article.headline == "Орал облысында жаңа мектеп ашылды"
    assert article.body.split("\n") == [
        "ОРАЛ. KAZINFORM – Облыста үш мектеп салынды.",
        "Оқушылар қуанышты.",
    ]
    assert (article.city, article.agency) == ("Орал", "KAZINFORM")
    assert (article.language, article.script) == ("kk", "Cyrl")
    assert article.encoding == "utf-8"
    assert len(article.sha1) == 40


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"\xef\xbb\xbf" + KAZAKH.encode(), "utf-8-sig"),
        (KAZAKH.replace("\n", "\r\n").encode(), "utf-8"),
        (KAZAKH.replace("\n", "   \n").encode(), "utf-8"),
        (KAZAKH.encode("utf-16"), "utf-16"),
        (KAZAKH.encode("kz1048"), "kz1048"),
    ],
    ids=["bom", "crlf", "trailing-spaces", "utf16-bom", "kz1048"],
)
def test_encoding_variants_read_the_same(tmp_path, data, encoding):
    article = read_one(tmp_path, "a.txt", data)
    assert isinstance(article, Article), article
    assert article.encoding == encoding
    assert article.headline == "Орал облысында жаңа мектеп ашылды"
    assert article.body.endswith("Оқушылар қуанышты.")


def test_cp1251_russian(tmp_path):
    article = read_one(tmp_path, "ru.txt", RUSSIAN.encode("cp1251"))
    assert isinstance(article, Article)
    assert article.encoding == "cp1251"
    assert article.headline == "В Уральске открыли новую школу"
    assert (article.city, article.agency, article.language) == ("Уральск", "KAZINFORM", "ru")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\r\n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (b"\x01\x02\x03\x04\x05\x06 date 2025-01-01 x\x07\x08\x0b\x0e\x0f\x10\x11", "binary"),
        ("Жаңалық басы\nМәтін\n".encode(), "no-date"),
        (b"date 2025-02-30 Headline\nBody\n", "bad-date"),
        (b"date 2025-13-01 Headline\nBody\n", "bad-date"),
        (b"date 25-01-01 Headline\nBody\n", "no-date"),
        (KAZAKH.encode()[:-7] + b"\xd2", "undecodable"),
        (KAZAKH.encode()[:40] + b"\xff\xfe\xfa" + KAZAKH.encode()[40:], "undecodable"),
        (b"date 2025-01-01 " + bytes(range(0x80, 0xFF)), "undecodable"),
    ],
    ids=[
        "zero-bytes",
        "whitespace",
        "png",
        "control-chars",
        "no-date-line",
        "feb-30",
        "month-13",
        "short-year",
        "truncated-utf8",
        "damaged-utf8",
        "random-high-bytes",
    ],
)
def test_skip_reasons(tmp_path, data, reason):
    result = read_one(tmp_path, "bad.txt", data)
    assert isinstance(result, Skip)
    assert result.reason == reason


def test_too_large(tmp_path):
    result = read_one(tmp_path, "big.txt", KAZAKH.encode() * 100, max_bytes=1000)
    assert isinstance(result, Skip) and result.reason == "too-large"


def test_headline_missing_uses_start_of_body(tmp_path):
    article = read_one(tmp_path, "h.txt", "date 2023-05-01\nТекст жаңалығы.\n".encode())
    assert isinstance(article, Article)
    assert article.headline == "Текст жаңалығы."


@pytest.mark.parametrize(
    ("body", "city", "agency"),
    [
        ("ОРАЛ. KAZINFORM – Облыста жаңбыр жауды.", "Орал", "KAZINFORM"),
        ("АСТАНА. KAZINFORM — Мәтін.", "Астана", "KAZINFORM"),
        ("ШЫМКЕНТ. KAZINFORM - Мәтін.", "Шымкент", "KAZINFORM"),
        ("ASTANA. KAZINFORM – Qazaqstandyq sportshy.", "Astana", "KAZINFORM"),
        ("TAShKENT. KAZINFORM – Ózbekstan.", "Tashkent", "KAZINFORM"),
        ("НҰР-СҰЛТАН. KAZINFORM – Елордада.", "Нұр-Сұлтан", "KAZINFORM"),
        ("Москва. 13 марта. INTERFAX.RU - Текст.", "Москва", "INTERFAX.RU"),
        ("Бүгін Астанада жиын өтті – деді ол.", "", ""),
        ("Иван. Он сказал – да.", "", ""),
        ("", "", ""),
    ],
)
def test_datelines(body, city, agency):
    assert parse_dateline(body) == (city, agency)


def test_ids_are_stable_and_safe():
    assert article_id("ru/2019/03/a.txt") == "ru.2019.03.a"
    odd = article_id("kk/мақала бір.txt")
    assert odd == article_id("kk/мақала бір.txt")
    assert odd != article_id("kk/мақала екі.txt")
    assert all(ch.isascii() and (ch.isalnum() or ch in "._-") for ch in odd)


def test_walk_finds_txt_files_in_order_and_ignores_the_rest(tmp_path):
    for name in ["b/2.txt", "a/1.txt", "a/notes.md", ".hidden/x.txt", "c.txt"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(KAZAKH, encoding="utf-8")
    assert [f.relative for f in walk_archive([tmp_path])] == ["a/1.txt", "b/2.txt", "c.txt"]


def test_walk_reports_symlink_loops_and_broken_links(tmp_path):
    (tmp_path / "kk").mkdir()
    (tmp_path / "kk" / "a.txt").write_text(KAZAKH, encoding="utf-8")
    os.symlink("..", tmp_path / "kk" / "loop")
    os.symlink("missing.txt", tmp_path / "kk" / "broken.txt")
    os.symlink("self.txt", tmp_path / "kk" / "self.txt")
    results = [read_article(f, 10_000) for f in walk_archive([tmp_path])]
    articles = [r for r in results if isinstance(r, Article)]
    reasons = sorted(r.reason for r in results if isinstance(r, Skip))
    assert [a.path for a in articles] == ["kk/a.txt"]
    assert reasons == ["symlink-loop", "symlink-loop", "unreadable"]


def test_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can read any file")
    path = tmp_path / "secret.txt"
    path.write_text(KAZAKH, encoding="utf-8")
    path.chmod(0)
    (file,) = walk_archive([tmp_path])
    result = read_article(file, 10_000)
    assert isinstance(result, Skip) and result.reason == "unreadable"


def test_decode_prefers_utf8():
    assert decode("Қазақстан".encode()) == ("Қазақстан", "utf-8")


# HTML character references from the sources' web pages ----------------------------------


def test_html_entities_from_the_source_are_decoded(tmp_path):
    data = (
        "date 2018-07-09 Новый министр по делам &quot;брексита&quot;\n"
        "МОСКВА. ТАСС &#8211; Компания &#171;Газпром&#187; &amp; партнёры, 16:54 &nbsp12 января.\n"
        "&nbsp;\n"
        "Тег &lt;script&gt; остаётся текстом; AT&T, S&P 500, &nosuch; и &#0; как написаны.\n"
    )
    article = read_one(tmp_path, "ru/2018/07/brexit.txt", data.encode())
    assert isinstance(article, Article)
    assert article.headline == 'Новый министр по делам "брексита"'
    assert article.body.split("\n") == [
        "МОСКВА. ТАСС – Компания «Газпром» & партнёры, 16:54 \u00a012 января.",
        "Тег <script> остаётся текстом; AT&T, S&P 500, &nosuch; и &#0; как написаны.",
    ]  # the paragraph that was only &nbsp; is gone like any blank line
    assert (article.city, article.agency) == ("Москва", "ТАСС")  # the dateline after decoding


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("&quot;x&quot;", '"x"'),
        ("&#171;x&#187; &#xAB;", "«x» «"),
        ("&amp;quot;", "&quot;"),  # decoded once: the source showed "&quot;" itself
        ("&nbsp 9", "\u00a0 9"),
        ("&amplifier &ampx", "&amplifier &ampx"),
        ("&copy 2019", "&copy 2019"),  # only the common names go without a semicolon
        ("&#10;line &#1;", " line &#1;"),
        ("&#xD800; &#1114112;", "&#xD800; &#1114112;"),
        ("R&D &P &rangeSize=3", "R&D &P &rangeSize=3"),
    ],
)
def test_only_real_entities_are_decoded(written, read):
    from search_service.archive import unescape_entities

    assert unescape_entities(written) == read
