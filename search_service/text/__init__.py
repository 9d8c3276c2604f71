"""Text normalisation for Kazakh and Russian: the one place that turns text into index keys.

Nothing here knows about Whoosh; ``search_service.analysis`` wraps these functions in Whoosh
tokenizers. The same functions serve the indexer and the query parser, so a word is always
reduced the same way on both sides.

Public API (stable: the indexer, the query parser and the web layer rely on it):

- :func:`analyze` -- index-time analysis of a headline or body into :class:`Term` objects.
- :func:`analyze_query` -- query-time analysis: short text, keys for both languages.
- :func:`detect_language` -- a document's language (``kk``, ``ru``, ``mixed``) and script.
"""

from search_service.text.analyze import Term, analyze, analyze_query
from search_service.text.language import detect_language

__all__ = ["Term", "analyze", "analyze_query", "detect_language"]
