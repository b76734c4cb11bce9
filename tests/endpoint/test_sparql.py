"""/sparql, the SPARQL 1.1 Protocol endpoint, through the Flask test client on both backends:
every way to send a query, every content type by Accept and by `format=`, the service
description, refusals (with a local listener proving no SERVICE request leaves), the time
limit (504, the query stopped, the next one answered at once), the row cap, CORS, and no
restricted contact point by any path."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time

import pyoxigraph as ox
import pytest
import rdflib

from tests.webapp.test_routes import RESTRICTED

ACTORS = ("PREFIX org: <http://www.w3.org/ns/org#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
          "SELECT ?a WHERE { ?a a org:Organization } ORDER BY ?a LIMIT 3")
CONSTRUCT = ("PREFIX org: <http://www.w3.org/ns/org#> "
             "CONSTRUCT { ?a a org:Organization } WHERE { ?a a org:Organization } LIMIT 4")
DESCRIBE = "DESCRIBE <https://w3id.org/migkg/id/XAA/actor/ncm>"
ASK = "ASK { ?s a <http://www.w3.org/ns/org#Organization> }"
FORM = "application/x-www-form-urlencoded"


def rows(response) -> list[dict]:
    return json.loads(response.data)["results"]["bindings"]


# --- how a query is sent --------------------------------------------------------------------

def test_get_post_form_and_post_body_give_the_same_answer(client):
    by_get = client.get("/sparql", query_string={"query": ACTORS})
    by_form = client.post("/sparql", data={"query": ACTORS})
    by_body = client.post("/sparql", data=ACTORS.encode(),
                          headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200, response.data
        assert response.mimetype == "application/sparql-results+json"
        assert len(rows(response)) == 3
    assert by_get.data == by_form.data == by_body.data


def test_get_without_a_query_is_the_service_description(client):
    response = client.get("/sparql")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = next(graph.subjects(rdflib.RDF.type, sd.Service))
    assert str(service) == "http://localhost/sparql"
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.resultFormat,
            rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in graph
    names = {str(n) for n in graph.objects(None, sd.name)}
    assert "https://w3id.org/migkg/graph/XAA" in names
    description = str(next(graph.objects(service, rdflib.DCTERMS.description)))
    assert "10 s" in description and "10000" in description


def test_post_without_a_query_is_a_400(client):
    response = client.post("/sparql", data={"format": "json"})
    assert response.status_code == 400 and response.json["errors"][0]["column"] == "query"


@pytest.mark.parametrize("body, headers, column", [
    (b"ASK {}", {"Content-Type": "text/plain"}, "Content-Type"),
    (b"INSERT DATA { <a:b> <a:c> <a:d> }", {"Content-Type": "application/sparql-update"}, "query"),
    ("ASK {}".encode("utf-16"), {"Content-Type": "application/sparql-query"}, "query"),
])
def test_post_bodies_that_are_not_queries(client, body, headers, column):
    response = client.post("/sparql", data=body, headers=headers)
    assert response.status_code == 400, response.data
    assert response.json["ok"] is False and response.json["errors"][0]["column"] == column


def test_query_given_twice_is_refused(client):
    response = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert response.status_code == 400
    assert "once" in response.json["errors"][0]["message"]


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
def test_dataset_parameters_are_refused_clearly(client, name):
    response = client.get("/sparql", query_string={"query": ASK, name: "https://w3id.org/migkg/graph/XAA"})
    assert response.status_code == 400
    error = response.json["errors"][0]
    assert error["column"] == name and "GRAPH" in error["message"]


# --- formats -------------------------------------------------------------------------------

@pytest.mark.parametrize("accept, media", [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/html, text/csv;q=0.1", "text/csv"),
])
def test_select_formats_by_accept(client, accept, media):
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/sparql", query_string={"query": ACTORS}, headers=headers)
    assert response.status_code == 200 and response.mimetype == media
    assert "Accept" in response.headers["Vary"]
    data = response.data
    if media == "text/csv":
        table = list(csv.reader(io.StringIO(data.decode())))
        assert table[0] == ["a"] and len(table) == 4
    else:
        fmt = ox.QueryResultsFormat.from_media_type(media)
        assert len(list(ox.parse_query_results(data, format=fmt))) == 3


@pytest.mark.parametrize("accept, media", [
    (None, "text/turtle"), ("*/*", "text/turtle"), ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"), ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    # rdflib's SPARQLStore: result formats plus one RDF format -> that RDF format.
    ("application/sparql-results+xml, application/rdf+xml", "application/rdf+xml"),
    ("application/sparql-results+json,application/sparql-results+xml;q=0.9,text/turtle;q=0.5",
     "text/turtle"),
])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
def test_graph_formats_by_accept(client, query, accept, media):
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/sparql", query_string={"query": query}, headers=headers)
    assert response.status_code == 200, response.data
    assert response.mimetype == media
    triples = list(ox.parse(response.data, format=ox.RdfFormat.from_media_type(media)))
    assert triples


@pytest.mark.parametrize("fmt, media", [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("srj", "application/sparql-results+json"),
    ("text/csv", "text/csv"),
])
def test_select_format_parameter_beats_accept(client, fmt, media):
    response = client.get("/sparql", query_string={"query": ACTORS, "format": fmt},
                          headers={"Accept": "application/sparql-results+xml;q=0.1"})
    assert response.status_code == 200 and response.mimetype == media


@pytest.mark.parametrize("fmt, media", [
    ("json", "application/ld+json"), ("xml", "application/rdf+xml"), ("ttl", "text/turtle"),
    ("nt", "application/n-triples"), ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml"),
])
def test_construct_format_parameter(client, fmt, media):
    response = client.get("/sparql", query_string={"query": CONSTRUCT, "format": fmt})
    assert response.status_code == 200 and response.mimetype == media


@pytest.mark.parametrize("accept", [None, "application/sparql-results+xml"])
def test_ask_in_json_and_xml(client, accept):
    headers = {"Accept": accept} if accept else {}
    response = client.post("/sparql", data={"query": ASK}, headers=headers)
    assert response.status_code == 200
    if accept:
        assert response.mimetype == accept and b"<boolean>true</boolean>" in response.data
    else:
        assert response.json["boolean"] is True


@pytest.mark.parametrize("query, accept", [
    (ACTORS, "text/turtle"), (CONSTRUCT, "application/sparql-results+json"), (ASK, "text/csv"),
    (ACTORS, "image/png, text/html"),
])
def test_nothing_acceptable_is_406_naming_what_is_available(client, query, accept):
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406, response.data
    error = response.json["errors"][0]
    assert error["column"] == "Accept" and "available" in error["message"]


def test_unknown_format_parameter_is_400(client):
    response = client.get("/sparql", query_string={"query": ASK, "format": "csv"})
    assert response.status_code == 400
    assert response.json["errors"][0]["column"] == "format"
    assert "json" in response.json["errors"][0]["message"]


def test_terms_keep_their_kind_language_and_datatype(client):
    query = ('SELECT ?iri ?text ?n ?blank WHERE { BIND(<https://example.org/x?a=1&b> AS ?iri) '
             'BIND("tab\\t<&> \\"q\\""@fr AS ?text) BIND(42 AS ?n) BIND(BNODE() AS ?blank) }')
    for media in ("application/sparql-results+json", "application/sparql-results+xml",
                  "text/tab-separated-values"):
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media})
        solution = next(iter(ox.parse_query_results(
            response.data, format=ox.QueryResultsFormat.from_media_type(media))))
        assert solution["iri"] == ox.NamedNode("https://example.org/x?a=1&b")
        assert solution["text"] == ox.Literal('tab\t<&> "q"', language="fr")
        assert solution["n"] == ox.Literal("42", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer"))
        assert isinstance(solution["blank"], ox.BlankNode)


def test_cors_on_get_and_preflight(client):
    response = client.get("/sparql", query_string={"query": ASK},
                          headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Result-Truncated" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options("/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


# --- read-only ------------------------------------------------------------------------------

class Listener:
    """A local TCP port that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


