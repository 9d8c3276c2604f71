"""Archive search: full-text search for a Kazakh and Russian news archive."""

__version__ = "0.1.0"
