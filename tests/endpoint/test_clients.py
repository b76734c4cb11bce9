"""Real clients against the app served by waitress, on both backends: SPARQLWrapper (JSON and
XML), rdflib's SPARQLStore (a SELECT and a CONSTRUCT), and curl (GET, form POST, body POST,
Accept, the API's CSV)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest
import rdflib

ACTORS = ("PREFIX org: <http://www.w3.org/ns/org#> "
          "SELECT ?a WHERE { GRAPH <https://w3id.org/migkg/graph/XAA> { ?a a org:Organization } } "
          "ORDER BY ?a")
CONSTRUCT = ("PREFIX org: <http://www.w3.org/ns/org#> CONSTRUCT { ?a a org:Organization } "
             "WHERE { GRAPH <https://w3id.org/migkg/graph/XAA> { ?a a org:Organization } }")
NCM = "https://w3id.org/migkg/id/XAA/actor/ncm"


def expected_actors(served: str) -> list[str]:
    from urllib.parse import urlencode
    from urllib.request import Request, urlopen

    request = Request(f"{served}/sparql?{urlencode({'query': ACTORS})}",
                      headers={"Accept": "application/sparql-results+json"})
    with urlopen(request, timeout=30) as response:
        return [b["a"]["value"] for b in json.load(response)["results"]["bindings"]]


def test_sparqlwrapper_json_and_xml(served):
    from SPARQLWrapper import JSON, POST, XML, SPARQLWrapper

    actors = expected_actors(served)
    assert NCM in actors
    for method in ("GET", POST):
        client = SPARQLWrapper(f"{served}/sparql")
        client.setMethod(method)
        client.setQuery(ACTORS)
        client.setReturnFormat(JSON)
        result = client.query().convert()
        assert [b["a"]["value"] for b in result["results"]["bindings"]] == actors
        client.setReturnFormat(XML)
        document = client.query().convert()
        uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]
        assert uris == actors
    ask = SPARQLWrapper(f"{served}/sparql")
    ask.setQuery(f"ASK {{ <{NCM}> ?p ?o }}")
    ask.setReturnFormat(JSON)
    assert ask.query().convert()["boolean"] is True


def test_rdflib_sparqlstore_select_and_construct(served):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(query_endpoint=f"{served}/sparql")
    graph = rdflib.Graph(store=store)
    rows = list(graph.query(ACTORS))
    assert [str(r.a) for r in rows] == expected_actors(served)
    built = graph.query(CONSTRUCT).graph
    assert (rdflib.URIRef(NCM), rdflib.RDF.type,
            rdflib.URIRef("http://www.w3.org/ns/org#Organization")) in built
    assert len(built) == len(rows)
    store.close()


def curl(*args: str) -> tuple[str, str, bytes]:
    """(status, content type, body) of one curl call."""
    binary = shutil.which("curl")
    if binary is None:
        pytest.fail("curl is missing: `make sysdeps` installs it")
    done = subprocess.run([binary, "-sS", "-o", "-", "-w", "\n%{http_code} %{content_type}", *args],
                          capture_output=True, timeout=60, check=True)
    body, _, tail = done.stdout.rpartition(b"\n")
    status, _, content_type = tail.decode().partition(" ")
    return status, content_type, body


def test_curl(served, tmp_path):
    url = f"{served}/sparql"
    status, media, body = curl("-G", url, "--data-urlencode", f"query={ACTORS}")
    assert status == "200" and media.startswith("application/sparql-results+json")
    assert len(json.loads(body)["results"]["bindings"]) == len(expected_actors(served))
    status, media, body = curl("-H", "Accept: text/csv", "--data-urlencode", f"query={ACTORS}", url)
    assert status == "200" and media.startswith("text/csv")
    assert list(csv.reader(io.StringIO(body.decode())))[0] == ["a"]
    query = tmp_path / "query.rq"
    query.write_text(CONSTRUCT, encoding="utf-8")
    status, media, body = curl("-H", "Content-Type: application/sparql-query",
                               "--data-binary", f"@{query}", f"{url}?format=nt")
    assert status == "200" and media.startswith("application/n-triples")
    assert f"<{NCM}>".encode() in body
    status, media, body = curl("--data-urlencode", "update=DROP ALL", url)
    assert status == "400" and json.loads(body)["errors"][0]["key"] == "endpoint.update"
    status, media, body = curl("-H", "Accept: text/csv", f"{served}/api/queries/actors?country=XAA")
    assert status == "200" and media.startswith("text/csv") and b"actor,name" in body