REFUSED = [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "query.guard.update"),
    ("DELETE WHERE { ?s ?p ?o }", "query.guard.update"),
    ("LOAD <http://127.0.0.1:{port}/data.ttl>", "query.guard.load"),
    ("CLEAR ALL", "query.guard.update"),
    ("DROP GRAPH <https://w3id.org/migkg/graph/XAA>", "query.guard.update"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }", "query.guard.service"),
    ("SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
     "query.guard.service"),
    ("SELECT * FROM <http://127.0.0.1:{port}/g> WHERE { ?s ?p ?o }", "query.guard.from"),
]


@pytest.mark.parametrize("text, key", REFUSED, ids=[k + str(i) for i, (_, k) in enumerate(REFUSED)])
@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_updates_load_service_are_refused_and_nothing_is_fetched(client, listener, text, key, how):
    query = text.replace("{port}", str(listener.port))
    if how == "get":
        response = client.get("/sparql", query_string={"query": query})
    elif how == "form":
        response = client.post("/sparql", data={"query": query})
    else:
        response = client.post("/sparql", data=query.encode(),
                               headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400, response.data
    error = response.json["errors"][0]
    assert error["key"] == key and error["file"] == "query" and error["message"]
    time.sleep(0.3)
    assert listener.connections == 0
    # The data is untouched.
    assert client.get("/sparql", query_string={"query": ASK}).json["boolean"] is True


def test_update_parameter_is_refused(client):
    response = client.post("/sparql", data={"update": "DROP ALL"})
    assert response.status_code == 400 and response.json["errors"][0]["key"] == "endpoint.update"


def test_the_listener_does_see_a_connection():
    found = Listener()
    try:
        socket.create_connection(("127.0.0.1", found.port), timeout=2).close()
        time.sleep(0.3)
        assert found.connections == 1
    finally:
        found.close()


# --- limits ---------------------------------------------------------------------------------

STAR = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?o . ?b ?q ?o . ?c ?r ?o . ?d ?s ?o . ?e ?t ?o }")


