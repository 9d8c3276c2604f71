"""What each part of an index takes on disk (``engine.sizes``, ``search-service stats --sizes``)."""

from __future__ import annotations

import json
import os

import pytest

from search_service import indexer
from search_service.cli import main
from search_service.engine import sizes, store
from search_service.stats import index_sizes, index_stats
from tests.conftest import write_article

COMMON = "хроника"
DOCS = indexer.ARRAY_MIN_DOCS + 20  # the common word's postings are also written as arrays


@pytest.fixture(scope="module")
def sized_index(tmp_path_factory):
    """An index where one word is in every document (posting blocks and posting arrays) and
    each document has words of its own (inlined in the term table)."""
    archive = tmp_path_factory.mktemp("sizes-archive")
    for n in range(DOCS):
        write_article(
            archive,
            f"ru/2024/{1 + n % 12:02d}/doc-{n:03d}.txt",
            f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
            f"Заголовок {n}",
            f"Городская {COMMON} номер {n}: слово{n} и Қазақстан{n}.",
        )
    index_dir = tmp_path_factory.mktemp("sizes-index")
    indexer.build([archive], index_dir, procs=1)
    return index_dir


def test_parts_add_up_to_the_folder(sized_index):
    generation = store.current_generation(sized_index)
    found = sizes.generation_sizes(generation)
    on_disk = sum(e.stat().st_size for e in os.scandir(generation) if e.is_file())
    parts = sum(size.total for size in found.fields.values()) + sum(found.parts.values())
    assert found.total == on_disk == parts == index_stats(sized_index)["size_bytes"]
    for part in (sizes.STORED, sizes.COLUMNS, sizes.TYPEAHEAD, sizes.DUPES, sizes.WORDS):
        assert found.parts[part] > 0, part
    # the files beside the index, gzip-compressed ones too, are each in their part
    typeahead = ("typeahead-counts.json.gz", "typeahead.json.gz")
    assert found.parts[sizes.TYPEAHEAD] == sum((generation / n).stat().st_size for n in typeahead)
    manifest = ("manifest.json.gz", "meta.json")
    assert found.parts[sizes.MANIFEST] == sum((generation / n).stat().st_size for n in manifest)


def test_each_field_has_its_terms_postings_and_arrays(sized_index):
    from whoosh import index as whoosh_index

    generation = store.current_generation(sized_index)
    found = sizes.generation_sizes(generation)
    ix = whoosh_index.open_dir(str(generation))
    with ix.reader() as reader:
        for name in ("text", "text_exact", "title", "id"):
            terms = sum(len(list(leaf.lexicon(name))) for leaf, _ in reader.leaf_readers())
            assert found.fields[name].terms == terms > 0, name
    ix.close()
    text = found.fields["text"]
    # the common word is in more documents than are inlined: it has a posting block,
    # and in at least ARRAY_MIN_DOCS documents: posting arrays with positions
    assert text.term_table > 0 and text.postings > 0 and text.arrays > 0
    arrays = sum(size.arrays for size in found.fields.values())
    array_files = sum(
        path.stat().st_size for path in generation.iterdir() if path.suffix in (".arr", ".art")
    )
    assert arrays == array_files
    # the id field has one term per document, each inlined: no postings file share
    assert found.fields["id"].terms == DOCS and found.fields["id"].postings == 0


def test_posting_arrays_bytes_by_field_match_the_file(sized_index):
    from whoosh import index as whoosh_index

    from search_service.engine.posting_arrays import StoredArrays

    ix = whoosh_index.open_dir(str(store.current_generation(sized_index)))
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            arrays = StoredArrays.of(leaf)
            segment = leaf.segment()
            data = os.path.getsize(leaf._storage.folder + "/" + segment.make_filename(".arr"))
            assert sum(arrays.bytes_by_field().values()) == data
    ix.close()


def test_stats_sizes_in_text_and_json(sized_index, runner):
    result = runner.invoke(main, ["stats", "--index", str(sized_index), "--sizes"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    table = lines[lines.index("") + 1 :]
    assert table[0].split()[:3] == ["field", "terms", "term"]
    rows = {line.split()[0]: line.split() for line in table[1:] if line.split()}
    assert {"text", "text_exact", "title", "fold"} <= set(rows)
    total_mb = index_stats(sized_index)["size_bytes"] / 1e6
    assert rows["all"][-1] == f"{total_mb:.1f}"

    result = runner.invoke(main, ["stats", "--index", str(sized_index), "--sizes", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)["sizes"]
    assert data == index_sizes(sized_index)
    fields = list(data["fields"].values())
    assert [f["total_bytes"] for f in fields] == sorted(
        (f["total_bytes"] for f in fields), reverse=True
    )
    assert (
        sum(f["total_bytes"] for f in fields) + sum(data["parts"].values()) == data["total_bytes"]
    )


def test_stats_without_sizes_does_not_read_them(sized_index, runner):
    result = runner.invoke(main, ["stats", "--index", str(sized_index), "--json"])
    assert "sizes" not in json.loads(result.output)


def test_stats_sizes_without_an_index(tmp_path, runner):
    result = runner.invoke(main, ["stats", "--index", str(tmp_path / "none"), "--sizes"])
    assert result.exit_code == 5


def test_every_file_beside_the_index_has_its_part():
    parts = {name: sizes._part_of(name) for name in store.SIDECAR_FILES}
    assert set(parts.values()) == {sizes.TYPEAHEAD, sizes.DUPES}
    assert sizes._part_of(store.WORDS_FILE) == sizes.WORDS
    assert sizes._part_of(store.MANIFEST_FILE) == sizes._part_of(store.META_FILE) == sizes.MANIFEST
