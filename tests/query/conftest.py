"""Fixtures of the query tests: a small hand-written country with hostile labels, and the demo
countries with their import records pinned (for golden files)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import figures
from kg.config import Settings
from kg.namespaces import PROV, XSD, DataIRIs
from kg.store import Store, open_store
from kg.vocab import load_model_triples

IRIS = DataIRIs()

# Labels a user might type or an attacker might plant, each matched literally.
HOSTILE_LABELS = {
    "quote": 'The "Quoted" Office',
    "union": '"} UNION { ?s ?p ?o } #',
    "iri": "> <http://evil.example/x> .",
    "newline": "Line one\nLine two",
    "unicode": "Bureau \u202eCIDER\u202c des migrations \u00e9t\u00e9 \U0001f30d",
    "backslash": "C:\\temp\\x \\u0022",
    "html": '<img src=x onerror="alert(1)">',
    "formula": '=HYPERLINK("http://evil.example","x")',
    "rtl": "منظمة الهجرة",
}

TINY = """
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix mkg: <https://w3id.org/migkg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix voc: <https://w3id.org/migkg/vocab/> .
@prefix actor: <https://w3id.org/migkg/id/XTT/actor/> .
@prefix contact: <https://w3id.org/migkg/id/XTT/contact/> .
@prefix source: <https://w3id.org/migkg/id/XTT/source/> .
@prefix xtt: <https://w3id.org/migkg/id/XTT/> .

<https://w3id.org/migkg/id/XTT> a mkg:Country ; dcterms:identifier "XTT" ;
    skos:prefLabel "Testland"@en, "Testonie"@fr .
xtt:profile a mkg:CountryProfile ; mkg:country <https://w3id.org/migkg/id/XTT> ;
    mkg:coordinator actor:min .

actor:min a org:Organization ; mkg:country <https://w3id.org/migkg/id/XTT> ;
    skos:prefLabel "Ministry of Tests"@en ;
    org:classification <https://w3id.org/migkg/vocab/actor-type/ministry> ;
    mkg:domain <https://w3id.org/migkg/vocab/domain/trends>,
        <https://w3id.org/migkg/vocab/domain/border_management> ;
    mkg:participatesInStage <https://w3id.org/migkg/vocab/policy-stage/decision> ;
    mkg:contactPoint contact:min .
contact:min a vcard:Kind ; vcard:fn "Public desk" ; vcard:hasEmail <mailto:desk@min.example> ;
    mkg:visibility <https://w3id.org/migkg/vocab/contact-visibility/public> .

actor:secret a org:Organization ; mkg:country <https://w3id.org/migkg/id/XTT> ;
    skos:prefLabel "Agence secrète"@fr ;
    org:classification <https://w3id.org/migkg/vocab/actor-type/government_agency> ;
    org:subOrganizationOf actor:min ;
    mkg:contactPoint contact:secret .
contact:secret a vcard:Kind ; vcard:fn "Agent Smith" ; vcard:hasTelephone "+999 1" ;
    vcard:hasEmail <mailto:smith@secret.example> ;
    mkg:visibility <https://w3id.org/migkg/vocab/contact-visibility/restricted> .

source:census a dcat:Dataset ; mkg:country <https://w3id.org/migkg/id/XTT> ;
    dcterms:title "Census"@en, "Recensement"@fr ;
    mkg:sourceStatus <https://w3id.org/migkg/vocab/source-status/existing> ;
    dcat:theme <https://w3id.org/migkg/vocab/domain/trends> ;
    dcterms:publisher actor:min ; mkg:latestYear 2010 .
"""


def hostile_triples() -> list[ox.Triple]:
    """One actor per hostile label, id hostile-<key>, its name exactly that label (@en)."""
    country = ox.NamedNode(IRIS.country("XTT"))
    out = []
    for key, label in HOSTILE_LABELS.items():
        actor = ox.NamedNode(IRIS.entity("XTT", "actor", f"hostile-{key}"))
        out += [
            ox.Triple(actor, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode("http://www.w3.org/ns/org#Organization")),
            ox.Triple(actor, ox.NamedNode("https://w3id.org/migkg/ontology#country"), country),
            ox.Triple(actor, ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                      ox.Literal(label, language="en")),
        ]
    return out


def tiny_graphs() -> dict[str, list[ox.Triple]]:
    """The graphs of the tiny store: vocabularies and country XTT."""
    tiny = [q.triple for q in ox.parse(TINY, format=ox.RdfFormat.TURTLE)] + hostile_triples()
    # With its precomputed figures, as an import writes them (kg.figures).
    return {IRIS.vocabulary_graph: load_model_triples(),
            IRIS.graph("XTT"): tiny + figures.compute(tiny, "XTT", IRIS)}


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Country XTT (hand-written, docs/data-model.md) with hostile names, and the vocabularies."""
    store = open_store(Settings(store_dir=tmp_path_factory.mktemp("tiny-store")))
    for graph, triples in tiny_graphs().items():
        store.replace_graph(graph, triples)
    yield store
    store.close()


# Import records carry the time the test session ran (in their IRIs too): pinned for golden files.
PINNED_TIME = "2025-01-15T09:30:00Z"
PINNED_STAMP = "20250115T093000000000Z"
_STAMP_RE = re.compile(r"/import/\d{8}T\d{12}Z-")


def _pin(term, times: set[ox.NamedNode], predicate: ox.NamedNode | None = None):
    if isinstance(term, ox.NamedNode) and "/import/" in term.value:
        return ox.NamedNode(_STAMP_RE.sub(f"/import/{PINNED_STAMP}-", term.value))
    if predicate in times:
        return ox.Literal(PINNED_TIME, datatype=ox.NamedNode(str(XSD.dateTime)))
    return term


@pytest.fixture(scope="session")
def golden_store(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo countries with import times (and the times in import IRIs) pinned."""
    times = {ox.NamedNode(str(PROV.startedAtTime)), ox.NamedNode(str(PROV.endedAtTime))}
    store = open_store(Settings(store_dir=Path(tmp_path_factory.mktemp("golden-store"))))
    for graph in demo_store.graphs():
        store.replace_graph(graph, [
            ox.Triple(_pin(t.subject, times), t.predicate, _pin(t.object, times, t.predicate))
            for t in demo_store.graph_triples(graph)])
    yield store
    store.close()


@pytest.fixture
def virtuoso_golden_store(golden_store: Store, request: pytest.FixtureRequest) -> Store:
    """golden_store's graphs in the session's Virtuoso server, (re)loaded when another test
    (the store contract suite wipes the server) left it with anything else."""
    from tests.conftest import virtuoso_settings

    store = open_store(virtuoso_settings(request.getfixturevalue("virtuoso_server")))
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    want = golden_store.select(count).rows[0][0].value
    if store.graphs() != golden_store.graphs() or store.select(count).rows[0][0].value != want:
        store.replace_all({g: golden_store.graph_triples(g) for g in golden_store.graphs()})
    return store
