"""The public view (what /sparql queries) is the store minus restricted contact points, on
both backends, and follows writes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.export import public_quads, restricted_nodes
from kg.store.public import PublicView

VISIBILITY = "https://w3id.org/migkg/ontology#visibility"
RESTRICTED = "https://w3id.org/migkg/vocab/contact-visibility/restricted"
COUNT_RESTRICTED = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?cp <{VISIBILITY}> <{RESTRICTED}> }}"


@pytest.fixture(params=["embedded", pytest.param("remote", marks=pytest.mark.remote)])
def demo(request, demo_store):
    return demo_store if request.param == "embedded" else request.getfixturevalue("remote_demo_store")


def test_public_view_is_the_public_export(demo):
    quads = list(demo.quads())
    hidden = restricted_nodes(quads)
    assert hidden, "the demo data has restricted contact points"
    view = PublicView(demo)
    assert int(demo.select(COUNT_RESTRICTED).rows[0][0].value) == len(hidden)
    assert int(view.select(COUNT_RESTRICTED).rows[0][0].value) == 0
    # Nothing about or pointing to a restricted node, by any path, in any graph.
    for node in hidden:
        assert not view.ask(f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}")
        assert not view.ask(f"ASK {{ GRAPH ?g {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }} }}")
    expected = {q for q in public_quads(quads)}
    assert {ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
            for g in view.graphs() for t in view.graph_triples(g)} == expected


def test_public_view_follows_writes(store):
    graph = "https://w3id.org/migkg/graph/QZZ"
    cp, kind = ox.NamedNode("https://w3id.org/migkg/id/QZZ/contact/a"), ox.NamedNode(VISIBILITY)
    fn = ox.NamedNode("http://www.w3.org/2006/vcard/ns#fn")
    store.replace_graph(graph, [ox.Triple(cp, fn, ox.Literal("Secret Person")),
                                ox.Triple(cp, kind, ox.NamedNode(RESTRICTED))])
    view = PublicView(store)
    assert view.graphs() == [] and not view.ask("ASK { ?s ?p ?o }")
    store.replace_graph(graph, [ox.Triple(cp, fn, ox.Literal("Public Person"))])
    view._checked = float("-inf")  # the remote backend trusts its fingerprint for 2 s
    assert [r[0].value for r in view.select("SELECT ?n WHERE { ?s ?p ?n }").rows] == ["Public Person"]
    with pytest.raises(Exception, match="read-only"):
        view.replace_graph(graph, [])
    with pytest.raises(Exception, match="read-only"):
        view.replace_all({})
