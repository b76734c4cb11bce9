"""The domain filter of the actors and data-sources queries takes in sub-domains (issue 15:
every query that filters by domain follows skos:broader), on oxigraph and on Virtuoso 7.2."""

from __future__ import annotations

import csv

import pytest

from kg.service import Workspace, demo_paths

SUB = {"diaspora", "remittances", "labour_migration", "return_reintegration"}
KINDS = ["embedded", pytest.param("virtuoso", marks=[pytest.mark.remote, pytest.mark.virtuoso])]
# Virtuoso 7.2 drops some actors from `actors` whenever a domain filter is given, the 1.0
# filter of one triple pattern included (e.g. 4 of 20 actors of XAA for trends): a known
# failure, kept visible here.
ACTOR_KINDS = ["embedded", pytest.param("virtuoso", marks=[
    pytest.mark.remote, pytest.mark.virtuoso,
    pytest.mark.xfail(reason="Virtuoso 7.2 drops actors under a domain filter", strict=True)])]


def _expected(file: str, key: str) -> set[str]:
    folder = next(p for p in demo_paths() if p.name == "XAA")
    with (folder / file).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["id"] for r in rows
            if {d.strip() for d in r[key].split(";")} & (SUB | {"migration_development"})}


def _run(settings_for, kind: str, name: str, params: dict[str, str]) -> list[dict]:
    settings = settings_for(kind)
    if kind == "virtuoso":
        settings = settings.with_overrides(endpoint_dataset="named")
    with Workspace(settings) as ws:
        ws.write(ws.check([p for p in demo_paths() if p.name == "XAA"]), user="tests")
        return [ws.run_query(name, {"country": "XAA", **p}).rows for p in params]


BASE = "https://w3id.org/migkg/id/XAA/"


@pytest.mark.parametrize("kind", KINDS)
def test_sources_of_a_top_domain_include_its_sub_domains(settings_for, kind):
    top, sub = _run(settings_for, kind, "data-sources", [{"domain": "migration_development"},
                                                         {"domain": "remittances"}])
    assert {r["source"].removeprefix(BASE + "source/") for r in top} == _expected(
        "data_sources.csv", "domains")
    assert sub and all("remittances" in r["domains"] for r in sub)


@pytest.mark.parametrize("kind", ACTOR_KINDS)
def test_actors_of_a_top_domain_include_its_sub_domains(settings_for, kind):
    (top,) = _run(settings_for, kind, "actors", [{"domain": "migration_development"}])
    assert {r["actor"].removeprefix(BASE + "actor/") for r in top} == _expected(
        "actors.csv", "domains")
