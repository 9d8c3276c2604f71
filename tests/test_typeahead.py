"""Type-ahead: the word table built at index time, /api/suggest, and its life through update."""

from __future__ import annotations

import pickle

import pytest

from search_service import indexer
from search_service.engine import store
from search_service.typeahead import (
    COUNTS_FILE,
    TABLE_FILE,
    SuggestTable,
    WordCounts,
    write_table,
)
from tests.conftest import GZIP_DAMAGES, damage_gzip_file, write_article, write_follow_archive


def _texts(client, prefix, **params):
    response = client.get("/api/suggest", query_string={"prefix": prefix, **params})
    assert response.status_code == 200, response.json
    return [item["text"] for item in response.json["suggestions"]]


def test_written_form_is_the_usual_one_inside_sentences():
    counts = WordCounts.empty()
    counts.add("Сайлау өтті", "Биыл сайлау болады. Сайлау науқаны басталды. Тоқаев сөйледі.")
    counts.add("Жаңа жыл", "Мемлекет басшысы Тоқаев құттықтады. ЦИК хабарлады.")
    assert counts.written_form("сайлау") == "сайлау"  # lower case, though it opens sentences
    assert counts.written_form("тоқаев") == "Тоқаев"  # a name keeps its capital
    assert counts.written_form("цик") == "ЦИК"  # only ever in capitals: as written
    assert counts.documents["тоқаев"] == 2 and counts.documents["сайлау"] == 1


def test_counts_go_back_exactly_when_a_document_is_removed():
    counts = WordCounts.empty()
    counts.add("Бюджет", "Депутаты обсудили бюджет.")
    before = (counts.documents.copy(), {k: v.copy() for k, v in counts.forms.items()})
    counts.add("Тариф", "Новый тариф и бюджет.")
    counts.remove("Тариф", "Новый тариф и бюджет.")
    assert (counts.documents, counts.forms) == before


@pytest.mark.parametrize(
    ("headline", "body", "expected"),
    [
        # the headline's first word and the body's first word open a sentence
        ("Абай туралы", "Абай жазды", {"абай": {"-Абай": 2}, "туралы": {"+туралы": 1}}),
        # a break, and what separates it from the word, opens the next sentence
        ("", "Жиын. «Абай» мен (Абай)", {"абай": {"-Абай": 2}}),
        # a point or a colon inside a number does not
        ("", "Сағат 10:30 Абай, 2.5 Абай", {"абай": {"+Абай": 2}}),
        # capitals are never "inside a sentence"; a hyphenated word counts its parts, only
        # the first of them at a sentence's start
        ("", "ЦИК хабарлады. Нұр-Сұлтан", {"цик": {"-ЦИК": 1}, "сұлтан": {"+Сұлтан": 1}}),
        # a sentence opening with a number: the word after it stands inside the sentence
        ("", "Жиын. 5 Абай", {"абай": {"+Абай": 1}}),
    ],
)
def test_written_forms_by_their_place_in_the_sentence(headline, body, expected):
    counts = WordCounts.empty()
    counts.add(headline, body)
    counts.fold()
    for key, labels in expected.items():
        assert dict(counts.forms[key]) == labels, key
    counts.remove(headline, body)
    assert not counts.documents and not counts.fold().forms


# Documents whose words have several written forms: opening sentences, in capitals, inside.
_DOCUMENTS = [
    ("Сайлау өтті", "Биыл сайлау болады. Сайлау науқаны басталды. Тоқаев сөйледі."),
    ("ЦИК хабарлады", "ЦИК: сайлау Нұр-Сұлтан қаласында өтеді. САЙЛАУ және ҚР."),
    ("Qazaqstan", "Qazaqstan men Ózbekstan. Sóz 5. ózbekstan jáne qazaq tili."),
    ("Бюджет", "Депутаты обсудили бюджет. Бюджет принят; «Бюджет» в СМИ."),
    ("Жаңа жыл", "Мемлекет басшысы Тоқаев құттықтады. Сайлау-2026 басталды."),
    ("ÓZBEKSTAN", "ÓZBEKSTAN prezıdenti. Sóz Ózbekstan turaly, qazaq."),
    ("Президент сөзі", "Президент ТОҚАЕВ айтты."),
]


