"""Query limits, applied by kg.service for every shell: a wall-clock limit that really stops
the query (the next one answers normally) and a row cap, on both backends."""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest

from kg.config import Limits, Settings
from kg.errors import QueryTimeout
from kg.service import Workspace
from tests.conftest import remote_settings, start_oxigraph, stop_process

LIMIT_S = 1.0
CAP = 50
NODES = 300
GRAPH = "https://w3id.org/migkg/graph/XAA"
# A star join on one shared object: NODES**5 rows to count, far beyond any limit.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?t . ?b a ?t . ?c a ?t . ?d a ?t . ?e a ?t }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _triples(n: int = NODES) -> list[ox.Triple]:
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return [ox.Triple(ox.NamedNode(f"http://example.org/n{i}"), rdf_type,
                      ox.NamedNode("http://example.org/T")) for i in range(n)]


@pytest.fixture(params=["embedded", "public", pytest.param("remote", marks=pytest.mark.remote)])
def limited(request, tmp_path):
    """A Workspace with a 1 s limit and a 50-row cap over NODES typed nodes."""
    limits = Limits(query_timeout_s=LIMIT_S, query_max_rows=CAP)
    process = None
    if request.param in ("embedded", "public"):
        settings = Settings(store_dir=tmp_path / "store", limits=limits)
    else:
        # The server stops the query on its own too (--timeout-s), so it does not keep a core
        # busy after the client gave up.
        process, base = start_oxigraph(tmp_path / "db", timeout_s=3)
        settings = remote_settings(base, limits=limits)
    try:
        with Workspace(settings) as ws:
            ws.store.replace_graph(GRAPH, _triples())
            yield ws.public() if request.param == "public" else ws
    finally:
        if process is not None:
            stop_process(process)


def test_runaway_query_is_stopped_and_the_next_answers(limited):
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as caught:
        limited.sparql(RUNAWAY, where="star.rq")
    elapsed = time.monotonic() - started
    assert elapsed < LIMIT_S + 1.0, elapsed
    exc = caught.value
    assert exc.http_status == 504 and exc.exit_code == 2
    assert exc.lines("en") == ["star.rq::: the query was stopped after the time limit of 1 s; "
                               "make it more selective (fewer joins, a LIMIT, one country)"]
    started = time.monotonic()
    answer = limited.sparql(COUNT)
    assert answer.select.rows == [{"n": NODES}]
    assert time.monotonic() - started < LIMIT_S


def test_row_cap_on_select_and_construct(limited):
    rows = limited.sparql("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s")
    assert len(rows.select) == CAP and rows.truncated == CAP == rows.select.truncated
    assert rows.select.rows[0] == {"s": "http://example.org/n0"}
    small = limited.sparql("SELECT ?s WHERE { ?s ?p ?o } LIMIT 7")
    assert len(small.select) == 7 and small.truncated is None
    triples = limited.sparql("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert len(triples.triples) == CAP and triples.truncated == CAP
    assert limited.sparql("ASK { ?s a <http://example.org/T> }").boolean is True
    whole = limited.sparql("SELECT ?s WHERE { ?s ?p ?o }", capped=False)
    assert len(whole.select) == NODES and whole.truncated is None


def test_terms_survive_the_worker(tmp_path):
    """Literals with tabs, newlines, quotes, language tags and datatypes, blank nodes and
    unbound cells come back from the query process as they are."""
    settings = Settings(store_dir=tmp_path / "store", limits=Limits(query_timeout_s=5))
    s = ox.NamedNode("http://example.org/s")
    values = [ox.Literal("a\tb\nc \"q\" \\ é 🙂"), ox.Literal("fr", language="fr"),
              ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
              ox.NamedNode("http://example.org/o?x=1&y=%3C2%3E"), ox.BlankNode("b1")]
    with Workspace(settings) as ws:
        ws.store.replace_graph(GRAPH, [ox.Triple(s, ox.NamedNode(f"http://example.org/p{i}"), v)
                                       for i, v in enumerate(values)])
        text = "SELECT ?p ?o ?none WHERE { ?s ?p ?o OPTIONAL { ?s <http://x> ?none } } ORDER BY ?p"
        forked = ws.sparql(text)
        in_thread = ws.store.select(text)
        assert forked.select.terms == in_thread.rows
        objects = [r[1] for r in forked.select.terms]
        assert objects[:4] == values[:4] and isinstance(objects[4], ox.BlankNode)
        assert {r[2] for r in forked.select.terms} == {None}


def test_worker_sees_writes_of_other_processes(tmp_path):
    settings = Settings(store_dir=tmp_path / "store", limits=Limits(query_timeout_s=5))
    with Workspace(settings) as reader, Workspace(settings) as writer:
        writer.store.replace_graph(GRAPH, _triples(3))
        assert reader.sparql(COUNT).select.rows == [{"n": 3}]
        writer.store.replace_graph(GRAPH, _triples(5))
        assert reader.sparql(COUNT).select.rows == [{"n": 5}]


def test_cli_exit_2_naming_the_limit_and_warning_for_the_cap(migkg, tmp_path):
    store = tmp_path / "store"
    with Workspace(Settings(store_dir=store)) as ws:
        ws.store.replace_graph(GRAPH, _triples())
    env = {"MIGKG_QUERY_TIMEOUT_S": "1", "MIGKG_QUERY_MAX_ROWS": "10"}
    result = migkg(store, "sparql", "-", stdin=RUNAWAY, env=env)
    assert result.exit_code == 2 and result.stdout == ""
    assert "time limit of 1 s" in result.stderr and "Traceback" not in result.stderr
    result = migkg(store, "sparql", "-", "--format", "csv",
                   stdin="SELECT ?s WHERE { ?s ?p ?o }", env=env)
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 11  # header + the 10 rows of the cap
    assert "first 10 rows" in result.stderr
