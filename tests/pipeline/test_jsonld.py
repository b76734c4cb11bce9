"""JSON-LD exports are compacted (one inline @context, nothing to fetch) and load, as the
same triples as the N-Triples / N-Quads exports, in rdflib's Graph and Dataset and in pyld."""

from __future__ import annotations

import json
import warnings

import pytest
import rdflib
from pyld import jsonld

from kg.export import export
from kg.namespaces import PREFIXES

BASE = "https://w3id.org/migkg/"


def no_fetch(url: str, options: object = None) -> dict:
    raise AssertionError(f"a JSON-LD reader tried to fetch {url}")


def parsed(graph: rdflib.Graph, data: bytes) -> rdflib.Graph:
    with warnings.catch_warnings():  # rdflib 7.6's JSON-LD parser trips its own deprecation
        warnings.simplefilter("ignore", DeprecationWarning)
        graph.parse(data=data, format="json-ld")
    return graph


def dataset(data: bytes) -> rdflib.Dataset:
    return parsed(rdflib.Dataset(), data)


def ntriples(data: bytes) -> set[str]:
    return {line for line in data.decode("utf-8").splitlines() if line.strip()}


@pytest.mark.parametrize("iso3", ["XAA", "XAC"])
def test_country_export_is_compacted_and_loads_everywhere(demo_store, iso3: str) -> None:
    data = export(demo_store, "jsonld", base=BASE, iso3=iso3)
    assert data == export(demo_store, "jsonld", base=BASE, iso3=iso3)
    doc = json.loads(data)
    assert doc["@context"] == dict(sorted(PREFIXES.items()))  # inline: no URL to fetch
    nodes = doc["@graph"]
    actor = next(n for n in nodes if "/actor/" in n["@id"])
    assert actor["@type"] == ["org:Organization"] and "skos:prefLabel" in actor
    expected = export(demo_store, "nt", base=BASE, iso3=iso3)
    g = parsed(rdflib.Graph(), data)
    want = rdflib.Graph()
    want.parse(data=expected, format="nt")
    assert len(g) == len(want) > 100
    assert set(g) == set(want)  # no blank nodes: the same triples, term for term
    assert len(dataset(data)) == len(want)
    quads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": no_fetch})
    assert ntriples(quads.encode()) == ntriples(expected)


def test_full_export_keeps_one_named_graph_per_country(demo_store) -> None:
    data = export(demo_store, "jsonld", base=BASE)
    doc = json.loads(data)
    names = [g["@id"] for g in doc["@graph"]]
    assert f"{BASE}graph/XAA" in names and f"{BASE}graph/vocabularies" in names
    expected = export(demo_store, "nq", base=BASE)
    ds = dataset(data)
    assert len(list(ds.quads())) == len(ntriples(expected))
    quads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": no_fetch})
    assert ntriples(quads.encode()) == ntriples(expected)
