"""Near-duplicate stories: signatures and groups at index time, folding in the results."""

from __future__ import annotations

import json
import pickle
import shutil

import numpy as np
import pytest
from whoosh import index as whoosh_index

from search_service import dupes, indexer, sidecars, stories, typeahead
from search_service.archive import Article, read_article, walk_archive
from search_service.engine import store
from tests.conftest import FOLLOW_ARCHIVE, write_article, write_follow_archive

WIRE = ("ru.2026.01.wire-repost", "ru.2026.02.wire", "ru.2026.02.wire-update")


def _headline_body(relative):
    _, headline, body = FOLLOW_ARCHIVE[relative]
    return headline, body


def test_signatures_of_near_duplicates_are_similar():
    original = dupes.signature(*_headline_body("ru/2026/02/wire.txt"))
    update = dupes.signature(*_headline_body("ru/2026/02/wire-update.txt"))
    other = dupes.signature(*_headline_body("kk/2026/01/tokayev.txt"))
    assert original.dtype == dupes.SIGNATURE_TYPE and original.shape == (dupes.NUM_PERM,)
    assert dupes.similarity(original, update) >= dupes.THRESHOLD
    assert dupes.similarity(original, other) < 0.1


def test_latin_and_cyrillic_kazakh_of_one_story_meet():
    cyrillic = "Қазақстан " * 3 + "экспорты өсті деп хабарлады министрлік өкілі бүгін " * 4
    latin = "Qazaqstan " * 3 + "eksporty ósti dep habarlady mınıstrlik ókili búgin " * 4
    a = dupes.signature("", cyrillic, "Cyrl")
    b = dupes.signature("", latin, "Latn")
    assert dupes.similarity(a, b) >= dupes.THRESHOLD


def test_short_articles_are_never_grouped():
    short = dupes.signature("Ауа райы", "Синоптиктер ауа райы туралы болжам жариялады.")
    assert not short.any()
    ids = ["a", "b"]
    assert dupes.similar_pairs(ids, np.stack([short, short])) == []


def test_groups_are_connected_components_named_by_first_member():
    found = dupes.groups(["a", "b", "c", "d", "e"], [("b", "c", 0.9), ("c", "d", 0.6)])
    assert found == {"b": "b", "c": "b", "d": "b"}


def test_fold_keeps_the_best_of_each_group():
    selected = np.array([True, True, True, True, False, True])
    group_of = np.array([0, 0, -1, 1, 1, 0])
    rank = np.array([1.0, 5.0, 9.0, 2.0, 7.0, 3.0])
    kept, others = dupes.fold(selected, group_of, rank)
    assert kept.tolist() == [False, True, True, True, False, False]
    assert others.tolist() == [0, 2, 0, 0, 0, 0]  # doc 4 is not selected: not counted


def test_the_index_groups_the_wire(follow_index):
    groups = dupes.load_groups(store.current_generation(follow_index))
    assert groups == dict.fromkeys(WIRE, "ru.2026.01.wire-repost")


def test_results_fold_the_wire_with_a_link_to_its_versions(follow_client):
    body = follow_client.get("/api/search?q=водного хозяйства").json
    assert body["total"] == 3 and body["stories"] == 1
    (hit,) = body["hits"]
    assert hit["similar"] == 2 and hit["group"] == "ru.2026.01.wire-repost"
    # newest first keeps the newest version, oldest first the oldest
    newest = follow_client.get("/api/search?q=водного хозяйства&sort=newest").json
    assert newest["hits"][0]["id"] == "ru.2026.02.wire-update"
    oldest = follow_client.get("/api/search?q=водного хозяйства&sort=oldest").json
    assert oldest["hits"][0]["id"] == "ru.2026.01.wire-repost"
    # dupes=show turns folding off; group= lists the versions
    shown = follow_client.get("/api/search?q=водного хозяйства&dupes=show").json
    assert shown["total"] == shown["stories"] == 3 and len(shown["hits"]) == 3
    assert all(hit["similar"] == 0 for hit in shown["hits"])
    group = follow_client.get("/api/search?q=водного&group=ru.2026.01.wire-repost").json
    assert sorted(hit["id"] for hit in group["hits"]) == list(WIRE)
    assert follow_client.get("/api/search?group=no.such.group").json["total"] == 0


