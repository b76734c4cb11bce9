"""The network from the demo countries in a real store, through the named queries, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

import kg.network as network
from kg.network import load


def test_key_findings_for_the_guide(demo_store) -> None:
    f = network.key_findings(demo_store, "XAA", "en")
    assert f["country"] == "XAA" and f["actor_count"] >= 40
    assert f["brokers"][0] == "National Migration Coordination Committee"
    assert "National Migration Coordination Committee" in f["articulation_points"]
    assert "Delta Environmental Research Institute" in f["isolates"]
    assert "TelVal Mobile" in f["isolated_producers"]
    assert all(len(pair) == 2 for pair in f["bridges"]) and f["communities"] >= 2
    assert set(f["meanings"]) >= {"brokers", "bridges", "isolates"}
    fr = network.key_findings(demo_store, "XAA", "fr")
    assert fr["brokers"][0] == "Comité national de coordination des migrations"


def test_country_figure_is_stable(demo_store) -> None:
    svg = network.country_figure(demo_store, "XAA", "fr", fmt="svg")
    assert svg.startswith(b"<?xml") and svg == network.country_figure(demo_store, "XAA", "fr")
    assert network.country_figure(demo_store, "XAC", "en", fmt="png").startswith(b"\x89PNG")


def test_every_kind_builds_from_the_store(demo_store) -> None:
    for kind in ("relations", "sources", "shared-sources", "stages"):
        g = load.graph(demo_store, kind, "XAB", "fr")
        assert g.number_of_nodes() > 0, kind
    partners = load.graph(demo_store, "partners", None, "en")
    countries = {n for n, k in partners.nodes(data="kind") if k == "country"}
    assert countries >= {"country:XAA", "country:XAB"}
    # The same organisation's country offices (IOHM in XAA, OIMH in XAB) are one partner.
    assert any(set(partners.successors(n)) >= {"country:XAA", "country:XAB"} for n in partners)


def test_no_restricted_contact_in_any_output(demo_store) -> None:
    from kg.network import export, render

    g = load.graph(demo_store, "relations", "XAA", "en")
    blobs = [render.html(g)] + [export.export(g, f).decode() for f in export.FORMATS]
    for blob in blobs:
        assert "ops@bapd.police.valdoria.example" not in blob
        assert "+999 20 410 2500" not in blob and "mailto:" not in blob


def test_unknown_country_and_bad_code_are_user_errors(demo_store) -> None:
    from kg.errors import NotFound, ParameterError

    with pytest.raises(NotFound):
        network.key_findings(demo_store, "XZZ", "en")
    with pytest.raises(ParameterError):
        load.graph(demo_store, "relations", "X1", "en")
    with pytest.raises(ParameterError):
        load.graph(demo_store, "relations", None, "en")


@pytest.fixture(scope="module")
def cli(demo_store, migkg):
    return lambda *args: migkg(demo_store, *args)


def test_cli_writes_every_format(cli, tmp_path: Path) -> None:
    for fmt in ("html", "graphml", "gexf", "json", "csv", "svg", "png"):
        out = tmp_path / f"xaa.{fmt}"
        result = cli("network", "XAA", "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    g = nx.read_graphml(tmp_path / "xaa.graphml")
    assert g.number_of_nodes() >= 40
    result = cli("network", "--kind", "partners", "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    assert any(n["kind"] == "country" for n in json.loads(result.stdout)["nodes"])


def test_cli_summary(cli) -> None:
    result = cli("network-summary", "XAA", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {r["key"]: r for r in data["rows"]}
    assert rows["actors"]["value"] >= 40 and rows["brokers"]["meaning"]
    result = cli("network-summary", "XAA", "--format", "csv", "--lang", "fr")
    assert result.exit_code == 0 and result.stdout.startswith("clé,mesure,valeur,sens")
    result = cli("network-summary", "XAA")
    assert "Brokers" in result.stdout and "betweenness" in result.stdout


def test_cli_errors_exit_2_without_traceback(cli) -> None:
    for args in (["network", "XZZ", "--format", "csv"], ["network", "--format", "csv"],
                 ["network", "12", "--format", "csv"], ["network-summary", "XZZ"]):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert result.output.startswith("ISO3::"), result.output
    result = cli("network", "XAA", "--format", "csv", "-o", "/nonexistent/dir/x.csv")
    assert result.exit_code == 2 and result.output.startswith("/nonexistent/dir/x.csv::")


@pytest.mark.remote
def test_remote_store_gives_the_same_network(demo_store, remote_demo_store) -> None:
    assert network.key_findings(remote_demo_store, "XAA", "fr") == \
        network.key_findings(demo_store, "XAA", "fr")
    assert network.country_figure(remote_demo_store, "XAB", "en") == \
        network.country_figure(demo_store, "XAB", "en")
