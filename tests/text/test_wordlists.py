"""The word lists in search_service/text/data/: no item twice, and each is what its module
loads (a list edited in the file reaches the analysis; none is shadowed by a copy in code)."""

from collections import Counter

import pytest

from search_service.text import kazakh, language, wordlists

# (file, the set the module loads from it)
LISTS = [
    ("kk_stopwords.txt", kazakh.STOPWORDS),
    ("kk_lexical_endings.txt", kazakh._LEXICAL_ENDINGS),
    ("kk_markers.txt", language.KAZAKH_MARKERS),
    ("ru_markers.txt", language.RUSSIAN_MARKERS),
]


def _repeated(items):
    return sorted(item for item, count in Counter(items).items() if count > 1)


@pytest.mark.parametrize(("name", "loaded"), LISTS, ids=[name for name, _ in LISTS])
def test_list_file_has_no_duplicates_and_is_what_the_module_loads(name, loaded):
    items = wordlists.read_items(name)
    assert items, f"{name} is empty"
    assert _repeated(items) == []
    assert all(item == item.strip() and " " not in item for item in items)
    assert frozenset(items) == loaded


def test_paradigm_file_lists_each_key_and_form_once_and_is_what_the_stemmer_loads():
    lines = wordlists.read_items("kk_paradigms.txt")
    keys = [line.partition(":")[0].strip() for line in lines]
    forms = [form for line in lines for form in line.partition(":")[2].split()]
    assert all(":" in line for line in lines)
    assert _repeated(keys) == []
    assert _repeated(forms) == []
    assert not set(keys) & set(forms)
    paradigms = wordlists.read_paradigms("kk_paradigms.txt")
    loaded = {form: key for key, forms in paradigms.items() for form in forms}
    assert loaded == kazakh.EXCEPTIONS
    # each irregular form reaches its key through the stemmer
    assert kazakh.stem("маған") == "мен"
    assert kazakh.stem("тауып") == "тап"


def test_comments_and_blank_lines_are_not_items(tmp_path, monkeypatch):
    (tmp_path / "list.txt").write_text("# header\n\nбір  # a note\n  екі\n# үш\n", encoding="utf-8")
    monkeypatch.setattr(wordlists, "DATA", tmp_path)
    assert wordlists.read_items("list.txt") == ["бір", "екі"]
