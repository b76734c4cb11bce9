"""CLI details: --lang as the default of the lang parameter, output files, formats, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_cli_lang_is_the_default_label_language(migkg, demo_store, demo_settings) -> None:
    fr = migkg(demo_settings, "--lang", "fr", "query", "stage-coverage", "-p", "country=XAA",
             "--format", "json")
    en = migkg(demo_settings, "query", "stage-coverage", "-p", "country=XAA", "-p", "lang=en",
             "--format", "json")
    labels = [json.loads(r.stdout)["results"]["bindings"][0]["stage_label"]["value"] for r in (fr, en)]
    assert labels == ["Identification des besoins", "Needs identification"]


def test_output_file_and_tsv(migkg, demo_store, demo_settings, tmp_path: Path) -> None:
    out = tmp_path / "matrix.tsv"
    result = migkg(demo_settings, "query", "problem-solution-matrix", "-p", "country=XAB",
                 "--format", "tsv", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[:3] == ["challenge", "title", "category"] and len(lines) == 6


def test_queries_table_lists_every_query(migkg, demo_settings) -> None:
    result = migkg(demo_settings, "queries")
    assert result.exit_code == 0
    assert "actors" in result.stdout and "country*" in result.stdout and "lang=en" in result.stdout


@pytest.mark.parametrize(("args", "line"), [
    (("query", "actors", "-p", "country=XA1"),
     'actors::country: "XA1" is not a country code: 3 letters, e.g. XAA'),
    (("query", "actors", "-p", "country=XAA", "-p", "country=XAB"),
     "actors::country: given twice; give each parameter once"),
    (("query", "actors", "-p", "country"),
     '-p::: "country" is not KEY=VALUE: give parameters as -p country=XAA'),
    (("--lang", "fr", "query", "actors", "-p", "country=XAA", "-p", "domain=x"),
     'actors::domain: "x" n\'est pas un code de domain ; valeurs admises : trends, '
     "border_management, crisis_migration, migration_development, labour_migration, diaspora, "
     "asylum_protection, trafficking_smuggling, return_reintegration, remittances"),
])
def test_parameter_errors_are_one_line(migkg, demo_settings, args, line: str) -> None:
    result = migkg(demo_settings, *args)
    assert (result.exit_code, result.stdout, result.stderr.strip()) == (2, "", line)


def test_sparql_construct_as_turtle_and_ntriples(migkg, demo_store, demo_settings) -> None:
    text = ("PREFIX dcterms: <http://purl.org/dc/terms/>\n"
            "CONSTRUCT { ?c dcterms:identifier ?i } WHERE { ?c dcterms:identifier ?i }")
    turtle = migkg(demo_settings, "sparql", "-", stdin=text)
    assert turtle.exit_code == 0 and '"XAB"' in turtle.stdout
    nt = migkg(demo_settings, "sparql", "-", "--format", "ntriples", stdin=text)
    assert len(nt.stdout.strip().splitlines()) == 3
    bad = migkg(demo_settings, "sparql", "-", "--format", "csv", stdin=text)
    assert bad.exit_code == 2 and "does not apply to a CONSTRUCT query" in bad.stderr


def test_sparql_from_a_file_with_errors_located(migkg, demo_settings, tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT * WHERE {\n  ?s ?p ?o\n  SERVICE <http://127.0.0.1:9/> { }\n}\n",
                     encoding="utf-8")
    result = migkg(demo_settings, "sparql", str(query))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{query}:3:3: SERVICE is refused")
    latin1 = tmp_path / "latin1.rq"
    latin1.write_bytes("SELECT * WHERE { ?s ?p \"été\" }".encode("latin-1"))
    result = migkg(demo_settings, "sparql", str(latin1))
    assert (result.exit_code, result.stderr.strip()) == (2, f"{latin1}::: the query is not UTF-8 text")
    missing = migkg(demo_settings, "sparql", str(tmp_path / "nope.rq"))
    assert missing.exit_code == 2 and "cannot read the query" in missing.stderr


def test_sparql_json_ask(migkg, demo_store, demo_settings) -> None:
    result = migkg(demo_settings, "sparql", "-", "--format", "json", stdin="ASK { ?s ?p ?o }")
    assert json.loads(result.stdout) == {"head": {}, "boolean": True}
