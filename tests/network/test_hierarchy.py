"""The hierarchy in the networks (issue 15, part 2), on a real-shaped country
(tests/factories/realshaped.py): a ministry with directorates and an agency, a university
with its research centre, one truly isolated office."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest

from kg.config import Settings
from kg.network import export, findings_of, load, metrics, render
from kg.pipeline import import_paths
from kg.query import run
from kg.query.catalogue import named_query
from kg.store import Store, open_store
from tests.factories import realshaped

BASE = "https://w3id.org/migkg/id/XGH/actor/"


@pytest.fixture(scope="module")
def xgh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    root = tmp_path_factory.mktemp("xgh-network")
    settings = Settings(store_dir=root / "store")
    store = open_store(settings)
    import_paths(store, [realshaped.write(root / "XGH")], settings, user="tests")
    yield store
    store.close()


@pytest.fixture(scope="module")
def net(xgh):
    return load.country(xgh, "XGH", "en")


def ids(nodes) -> set[str]:
    return {n.removeprefix(BASE) for n in nodes}


def test_parent_links_are_their_own_edge_kind(net) -> None:
    g = net.relation_graph
    part_of = {(a.removeprefix(BASE), b.removeprefix(BASE))
               for a, b, r in g.edges(data="relation") if r == "part_of"}
    assert part_of == {("dir-refugees", "moi"), ("dir-returns", "moi"), ("gis", "moi"),
                       ("centre", "univ")}
    f = findings_of(net)
    assert f["relation_count"] == 4  # the declared relations only


def test_an_actor_with_a_parent_or_units_is_not_isolated(net) -> None:
    m = net.metrics
    assert ids(m.isolates) == {"dpo"}
    assert ids(m.within_organisation) == {"dir-refugees", "dir-returns", "univ", "centre"}
    f = findings_of(net)
    assert f["isolates"] == ["Disaster Preparedness Office"]
    assert f["within_organisation"] == ["Centre for Migration Studies",
                                        "Directorate of Refugee Affairs",
                                        "Directorate of Returns", "University of the Coast"]


def test_cut_points_count_the_hierarchy_where_it_matters(net) -> None:
    # gis and its ministry are the NGO's only way to the rest; the ministry is not a cut
    # point merely for holding its two directorates.
    m = net.metrics
    assert ids(m.articulation_points) == {"moi", "gis", "nso", "bank"}
    bridges = {tuple(sorted(ids(e))) for e in m.bridges}
    assert ("gis", "ngo") in bridges and all("dir-refugees" not in b for b in bridges)


def test_the_summary_says_no_relation_outside_the_parent_organisation(net) -> None:
    rows = {r.key: r for r in metrics.summary(net.relation_graph, net.source_graph, net.vocab,
                                              "en", computed=net.metrics)}
    assert rows["isolates"].value == ["Disaster Preparedness Office"]
    within = rows["within_organisation"]
    assert within.label == "No declared relation outside their parent organisation"
    assert "Directorate of Returns" in within.value
    assert "no declared relation outside its parent organisation" in within.meaning
    assert rows["relations"].value == 4 and rows["components"].value == 3
    fr = {r.key: r for r in metrics.summary(net.relation_graph, net.source_graph, net.vocab,
                                            "fr", computed=net.metrics)}
    assert "organisation de rattachement" in fr["within_organisation"].label


def test_hierarchy_edges_are_drawn_filterable_and_exported(net) -> None:
    g, m = net.relation_graph, net.metrics
    payload = render.payload(g, m, lang="en", vocab=net.vocab)
    assert ["part_of", "Is part of"] in payload["filters"]["relation"]
    drawn = [e for e in payload["edges"] if e["relation"] == "part_of"]
    assert len(drawn) == 4 and all(e["dashes"] for e in drawn)
    rows = list(csv.DictReader(io.StringIO(export.export(g, "csv", m).decode())))
    assert sum(1 for r in rows if r["relation"] == "part_of") == 4
    data = json.loads(export.export(g, "json", m))
    assert sum(1 for e in data["edges"] if e["relation"] == "part_of") == 4
    assert b"part_of" in export.export(g, "graphml", m)
    assert b"part_of" in export.export(g, "gexf", m)


def test_isolated_producers_follow_the_same_definition(xgh) -> None:
    # centre and dir-refugees produce sources nobody else uses and share with nobody, but
    # they are units of an organisation: not isolated.
    rows = run(xgh, named_query("isolated-producers"), {"country": "XGH"}).rows
    assert rows == []
