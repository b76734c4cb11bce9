"""The named-query API on both backends: the catalogue, every named query as JSON and CSV with
the same answer as `migkg query`, reserved names, errors naming the parameter, limits, and the
OpenAPI document generated from the catalogue (a new .rq file adds its path)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest

from kg.config import Settings
from kg.service import Workspace
from tests.conftest import run_migkg
from tests.query.test_golden import cases, ordered
from tests.webapp.test_routes import RESTRICTED

QUERIES = list(Workspace(Settings()).catalogue())


@pytest.fixture(scope="module")
def restricted_iris(web_settings) -> set[str]:
    """The IRIs of the restricted contact points (the public view leaves them out)."""
    from kg.export import restricted_nodes
    from kg.store import open_store

    with open_store(web_settings) as store:
        return {node.value for node in restricted_nodes(list(store.quads()))}


def public_part(bindings: list[dict], hidden: set[str]) -> list[dict]:
    """The rows that do not name a restricted contact point."""
    return [b for b in bindings if not any(t["value"] in hidden for t in b.values())]


def sampled(q) -> set[str]:
    """Columns made with SAMPLE(): any one of the values, which may differ between stores."""
    return set(re.findall(r"SAMPLE\s*\([^)]*\)\s+AS\s+\?(\w+)", q.text, re.IGNORECASE))


def without(rows: list[dict], columns: set[str]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in columns} for r in rows]


def same_rows(got: list, want: list, in_order: bool) -> bool:
    if in_order:
        return got == want
    return sorted(json.dumps(r, sort_keys=True) for r in got) == \
        sorted(json.dumps(r, sort_keys=True) for r in want)


def test_catalogue_in_the_requested_language(client):
    en = client.get("/api/queries?lang=en")
    fr = client.get("/api/queries?lang=fr")
    assert en.status_code == fr.status_code == 200
    names = [q["name"] for q in en.json]
    assert names == [q.name for q in QUERIES]
    actors_en = next(q for q in en.json if q["name"] == "actors")
    actors_fr = next(q for q in fr.json if q["name"] == "actors")
    assert actors_en["title"] != actors_fr["title"] and isinstance(actors_fr["title"], str)
    assert {p["name"] for p in actors_en["parameters"]} >= {"country", "lang"}
    assert actors_en["columns"][0]["name"] == "actor"
    assert en.headers["Access-Control-Allow-Origin"] == "*"


def _records_from_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("q", QUERIES, ids=[q.name for q in QUERIES])
def test_every_named_query_answers_as_migkg_query_does(client, web_settings, restricted_iris, q):
    """JSON and CSV of the API equal `migkg query --format json|csv` on the same data (the
    embedded CLI store; the remote app holds the same graphs byte for byte), but for the
    rows about restricted contact points, which only the operator's CLI sees."""
    for case, params in cases(q).items():
        if params.get("include_restricted") == "true":
            continue  # the API answers from the public view
        args = [a for k, v in params.items() for a in ("-p", f"{k}={v}")]
        cli_json = run_migkg(web_settings, "query", q.name, *args, "--format", "json")
        assert cli_json.exit_code == 0, cli_json.output
        expected = json.loads(cli_json.stdout)
        response = client.get(f"/api/queries/{q.name}", query_string=params)
        assert response.status_code == 200, (case, response.data)
        body = response.json
        assert body["head"] == expected["head"], case
        assert len(body["records"]) == len(body["results"]["bindings"])
        loose = sampled(q)
        got = without(body["results"]["bindings"], loose)
        want = without(expected["results"]["bindings"], loose)
        if not same_rows(got, want, ordered(q)):
            assert same_rows(got, public_part(want, restricted_iris), ordered(q)), case
            continue
        if loose:
            continue
        cli_csv = run_migkg(web_settings, "query", q.name, *args, "--format", "csv")
        api_csv = client.get(f"/api/queries/{q.name}", query_string={**params, "format": "csv"})
        assert api_csv.mimetype == "text/csv"
        api_lines = api_csv.get_data(as_text=True).replace("\r\n", "\n").split("\n")
        cli_lines = cli_csv.stdout.replace("\r\n", "\n").split("\n")  # click's runner: text
        assert api_lines == cli_lines if ordered(q) else sorted(api_lines) == sorted(cli_lines)


def test_records_are_plain_objects_with_lists_as_arrays(client):
    body = client.get("/api/queries/actors?country=XAA").json
    columns = {c["name"]: c for c in next(q for q in client.get("/api/queries").json
                                          if q["name"] == "actors")["columns"]}
    record = next(r for r in body["records"] if r["domains"])
    for name, value in record.items():
        if columns[name]["list"]:
            assert isinstance(value, list) and value == sorted(value)
        else:
            assert value is None or isinstance(value, str | int)
    assert len(body["records"]) == len(body["results"]["bindings"])
    counts = client.get("/api/queries/country-summary").json["records"]
    assert all(isinstance(r["actor_count"], int) for r in counts)