def test_time_limit_stops_the_query_with_504_and_the_next_answers_at_once(limited_app):
    client = limited_app.test_client()
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": STAR})
    elapsed = time.monotonic() - started
    assert response.status_code == 504, response.data
    body = response.json
    assert body["ok"] is False and body["status"] == 504
    assert body["errors"][0]["key"] == "store.timeout" and "1 s" in body["errors"][0]["message"]
    assert elapsed < 5
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": ASK})
    assert response.status_code == 200 and response.json["boolean"] is True
    assert time.monotonic() - started < 0.5


def test_row_cap_header_and_json_member(limited_app):
    client = limited_app.test_client()
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200
    assert response.headers["X-Result-Truncated"] == "5"
    assert response.json["truncated"] == 5 and len(response.json["results"]["bindings"]) == 5
    for fmt in ("csv", "xml", "tsv"):
        response = client.get("/sparql", query_string={"query": query, "format": fmt})
        assert response.headers["X-Result-Truncated"] == "5"
    response = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }",
                                                   "format": "nt"})
    assert response.headers["X-Result-Truncated"] == "5"
    assert len(response.data.decode().strip().splitlines()) == 5
    small = client.get("/sparql", query_string={"query": ACTORS})
    assert "X-Result-Truncated" not in small.headers and "truncated" not in small.json


# --- the public view ------------------------------------------------------------------------

def test_restricted_contact_points_are_invisible(client):
    dump = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    everything = client.get("/sparql", query_string={"query": dump, "format": "nt"})
    assert everything.status_code == 200
    text = everything.data.decode()
    assert "@" in text and "vcard" in text  # public contact points are there
    for secret in RESTRICTED:
        assert secret not in text
    restricted = ("ASK { ?cp <https://w3id.org/migkg/ontology#visibility> "
                  "<https://w3id.org/migkg/vocab/contact-visibility/restricted> }")
    assert client.get("/sparql", query_string={"query": restricted}).json["boolean"] is False


def test_an_over_long_query_is_refused_before_it_is_read_whole(client):
    body = ("ASK { " + "?s ?p ?o . " * 60_000 + "}").encode()
    response = client.post("/sparql", data=body, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400 and response.json["errors"][0]["key"] == "query.guard.too_long"