def _counted(documents) -> WordCounts:
    counts = WordCounts.empty()
    for headline, body in documents:
        counts.add(headline, body)
    return counts


def _files(directory, counts: WordCounts) -> dict[str, bytes]:
    directory.mkdir()
    counts.save(directory)
    write_table(directory, counts)
    return {name: (directory / name).read_bytes() for name in (COUNTS_FILE, TABLE_FILE)}


def test_the_files_do_not_depend_on_the_order_of_the_documents(tmp_path):
    forward, backward = _counted(_DOCUMENTS), _counted(reversed(_DOCUMENTS))
    # the forms of a word are met in another order...
    assert list(forward.fold().forms["тоқаев"]) != list(backward.fold().forms["тоқаев"])
    # ...and written in one
    assert _files(tmp_path / "forward", forward) == _files(tmp_path / "backward", backward)


@pytest.mark.parametrize("order", ["in order", "reversed"])
@pytest.mark.parametrize("folded", ["neither", "first", "second", "both", "pickled"])
def test_merged_counts_are_those_of_all_the_documents(tmp_path, order, folded):
    """A build's processes each count their share; merged, their counts are those of one
    count of every document, and the files are the same bytes, whichever share came first
    and whichever had been folded (or pickled, which folds)."""
    first, second = _DOCUMENTS[::2], _DOCUMENTS[1::2]
    if order == "reversed":
        first, second = second, first
    merged, other = _counted(first), _counted(second)
    if folded in ("first", "both"):
        merged.fold()
    if folded in ("second", "both"):
        other.fold()
    if folded == "pickled":
        merged, other = pickle.loads(pickle.dumps(merged)), pickle.loads(pickle.dumps(other))
    merged.merge(other)
    merged.add("Сайлау", "ҚР сайлау.")  # counting goes on after a merge
    other.add("Тоқаев", "Тоқаев және ҚР.")  # the merged share is left as it was, its own
    other.fold()
    whole = _counted([*_DOCUMENTS, ("Сайлау", "ҚР сайлау.")])
    assert merged.documents == whole.documents
    assert merged.fold().forms == whole.fold().forms
    assert _files(tmp_path / "merged", merged) == _files(tmp_path / "whole", whole)


def test_pickled_counts_are_folded_and_give_the_same_files(tmp_path):
    counts = _counted(_DOCUMENTS)
    restored = pickle.loads(pickle.dumps(counts))
    assert restored.forms and restored.forms == counts.forms
    assert _files(tmp_path / "restored", restored) == _files(tmp_path / "counts", counts)


def test_table_completes_by_prefix_most_used_first(tmp_path):
    counts = WordCounts.empty()
    for n in range(5):
        counts.add("Qazaqstan", f"Qazaqstan men Ózbekstan. Sóz {n}.")
    counts.add("Qazaq", "Bul qazaq tili.")
    counts.add("Қазақстан", "Қазақстан және қазақ тілі.")
    write_table(tmp_path, counts)
    table = SuggestTable.load(tmp_path)
    assert table.complete("qaz") == [("Qazaqstan", 5), ("qazaq", 1)]
    assert table.complete("QAZAQS") == [("Qazaqstan", 5)]
    # Latin completes to Latin, Cyrillic to Cyrillic
    assert [form for form, _ in table.complete("қаз")] == ["қазақ", "Қазақстан"]  # tie: shorter
    # accents are optional in a Latin prefix, and found once
    assert table.complete("ozb") == table.complete("ózb") == [("Ózbekstan", 5)]
    assert table.complete("zzz") == [] and table.complete("") == []
    assert len(table.complete("q", limit=1)) == 1


def test_at_most_eight_and_the_long_prefixes_too(tmp_path):
    counts = WordCounts.empty()
    for n in range(20):
        counts.add("", " ".join(f"экономика{chr(0x430 + i)}" for i in range(n + 1)))
    write_table(tmp_path, counts)
    table = SuggestTable.load(tmp_path)
    short = table.complete("эко")  # from the prefix table
    long = table.complete("экономи")  # by binary search
    assert short == long and len(short) == 8
    assert short[0] == ("экономикаа", 20) and short[-1][1] == 13