def test_pagination_counts_stories_when_folded(follow_client):
    body = follow_client.get("/api/search?per_page=2").json
    assert body["total"] == 8 and body["stories"] == 6 and body["pages"] == 3
    seen = []
    for page in (1, 2, 3):
        seen += [
            h["id"] for h in follow_client.get(f"/api/search?per_page=2&page={page}").json["hits"]
        ]
    assert len(seen) == len(set(seen)) == 6
    assert sum(1 for doc_id in seen if doc_id in WIRE) == 1
    assert follow_client.get("/api/search?per_page=2&page=4").status_code == 404


def test_results_page_says_articles_and_stories(follow_client):
    english = {"Accept-Language": "en"}
    html = follow_client.get("/search?q=водного хозяйства", headers=english).get_data(as_text=True)
    assert "3 articles" in html or "3 " in html
    assert "1 stories" in html
    assert "2 similar versions" in html
    assert "group=ru.2026.01.wire-repost" in html
    assert "dupes=show" in html and "Show every version" in html
    shown = follow_client.get("/search?q=водного хозяйства&dupes=show", headers=english)
    assert "Fold similar versions" in shown.get_data(as_text=True)
    group = follow_client.get(
        "/search?q=водного&group=ru.2026.01.wire-repost", headers=english
    ).get_data(as_text=True)
    assert "versions of one story" in group  # an active filter with a link that removes it
    assert group.count('class="hit"') == 3


def test_bad_dupes_and_group_are_a_clear_400(follow_client):
    for query, code in (("dupes=all", "bad_dupes"), ("group=../etc", "bad_group")):
        response = follow_client.get("/api/search?q=вода&" + query)
        assert response.status_code == 400 and response.json["error"]["code"] == code


def test_update_keeps_the_groups_right(tmp_path):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    write_follow_archive(archive)
    indexer.build([archive], index_dir)
    # the repost is deleted, the update rewritten as another story, a new repost arrives
    (archive / "ru/2026/01/wire-repost.txt").unlink()
    write_article(
        archive,
        "ru/2026/02/wire-update.txt",
        "2026-02-06",
        *_headline_body("kk/2026/01/tokayev.txt"),
    )
    headline, body = _headline_body("ru/2026/02/wire.txt")
    write_article(archive, "ru/2026/02/wire-again.txt", "2026-02-09", headline, body)
    indexer.update([archive], index_dir)
    generation = store.current_generation(index_dir)
    assert dupes.load_groups(generation) == {
        "ru.2026.02.wire": "ru.2026.02.wire",
        "ru.2026.02.wire-again": "ru.2026.02.wire",
    }
    # the same files as a fresh build of the same archive
    indexer.build([archive], tmp_path / "fresh")
    fresh = store.current_generation(tmp_path / "fresh")
    for name in (dupes.GROUPS_FILE, dupes.IDS_FILE):
        assert json.loads((generation / name).read_text()) == json.loads((fresh / name).read_text())
    assert np.array_equal(
        np.load(generation / dupes.SIGNATURES_FILE), np.load(fresh / dupes.SIGNATURES_FILE)
    )


def test_story_groups_find_each_live_document_after_an_update(tmp_path):
    """Groups become a group number per document number, read from the id column in one
    pass: a document an update replaced keeps its id in the column but is in no group."""
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    write_follow_archive(archive)
    indexer.build([archive], index_dir)
    date, headline, body = FOLLOW_ARCHIVE["ru/2026/02/wire.txt"]
    write_article(archive, "ru/2026/02/wire.txt", date, headline, body + " Обновлено.")
    indexer.update([archive], index_dir)
    generation = store.current_generation(index_dir)
    grouped = dupes.load_groups(generation)
    assert "ru.2026.02.wire" in grouped
    ix = whoosh_index.open_dir(str(generation))
    with ix.searcher() as searcher:
        assert searcher.reader().has_deletions()  # the old version of the changed article
        found = stories.StoryGroups.of(searcher, generation)
        expected = np.full(searcher.doc_count_all(), -1)
        for doc_id, group in grouped.items():
            expected[searcher.document_number(id=doc_id)] = found.names.index(group)
    ix.close()
    assert np.array_equal(found.group_of, expected)
    assert sorted(found.names) == sorted(set(grouped.values()))


