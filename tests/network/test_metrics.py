"""Metrics on a small hand-built graph whose answers are known."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.network import build, metrics

from .conftest import A, actor_rows, concept_rows, link_rows, relation_rows

ROOT = Path(__file__).resolve().parents[2]


def ids(*locals_: str) -> list[str]:
    return [A + x for x in locals_]


def test_relation_graph_keeps_types_directions_and_parallel_edges(relations) -> None:
    assert relations.is_directed() and relations.is_multigraph()
    assert relations.number_of_nodes() == 8
    assert relations.number_of_edges() == 10
    assert set(relations[A + "a"][A + "b"]) == {"shares_data_with", "coordinates"}
    assert set(relations[A + "b"][A + "a"]) == {"reports_to"}
    edge = relations[A + "c"][A + "a"]["coordinates"]
    assert edge["references"] == "Annual report; Workshop minutes" and edge["weight"] == 1
    node = relations.nodes[A + "a"]
    assert node["type"] == "ministry" and node["type_label"] == "Ministry"
    assert node["domains"] == "border_management; trends" and node["country"] == "XZZ"


def test_rows_in_any_order_give_the_same_graph(vocab) -> None:
    one = build.relation_graph(actor_rows(), relation_rows(), vocab)
    two = build.relation_graph(actor_rows()[::-1], relation_rows()[::-1], vocab)
    assert list(one.nodes(data=True)) == list(two.nodes(data=True))
    assert list(one.edges(keys=True, data=True)) == list(two.edges(keys=True, data=True))


def test_structural_metrics_have_the_known_answers(relations) -> None:
    m = metrics.compute(relations)
    assert m.articulation_points == ids("c", "d", "f")
    assert m.bridges == [tuple(ids("c", "d")), tuple(ids("f", "g"))]
    assert m.isolates == ids("h")
    assert m.communities == [ids("d", "e", "f", "g"), ids("a", "b", "c"), ids("h")]
    assert m.community[A + "e"] == 0 and m.community[A + "a"] == 1 and m.community[A + "h"] == 2
    assert m.degree[A + "a"] == 2 and m.degree[A + "h"] == 0
    # a-b holds three relations (two one way, one back): weight 3.
    assert m.weighted_degree[A + "a"] == 4.0
    # Shortest paths through d: 3 x 3 of 21 pairs; through c: 2 x 4; through f: 5 x 1.
    assert m.betweenness[A + "d"] == pytest.approx(9 / 21)
    assert m.betweenness[A + "c"] == pytest.approx(8 / 21)
    assert m.betweenness[A + "f"] == pytest.approx(5 / 21)
    assert m.betweenness[A + "a"] == 0


def test_findings_name_brokers_and_isolated_producers(relations, sources) -> None:
    f = metrics.findings(relations, sources)
    assert f["brokers"] == ids("d", "c", "f")
    assert sorted(f["isolated_producers"]) == ids("b", "h")
    assert f["communities"] == 2
    assert f["isolates"] == ids("h")


def test_source_graph_and_projection(sources) -> None:
    assert sources.nodes[A + "d"]["bipartite"] == 0
    census = "https://w3id.org/migkg/id/XZZ/source/census"
    assert list(sources.successors(census)) == ids("a", "c")
    assert list(sources.predecessors(census)) == ids("d")
    shared = build.shared_source_graph(sources)
    assert shared.number_of_nodes() == 8
    assert sorted(tuple(sorted(e)) for e in shared.edges) == [
        tuple(ids("a", "c")), tuple(ids("a", "d")), tuple(ids("c", "d"))]
    assert shared[A + "a"][A + "d"]["weight"] == 1


def test_stage_graph_lists_every_stage_in_cycle_order(vocab) -> None:
    g = build.stage_graph(actor_rows(), vocab)
    stages = [n for n, k in g.nodes(data="kind") if k == "stage"]
    assert stages == [f"stage:{c}" for c in vocab.codes("policy-stage")]
    assert g.degree("stage:formulation") == 3 and g.degree("stage:needs_identification") == 0


def test_summary_counts_and_meanings(relations, sources, vocab) -> None:
    rows = {r.key: r for r in metrics.summary(relations, sources, vocab, "fr")}
    assert rows["actors"].value == 8 and rows["relations"].value == 10
    assert rows["components"].value == 2 and rows["communities"].value == 2
    assert rows["stage.formulation"].value == 3 and rows["stage.reformulation"].value == 0
    assert rows["stages_without_actors"].value == ["Needs Identification", "Reformulation"]
    assert rows["domain.trends"].value == 5
    assert rows["brokers"].label == "Intermédiaires"
    assert "intermédiarité" in rows["brokers"].meaning
    en = {r.key: r for r in metrics.summary(relations, sources, vocab, "en")}
    assert en["articulation_points"].value == ["Coordination Committee",
                                               "International Organisation",
                                               "National Statistics Office"]
    for row in en.values():
        assert row.meaning and not row.meaning.startswith("network."), row.key


def test_partners_merge_across_countries() -> None:
    rows = [
        {"partner": "https://x/id/XAA/actor/iom", "label": "Intl Org for Migration",
         "acronym": "IOM", "type": "international_organisation", "country": "XAA",
         "country_label": "Valdoria", "relation_count": 2},
        {"partner": "https://x/id/XAB/actor/iom-office", "label": "IOM office",
         "acronym": "iom", "type": "international_organisation", "country": "XAB",
         "country_label": "Brevia", "relation_count": 0},
        # Same name up to the comma (a country office), another acronym: the same partner.
        {"partner": "https://x/id/XAC/actor/oim", "label": "Intl Org for Migration, XAC Office",
         "acronym": "OIM", "type": "international_organisation", "country": "XAC",
         "country_label": "Lumeria", "relation_count": 1},
        {"partner": "https://x/id/XAB/actor/dp", "label": "Aid agency", "acronym": None,
         "type": "development_partner", "country": "XAB", "country_label": "Brevia",
         "relation_count": None},
    ]
    g = build.partners_graph(rows, build.Vocabulary.from_rows(concept_rows()))
    iom = "partner:intl org for migration"
    assert sorted(g.successors(iom)) == ["country:XAA", "country:XAB", "country:XAC"]
    assert g[iom]["country:XAA"]["weight"] == 3
    assert g.nodes[iom]["country"] == "XAA; XAB; XAC"
    assert g.nodes["country:XAB"]["label"] == "Brevia"
    assert g.number_of_nodes() == 5 and g.number_of_edges() == 4
    assert list(build.partners_graph(rows[::-1]).nodes) == list(g.nodes)  # rows are sorted


def test_union_graph_joins_countries_through_shared_partners(vocab) -> None:
    one = build.relation_graph(actor_rows(), relation_rows(), vocab, country="XZZ")
    rows = [dict(r, actor=r["actor"].replace("XZZ", "XZY")) for r in actor_rows()]
    rels = [dict(r, subject=r["subject"].replace("XZZ", "XZY"),
                 object=r["object"].replace("XZZ", "XZY")) for r in relation_rows()]
    two = build.relation_graph(rows, rels, vocab, country="XZY")
    u = build.union_graph([one, two])
    partner = "partner:international organisation"  # actor f, in both countries
    assert u.nodes[partner]["type"] == "international_organisation"
    assert set(u[partner]) >= {"country:XZZ", "country:XZY", A + "d"}
    assert u.number_of_nodes() == 8 + 8 - 1 + 2


def test_sampled_betweenness_is_seeded_and_finds_the_brokers() -> None:
    import networkx as nx

    g = nx.relaxed_caveman_graph(20, 10, 0.05, seed=3)  # 20 groups joined by a few links
    one = metrics.compute(g, betweenness_samples=50)
    two = metrics.compute(g, betweenness_samples=50)
    assert one.betweenness_samples == 50 and one.betweenness == two.betweenness
    exact = metrics.compute(g).betweenness
    top_exact = sorted(exact, key=exact.get, reverse=True)[:5]
    top_sampled = sorted(one.betweenness, key=one.betweenness.get, reverse=True)[:20]
    assert set(top_exact) <= set(top_sampled)


_PROBE = """
import json, hashlib, sys
sys.path.insert(0, {root!r})
from tests.network.conftest import actor_rows, relation_rows, concept_rows
from kg.network import build, metrics, render
vocab = build.Vocabulary.from_rows(concept_rows())
g = build.relation_graph(actor_rows(), relation_rows(), vocab, country="XZZ")
m = metrics.compute(g)
print(json.dumps({{"community": m.community,
                  "svg": hashlib.sha256(render.figure(g, m, fmt="svg")).hexdigest(),
                  "png": hashlib.sha256(render.figure(g, m, fmt="png")).hexdigest()}}))
"""


def test_same_communities_and_figure_in_fresh_processes_whatever_the_hash_seed() -> None:
    """String hashing changes between processes; ids and figures must not."""
    outputs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run([sys.executable, "-c", _PROBE.format(root=str(ROOT))],
                             capture_output=True, text=True, env=env, cwd=ROOT, check=True)
        outputs.append(json.loads(run.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0]["community"][A + "a"] == 1
    assert link_rows()  # the probe's rows come from the same conftest