def test_api_suggest_answers_from_the_index(follow_client):
    assert _texts(follow_client, "Тоқ")[0] == "Тоқаев"
    # a capital typed puts names first
    assert _texts(follow_client, "Вод")[0][0].isupper()
    assert not _texts(follow_client, "вод")[0][0].isupper()
    assert "Тоқаевтың" in _texts(follow_client, "тоқ")
    assert _texts(follow_client, "qaz")[0] == "Qazaqstan"
    assert all(not t.isascii() for t in _texts(follow_client, "во"))
    assert "водного" in _texts(follow_client, "вод")
    body = follow_client.get("/api/suggest?prefix=вод&limit=2").json
    assert body["prefix"] == "вод" and len(body["suggestions"]) == 2
    assert set(body["suggestions"][0]) == {"text", "documents"}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "bad_prefix"),
        ("prefix=", "bad_prefix"),
        ("prefix=" + "а" * 61, "too_long"),
        ("prefix=во&limit=0", "bad_limit"),
        ("prefix=во&limit=9", "bad_limit"),
        ("prefix=во&limit=x", "bad_limit"),
    ],
)
def test_api_suggest_rejects_bad_parameters(follow_client, query, code):
    response = follow_client.get("/api/suggest?" + query)
    assert response.status_code == 400
    assert response.json["error"]["code"] == code


def test_hostile_prefixes_are_text(follow_client):
    for prefix in ("<script>", '"><img', "]]>", "\u0000", "*", "title:"):
        response = follow_client.get("/api/suggest", query_string={"prefix": prefix})
        assert response.status_code in (200, 400)
    # the hostile headline's words are plain words in the table
    assert "script" in _texts(follow_client, "scr")


def test_update_keeps_the_table_right(tmp_path, clean_environ):
    from search_service.config import load_settings
    from search_service.web import create_app

    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    write_follow_archive(archive)
    indexer.build([archive], index_dir)
    client = create_app(load_settings({}).replace(index_dir=index_dir)).test_client()
    assert _texts(client, "пароход") == []
    write_article(
        archive,
        "ru/2026/02/ship.txt",
        "2026-02-11",
        "Пароходство открыло навигацию",
        "АСТАНА. KAZINFORM – Пароходство открыло навигацию. Вышли в рейс пароходы.",
    )
    (archive / "kk/2026/01/tokayev.txt").unlink()
    indexer.update([archive], index_dir)
    assert _texts(client, "пароход") == ["пароходы", "Пароходство"]
    assert _texts(client, "тоқ") == []  # its only article is gone
    # the same counts as a fresh build of the same archive
    updated = store.current_generation(index_dir)
    fresh_dir = tmp_path / "fresh"
    indexer.build([archive], fresh_dir)
    fresh = store.current_generation(fresh_dir)
    for name in (COUNTS_FILE, TABLE_FILE):
        assert store.read_json_gz(updated / name) == store.read_json_gz(fresh / name)


@pytest.mark.parametrize("damage", GZIP_DAMAGES)
def test_a_missing_or_damaged_table_offers_no_words_and_fails_nothing(
    tmp_path, clean_environ, damage
):
    from search_service.config import load_settings
    from search_service.web import create_app

    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    write_follow_archive(archive)
    indexer.build([archive], index_dir)
    generation = store.current_generation(index_dir)
    assert SuggestTable.load(generation).complete("тоқ")
    damage_gzip_file(generation / TABLE_FILE, damage)
    assert SuggestTable.load(generation).keys == []
    client = create_app(load_settings({}).replace(index_dir=index_dir)).test_client()
    assert _texts(client, "тоқ") == []
    assert client.get("/api/search?q=Тоқаев").json["total"] == 1  # searching goes on


@pytest.mark.parametrize("damage", GZIP_DAMAGES)
def test_update_of_an_index_without_a_table_builds_one(tmp_path, damage):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    write_follow_archive(archive)
    indexer.build([archive], index_dir)
    old = store.current_generation(index_dir)
    damage_gzip_file(old / COUNTS_FILE, damage)
    damage_gzip_file(old / TABLE_FILE, damage)
    assert WordCounts.load(old) is None
    write_article(archive, "ru/2026/02/x.txt", "2026-02-11", "Пароходство", "Пароходство.")
    indexer.update([archive], index_dir)
    table = SuggestTable.load(store.current_generation(index_dir))
    assert table.complete("пароход") == [("Пароходство", 1)]
    assert table.complete("тоқ")[0] == ("Тоқаев", 1)