@pytest.mark.parametrize("older_name", store.RETIRED_FILES)
def test_an_update_of_a_generation_with_older_signatures_computes_them_anew(
    tmp_path, older_name, monkeypatch
):
    """A generation written before the current signatures holds them under another name
    (``dupes-signatures.npy``: SHA-1 hashes of shingles; ``dupes-minhash.npy``: CRC-32 ones),
    not comparable: the update recounts every signature instead of mixing them, and leaves
    the old file behind; the type-ahead words it has are updated, not counted again."""
    asked = []
    recount = sidecars.Sidecars.recount.__func__
    monkeypatch.setattr(
        sidecars.Sidecars,
        "recount",
        classmethod(lambda cls, *a, **k: asked.append(k) or recount(cls, *a, **k)),
    )
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    write_follow_archive(archive)
    indexer.build([archive], index_dir)
    served = store.current_generation(index_dir)
    older = np.load(served / dupes.SIGNATURES_FILE) + np.uint32(1)  # other values
    np.save(served / older_name, older)
    (served / dupes.SIGNATURES_FILE).unlink()
    headline, body = _headline_body("ru/2026/02/wire.txt")
    write_article(archive, "ru/2026/02/wire-again.txt", "2026-02-09", headline, body)
    indexer.update([archive], index_dir)
    generation = store.current_generation(index_dir)
    indexer.build([archive], tmp_path / "fresh")
    fresh = store.current_generation(tmp_path / "fresh")
    assert np.array_equal(
        np.load(generation / dupes.SIGNATURES_FILE), np.load(fresh / dupes.SIGNATURES_FILE)
    )
    assert dupes.load_groups(generation) == dupes.load_groups(fresh)
    assert dupes.load_groups(generation)["ru.2026.02.wire-again"] == "ru.2026.01.wire-repost"
    assert not (generation / older_name).exists()
    assert asked == [{"words": False, "signatures": True}]
    assert typeahead.WordCounts.load(generation) == typeahead.WordCounts.load(fresh)


def test_an_update_of_a_generation_without_its_groups_finds_them_all_again(tmp_path):
    """Only an update that knows the served groups judges just around what changed; with the
    groups file missing it judges every pair again, and no group is lost."""
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    write_follow_archive(archive)
    other = " ".join(f"Ауыл шаруашылығы жаңалығы {n}." for n in range(20))
    for name in ("farm", "farm-copy"):  # a group of its own, far from the article added
        write_article(archive, f"kk/2026/03/{name}.txt", "2026-03-02", "Егін", other)
    indexer.build([archive], index_dir)
    served = store.current_generation(index_dir)
    before = dupes.load_groups(served)
    assert before["kk.2026.03.farm-copy"] == "kk.2026.03.farm"
    (served / dupes.GROUPS_FILE).unlink()
    headline, body = _headline_body("ru/2026/02/wire.txt")
    write_article(archive, "ru/2026/02/wire-again.txt", "2026-02-09", headline, body)
    indexer.update([archive], index_dir)
    indexer.build([archive], tmp_path / "fresh")
    fresh = store.current_generation(tmp_path / "fresh")
    updated = dupes.load_groups(store.current_generation(index_dir))
    assert updated == dupes.load_groups(fresh)
    assert before.items() <= updated.items()  # the groups of the articles left as they were


def test_an_update_near_one_group_keeps_the_other_as_a_fresh_build_has_it(tmp_path):
    """Through the real update: a group far from the article added stands as it was (the
    update does not judge its pairs again), and every group is the fresh build's."""
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    write_follow_archive(archive)
    other = " ".join(f"Ауыл шаруашылығы жаңалығы {n}." for n in range(20))
    for name in ("farm", "farm-copy"):
        write_article(archive, f"kk/2026/03/{name}.txt", "2026-03-02", "Егін", other)
    indexer.build([archive], index_dir)
    headline, body = _headline_body("ru/2026/02/wire.txt")
    write_article(archive, "ru/2026/02/wire-again.txt", "2026-02-09", headline, body)
    judged = []
    real = dupes.similar_pairs

    def watched(ids, signatures, *args, **kwargs):
        found = real(ids, signatures, *args, **kwargs)
        judged.append((kwargs.get("dirty"), list(ids), found))
        return found

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dupes, "similar_pairs", watched)
        indexer.update([archive], index_dir)
    ((dirty, ids, pairs),) = judged
    assert dirty is not None and not dirty[ids.index("kk.2026.03.farm")]  # an update's pass
    assert all("farm" not in a + b for a, b, _ in pairs)  # the farm pair: not judged again
    updated = dupes.load_groups(store.current_generation(index_dir))
    assert updated["kk.2026.03.farm-copy"] == "kk.2026.03.farm"
    assert updated["ru.2026.02.wire-again"] == updated["ru.2026.02.wire"]
    indexer.build([archive], tmp_path / "fresh")
    assert updated == dupes.load_groups(store.current_generation(tmp_path / "fresh"))


