"""The DCAT-AP 3.0.1 catalogue of every country's data-source inventory.

The mapping from the project's model is one CONSTRUCT query, kg/catalog/dcat-ap.rq (front
matter and parameters as in queries/README.md; it is not a named query: it makes a graph).
Potential sources are left out (see the query's description). Output is sorted, so the same
data gives the same bytes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.config import Settings
from kg.namespaces import PREFIXES
from kg.query.catalogue import NamedQuery, parse_text
from kg.store.base import Store

FORMATS = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}
MEDIA_TYPES = {"ttl": "text/turtle; charset=utf-8", "jsonld": "application/ld+json"}
MAPPING = Path(__file__).with_name("dcat-ap.rq")
_PREFIXES = {**PREFIXES, "dct": PREFIXES["dcterms"]}
_PREFIXES.pop("dcterms")
for _unused in ("sh", "owl", "org", "prov", "vcard"):
    _PREFIXES.pop(_unused)


@cache
def mapping() -> NamedQuery:
    """The CONSTRUCT mapping, parsed once (its parameters are bound like a named query's)."""
    return parse_text(MAPPING.read_text(encoding="utf-8"), name="dcat-ap", path=MAPPING)


def catalog_iri(settings: Settings) -> str:
    return f"{settings.base}catalog"


def triples(store: Store, settings: Settings) -> list[ox.Triple]:
    """The catalogue's triples, sorted."""
    text = mapping().bind({
        "catalog": catalog_iri(settings),
        "homepage": settings.base,
        "publisher": f"{catalog_iri(settings)}#publisher",
        "publisher_name": settings.catalog_publisher,
    })
    found = set(store.construct(text))
    return sorted(found, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def serialize(items: list[ox.Triple], fmt: str) -> bytes:
    """Turtle or JSON-LD (compacted with the project's prefixes, no remote context)."""
    return ox.serialize(items, format=FORMATS[fmt], prefixes=_PREFIXES)
