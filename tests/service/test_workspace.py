"""The use-case layer (kg.service.Workspace): what every shell gets, on both backends."""

from __future__ import annotations

import json

import pytest

from kg.config import Limits, Settings
from kg.errors import (
    NotFound,
    ParameterError,
    QueryRefused,
    QueryTimeout,
    StoreError,
    TooLarge,
    ValidationError,
    error_body,
)
from kg.service import Workspace, serialize_rdf


@pytest.fixture(scope="module")
def ws(demo_store, demo_settings):
    with Workspace(demo_settings, store=demo_store) as workspace:
        yield workspace


@pytest.fixture(scope="module", params=["embedded", pytest.param("remote", marks=pytest.mark.remote)])
def any_ws(request, demo_store, demo_settings):
    store = demo_store if request.param == "embedded" else request.getfixturevalue(
        "remote_demo_store")
    with Workspace(demo_settings, store=store) as workspace:
        yield workspace


def test_catalogue_data_is_plain_json_with_choices(ws):
    data = ws.catalogue_data("fr")
    json.dumps(data)  # JSON-able
    actors = next(q for q in data if q["name"] == "actors")
    assert actors["title"] == ws.query("actors").title["fr"]
    domain = next(p for p in actors["parameters"] if p["name"] == "domain")
    assert "trends" in domain["choices"]
    both = next(q for q in ws.catalogue_data() if q["name"] == "actors")
    assert set(both["title"]) == {"en", "fr"}


def test_unknown_query_is_not_found(ws):
    with pytest.raises(NotFound) as caught:
        ws.query("no-such-query")
    assert caught.value.http_status == 404


def test_run_query_fills_lang_and_checks_params(any_ws):
    fr = any_ws.run_query("actors", {"country": "XAA"}, "fr")
    en = any_ws.run_query("actors", {"country": "XAA"})
    assert len(fr) == len(en) == 46 and fr.truncated is None
    assert fr.rows != en.rows  # labels in the language asked for
    with pytest.raises(ParameterError) as caught:
        any_ws.run_query("actors", {"country": "XA1", "colour": "red"})
    assert len(caught.value.problems) == 2 and caught.value.http_status == 400


def test_row_cap_cuts_and_says_so(demo_store, demo_settings):
    settings = demo_settings.with_overrides(limits=Limits(query_max_rows=5))
    with Workspace(settings, store=demo_store) as small:
        capped = small.run_query("actors", {"country": "XAA"})
        assert len(capped) == 5 and capped.truncated == 5
        assert len(capped.terms) == 5
        full = small.run_query("actors", {"country": "XAA"}, capped=False)
        assert len(full) == 46 and full.truncated is None
        answer = small.sparql("SELECT ?s WHERE { ?s ?p ?o }")
        assert len(answer.select) == 5 and answer.truncated == answer.select.truncated == 5


def test_sparql_guard_refuses_updates(ws):
    with pytest.raises(QueryRefused) as caught:
        ws.sparql("INSERT DATA { <http://a> <http://b> <http://c> }")
    assert caught.value.http_status == 400
    assert ws.sparql("ASK { ?s ?p ?o }").boolean is True


def test_countries_and_codes(any_ws):
    assert any_ws.country_codes() == ["XAA", "XAB", "XAC"]
    assert [r["country"] for r in any_ws.countries()] == ["XAA", "XAB", "XAC"]


@pytest.mark.parametrize("bad", ["XA1", "", "XAAA", "ÉAA"])
def test_iso3_checked_everywhere(ws, bad):
    for call in (lambda: ws.country(bad), lambda: ws.guide(bad, "en", "md"),
                 lambda: ws.network_summary(bad), lambda: ws.delete(bad),
                 lambda: ws.export("nt", iso3=bad)):
        with pytest.raises(ParameterError):
            call()


def test_unknown_country_is_404(ws):
    for call in (lambda: ws.guide("XZZ", "en", "md"), lambda: ws.network_summary("XZZ"),
                 lambda: ws.network("XZZ", "relations", "json"),
                 lambda: ws.export("nt", iso3="XZZ")):
        with pytest.raises(NotFound) as caught:
            call()
        assert caught.value.http_status == 404


def test_guide_and_network_share_one_read(ws, monkeypatch):
    texts: list[str] = []
    real = ws.store.select

    def counting(text):
        texts.append(text)
        return real(text)

    monkeypatch.setattr(ws.store, "select", counting)
    data, media = ws.guide("xaa", "fr", "docx")
    assert media.endswith("wordprocessingml.document") and data.startswith(b"PK")
    # every guide query once, every network query once (not once per figure and findings)
    assert len(texts) == len(set(texts)) >= 15


def test_network_outputs(ws):
    data, media = ws.network("XAA", "relations", "json")
    assert media == "application/json" and json.loads(data)["nodes"]
    svg, media = ws.network("XAA", "stages", "svg", lang="fr")
    assert media == "image/svg+xml" and svg.startswith(b"<?xml")
    partners, _ = ws.network(None, "partners", "csv")
    assert partners.startswith(b"source,")
    with pytest.raises(ParameterError):
        ws.network(None, "relations", "json")


def test_network_summary_is_plain_data(ws):
    summary = ws.network_summary("XAA", "fr")
    json.dumps(summary)
    assert summary["country"] == "XAA" and summary["lang"] == "fr"
    assert {r["key"] for r in summary["rows"]} >= {"actors", "brokers", "isolates"}
    assert all({"id", "label", "degree", "betweenness"} <= set(a) for a in summary["actors"])