def test_a_group_that_lost_a_member_unnoticed_is_judged_again():
    """A member of a served group missing from the signatures (the files out of step) may
    have been the link between the others: their group does not stand as it was."""
    same = dupes.signature("", " ".join(f"сөз{k}" for k in range(60)))
    signatures = dupes.Signatures(
        {"x": same, "y": same, "w": same, "v": same},
        previous_groups={"x": "x", "y": "x", "z": "x", "v": "v", "w": "v"},
    )
    ids, _ = signatures.arrays()
    settled, dirty = signatures._unchanged_groups(ids)
    assert [[ids[n] for n in group] for group in settled] == [["v", "w"]]
    assert [doc for doc, flag in zip(ids, dirty, strict=True) if flag] == ["x", "y"]


def test_candidates_are_judged_by_their_exact_similarity():
    base = [f"сөз{n}" for n in range(80)]
    texts = {
        "a": " ".join(base),
        "b": " ".join(base[:60] + [f"жаңа{n}" for n in range(20)]),  # about 0.6 similar
        "c": " ".join(base[:40] + [f"басқа{n}" for n in range(40)]),  # about 0.3 similar
    }
    ids = sorted(texts)
    matrix = np.stack([dupes.signature("", texts[i]) for i in ids])

    def shingles_of(doc_id):
        return dupes.shingles(dupes.words("", texts[doc_id]))

    pairs = dupes.similar_pairs(ids, matrix, 0.5, shingles_of=shingles_of)
    assert [(a, b) for a, b, _ in pairs] == [("a", "b")]
    (score,) = [s for _, _, s in pairs]
    assert score == dupes.jaccard(shingles_of("a"), shingles_of("b"))
    assert 0.55 < score < 0.65


def test_thousands_of_copies_group_in_linear_time():
    """A template used thousands of times is one group, judged pair by pair only as far as
    the group needs (not every pair of its members)."""
    body = " ".join(f"мектеп оқушылары {n} сабақ" for n in range(30))
    count = 1500
    ids = [f"d{n:05d}" for n in range(count)]
    matrix = np.stack([dupes.signature(f"Жаңалық {n}", body) for n in range(count)])
    asked = []

    def shingles_of(doc_id):
        asked.append(doc_id)
        n = int(doc_id[1:])
        return dupes.shingles(dupes.words(f"Жаңалық {n}", body))

    pairs = dupes.similar_pairs(ids, matrix, shingles_of=shingles_of)
    assert set(dupes.groups(ids, pairs).values()) == {"d00000"}
    assert len(dupes.groups(ids, pairs)) == count
    assert len(pairs) < 2 * count and len(asked) <= count


def test_copies_are_joined_by_their_signatures_without_reading_their_text():
    """Pairs whose signatures agree well above the threshold are one story at once; pairs
    nearer the threshold are still judged on their text."""
    base = [f"сөз{n}" for n in range(200)]
    texts = {
        "a": " ".join(base),
        "b": " ".join(base),  # a copy
        "c": " ".join([*base[:198], "жаңа", "сөз"]),  # a repost with its last words changed
        "d": " ".join(base[:150] + [f"басқа{n}" for n in range(50)]),  # about 0.6 similar
    }
    ids = sorted(texts)
    matrix = np.stack([dupes.signature("", texts[i]) for i in ids])
    asked = []

    def shingles_of(doc_id):
        asked.append(doc_id)
        return dupes.shingles(dupes.words("", texts[doc_id]))

    estimate = dupes.similarity(matrix[0], matrix[3])
    assert dupes.THRESHOLD < estimate < dupes.THRESHOLD + dupes.SURE_MARGIN
    pairs = dupes.similar_pairs(ids, matrix, shingles_of=shingles_of)
    assert dupes.groups(ids, pairs) == {"a": "a", "b": "a", "c": "a", "d": "a"}
    assert "b" not in asked and "c" not in asked  # the copy and the repost: signatures only
    assert "d" in asked  # nearer the threshold: judged on its text
    (exact,) = [score for x, y, score in pairs if "d" in (x, y)]
    assert 0.55 < exact < 0.65
    # Measuring (every pair) judges every candidate on its text.
    asked.clear()
    dupes.similar_pairs(ids, matrix, shingles_of=shingles_of, every_pair=True)
    assert {"a", "b", "c", "d"} <= set(asked)