def test_csv_by_accept_and_formula_cells_neutralised(client):
    response = client.get("/api/queries/find-by-name?name=onerror", headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _records_from_csv(response.get_data(as_text=True))
    assert rows
    hostile = client.get("/api/queries/find-by-name?name=%3Dcmd&format=csv")
    assert hostile.status_code == 200
    for row in _records_from_csv(hostile.get_data(as_text=True)):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@"))


def test_lang_is_reserved_and_checked(client):
    fr = client.get("/api/queries/actors?country=XAA&lang=fr").json
    en = client.get("/api/queries/actors?country=XAA&lang=en").json
    assert [r["type"] for r in fr["records"]] != [] and fr["records"] != en["records"]
    bad = client.get("/api/queries/actors?country=XAA&lang=de")
    assert bad.status_code == 400 and bad.json["errors"][0]["column"] == "lang"
    # A query without a lang parameter takes ?lang= for its messages only.
    assert client.get("/api/queries/ontology-terms?lang=fr").status_code == 200


@pytest.mark.parametrize("query, column, words", [
    ("country=XA", "country", "country code"),
    ("", "country", "required"),
    ("country=XAA&colour=red", "colour", "unknown"),
    ("country=XAA&format=xlsx", "format", "json, csv"),
    ("country=XAA&country=XAB", "country", "once"),
])
def test_bad_parameters_are_400_naming_the_parameter(client, query, column, words):
    response = client.get(f"/api/queries/actors?{query}")
    assert response.status_code == 400, response.data
    assert response.json["ok"] is False and response.json["status"] == 400
    columns = [e["column"] for e in response.json["errors"]]
    assert column in columns
    assert any(words in e["message"] for e in response.json["errors"]), response.json


def test_same_messages_as_the_cli(client, web_settings):
    cli = run_migkg(web_settings, "query", "stale-sources", "-p", "country=XAA", "-p", "years=500")
    api = client.get("/api/queries/stale-sources?country=XAA&years=500")
    assert cli.exit_code == 2 and api.status_code == 400
    assert api.json["errors"][0]["message"] in cli.stderr


def test_unknown_query_is_404_json(client):
    response = client.get("/api/queries/no-such-query")
    assert response.status_code == 404 and response.json["status"] == 404


def test_row_cap_in_the_api(limited_app):
    client = limited_app.test_client()
    response = client.get("/api/queries/ontology-terms")
    assert response.status_code == 200
    assert response.headers["X-Result-Truncated"] == "5"
    assert response.json["truncated"] == 5 and len(response.json["records"]) == 5
    csv_answer = client.get("/api/queries/ontology-terms?format=csv")
    assert csv_answer.headers["X-Result-Truncated"] == "5"
    assert len(_records_from_csv(csv_answer.get_data(as_text=True))) == 5


def test_no_restricted_contact_through_the_api(client):
    for name in ("actors", "guide-contacts", "actor-detail"):
        params = {"country": "XAA"} if name != "actor-detail" else {"country": "XAA", "actor": "bpd"}
        for extra in ({}, {"include_restricted": "true"}):
            response = client.get(f"/api/queries/{name}", query_string={**params, **extra})
            if response.status_code == 400:  # the query has no include_restricted parameter
                continue
            for secret in RESTRICTED:
                assert secret not in response.get_data(as_text=True), (name, extra)


# --- OpenAPI --------------------------------------------------------------------------------

def test_openapi_has_one_path_per_named_query(client):
    doc = client.get("/api/openapi.json").json
    assert doc["openapi"] == "3.1.0"
    assert set(doc["paths"]) == {"/api/queries"} | {f"/api/queries/{q.name}" for q in QUERIES}
    op = doc["paths"]["/api/queries/stale-sources"]["get"]
    params = {p.get("name"): p for p in op["parameters"]}
    assert params["country"]["required"] is True
    assert params["years"]["schema"]["type"] == "integer"
    assert params["years"]["schema"]["maximum"] == 200
    french = client.get("/api/openapi.json?lang=fr").json
    assert french["info"]["title"] != doc["info"]["title"]


def test_a_new_rq_file_adds_its_route_and_openapi_path(tmp_path, web_settings, monkeypatch):
    """Routes and paths come from the catalogue: copy a query under a new name."""
    from kg.query.catalogue import Catalogue
    from kg.resources import queries_dir
    from tests.endpoint.conftest import make_app

    folder = tmp_path / "queries"
    shutil.copytree(queries_dir(), folder)
    text = (folder / "actors" / "actors.rq").read_text(encoding="utf-8")
    (folder / "actors" / "actors-copy.rq").write_text(text, encoding="utf-8")
    extended = Catalogue.load(folder)
    monkeypatch.setattr(Workspace, "catalogue", lambda self: extended)
    client = make_app(web_settings).test_client()
    doc = client.get("/api/openapi.json").json
    assert "/api/queries/actors-copy" in doc["paths"]
    copy = client.get("/api/queries/actors-copy?country=XAA")
    assert copy.status_code == 200
    assert copy.json["results"] == client.get("/api/queries/actors?country=XAA").json["results"]
