"""The public analysis API: documents, queries, routing, stop words, offsets, folding.

Tests marked as needing the Kazakh modules pass once translit.py and kazakh.py land.
"""

import importlib.util

import pytest

from search_service.text.analyze import Term, analyze, analyze_query, explain, word_keys

needs_translit = pytest.mark.skipif(
    importlib.util.find_spec("search_service.text.translit") is None,
    reason="Kazakh transliteration (translit.py) not yet in the tree",
)


def keys_of(text, lang=None):
    return set(analyze(text, lang)[0].keys)


def test_term_contract():
    (term,) = analyze("Конституции", "ru")
    assert term == Term("конституции", ("конституция",), "конституция", 0, 11, 0, "ru")


@pytest.mark.parametrize(
    "text",
    ["Ақ\u00adорда мен Үкімет", "\u200bСайлау\u200b өтті\ufeff", "Пре\u200bзидент\u00a0Токаев"],
)
def test_offsets_point_into_the_original(text):
    for term in analyze(text):
        original = text[term.start : term.end]
        stripped = original.translate(dict.fromkeys(map(ord, "\u00ad\u200b\ufeff"), None))
        assert stripped.lower() == term.form


def test_hyphenated_word_whole_and_parts():
    terms = analyze("Президент Қасым-Жомарт Тоқаев", "kk")
    assert [(t.form, t.pos) for t in terms] == [
        ("президент", 0),
        ("қасым-жомарт", 1),
        ("қасым", 1),
        ("жомарт", 2),
        ("тоқаев", 3),
    ]


def test_ending_after_acronym_is_one_word():
    terms = analyze("ҚР-ның Үкіметі", "kk")
    assert (terms[0].form, terms[0].keys[0], terms[0].pos) == ("қр-ның", "қр", 0)
    assert terms[1].pos == 1


def test_stop_words_keep_form_and_position():
    terms = analyze("Выборы и референдум в Казахстане", "ru")
    assert [t.pos for t in terms] == [0, 1, 2, 3, 4]
    stop = {t.form: t.keys for t in terms if not t.keys}
    assert set(stop) == {"и", "в"}
    assert terms[1].form == "и"


def test_mixed_script_word_is_repaired():
    (term,) = analyze("Кампaния", "ru")
    assert term.form == "кампания"
    assert term.keys == ("кампания",)


def test_latin_brand_in_russian_text_stays_latin():
    terms = analyze("Компания Kaspi и агентство INTERFAX", "ru")
    forms = [t.form for t in terms]
    assert forms[1] == "kaspi" and forms[-1] == "interfax"
    assert terms[1].keys == ("kaspi",)


def test_kazakh_letters_route_a_word_to_kazakh_in_russian_text():
    terms = analyze("Встреча в Ақорда", "ru")
    assert terms[-1].lang == "kk"


def test_fold_meets_across_languages():
    kazakh = analyze("Тоқаев", "kk")[0]
    russian = analyze("Токаев", "ru")[0]
    assert kazakh.fold == russian.fold == "токаев"


def test_query_gets_both_languages():
    (term,) = analyze_query("конституции")
    assert "конституция" in term.keys


def test_query_hyphenated_positions():
    terms = analyze_query("Нұр-Сұлтан әуежайы")
    assert [t.pos for t in terms] == [0, 0, 1, 2]


def test_word_keys_and_explain():
    assert word_keys("конституцией", "ru") == ("конституция",)
    (row,) = explain("Конституции", "ru")
    assert row == {
        "input": "Конституции",
        "lang": "ru",
        "keys": ["конституция"],
        "form": "конституции",
        "fold": "конституция",
        "pos": 0,
        "stop": False,
    }


# --- the examples (Latin ones need translit.py) ---------------------------------------


@pytest.mark.parametrize("text", ["Конституцияның", "Конституцияны", "конституции", "конституцией"])
def test_constitution_shares_a_key(text):
    query = set(analyze_query("конституция")[0].keys)
    document = keys_of(text, "kk" if "ы" in text[-3:] or "ң" in text else "ru")
    assert query & document


@pytest.mark.parametrize("text", ["сайлауы", "сайлауда", "сайлауға"])
def test_election_shares_a_key(text):
    assert keys_of("сайлау", "kk") & keys_of(text, "kk")


@needs_translit
@pytest.mark.parametrize("text", ["Qazaqstan", "Qazaqstanǵa", "qazaqstan"])
def test_latin_kazakh_meets_cyrillic(text):
    assert keys_of("Қазақстанға", "kk") & keys_of("Қазақстан", "kk")
    latin = analyze(text, "kk")[0]
    assert latin.form.startswith("қазақстан")
    assert set(latin.keys) & keys_of("Қазақстан", "kk")


@needs_translit
def test_latin_kazakh_query_word_gets_cyrillic_form():
    (term,) = analyze_query("Qazaqstan")
    assert term.form == "қазақстан"


# the module (the package's ``analyze`` is the function)
text_analyze = importlib.import_module("search_service.text.analyze")


def test_the_indexer_s_front_cache_stays_in_step_with_the_packed_words(monkeypatch):
    """index_analysis reads each raw word through a front cache; when the packed table lines
    fill up and are emptied, the front is emptied too, so every word it still knows is packed
    (a job's words file, export_words, holds them) and the tables stay the same."""
    text_analyze.clear_caches()
    monkeypatch.setattr(text_analyze._packed_cache, "limit", 4)
    text = "Бір екі үш төрт бес алты жеті сегіз тоғыз он"
    first = text_analyze.index_analysis(text, "kk")
    again = text_analyze.index_analysis(text, "kk")
    assert again == first
    exported = {line.split("\t")[0] for line in text_analyze.export_words(new_only=True)}
    fronts = set().union(*(front.keys() for front in text_analyze._index_fronts.values()))
    assert fronts and fronts <= exported
    text_analyze.clear_caches()
    assert text_analyze.index_analysis(text, "kk") == first
