"""Graph exports: GraphML, GEXF (opens in Gephi), node-link JSON and a CSV edge list.

Exports carry the graph's own attributes plus each node's metrics (degree,
weighted degree, betweenness, community). GEXF also gets Gephi's viz data
(colour by type, precomputed position, size by the chosen metric).
Exports hold only what the graph builders put in: names, codes, notes and
references, never contact details.
"""

from __future__ import annotations

import copy
import csv
import io
import json

import networkx as nx

from kg import __version__
from kg.network.layout import layout
from kg.network.metrics import DEFAULT_SEED, Metrics, compute
from kg.query.results import safe_cell

FORMATS = ("graphml", "gexf", "json", "csv")


def annotate(g: nx.Graph, metrics: Metrics) -> nx.Graph:
    """A copy of g whose nodes also carry their metrics."""
    out = g.copy()
    for node, data in out.nodes(data=True):
        data["degree"] = int(metrics.degree.get(node, 0))
        data["weighted_degree"] = float(metrics.weighted_degree.get(node, 0.0))
        data["betweenness"] = float(metrics.betweenness.get(node, 0.0))
        data["community"] = int(metrics.community.get(node, -1))
    return out


def graphml(g: nx.Graph) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return buf.getvalue()


def gexf(g: nx.Graph, metrics: Metrics, *, metric: str = "betweenness",
         seed: int = DEFAULT_SEED) -> bytes:
    from kg.network.render import TYPE_COLOURS, UNKNOWN_COLOUR

    out = copy.deepcopy(g)
    pos = layout(g, seed=seed, groups=metrics.communities)
    values = getattr(metrics, metric, metrics.betweenness)
    vmax = max(values.values(), default=0) or 1
    for node, data in out.nodes(data=True):
        code = data.get("type") if data.get("kind") == "actor" else data.get("kind")
        colour = TYPE_COLOURS.get(str(code), UNKNOWN_COLOUR).lstrip("#")
        x, y = pos.get(node, (0.0, 0.0))
        data["viz"] = {
            "color": {"r": int(colour[0:2], 16), "g": int(colour[2:4], 16),
                      "b": int(colour[4:6], 16), "a": 1.0},
            "position": {"x": round(x * 1000, 3), "y": round(y * 1000, 3), "z": 0.0},
            "size": round(5 + 25 * float(values.get(node, 0)) / vmax, 3),
        }
    # networkx's own writer, then two fixes for the official GEXF 1.2 schema and for
    # reproducibility: its <meta> carries today's date (two runs would differ) and its
    # <graph> a `name` attribute the schema does not allow.
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(out)
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
        creator = meta.find("creator")
        if creator is not None:
            creator.text = f"migkg {__version__}"
    graph = writer.xml.find("graph")
    if graph is not None:
        graph.attrib.pop("name", None)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def node_link_json(g: nx.Graph) -> bytes:
    data = nx.node_link_data(g, edges="edges")
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


CSV_COLUMNS = ("source", "source_label", "target", "target_label", "relation", "weight",
               "note", "references", "sources")


def csv_edges(g: nx.Graph) -> bytes:
    """One row per edge (multi-edges kept), every cell neutralised against formulas."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for a, b, data in g.edges(data=True):
        row = (a, g.nodes[a].get("label", ""), b, g.nodes[b].get("label", ""),
               data.get("relation", ""), data.get("weight", 1), data.get("note", ""),
               data.get("references", ""), data.get("sources", ""))
        writer.writerow([safe_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def export(g: nx.Graph, fmt: str, metrics: Metrics | None = None, *,
           metric: str = "betweenness", seed: int = DEFAULT_SEED) -> bytes:
    """g (with its metrics as node attributes) in one of FORMATS."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown network export format {fmt!r}; one of {FORMATS}")
    metrics = metrics or compute(g, seed=seed)
    if fmt == "csv":
        return csv_edges(g)
    annotated = annotate(g, metrics)
    if fmt == "graphml":
        return graphml(annotated)
    if fmt == "gexf":
        return gexf(annotated, metrics, metric=metric, seed=seed)
    return node_link_json(annotated)
