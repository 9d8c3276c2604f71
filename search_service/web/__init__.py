"""The Flask app: HTML pages (``pages``) and the JSON API (``api``) over one searcher.

The web layer only renders: all searching is done by a search backend
(:class:`~search_service.backend.SearchBackend`, today the Whoosh searcher), which the app
opens once with :func:`~search_service.backend.open_backend` and shares between requests.
"""

from __future__ import annotations

from flask import Flask

from search_service.config import Settings, load_settings

SEARCHER_KEY = "archive_searcher"
SETTINGS_KEY = "archive_settings"


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app for ``settings`` (read from the settings files when not given)."""
    from search_service.backend import open_backend
    from search_service.web import api, feed, pages, typeahead
    from search_service.web.security import init_security

    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(JSON_AS_ASCII=False, MAX_CONTENT_LENGTH=64 * 1024)
    app.json.ensure_ascii = False
    app.extensions[SETTINGS_KEY] = settings
    app.extensions[SEARCHER_KEY] = open_backend(settings)
    init_security(app, settings)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(feed.bp)
    app.register_blueprint(typeahead.bp)
    return app
