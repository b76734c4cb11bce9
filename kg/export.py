"""Dumps of the store in standard RDF formats, deterministic and safe to publish.

Restricted contact points (mkg:visibility voc:contact-visibility/restricted) and
every triple about them are left out unless the operator asks for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import pyoxigraph as ox

from kg.errors import Location, NotFound, Problem
from kg.namespaces import MKG, PREFIXES, DataIRIs, concept
from kg.store.base import Store

FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_VISIBILITY = ox.NamedNode(str(MKG.visibility))
_RESTRICTED = ox.NamedNode(concept("contact-visibility", "restricted"))


Statement = TypeVar("Statement", ox.Quad, ox.Triple)


def restricted_nodes(quads: Iterable[ox.Quad | ox.Triple]) -> set[ox.NamedNode]:
    return {q.subject for q in quads if q.predicate == _VISIBILITY and q.object == _RESTRICTED}


def public_quads(quads: list[Statement]) -> list[Statement]:
    """The quads (or triples) with every restricted contact point, and every link to one, removed."""
    hidden = restricted_nodes(quads)
    if not hidden:
        return quads
    return [q for q in quads if q.subject not in hidden and q.object not in hidden]


def export(
    store: Store, fmt: str, *, base: str, iso3: str | None = None,
    include_restricted: bool = False,
) -> bytes:
    """Serialise one country's graph (or every graph) in sorted order: same data, same bytes."""
    iris = DataIRIs(base)
    graphs = store.graphs()
    if iso3 is not None:
        wanted = iris.graph(iso3)
        if wanted not in graphs:
            raise NotFound(Problem(Location("--country"), "export.unknown_country", {"iso3": iso3}))
        graphs = [wanted]
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
        for g in graphs for t in store.graph_triples(g)
    ]
    if not include_restricted:
        quads = public_quads(quads)
    quads.sort(key=lambda q: (q.graph_name.value, str(q.subject), str(q.predicate), str(q.object)))
    rdf_format = FORMATS[fmt]
    items: list = quads if rdf_format.supports_datasets else [q.triple for q in quads]
    if not rdf_format.supports_datasets:
        items = list(dict.fromkeys(items))
    if rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
        return ox.serialize(items, format=rdf_format)
    return ox.serialize(items, format=rdf_format, prefixes=PREFIXES)


def entity_document(triples: list[ox.Triple], fmt: str) -> bytes:
    """One entity's triples as Turtle, N-Triples or compacted JSON-LD.

    JSON-LD carries an inline @context (the project's prefixes): a reader never has to
    fetch a context, and the document reads with short names (skos:prefLabel).
    """
    triples = sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    if fmt == "nt":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    if fmt == "ttl":
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    if fmt != "jsonld":
        raise ValueError(f"unknown entity format {fmt!r}")
    import json

    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    context = {prefix: iri for prefix, iri in sorted(PREFIXES.items())}
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    doc = json.loads(text)
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