def test_few_shingle_sets_are_kept_while_judging(monkeypatch):
    """Groups of copies judged with room for only a few shingle sets give the same pairs as
    with room for all, and never hold more than that room (at 50,000 articles keeping every
    document's set took gigabytes)."""
    body = " ".join(f"мектеп оқушылары {n} сабақ" for n in range(30))
    other = " ".join(f"ауыл шаруашылығы {n} егін" for n in range(30))
    texts = {f"d{n:03d}": (f"Жаңалық {n % 7}", body if n % 2 else other) for n in range(60)}
    ids = sorted(texts)
    matrix = np.stack([dupes.signature(*texts[i]) for i in ids])

    def shingles_of(doc_id):
        return dupes.shingles(dupes.words(*texts[doc_id]))

    monkeypatch.setattr(dupes, "SURE_MARGIN", 1.0)  # every pair judged on its text
    roomy = dupes.similar_pairs(ids, matrix, shingles_of=shingles_of)
    held = []
    keep = dupes.Recent.keep

    def counted_keep(self, key, value):
        held.append(len(self) + 1)
        return keep(self, key, value)

    monkeypatch.setattr(dupes, "SHINGLE_CACHE_DOCS", 3)
    monkeypatch.setattr(dupes.Recent, "keep", counted_keep)
    assert dupes.similar_pairs(ids, matrix, shingles_of=shingles_of) == roomy
    assert len(set(dupes.groups(ids, roomy).values())) == 2
    assert held and max(held) <= 3 + 1  # the new set, before the oldest is let go


def test_an_update_judges_only_the_changed_documents_and_the_groups_they_leave():
    """Groups found again after an update (some settled, only the changed documents and the
    members of their old groups judged) are the groups of a full run: a copy joins its
    story, a document that bridged two stories leaves them two groups, an unchanged group
    stays whole without a judgement."""
    words = [f"сөз{k}" for k in range(90)]
    a, bridge, b = (" ".join(words[start : start + 60]) for start in (0, 15, 30))
    other = " ".join(f"басқа{k}" for k in range(60))
    # a and the bridge are 0.58 alike (Jaccard of 5-word shingles), so are the bridge and b;
    # a and b only 0.30: one group through the bridge, two without it
    texts = {"a1": a, "a2": a, "b1": b, "b2": b, "m": bridge, "c1": other, "c2": other}
    signature_of = {doc: dupes.signature("", text) for doc, text in texts.items()}

    def full(docs):
        ids = sorted(docs)
        matrix = np.stack([signature_of[d] for d in ids])
        return dupes.groups(ids, dupes.similar_pairs(ids, matrix, shingles_of=shingles_of))

    asked = []

    def shingles_of(doc_id):
        asked.append(doc_id)
        return dupes.shingles(dupes.words("", texts[doc_id]))

    before = full(texts)
    assert before["c2"] == "c1" and before["a1"] == before["b1"] == before["m"]  # bridged
    texts["a3"] = a
    signature_of["a3"] = dupes.signature("", a)
    after = sorted(set(texts) - {"m"})
    signatures = dupes.Signatures({d: signature_of[d] for d in texts}, previous_groups=before)
    signatures.remove("m")
    signatures.add("a3", "", a)
    ids, matrix = signatures.arrays()
    settled, dirty = signatures._unchanged_groups(ids)
    assert [[ids[n] for n in group] for group in settled] == [["c1", "c2"]]
    asked.clear()
    pairs = dupes.similar_pairs(ids, matrix, shingles_of=shingles_of, settled=settled, dirty=dirty)
    joined = [[ids[n] for n in group] for group in settled]
    incremental = dupes.groups(ids, pairs, joined)
    assert "c1" not in asked and "c2" not in asked  # the settled group: not judged again
    assert incremental == full(after)
    assert incremental["a3"] == incremental["a1"] != incremental["b1"]


def test_the_store_names_every_sidecar_file():
    """The store owns what a generation holds: the files the sidecars write are its list."""
    from search_service import typeahead
    from search_service.engine import store

    written = {typeahead.COUNTS_FILE, typeahead.TABLE_FILE}
    written |= {dupes.SIGNATURES_FILE, dupes.IDS_FILE, dupes.GROUPS_FILE}
    assert set(store.SIDECAR_FILES) == written


