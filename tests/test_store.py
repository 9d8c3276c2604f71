"""The store's gzip JSON files (the manifest, the type-ahead files): written whole through a
new file, the same bytes for the same data, and a missing or damaged file is an error of the
two kinds their readers catch."""

from __future__ import annotations

import gzip
import json
import os

import pytest

from search_service.engine import store
from tests.conftest import GZIP_DAMAGES, damage_gzip_file

DATA = {"тоқаев": [3, {"+Тоқаев": 2, "-ТОҚАЕВ": 1}], "ózbekstan": [1, {}], "n": [1.5, None, True]}


def test_what_is_written_is_read_back_and_is_plain_gzip(tmp_path):
    path = tmp_path / "data.json.gz"
    store.write_json_gz(path, DATA)
    assert store.read_json_gz(path) == DATA
    raw = path.read_bytes()
    assert json.loads(gzip.decompress(raw)) == DATA  # zcat and any gzip reader read it too
    assert [p.name for p in tmp_path.iterdir()] == ["data.json.gz"]  # no temporary file left


def test_the_same_data_gives_the_same_bytes(tmp_path):
    """Builds of one archive are compared file by file: the gzip header holds neither the
    time nor the file's name."""
    first, second = tmp_path / "first.json.gz", tmp_path / "second.json.gz"
    store.write_json_gz(first, DATA)
    store.write_json_gz(second, dict(DATA))
    assert first.read_bytes() == second.read_bytes()
    header = first.read_bytes()[:10]
    assert header[4:8] == b"\0\0\0\0"  # no modification time
    assert not header[3] & 0x08  # no file name


def test_a_file_linked_into_another_generation_never_changes(tmp_path):
    path, linked = tmp_path / "data.json.gz", tmp_path / "linked.json.gz"
    store.write_json_gz(path, DATA)
    os.link(path, linked)
    store.write_json_gz(path, {"new": 1})
    assert store.read_json_gz(linked) == DATA
    assert store.read_json_gz(path) == {"new": 1}


@pytest.mark.parametrize("damage", GZIP_DAMAGES)
def test_a_missing_file_is_an_os_error_and_a_damaged_one_a_value_error(tmp_path, damage):
    path = tmp_path / "data.json.gz"
    store.write_json_gz(path, DATA)
    damage_gzip_file(path, damage)
    expected = FileNotFoundError if damage == "missing" else ValueError
    with pytest.raises(expected):
        store.read_json_gz(path)


def test_gzip_that_holds_no_json_is_a_value_error(tmp_path):
    path = tmp_path / "data.json.gz"
    path.write_bytes(gzip.compress(b'{"cut": [1, 2', mtime=0))
    with pytest.raises(ValueError):
        store.read_json_gz(path)
