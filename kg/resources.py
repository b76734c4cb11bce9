"""Locate the project's data files (ontology, shapes, queries, vocabularies, demo data).

In a wheel they live in kg/_data/; in a source checkout or an editable install
they are the top-level folders beside kg/. Never relative to the working directory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    bundled = _PACKAGE / "_data"
    if (bundled / "ontology").is_dir():
        return bundled
    return _PACKAGE.parent


def ontology_dir() -> Path:
    return data_root() / "ontology"


def shapes_dir() -> Path:
    return data_root() / "shapes"


def queries_dir() -> Path:
    return data_root() / "queries"


def vocabularies_dir() -> Path:
    return data_root() / "data" / "vocabularies"


def demo_countries_dir() -> Path:
    return data_root() / "data" / "countries"


def locale_dir() -> Path:
    return _PACKAGE / "locale"
