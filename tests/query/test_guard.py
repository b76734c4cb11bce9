"""The read-only guard refuses what must never reach an engine, fast, without crashing."""

from __future__ import annotations

import time

import pytest

from kg.config import Limits
from kg.errors import QueryRefused
from kg.query import check_readonly

P = "PREFIX ex: <http://example.org/>\n"


def refused(text: str, limits: Limits | None = None) -> str:
    with pytest.raises(QueryRefused) as exc:
        check_readonly(text, limits)
    lines = exc.value.lines("en")
    assert len(lines) == 1
    return lines[0]


SERVICE_VARIANTS = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    P + "SELECT * WHERE { SERVICEex:x { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE#comment\n<http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE<http://127.0.0.1:9/>{ ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\U00000053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERV\\u0049CE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . SERVICE ?endpoint { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<http://127.0.0.1:9/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p "a\\u0022 . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #" }',
    P + "SELECT * WHERE { ?s ex:a\\#b ?o SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } }",
    "ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("text", SERVICE_VARIANTS)
def test_every_service_variant_is_refused(text: str) -> None:
    assert "SERVICE is refused" in refused(text)


UPDATES = [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }",
    P + "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CLEAR ALL", "DROP ALL", "DROP GRAPH <http://g>", "CREATE GRAPH <http://g>",
    "ADD DEFAULT TO <http://g>", "MOVE <http://a> TO <http://b>", "COPY <http://a> TO <http://b>",
    "# comment\nclear default",
]


@pytest.mark.parametrize("text", UPDATES)
def test_updates_are_refused(text: str) -> None:
    assert "are refused: this is a read-only query" in refused(text)


def test_load_and_from_are_refused() -> None:
    assert "LOAD is refused" in refused("LOAD <http://127.0.0.1:9/x>")
    assert "LOAD is refused" in refused("LOAD SILENT <file:///etc/passwd> INTO GRAPH <http://g>")
    for text in ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
                 "SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
                 "SELECT * FROM<http://127.0.0.1:9/g> WHERE { ?s ?p ?o }",
                 P + "SELECT * FROMex:g WHERE { ?s ?p ?o }",
                 "SELECT * \\u0046ROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }",
                 "DESCRIBE <http://a> FROM <http://127.0.0.1:9/g>"):
        assert "FROM and FROM NAMED are refused" in refused(text)


@pytest.mark.parametrize("opening", ["{", "(", "["])
def test_deep_nesting_is_refused_fast(opening: str) -> None:
    closing = {"{": "}", "(": ")", "[": "]"}[opening]
    body = {"{": "{ " * 3000 + "}" * 3000,
            "(": "{ FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }",
            "[": "{ ?s ?p " + "[ ?p " * 3000 + "1" + closing * 3000 + " }"}[opening]
    started = time.perf_counter()
    line = refused("SELECT * WHERE " + body)
    assert time.perf_counter() - started < 1.0
    assert "levels deep" in line and "at most 64" in line


def test_nesting_hidden_in_escapes_is_refused() -> None:
    assert "levels deep" in refused("SELECT * WHERE " + "\\u007B " * 100 + "}" * 100)


def test_too_long_is_refused_before_anything() -> None:
    line = refused("SELECT * WHERE { ?s ?p ?o }" + " " * 200, Limits(query_max_chars=100))
    assert line == "-::: query of 227 characters; at most 100 are accepted"


def test_syntax_error_gives_the_position() -> None:
    line = refused("SELECT * WHERE {\n  ?s ?p }\n")
    assert line.startswith("-:2:") and "syntax error" in line


def test_not_a_query() -> None:
    assert "not a query" in refused("HELLO <http://a>") or "syntax error" in refused(
        "HELLO <http://a>")


ACCEPTED = [
    ("SELECT ?service WHERE { ?service ?p ?o }", "SELECT"),
    ("PREFIX prov: <http://www.w3.org/ns/prov#>\n"
     "SELECT ?x WHERE { ?x prov:wasDerivedFrom ?y }", "SELECT"),
    ('SELECT ?x WHERE { ?x ?p "SERVICE <http://a> { } FROM <file:///x>" }', "SELECT"),
    ("# SERVICE and FROM in a comment\nASK { ?s ?p ?o }", "ASK"),
    ("SELECT ?x WHERE { ?x <http://example.org/SERVICE> ?y }", "SELECT"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "CONSTRUCT"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://example.org/x>", "DESCRIBE"),
    ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s HAVING (COUNT(*) > 1)", "SELECT"),
    ("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 } }", "SELECT"),
    ("SELECT ?x WHERE { ?x ?p ?o } VALUES ?x { <http://a> }", "SELECT"),
]


@pytest.mark.parametrize(("text", "form"), ACCEPTED)
def test_ordinary_queries_pass(text: str, form: str) -> None:
    assert check_readonly(text) == form


def test_the_parse_check_does_not_run_the_query() -> None:
    # pyoxigraph has no parse-only call and sorts this ~27M-row cross product eagerly
    # (100 s here): the guard parses a copy whose WHERE group matches nothing.
    values = " ".join(str(i) for i in range(300))
    text = (f"SELECT ?a ?b ?c WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
            f"VALUES ?c {{ {values} }} }} ORDER BY ?a ?b ?c")
    started = time.perf_counter()
    assert check_readonly(text) == "SELECT"
    assert time.perf_counter() - started < 1.0
