"""The search backend: what the web layer and the CLI ask of a searcher, and where it is chosen.

The Whoosh searcher (:class:`search_service.searcher.ArchiveSearcher`) is the only backend
today. A second one, for an archive that outgrows Whoosh (an OpenSearch index fed with our own
analysed keys, see ``docs/scaling.md``), would implement :class:`SearchBackend`, plan every
search with :func:`search_service.plan.plan_search` (the same query analysis, so a query
means the same on either backend) and be chosen in :func:`open_backend`. It must answer with
the same models (:class:`~search_service.models.SearchPage`, ``Hit``, ``ArticleView``) and the
same notices, and raise the errors of :mod:`search_service.index_errors` when it has no index
to read, so the pages, the API and the CLI need no change.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from search_service.config import Settings
from search_service.models import ArticleView, Hit, SearchPage, SearchRequest
from search_service.vocabulary import SIMILAR_LIMIT


@runtime_checkable
class SearchBackend(Protocol):
    """What the web layer and the CLI use of a searcher; one instance serves every thread."""

    index_dir: Path
    """The served index's folder (the feed reads the served generation's stamp there)."""

    def search(self, request: SearchRequest) -> SearchPage:
        """One page of hits, facets and notices; ``error`` set for a query not understood."""
        ...

    def article(self, article_id: str, q: str | None = None) -> ArticleView | None:
        """One article with the words of ``q`` marked; ``None`` for an unknown id."""
        ...

    def more_like_this(self, article_id: str, limit: int = SIMILAR_LIMIT) -> list[Hit]:
        """Up to ``limit`` articles most like this one (none for an unknown id)."""
        ...

    def export_rows(self, request: SearchRequest) -> Iterator[dict[str, Any]]:
        """Every hit of the request in its order, as plain rows; nothing for a bad query."""
        ...

    def health(self) -> dict[str, Any]:
        """``status`` ("ok" or "unavailable"), ``documents`` and ``generation``."""
        ...


def open_backend(settings: Settings) -> SearchBackend:
    """The backend of ``settings``: the one place it is chosen (today always Whoosh)."""
    from search_service.searcher import ArchiveSearcher  # loaded only when one is opened

    return ArchiveSearcher.for_settings(settings)
