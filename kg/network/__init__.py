"""Actor networks: graphs from named-query results, policy metrics, views and exports.

    build    rows -> networkx graphs (relations, sources, shared sources, stages, partners)
    metrics  degree, betweenness (brokers), communities, articulation points, bridges, ...
    layout   deterministic positions (no physics needed in the browser)
    render   self-contained interactive HTML, static SVG / PNG figure
    export   GraphML, GEXF, node-link JSON, CSV edge list
    load     the named queries that feed all of the above

The functions below are the API the guide generator and the web app use.
"""

from __future__ import annotations

from kg.store import Store

__all__ = ["country_figure", "figure_of", "findings_of", "key_findings", "summary"]


def country_figure(store: Store, iso3: str, lang: str = "en", fmt: str = "svg") -> bytes:
    """The country's actor-relations figure for the guide, as SVG or PNG bytes.

    Colour by actor type, size by betweenness, labels on the top actors, legend;
    the same graph gives the same bytes.
    """
    from kg.network import load

    return figure_of(load.country(store, iso3, lang), fmt)


def figure_of(net, fmt: str = "svg") -> bytes:
    """country_figure() of an already loaded kg.network.load.CountryNetwork."""
    from kg.network import render

    return render.figure(net.relation_graph, net.metrics, fmt=fmt, lang=net.lang)


def key_findings(store: Store, iso3: str, lang: str = "en") -> dict[str, object]:
    """The country's network findings as names, for the guide's text.

    Keys: country, actor_count, relation_count, communities (int, groups of 2+ actors),
    brokers (names, highest betweenness first, at most 5, only above 0),
    most_connected (names), articulation_points (names), bridges (list of [name, name]),
    isolates (names: no relation of any kind, no parent organisation, no sub-unit),
    within_organisation (names: a parent or sub-units, no declared relation outside that
    organisation), isolated_producers (names: produce data nobody else uses),
    meanings ({key: plain-language meaning in lang}).
    """
    from kg.network import load

    return findings_of(load.country(store, iso3, lang))


def findings_of(net) -> dict[str, object]:
    """key_findings() of an already loaded kg.network.load.CountryNetwork."""
    from kg.network import build, metrics

    g, s, lang = net.relation_graph, net.source_graph, net.lang
    f = metrics.findings(g, s, computed=net.metrics)

    def names(nodes: list[str], graph=g) -> list[str]:
        return [metrics.label(graph, n) for n in nodes]

    keys = ("brokers", "most_connected", "articulation_points", "bridges", "isolates",
            "within_organisation", "isolated_producers", "communities")
    return {
        "country": net.iso3,
        "actor_count": len(build.actor_nodes(g)),
        "relation_count": build.declared_edge_count(g),
        "communities": f["communities"],
        "brokers": names(f["brokers"]),
        "most_connected": names(f["most_connected"]),
        "articulation_points": names(f["articulation_points"]),
        "bridges": [[metrics.label(g, a), metrics.label(g, b)] for a, b in f["bridges"]],
        "isolates": names(f["isolates"]),
        "within_organisation": names(f["within_organisation"]),
        "isolated_producers": names(f["isolated_producers"], s),
        "meanings": {k: metrics.meaning(k, lang)[1] for k in keys},
    }


def summary(store: Store, iso3: str, lang: str = "en") -> list:
    """The country summary table (list of metrics.SummaryRow: key, label, value, meaning)."""
    from kg.network import load, metrics

    net = load.country(store, iso3, lang)
    return metrics.summary(net.relation_graph, net.source_graph, net.vocab, lang,
                           computed=net.metrics)