def test_export_and_describe_hide_restricted_contacts(ws):
    public = ws.export("nt", iso3="XAA")
    full = ws.export("nt", iso3="XAA", include_restricted=True)
    assert len(full) > len(public)
    restricted = ws.run_query("guide-contacts", {"country": "XAA", "include_restricted": "true"},
                              capped=False)
    hidden = [r for r in restricted if r["visibility"] == "restricted"]
    assert hidden, "the demo data has restricted contact points"
    actor, contact = hidden[0]["actor"], hidden[0]["contact"]
    shown = {str(q.object.value) for q in ws.describe(actor)}
    assert contact not in shown
    assert contact in {str(q.object.value) for q in ws.describe(actor, include_restricted=True)}
    with pytest.raises(NotFound):
        ws.describe(contact)
    assert ws.describe(contact, include_restricted=True)
    with pytest.raises(NotFound):
        ws.describe("https://w3id.org/migkg/id/XAA/actor/nobody")
    with pytest.raises(ParameterError):
        ws.describe("not an iri")
    turtle, media = serialize_rdf(ws.describe(actor), "ttl")
    assert media.startswith("text/turtle") and b"@prefix" in turtle
    data, media = serialize_rdf(ws.describe(actor), "jsonld")
    assert media == "application/ld+json" and json.loads(data)


def test_check_then_write(tmp_path):
    from kg.resources import demo_countries_dir

    settings = Settings(store_dir=tmp_path / "store")
    with Workspace(settings) as fresh:
        checked = fresh.check([demo_countries_dir() / "XAB"])
        reports = fresh.write(checked, user="tests")
        assert [r.iso3 for r in reports] == ["XAB"] and reports[0].changed
        assert fresh.country_codes() == ["XAB"]
        fresh.delete("xab")
        assert fresh.country_codes() == []
        with pytest.raises(NotFound):
            fresh.delete("XAB")


def test_ping(ws, tmp_path):
    assert ws.ping()
    unreachable = Settings(endpoint="http://127.0.0.1:9/query")
    with Workspace(unreachable) as down:
        assert not down.ping()
        with pytest.raises(StoreError) as caught:
            down.country_codes()
        assert caught.value.exit_code == 3 and caught.value.http_status == 503


def test_error_statuses_and_body():
    from kg.errors import InputError, Location, Problem

    problem = Problem(Location("actors.csv", 4, "name"), "query.param.twice", {})
    assert problem.to_dict("fr") == {"file": "actors.csv", "row": 4, "column": "name",
                                     "key": "query.param.twice",
                                     "message": problem.message("fr")}
    statuses = {ParameterError: 400, QueryRefused: 400, InputError: 400, NotFound: 404,
                TooLarge: 413, ValidationError: 422, QueryTimeout: 504}
    for cls, status in statuses.items():
        exc = cls(problem)
        assert exc.http_status == status and exc.exit_code == 2
        assert error_body(exc, "en") == {"ok": False, "status": status,
                                         "errors": [problem.to_dict("en")]}
    body = error_body(StoreError("cannot reach http://x"), "en")
    assert body["status"] == 503 and body["errors"][0]["message"] == "cannot reach http://x"


def test_public_view_hides_restricted_contacts(ws):
    text = ("PREFIX mkg: <https://w3id.org/migkg/ontology#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "SELECT ?c WHERE { ?c mkg:visibility/skos:notation \"restricted\" }")
    assert len(ws.sparql(text).select) > 0
    public = ws.public()
    assert public is ws.public() and public.sparql(text).select.rows == []
    assert public.country_codes() == ws.country_codes()


def test_store_errors_are_translated_when_shown_and_exit_3(migkg, tmp_path):
    exc = StoreError(key="store.remote_unreachable", endpoint="http://x", reason="refused")
    assert str(exc) == exc.message("en") != exc.message("fr")
    assert error_body(exc, "fr")["errors"][0]["message"] == exc.message("fr")
    lines = {}
    for lang in ("en", "fr"):
        result = migkg(tmp_path, "--endpoint", "http://127.0.0.1:9/query", "--lang", lang,
                       "countries")
        assert result.exit_code == 3 and result.stdout == ""
        [lines[lang]] = result.stderr.splitlines()
        assert lines[lang].startswith("migkg: ") and "http://127.0.0.1:9/query" in lines[lang]
    assert lines["en"] != lines["fr"]


def test_country_data_is_kept_until_the_store_changes(tmp_path, monkeypatch):
    from kg.resources import demo_countries_dir

    with Workspace(Settings(store_dir=tmp_path / "store")) as fresh:
        fresh.write(fresh.check([demo_countries_dir() / "XAB"]), user="tests")
        texts: list[str] = []
        real = fresh.store.select
        monkeypatch.setattr(fresh.store, "select", lambda text: texts.append(text) or real(text))
        first = fresh.network_summary("XAB")
        reads = len(texts)
        assert reads and fresh.network_summary("xab") == first and len(texts) == reads
        fresh.guide("XAB", "en", "md")  # the network part comes from the same read
        assert texts[reads:] and not set(texts[reads:]) & set(texts[:reads])
        fresh.delete("XAB")
        with pytest.raises(NotFound):
            fresh.network_summary("XAB")
