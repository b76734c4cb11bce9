"""Dumps of the store in standard RDF formats, deterministic and safe to publish.

Restricted contact points (mkg:visibility voc:contact-visibility/restricted) and
every triple about them are left out unless the operator asks for them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import TypeVar

import pyoxigraph as ox

from kg.errors import Location, NotFound, Problem
from kg.namespaces import MKG, PREFIXES, RDF, XSD, DataIRIs, concept
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
    if fmt == "jsonld":
        # One country: its triples in the default graph, as Turtle has them (any JSON-LD
        # reader, rdflib's Graph included, loads them); every graph: named graphs, as TriG.
        return jsonld(quads, named_graphs=iso3 is None)
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


# ---------------------------------------------------------------------------------------------
# JSON-LD
# ---------------------------------------------------------------------------------------------

_TYPE = str(RDF.type)
_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)


def _compact(iri: str, prefixes: dict[str, str]) -> str:
    """prefix:local for an IRI in a known namespace (longest one wins), else the IRI."""
    best = max((p for p in prefixes.items() if iri.startswith(p[1]) and len(iri) > len(p[1])),
               key=lambda p: len(p[1]), default=None)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else iri


def _value(term: ox.NamedNode | ox.Literal, prefixes: dict[str, str]) -> object:
    if isinstance(term, ox.NamedNode):
        return {"@id": _compact(term.value, prefixes)}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value in (_STRING, _LANG_STRING):
            return term.value  # a bare string is an xsd:string
        return {"@value": term.value, "@type": _compact(term.datatype.value, prefixes)}
    raise ValueError(f"no blank nodes in exports: {term}")  # the importer mints IRIs only


def jsonld(quads: Iterable[ox.Quad], prefixes: dict[str, str] | None = None, *,
           named_graphs: bool = True) -> bytes:
    """A compacted JSON-LD document: one inline @context (the project's prefixes, nothing
    to fetch), one named graph per store graph (or, named_graphs=False, every node in the
    default graph), nodes and values sorted: same data, same bytes.

    The expanded form pyoxigraph writes has no @context at all; tools such as rdflib, pyld and
    JSON-LD playgrounds read this form as the same quads.
    """
    prefixes = dict(sorted((prefixes or PREFIXES).items()))
    graphs: dict[str, dict[str, dict[str, list]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list)))
    for q in quads:
        node = graphs[q.graph_name.value][q.subject.value]
        if q.predicate.value == _TYPE and isinstance(q.object, ox.NamedNode):
            node["@type"].append(_compact(q.object.value, prefixes))
        else:
            node[_compact(q.predicate.value, prefixes)].append(_value(q.object, prefixes))

    def sort_key(value: object) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    def node_object(subject: str, props: dict[str, list]) -> dict:
        out: dict[str, object] = {"@id": _compact(subject, prefixes)}
        if "@type" in props:
            out["@type"] = sorted(set(props["@type"]))
        for key in sorted(k for k in props if k != "@type"):
            values = sorted({sort_key(v): v for v in props[key]}.items())
            out[key] = [v for _k, v in values]
        return out

    if named_graphs:
        body = [{"@id": graph, "@graph": [node_object(s, graphs[graph][s])
                                          for s in sorted(graphs[graph])]}
                for graph in sorted(graphs)]
    else:
        merged: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for nodes in graphs.values():
            for subject, props in nodes.items():
                for key, values in props.items():
                    merged[subject][key].extend(values)
        body = [node_object(s, merged[s]) for s in sorted(merged)]
    document = {"@context": prefixes, "@graph": body}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
