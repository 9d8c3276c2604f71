"""Every per-word cache is made through text.caches, has a limit, and clear_caches empties it."""

import importlib

from search_service import dupes, highlight, typeahead  # noqa: F401  (their caches register)
from search_service.analysis import indexed
from search_service.text import caches, kazakh, russian
from search_service.text.caches import WordCache

analyze = importlib.import_module("search_service.text.analyze")  # the package names a function so


def test_a_word_cache_is_emptied_when_full_and_makes_what_is_missing():
    made = []
    cache = WordCache(3, make=lambda key: made.append(key) or key.upper())
    assert [cache[w] for w in ("a", "b", "a", "c")] == ["A", "B", "A", "C"]
    assert made == ["a", "b", "c"]  # "a" was made once
    cache["d"]  # the fourth word: the cache was full, so it starts again
    assert dict(cache) == {"d": "D"}
    plain = WordCache(2)
    assert plain.get("x") is None and plain.put("x", 1) == 1 and plain["x"] == 1


def test_clear_caches_empties_every_cache_a_search_and_a_build_fill():
    text = "Президент Тоқаев ауылдың мектебін аралады. Qazaqstan prezıdenti saılaýda"
    analyze.analyze(text, "kk")
    analyze.analyze("Выборы прошли в Мажилис", "ru")
    indexed(type(text)(text), "kk")
    typeahead.WordCounts.empty().add("Сайлау", text)
    dupes.words("Сайлау", text)
    assert kazakh.stem("ауылдың") and russian.lemmas("выборы")
    assert sum(caches.cache_sizes()) > 0
    analyze.clear_caches()
    assert sum(caches.cache_sizes()) == 0
    assert not analyze._raw_cache and not analyze._packed_cache and not kazakh._STEMS
    assert not russian._TAG_FACTS and russian._word_lemmas.cache_info().currsize == 0
    # and the analysis is the same made again from nothing
    assert analyze.analyze("Сайлау мен сайлауға", "kk")[2].keys == ("сайла",)
