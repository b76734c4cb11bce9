"""`python -m kg.cli` is `migkg`."""

from kg.cli import main

main()
