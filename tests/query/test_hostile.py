"""Hostile parameter values are refused by type or matched literally; they never change a
query's structure. Restricted contacts never come out."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from kg.errors import ParameterError
from kg.names import key
from kg.namespaces import DataIRIs
from kg.query import catalogue, run
from tests.query.conftest import HOSTILE_LABELS, tiny_graphs

IRIS = DataIRIs()
ATTACKS = ['"} UNION { ?s ?p ?o } #', "XAA\" } UNION { ?s ?p ?o", "> <http://evil.example/> .",
           "XAA\nSERVICE <http://127.0.0.1:9/> {}", "x" * 10_000, "' OR '1'='1", "\\u0022",
           "XA\u0410", "\ufeffXAA"]


@pytest.mark.parametrize("key", sorted(HOSTILE_LABELS))
def test_a_hostile_name_finds_exactly_its_entity(tiny_store, key: str) -> None:
    label = HOSTILE_LABELS[key]
    result = run(tiny_store, "find-by-name", {"name": label, "country": "XTT"})
    # First, whole; others may contain its words ("http evil example x" is in the formula's).
    assert (result.rows[0]["entity"], result.rows[0]["name"], result.rows[0]["match"]) == (
        IRIS.entity("XTT", "actor", f"hostile-{key}"), label, "exact")
    assert all(r["match"] != "exact" for r in result.rows[1:])


@pytest.mark.parametrize("attack", ATTACKS)
def test_typed_parameters_refuse_attacks(attack: str) -> None:
    q = catalogue().get("actor-detail")
    for params in ({"country": attack, "actor": "min"}, {"country": "XTT", "actor": attack},
                   {"country": "XTT", "actor": "min", "lang": attack}):
        with pytest.raises(ParameterError):
            q.terms(params)
    checks = [("actors", {"country": "XTT", "domain": attack}),
              ("stale-sources", {"country": "XTT", "year": attack})]
    if any(c in attack for c in ' <>"{}|\\^`\n') or len(attack) > 2000:
        # Other characters (letters of any script) are fine in an IRI.
        checks.append(("provenance", {"entity": "https://x.example/" + attack}))
    for name, params in checks:
        with pytest.raises(ParameterError):
            catalogue().get(name).terms(params)


@pytest.mark.parametrize("attack", ATTACKS[:-3])
def test_text_attacks_are_literal_values_in_an_unchanged_query(tiny_store, attack: str) -> None:
    q = catalogue().get("find-by-name")
    if len(attack) > 500:
        with pytest.raises(ParameterError, match="at most 500"):
            q.terms({"name": attack})
        return
    text = q.bind({"name": attack, "country": "XTT"})
    # The only change to the query is one VALUES block of N-Triples terms, on one line, at each
    # place the parameters are bound (the sub-SELECT has its own); a name is bound in its
    # searchable form (kg.names.key), still one literal.
    terms = {"name": str(ox.Literal(key(attack))), "country": '"XTT"', "lang": '"en"'}
    expected, last = "", 0
    for at, names in q.inserts:
        block = (f" VALUES ({' '.join('?_p_' + n for n in names)}) "
                 f"{{ ({' '.join(terms[n] for n in names)}) }}")
        assert "\n" not in block
        expected += q.prepared[last:at] + block
        last = at
    assert text == expected + q.prepared[last:]
    assert len(text.splitlines()) == len(q.text.splitlines())
    found = {r["name"] for r in run(tiny_store, q, {"name": attack, "country": "XTT"}).rows}
    assert found == {label for label in HOSTILE_LABELS.values() if key(attack) in key(label)}


def test_ten_thousand_characters_are_refused_with_the_limit() -> None:
    with pytest.raises(ParameterError) as exc:
        catalogue().get("find-by-name").terms({"name": "é" * 10_000})
    assert exc.value.lines("en") == [
        "find-by-name::name: text of 10000 characters; at most 500 are accepted"]


def test_restricted_contacts_never_come_out(tiny_store) -> None:
    secret = IRIS.entity("XTT", "actor", "secret")
    for name, params in (("actors", {"country": "XTT"}),
                         ("actor-detail", {"country": "XTT", "actor": "secret"}),
                         ("actors-by-domain", {"country": "XTT"}),
                         ("working-group", {"country": "XTT"})):
        result = run(tiny_store, name, params)
        dumped = json.dumps(result.rows) + result.to_json() + result.to_csv()
        assert "Smith" not in dumped and "secret.example" not in dumped and "+999 1" not in dumped
        for row in result.rows:
            if row.get("actor") == secret:
                assert row.get("email") is None and row.get("phone") is None
    public = run(tiny_store, "actors", {"country": "XTT"}).rows
    ministry = next(r for r in public if r["actor"] == IRIS.entity("XTT", "actor", "min"))
    assert (ministry["contact_person"], ministry["email"]) == ("Public desk", "desk@min.example")


def test_exports_neutralise_formulas_and_keep_text(tiny_store) -> None:
    result = run(tiny_store, "actors", {"country": "XTT"})
    rows = list(csv.reader(io.StringIO(result.to_csv())))
    names = {r[1] for r in rows[1:]}
    assert "'" + HOSTILE_LABELS["formula"] in names
    assert HOSTILE_LABELS["newline"] in names and HOSTILE_LABELS["union"] in names
    tsv = result.to_tsv().splitlines()
    assert len(tsv) == len(result.rows) + 1  # the newline inside a name is escaped
    assert "Line one\\nLine two" in result.to_tsv()
    parsed = json.loads(result.to_json())
    assert {b["name"]["value"] for b in parsed["results"]["bindings"]} >= set(
        HOSTILE_LABELS.values()) - {HOSTILE_LABELS["formula"]} | {HOSTILE_LABELS["formula"]}


def test_same_answers_on_every_backend(store) -> None:
    for graph, triples in tiny_graphs().items():
        store.replace_graph(graph, triples)
    for name, label in HOSTILE_LABELS.items():
        rows = run(store, "find-by-name", {"name": label}).rows
        assert [r["entity"] for r in rows if r["match"] == "exact"] == [
            IRIS.entity("XTT", "actor", f"hostile-{name}")]
    actors = run(store, "actors", {"country": "XTT", "lang": "fr"}).rows
    assert {r["name"] for r in actors} >= {"Agence secrète", "Ministry of Tests"}