def _saved(generation, directory, signatures: dupes.Signatures) -> dict[str, bytes]:
    """The files ``signatures`` writes into a copy of ``generation`` (its stored texts)."""
    shutil.copytree(generation, directory)
    signatures.save(directory)
    names = (dupes.SIGNATURES_FILE, dupes.IDS_FILE, dupes.GROUPS_FILE)
    return {name: (directory / name).read_bytes() for name in names}


@pytest.mark.parametrize("order", ["in order", "reversed"])
@pytest.mark.parametrize("pickled", [False, True])
def test_merged_signatures_are_those_of_all_the_documents(tmp_path, follow_index, order, pickled):
    """A build's processes each sign their share; merged, the files are the same bytes as
    those of one process that signed every document, whichever share came first."""
    write_follow_archive(tmp_path / "archive")
    articles = [read_article(f, 1_000_000) for f in walk_archive([tmp_path / "archive"])]
    assert all(isinstance(article, Article) for article in articles)
    shares = [dupes.Signatures(), dupes.Signatures()]
    for n, article in enumerate(articles):
        shares[n % 2].add(article.id, article.headline, article.body, article.script)
    whole = dupes.Signatures()
    for article in articles:
        whole.add(article.id, article.headline, article.body, article.script)
    if order == "reversed":
        shares.reverse()
    if pickled:
        shares = [pickle.loads(pickle.dumps(share)) for share in shares]
    merged = dupes.Signatures()
    for share in shares:
        merged.merge(share)
    ids, matrix = merged.arrays()
    assert ids == whole.arrays()[0] and np.array_equal(matrix, whole.arrays()[1])
    generation = store.current_generation(follow_index)
    files = _saved(generation, tmp_path / "merged", merged)
    assert files == _saved(generation, tmp_path / "whole", whole)
    assert set(json.loads(files[dupes.GROUPS_FILE])) == set(WIRE)  # the groups are found


def test_buckets_are_split_by_their_values_when_band_keys_collide(monkeypatch):
    """Bands are sorted by a 64-bit key each; two different bands on one key (forced here:
    every key 0) still make separate buckets, and the same groups."""
    body = " ".join(f"мектеп оқушылары {n} сабақ" for n in range(30))
    other = " ".join(f"ауыл шаруашылығы {n} егін" for n in range(30))
    texts = {f"d{n:02d}": (f"Жаңалық {n % 3}", body if n % 2 else other) for n in range(12)}
    ids = sorted(texts)
    matrix = np.stack([dupes.signature(*texts[i]) for i in ids])
    live = np.arange(len(ids))
    expected = sorted(sorted(b.tolist()) for b in dupes._buckets(matrix, live, 8, 4))
    pairs = dupes.similar_pairs(ids, matrix)
    monkeypatch.setattr(dupes, "_band_keys", lambda block: np.zeros(len(block), np.uint64))
    assert sorted(sorted(b.tolist()) for b in dupes._buckets(matrix, live, 8, 4)) == expected
    assert dupes.groups(ids, dupes.similar_pairs(ids, matrix)) == dupes.groups(ids, pairs)
    assert len(set(dupes.groups(ids, pairs).values())) == 2


def test_an_updates_buckets_are_those_holding_a_changed_document():
    rng = np.random.default_rng(7)
    matrix = rng.integers(0, 4, size=(300, 16), dtype=np.uint32)  # few values: many buckets
    live = np.arange(300)
    dirty = np.zeros(300, dtype=bool)
    dirty[[5, 17, 250]] = True
    every = [sorted(b.tolist()) for b in dupes._buckets(matrix, live, 4, 4)]
    wanted = sorted(b for b in every if dirty[b].any())
    assert wanted and len(wanted) < len(every)
    found = sorted(sorted(b.tolist()) for b in dupes._buckets(matrix, live, 4, 4, dirty))
    assert found == wanted


def test_signatures_of_another_width_are_not_loaded(tmp_path):
    """A signatures file whose values are not 16-bit (written while the file held full 32-bit
    values) is not mixed with new ones: it reads as none, and an update recounts them."""
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    write_follow_archive(archive)
    indexer.build([archive], index_dir)
    served = store.current_generation(index_dir)
    assert dupes.Signatures.load(served) is not None
    wide = np.load(served / dupes.SIGNATURES_FILE).astype(np.uint32)
    np.save(served / dupes.SIGNATURES_FILE, wide)
    assert dupes.Signatures.load(served) is None
