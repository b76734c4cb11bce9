"""Exports parse back to the same graph; CSV cells cannot start a formula."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest

from kg.network import build, export, metrics

from .conftest import IMG, SCRIPT


def edge_set(g: nx.Graph) -> set[tuple[str, str, str]]:
    return {(str(a), str(b), str(d.get("relation"))) for a, b, d in g.edges(data=True)}


def test_graphml_parses_back_to_the_same_nodes_and_edges(relations) -> None:
    data = export.export(relations, "graphml")
    back = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    assert back.is_directed()
    assert list(back.nodes) == list(relations.nodes)
    assert back.number_of_edges() == relations.number_of_edges() == 10
    assert edge_set(back) == edge_set(relations)
    node = back.nodes[next(n for n in back if n.endswith("/a"))]
    assert node["label"] == IMG and node["type"] == "ministry"
    assert node["community"] == 1 and node["degree"] == 2


def test_gexf_parses_back_to_the_same_nodes_and_edges(relations) -> None:
    data = export.export(relations, "gexf")
    back = nx.read_gexf(io.BytesIO(data))
    assert sorted(back.nodes) == sorted(relations.nodes)
    assert back.number_of_edges() == relations.number_of_edges()
    assert edge_set(back) == edge_set(relations)
    labels = {d["label"] for _n, d in back.nodes(data=True)}
    assert IMG in labels and SCRIPT in labels
    assert b"<viz:color" in data and b"<viz:position" in data


@pytest.mark.parametrize("kind", ["sources", "stages", "shared"])
def test_every_graph_kind_round_trips(kind, sources, vocab) -> None:
    from .conftest import actor_rows

    g = {"sources": sources, "stages": build.stage_graph(actor_rows(), vocab),
         "shared": build.shared_source_graph(sources)}[kind]
    for fmt in ("graphml", "gexf"):
        data = export.export(g, fmt)
        back = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(io.BytesIO(data))
        assert sorted(back.nodes) == sorted(g.nodes)
        assert {tuple(sorted(e[:2])) for e in edge_set(back)} == \
            {tuple(sorted(e[:2])) for e in edge_set(g)}


def test_node_link_json(relations) -> None:
    data = json.loads(export.export(relations, "json"))
    assert data["directed"] and data["multigraph"]
    assert len(data["nodes"]) == 8 and len(data["edges"]) == 10
    back = nx.node_link_graph(data, edges="edges")
    assert edge_set(back) == edge_set(relations)


def test_csv_edge_list_neutralises_formulas(relations) -> None:
    text = export.export(relations, "csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 10
    assert list(rows[0]) == list(export.CSV_COLUMNS)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    notes = {r["note"] for r in rows}
    assert "'+221 33 000 00 00" in notes and "'-1" in notes
    assert "'=HYPERLINK(\"http://evil.example\")" in {r["target_label"] for r in rows}


def test_exports_are_stable(relations) -> None:
    m = metrics.compute(relations)
    for fmt in export.FORMATS:
        assert export.export(relations, fmt, m) == export.export(relations, fmt, m), fmt


def test_no_contact_detail_can_reach_an_export(relations) -> None:
    """Builders keep a fixed set of attributes: extra row columns are dropped."""
    from .conftest import actor_rows, relation_rows

    rows = [dict(r, email="secret@example.org", phone="+999 1") for r in actor_rows()]
    g = build.relation_graph(rows, relation_rows())
    for fmt in export.FORMATS:
        assert b"secret@example.org" not in export.export(g, fmt)
