"""``python -m search_service`` runs the command line."""

from search_service.cli import main

main()
