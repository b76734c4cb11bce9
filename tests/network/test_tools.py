"""Network exports open in the tools people use: GEXF valid against the official GEXF 1.2
schema (vendored in gexf-1.2draft/), GraphML read by networkx and by igraph."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import igraph
import networkx as nx
import pytest
from lxml import etree

from kg.network import export, load, metrics

XSD_DIR = Path(__file__).parent / "gexf-1.2draft"
VIZ = "http://www.gexf.net/1.2draft/viz"
KINDS = ("relations", "sources", "shared-sources", "stages")
CHECKSUMS = dict(reversed(line.split()) for line in re.findall(
    r"^[0-9a-f]{64}  \S+\.xsd$", (XSD_DIR / "README.md").read_text("utf-8"), re.M))


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    assert len(CHECKSUMS) == 6
    for name, digest in CHECKSUMS.items():  # the vendored copy is the official one, unchanged
        assert hashlib.sha256((XSD_DIR / name).read_bytes()).hexdigest() == digest, name
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(XSD_DIR / "gexf.xsd"), parser))


@pytest.fixture(scope="module")
def graphs(demo_store) -> dict[str, nx.Graph]:
    found = {kind: load.graph(demo_store, kind, "XAA", "fr") for kind in KINDS}
    found["partners"] = load.graph(demo_store, "partners", None, "en")
    return found


def without_viz(data: bytes) -> etree._ElementTree:
    doc = etree.parse(io.BytesIO(data), etree.XMLParser(no_network=True, resolve_entities=False))
    for element in list(doc.iter(f"{{{VIZ}}}*")):
        element.getparent().remove(element)
    return doc


@pytest.mark.parametrize("kind", [*KINDS, "partners"])
def test_gexf_is_valid_against_the_official_schema(schema, graphs, kind: str) -> None:
    g = graphs[kind]
    data = export.export(g, "gexf", metrics.compute(g))
    assert data.count(b"<viz:color") == g.number_of_nodes()  # kept: Gephi reads them
    assert data.count(b"<viz:position") == g.number_of_nodes()
    doc = without_viz(data)
    assert schema.validate(doc), schema.error_log.last_error


def test_gexf_carries_no_date_and_is_the_same_twice(graphs) -> None:
    g = graphs["relations"]
    first = export.export(g, "gexf")
    assert first == export.export(g, "gexf")
    assert dt.date.today().isoformat().encode() not in first
    assert b"lastmodifieddate" not in first
    assert b"<creator>migkg " in first
    back = nx.read_gexf(io.BytesIO(first))
    assert back.number_of_nodes() == g.number_of_nodes()


@pytest.mark.parametrize("kind", [*KINDS, "partners"])
def test_graphml_opens_in_networkx_and_igraph(graphs, tmp_path, kind: str) -> None:
    g = graphs[kind]
    path = tmp_path / f"{kind}.graphml"
    path.write_bytes(export.export(g, "graphml"))
    back = nx.read_graphml(path, force_multigraph=g.is_multigraph())
    assert back.number_of_nodes() == g.number_of_nodes()
    assert back.number_of_edges() == g.number_of_edges()
    ig = igraph.Graph.Read_GraphML(str(path))
    assert ig.vcount() == g.number_of_nodes() and ig.ecount() == g.number_of_edges()
    assert ig.is_directed() == g.is_directed()
    assert sorted(ig.vs["id"]) == sorted(str(n) for n in g.nodes)
    assert {"label", "betweenness", "community"} <= set(ig.vs.attributes())
