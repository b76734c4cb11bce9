"""Result formats of the endpoint: pyoxigraph's serialisers over our answers, every term
kind kept exactly; `format=` names; the OpenAPI document from the catalogue."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
import rdflib

from kg.config import Limits
from kg.query import protocol
from kg.query.catalogue import catalogue
from kg.query.execute import AdHocResult
from kg.query.openapi import document
from kg.query.results import QueryResult

XSD = "http://www.w3.org/2001/XMLSchema#"
TERMS = (ox.NamedNode("https://example.org/a?b=c&d"), ox.Literal('tab\t"quote"\nline <&>', language="fr"),
         ox.Literal("7", datatype=ox.NamedNode(XSD + "integer")), None, ox.BlankNode("b1"),
         ox.Literal("=1+1"))
COLUMNS = ["iri", "text", "number", "unbound", "blank", "formula"]


def select(truncated: int | None = None) -> AdHocResult:
    result = QueryResult(COLUMNS, [{}], [TERMS])
    return AdHocResult("SELECT", select=result, truncated=truncated)


@pytest.mark.parametrize("media_type", protocol.media_types("SELECT"))
def test_select_round_trips_through_every_result_format(media_type):
    data = protocol.serialize(select(), media_type)
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    if fmt == ox.QueryResultsFormat.CSV:
        # SPARQL 1.1 CSV keeps values, not term kinds (and, being a protocol format for
        # programs, values exactly: no formula neutralisation, unlike the API's CSV).
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        assert rows[0] == COLUMNS
        assert rows[1] == [TERMS[0].value, TERMS[1].value, "7", "", "_:b1", "=1+1"]
        return
    back = list(ox.parse_query_results(data, format=fmt))
    assert len(back) == 1
    assert [back[0][c] for c in COLUMNS] == list(TERMS)


def test_json_names_the_row_cap_when_cut():
    body = json.loads(protocol.serialize(select(truncated=10), "application/sparql-results+json"))
    assert body["truncated"] == 10 and body["head"]["vars"] == COLUMNS
    assert "truncated" not in json.loads(protocol.serialize(select(), "application/sparql-results+json"))


@pytest.mark.parametrize("value", [True, False])
def test_ask_in_json_and_xml(value):
    answer = AdHocResult("ASK", boolean=value)
    assert json.loads(protocol.serialize(answer, "application/sparql-results+json"))["boolean"] is value
    xml = protocol.serialize(answer, "application/sparql-results+xml")
    assert f"<boolean>{str(value).lower()}</boolean>".encode() in xml
    assert protocol.media_types("ASK") == ["application/sparql-results+json",
                                           "application/sparql-results+xml"]


@pytest.mark.parametrize("media_type", protocol.media_types("CONSTRUCT"))
def test_construct_in_every_rdf_format_parses_back(media_type):
    triples = [ox.Triple(TERMS[0], ox.NamedNode("http://purl.org/dc/terms/title"), TERMS[1]),
               ox.Triple(TERMS[4], ox.NamedNode("http://purl.org/dc/terms/extent"), TERMS[2])]
    data = protocol.serialize(AdHocResult("CONSTRUCT", triples=triples), media_type)
    back = list(ox.parse(data, format=ox.RdfFormat.from_media_type(media_type)))
    assert len(back) == 2 and TERMS[1] in {t.object for t in back}


def test_format_names_and_media_types():
    assert protocol.media_types("SELECT")[0] == "application/sparql-results+json"
    assert protocol.media_types("DESCRIBE")[0] == "text/turtle"
    assert protocol.media_type_for("json", "SELECT") == "application/sparql-results+json"
    assert protocol.media_type_for("json", "CONSTRUCT") == "application/ld+json"
    assert protocol.media_type_for("ttl", "CONSTRUCT") == "text/turtle"
    assert protocol.media_type_for("text/csv", "SELECT") == "text/csv"
    assert protocol.media_type_for("csv", "CONSTRUCT") is None
    assert protocol.media_type_for("csv", "ASK") is None
    assert protocol.media_type_for("html", "SELECT") is None


def test_service_description_lists_formats_graphs_and_limits():
    data = protocol.service_description("http://127.0.0.1/sparql", ["https://w3id.org/migkg/graph/XAA"],
                                        Limits(query_timeout_s=7, query_max_rows=99))
    graph = rdflib.Graph().parse(data=data, format="turtle")
    sd = rdflib.Namespace(protocol.SD)
    service = rdflib.URIRef("http://127.0.0.1/sparql")
    assert (service, rdflib.RDF.type, sd.Service) in graph
    assert len(set(graph.objects(service, sd.resultFormat))) == 8
    assert rdflib.URIRef("https://w3id.org/migkg/graph/XAA") in set(graph.objects(None, sd.name))
    assert "7 s" in data.decode() and "99 rows" in data.decode()


def test_openapi_has_one_typed_path_per_named_query():
    doc = document(catalogue(), "fr", Limits())
    assert doc["openapi"] == "3.1.0"
    names = {q.name for q in catalogue()}
    assert set(doc["paths"]) == {"/api/queries"} | {f"/api/queries/{n}" for n in names}
    actors = doc["paths"]["/api/queries/actors"]["get"]
    params = {p["name"]: p for p in actors["parameters"] if "name" in p}
    assert params["country"]["required"] is True
    assert params["country"]["schema"]["pattern"] == "^[A-Za-z]{3}$"
    assert "trends" in params["domain"]["schema"]["enum"]
    assert "lang" not in params  # reserved: one shared definition
    assert actors["summary"] == catalogue().get("actors").title["fr"]
    stale = {p["name"]: p for p in doc["paths"]["/api/queries/stale-sources"]["get"]["parameters"]
             if "name" in p}
    assert {k: stale["years"]["schema"].get(k) for k in ("type", "minimum", "maximum")} == \
        {"type": "integer", "minimum": 0, "maximum": 200}
