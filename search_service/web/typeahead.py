"""``GET /api/suggest?prefix=...``: type-ahead completions for the search box.

The words come from the table each index generation carries (see
:mod:`search_service.suggest`); a request is a lookup in it, never a scan of the index.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from search_service.index_errors import IndexStoreError
from search_service.typeahead import LIMIT, MAX_PREFIX_LENGTH, Completer
from search_service.web import SETTINGS_KEY

bp = Blueprint("typeahead", __name__)

COMPLETER_KEY = "archive_completer"


def completer_of(app: Flask) -> Completer:
    """The app's completer, made on first use (the server's warm-up loads its table)."""
    found = app.extensions.get(COMPLETER_KEY)
    if found is None:
        found = app.extensions[COMPLETER_KEY] = Completer(app.extensions[SETTINGS_KEY].index_dir)
    return found


def _error(code: str, message: str, status: int) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


@bp.get("/api/suggest")
def suggest() -> Response:
    """``prefix`` (1-60 characters), ``limit`` (1-8) -> ``{"prefix", "suggestions"}``, each
    suggestion ``{"text", "documents"}``, the most used words first."""
    prefix = (request.args.get("prefix") or "").strip()
    if not prefix:
        return _error("bad_prefix", "prefix must hold at least one character", 400)
    if len(prefix) > MAX_PREFIX_LENGTH:
        return _error("too_long", f"prefix is longer than {MAX_PREFIX_LENGTH} characters", 400)
    limit_text = request.args.get("limit") or str(LIMIT)
    if not limit_text.isascii() or not limit_text.isdigit() or not 1 <= int(limit_text) <= LIMIT:
        return _error("bad_limit", f"limit must be a whole number from 1 to {LIMIT}", 400)
    try:
        found = completer_of(current_app).complete(prefix, int(limit_text))
    except IndexStoreError:
        return _error("index_unavailable", "the search index is not available", 503)
    response = jsonify(
        {
            "prefix": prefix,
            "suggestions": [{"text": text, "documents": n} for text, n in found],
        }
    )
    response.cache_control.max_age = 300  # the words change only with the nightly update
    return response
