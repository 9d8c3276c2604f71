"""What a job writes beside the Whoosh index of a generation, kept right by build and update:
the type-ahead words (:mod:`search_service.typeahead`) and the near-duplicate signatures and
groups (:mod:`search_service.dupes`)."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from search_service import dupes, typeahead
from search_service.analysis import analysed_words
from search_service.archive import Article, article_text
from search_service.engine import store
from search_service.text.tokenize import WORD_RE

# The files, written anew by every build and update (never hard links of the previous ones);
# the store names them, as it owns what a generation holds.
FILES = store.SIDECAR_FILES
# A build's worker leaves what it counted for its segment in a part file of this suffix;
# the build merges the parts (see :meth:`Sidecars.merge_parts`).
PART_SUFFIX = ".sidecars"


class Sidecars:
    """Collects what the sidecar files need while a job indexes articles."""

    def __init__(
        self,
        words: typeahead.WordCounts | None = None,
        signatures: dupes.Signatures | None = None,
    ):
        self.words = words or typeahead.WordCounts.empty()
        self.signatures = signatures or dupes.Signatures()

    def add(self, article: Article) -> None:
        self._add(article.id, article.headline, article.body, article.script)

    def add_fields(self, fields: Mapping[str, Any]) -> None:
        """Add a document by its index fields: a build's segment writers count the documents
        they index, so the build's workers share this work instead of the parent doing it.
        The words are those the analysis of its title and text fields found, when it has just
        made them (the words of the headline, then the body's: the newline between them is
        in no word)."""
        headline_words = analysed_words(fields.get("title"))
        body_words = analysed_words(fields.get("text"))
        raws = None
        if headline_words is not None and body_words is not None:
            raws = headline_words + body_words
        self._add(fields["id"], fields["headline"], fields["body"], fields.get("script"), raws)

    def _add(
        self,
        doc_id: str,
        headline: str,
        body: str,
        script: str | None,
        raws: list[str] | None = None,
    ) -> None:
        text = article_text(headline, body)
        if raws is None:
            raws = WORD_RE.findall(text)  # the words found once for both
        self.words.add_text(text, raws)
        self.signatures.add_hashes(doc_id, dupes.text_word_hashes(text, raws, script))

    def write_part(self, folder: Path | str, name: str) -> None:
        """Leave what this writer counted in a part file of ``folder`` for :meth:`merge_parts`."""
        part = Path(folder) / f"{name}{PART_SUFFIX}"
        temporary = part.with_name(part.name + ".tmp")
        with open(temporary, "wb") as handle:
            pickle.dump((self.words, self.signatures), handle, pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, part)
        self.words, self.signatures = typeahead.WordCounts.empty(), dupes.Signatures()

    @classmethod
    def merge_parts(cls, generation: Path) -> Sidecars:
        """What the segment writers of a build counted, from their part files (removed)."""
        sidecars = cls()
        for part in sorted(generation.glob(f"*{PART_SUFFIX}")):
            with open(part, "rb") as handle:
                words, signatures = pickle.load(handle)  # written by this build's own workers
            sidecars.words.merge(words)
            sidecars.signatures.merge(signatures)
            part.unlink()
        return sidecars

    def write(self, generation: Path) -> None:
        self.write_words(generation)
        self.write_signatures(generation)

    def write_words(self, generation: Path) -> None:
        """The type-ahead files: they need the counts alone (a build writes them while its
        workers still write their segments)."""
        self.words.save(generation)
        typeahead.write_table(generation, self.words)
        # The per-word caches of a job are of no use after it, and their hundreds of
        # thousands of entries would slow every garbage collection of a longer-lived process.
        typeahead.forget_words()

    def write_signatures(self, generation: Path) -> None:
        """The near-duplicate files: their pairs are checked on the text of the generation's
        complete index."""
        self.signatures.save(generation)
        dupes.forget_words()

    @classmethod
    def for_update(
        cls, current: Path, generation: Path, removed: Iterable[str], changes: Iterable[Article]
    ) -> Sidecars:
        """The served generation's sidecars less the documents the update removes or
        replaces, plus the new versions. A part the served generation lacks (built before it,
        or in an older form) is counted again from the new generation alone: the near-duplicate
        signatures after a change of their hashing, say, without the type-ahead words too."""
        changes = list(changes)
        words = typeahead.WordCounts.load(current)
        signatures = dupes.Signatures.load(current)
        if words is None and signatures is None:
            return cls.recount(generation)
        sidecars = cls(words, signatures)  # a part the served one lacks starts empty
        ix = whoosh_index.open_dir(str(current))
        try:
            with ix.searcher() as searcher:
                for doc_id in {*removed, *(article.id for article in changes)}:
                    fields = searcher.document(id=doc_id)
                    if fields is not None:
                        sidecars.words.remove(fields.get("headline", ""), fields.get("body", ""))
                    sidecars.signatures.remove(doc_id)
        finally:
            ix.close()
        for article in changes:
            sidecars.add(article)
        if words is None or signatures is None:  # that part: counted again, replacing it
            recounted = cls.recount(generation, words=words is None, signatures=signatures is None)
            if words is None:
                sidecars.words = recounted.words
            else:
                sidecars.signatures = recounted.signatures
        return sidecars

    @classmethod
    def recount(cls, generation: Path, words: bool = True, signatures: bool = True) -> Sidecars:
        """The type-ahead words and the signatures (those asked for) counted again from a
        generation's stored documents."""
        sidecars = cls()
        ix = whoosh_index.open_dir(str(generation))
        try:
            with ix.searcher() as searcher:
                for fields in searcher.all_stored_fields():
                    headline, body = fields.get("headline", ""), fields.get("body", "")
                    if words and signatures:  # the words found once for both
                        sidecars._add(fields["id"], headline, body, fields.get("script"))
                    elif words:
                        sidecars.words.add(headline, body)
                    else:
                        sidecars.signatures.add(fields["id"], headline, body, fields.get("script"))
        finally:
            ix.close()
        return sidecars
