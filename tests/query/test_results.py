"""Result conversion and serialisations: plain values, sorted list cells, safe CSV, SPARQL JSON."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox

from kg.query.results import QueryResult, convert

XSD = "http://www.w3.org/2001/XMLSchema#"


def lit(value: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)) if datatype else ox.Literal(value)


def test_values_are_str_int_or_none() -> None:
    rows = convert(["iri", "text", "n", "year", "flag", "none", "fr"], [(
        ox.NamedNode("https://x.example/a"), lit("hello"), lit("42", "integer"),
        lit("2024", "nonNegativeInteger"), lit("true", "boolean"), None, lit("été", language="fr"),
    )])
    assert rows == [{"iri": "https://x.example/a", "text": "hello", "n": 42, "year": 2024,
                     "flag": "true", "none": None, "fr": "été"}]


def test_list_cells_are_sorted_deduplicated_and_empty_values_dropped() -> None:
    rows = convert(["xs", "plain"], [
        (lit("trends; border; ; diaspora; border"), lit("b; a")),
        (lit("; "), lit("")),
        (lit("solo"), None),
    ], frozenset({"xs"}))
    assert [r["xs"] for r in rows] == ["border; diaspora; trends", None, "solo"]
    assert rows[0]["plain"] == "b; a"  # not a list column: as the store gave it


def test_csv_neutralises_formula_cells() -> None:
    result = QueryResult(["a", "n"], [{"a": v, "n": 1} for v in
                                      ("=1+1", "+221 33", "-2", "@SUM(A1)", "\tx", "ok", None)])
    rows = list(csv.reader(io.StringIO(result.to_csv())))
    assert rows[0] == ["a", "n"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+221 33", "'-2", "'@SUM(A1)", "'\tx", "ok", ""]
    assert all(r[1] == "1" for r in rows[1:])


def test_tsv_escapes_separators_and_line_breaks() -> None:
    result = QueryResult(["a"], [{"a": "x\ty\nz\\w"}])
    assert result.to_tsv() == "a\nx\\ty\\nz\\\\w\n"


def test_json_is_sparql_results_json() -> None:
    terms = [(ox.NamedNode("https://x.example/a"), lit("Nom", language="fr"), lit("3", "integer"),
              lit("b; a"), None)]
    result = QueryResult(["s", "name", "n", "xs", "u"],
                         convert(["s", "name", "n", "xs", "u"], terms, frozenset({"xs"})), terms)
    data = json.loads(result.to_json())
    assert data == {"head": {"vars": ["s", "name", "n", "xs", "u"]}, "results": {"bindings": [{
        "s": {"type": "uri", "value": "https://x.example/a"},
        "name": {"type": "literal", "value": "Nom", "xml:lang": "fr"},
        "n": {"type": "literal", "value": "3", "datatype": XSD + "integer"},
        "xs": {"type": "literal", "value": "a; b"},
    }]}}
    # pyoxigraph reads it back as SPARQL JSON.
    parsed = ox.parse_query_results(result.to_json().encode(), ox.QueryResultsFormat.JSON)
    assert [str(v) for v in parsed.variables] == ["?s", "?name", "?n", "?xs", "?u"]


def test_table_keeps_one_line_per_row() -> None:
    result = QueryResult(["a", "b"], [{"a": "x\ny", "b": "z" * 100}])
    lines = result.to_table(width=20).splitlines()
    assert len(lines) == 3 and lines[2].startswith("x y") and lines[2].endswith("…")
