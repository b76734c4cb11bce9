"""The DCAT-AP catalogue validates against the official DCAT-AP 3.0.1 SHACL shapes, on both
backends, and says exactly what the inventories hold (existing sources only)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH

from kg import catalog
from kg.config import Settings

SHAPES = Path(__file__).with_name("dcat-ap-3.0.1")
# The property shapes the 3.0.1 files reference without defining (see SOURCE.md).
DANGLING = {
    "dcat:DatasetShape/4918ff7a6c1c4b0eea6403dca4b992b87ee1f4ab",
    "dcat:DatasetShape/95c69c99a1e3ade043911b51b942f206dea0e68d",
    "dcat:DistributionShape/653804840386e33525b3d39d205c174780be414b",
    "dcat:DistributionShape/a07d6e7a0a1790b89a1ce7ff602cbbd9ea835282",
    "dcat:RelationshipShape/b7aa98e1befa5130659568aa62e7f38575dc17c1",
}
MKG = rdflib.Namespace("https://w3id.org/migkg/ontology#")
EXISTING = rdflib.URIRef("https://w3id.org/migkg/vocab/source-status/existing")


@cache
def shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in ("dcat-ap-SHACL.ttl", "ranges.ttl"):
        graph.parse(SHAPES / name, format="turtle")
    defined = set(graph.subjects(SH.path, None))
    dropped = set()
    for shape, prop in list(graph.subject_objects(SH.property)):
        if prop not in defined:
            graph.remove((shape, SH.property, prop))
            dropped.add(str(prop).split("#", 1)[1])
    assert dropped == DANGLING
    return graph


def violations(data: bytes, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> list[str]:
    """SHACL results of the official shapes; the data is read by pyoxigraph (rdflib's
    JSON-LD reader would fetch remote contexts)."""
    nt = ox.serialize(ox.parse(data, format=fmt), format=ox.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph().parse(data=nt, format="nt")
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes())
    return [] if conforms else [
        f"{report.value(r, SH.focusNode)} {report.value(r, SH.resultPath)}: "
        f"{report.value(r, SH.resultMessage)}"
        for r in report.subjects(RDF.type, SH.ValidationResult)]


@pytest.fixture(scope="module", params=["embedded", pytest.param("remote", marks=pytest.mark.remote)])
def built(request, demo_store, demo_settings) -> tuple[bytes, bytes]:
    store = demo_store if request.param == "embedded" else request.getfixturevalue("remote_demo_store")
    items = catalog.triples(store, demo_settings)
    return catalog.serialize(items, "ttl"), catalog.serialize(items, "jsonld")


def test_catalogue_has_zero_violations_of_the_official_shapes(built):
    turtle, jsonld = built
    assert violations(turtle) == []
    assert violations(jsonld, ox.RdfFormat.JSON_LD) == []


def test_the_shapes_do_catch_a_broken_catalogue(built):
    """The validation can fail: a dataset without a title and an agent without a name."""
    graph = rdflib.Graph().parse(data=built[0], format="turtle")
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    graph.remove((dataset, DCTERMS.title, None))
    agent = next(graph.objects(dataset, DCTERMS.publisher))
    graph.remove((agent, FOAF.name, None))
    found = violations(graph.serialize(format="turtle").encode())
    assert any(str(DCTERMS.title) in v and str(dataset) in v for v in found)
    assert any(str(FOAF.name) in v and str(agent) in v for v in found)


def test_one_dataset_per_existing_source_and_no_potential_one(built, demo_store):
    graph = rdflib.Graph().parse(data=built[0], format="turtle")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    source = rdflib.Graph()
    for g in demo_store.graphs():
        source.parse(data=ox.serialize(demo_store.graph_triples(g), format=ox.RdfFormat.N_TRIPLES),
                     format="nt")
    existing = set(source.subjects(MKG.sourceStatus, EXISTING))
    everything = set(source.subjects(RDF.type, DCAT.Dataset))
    assert datasets == existing and everything - existing  # the demo has potential sources
    catalogue = next(graph.subjects(RDF.type, DCAT.Catalog))
    assert set(graph.objects(catalogue, DCAT.dataset)) == existing
    # Each producer is a named agent; a dataset has at most one publisher.
    for d in datasets:
        assert len(set(graph.objects(d, DCTERMS.publisher))) <= 1
        for agent in graph.objects(d, DCTERMS.publisher | DCTERMS.creator):
            assert graph.value(agent, FOAF.name) is not None
    # No contact details at all (restricted or not) in the catalogue.
    assert "vcard" not in built[0].decode() and "mailto:" not in built[0].decode()


def test_same_data_same_bytes_and_iris_follow_the_base(demo_store, demo_settings):
    first = catalog.serialize(catalog.triples(demo_store, demo_settings), "ttl")
    assert first == catalog.serialize(catalog.triples(demo_store, demo_settings), "ttl")
    other = Settings(store_dir=demo_settings.store_dir, base="https://data.example.org/kg/",
                     catalog_publisher="Example Observatory")
    text = catalog.serialize(catalog.triples(demo_store, other), "ttl").decode()
    assert "<https://data.example.org/kg/catalog>" in text and '"Example Observatory"' in text
