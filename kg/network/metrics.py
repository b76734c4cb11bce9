"""Network metrics that answer policy questions, each with a plain-language meaning.

All structural metrics (betweenness, communities, articulation points, bridges,
isolates) are computed on the undirected, weighted, simple view of a graph: a
data flow can be cut whichever way a declared relation points. Results are
deterministic: same graph, same numbers, same community ids.

The hierarchy (part_of edges, kg.network.build.PART_OF) is not a declared relation: degree,
betweenness and communities count declared relations only. It does count where belonging
to an organisation changes the answer: an actor with a parent or sub-units is not isolated
(`isolates`: no link of any kind; `within_organisation`: no declared relation outside its
own organisation), separate groups are counted with it, and a cut point or a bridge is
one only in the network with the hierarchy, and only where it matters: an actor whose loss
would cut off nothing but units of its own organisation is not reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from kg import i18n
from kg.network.build import (
    ACTOR,
    PART_OF,
    SOURCE,
    Vocabulary,
    declared_edge_count,
    producers_and_users,
    split,
)

DEFAULT_SEED = 20130611
# Exact betweenness costs one BFS per node, O(n * (n + m)): ~1.5 s at 1k nodes, ~4 min
# at 10k. Above EXACT_BETWEENNESS_MAX nodes it is estimated from k sampled sources, k
# chosen so that k * (n + m) stays near BETWEENNESS_BUDGET (~4 s), within the bounds
# below (benchmarks/network.py reports the error against exact betweenness).
EXACT_BETWEENNESS_MAX = 1000
BETWEENNESS_BUDGET = 5_000_000
BETWEENNESS_SAMPLES_MIN, BETWEENNESS_SAMPLES_MAX = 100, 500

METRIC_KEYS = ("degree", "weighted_degree", "betweenness", "community")


@dataclass
class Metrics:
    """Per-node metrics and the structural findings of one graph (node ids as keys)."""

    degree: dict[str, int]
    weighted_degree: dict[str, float]
    betweenness: dict[str, float]
    community: dict[str, int]
    communities: list[list[str]]
    articulation_points: list[str]
    bridges: list[tuple[str, str]]
    isolates: list[str]
    betweenness_samples: int | None = None
    # Actors with a parent or sub-units and no declared relation outside their organisation.
    within_organisation: list[str] = field(default_factory=list)

    def value(self, metric: str, node: str) -> float:
        """A node's value for a size metric ('degree', 'betweenness', ...)."""
        return float(getattr(self, metric).get(node, 0))


def undirected(g: nx.Graph, *, hierarchy: bool = True) -> nx.Graph:
    """Simple undirected view; parallel and opposite edges merged, their weights summed.
    hierarchy=False leaves the part_of edges out (declared relations only)."""
    u = nx.Graph()
    u.add_nodes_from(g.nodes)
    for a, b, data in g.edges(data=True):
        w = data.get("weight", 1)
        if a == b or (not hierarchy and data.get("relation") == PART_OF):
            continue
        if u.has_edge(a, b):
            u[a][b]["weight"] += float(w)
        else:
            u.add_edge(a, b, weight=float(w))
    return u


def communities(u: nx.Graph, seed: int = DEFAULT_SEED) -> list[list[str]]:
    """Louvain communities, seeded; numbered by size (largest first), then by first node."""
    if u.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(u, weight="weight", seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def samples_for(nodes: int, edges: int) -> int | None:
    """How many sources sampled betweenness uses for a graph this size (None: exact)."""
    if nodes <= EXACT_BETWEENNESS_MAX:
        return None
    return max(BETWEENNESS_SAMPLES_MIN,
               min(BETWEENNESS_SAMPLES_MAX, BETWEENNESS_BUDGET // (nodes + edges)))


def compute(g: nx.Graph, *, seed: int = DEFAULT_SEED,
            betweenness_samples: int | None = None) -> Metrics:
    """Every metric for g. `betweenness_samples` sets the number of sampled sources
    (None: exact up to EXACT_BETWEENNESS_MAX nodes, then `samples_for`)."""
    u = undirected(g, hierarchy=False)
    whole = undirected(g)  # the declared relations and the hierarchy
    roots = organisations(g)
    n = u.number_of_nodes()
    k = betweenness_samples
    if k is None:
        k = samples_for(n, u.number_of_edges())
    if k is not None and k >= n:
        k = None
    between = nx.betweenness_centrality(u, k=k, seed=seed if k else None, normalized=True)
    comms = communities(u, seed)
    return Metrics(
        degree=dict(u.degree()),
        weighted_degree={node: float(w) for node, w in u.degree(weight="weight")},
        betweenness={node: round(v, 12) for node, v in between.items()},
        community={node: i for i, members in enumerate(comms) for node in members},
        communities=comms,
        articulation_points=_cut_points(whole, roots),
        bridges=sorted(tuple(sorted(e)) for e in nx.bridges(whole)
                       if _declared_between(g, *e)),
        isolates=sorted(nx.isolates(whole)),
        betweenness_samples=k,
        within_organisation=_within_organisation(g, roots),
    )


def organisations(g: nx.Graph) -> dict[str, str]:
    """Each node's organisation: the top of its chain of parents (part_of edges); itself
    when it has no parent."""
    parent = {a: b for a, b, r in g.edges(data="relation") if r == PART_OF}
    roots: dict[str, str] = {}
    for node in g.nodes:
        seen, top = {node}, node
        while top in parent and parent[top] not in seen:
            top = parent[top]
            seen.add(top)
        roots[node] = top
    return roots


def _cut_points(whole: nx.Graph, roots: dict[str, str]) -> list[str]:
    """Articulation points of the network with its hierarchy, but those whose loss would cut
    off only units of their own organisation (a ministry whose directorates deal with nobody
    else is no single point of failure of the data flows): at least two of the pieces left
    must hold an actor of another organisation."""
    size: dict[str, int] = {}
    for root in roots.values():
        size[root] = size.get(root, 0) + 1
    out = []
    for v in nx.articulation_points(whole):
        own = roots.get(v, v)
        if size.get(own, 1) < 2:  # in no hierarchy: every piece is another organisation's
            out.append(v)
            continue
        rest = whole.subgraph(n for n in nx.node_connected_component(whole, v) if n != v)
        pieces = sum(1 for piece in nx.connected_components(rest)
                     if any(roots.get(n, n) != own for n in piece))
        if pieces >= 2:
            out.append(v)
    return sorted(out)


def _declared_between(g: nx.Graph, a: str, b: str) -> bool:
    """Whether a declared relation (not only the hierarchy) links a and b, either way."""
    for x, y in ((a, b), (b, a)):
        if g.has_edge(x, y):
            data = g.get_edge_data(x, y)
            values = data.values() if g.is_multigraph() else [data]
            if any(d.get("relation") != PART_OF for d in values):
                return True
    return False


def _within_organisation(g: nx.Graph, roots: dict[str, str]) -> list[str]:
    """Actors with a parent or sub-units whose declared relations (if any) all stay inside
    their own organisation."""
    members: dict[str, int] = {}
    for root in roots.values():
        members[root] = members.get(root, 0) + 1
    out = []
    for node, kind in g.nodes(data="kind"):
        if kind != ACTOR or members.get(roots.get(node, node), 1) < 2:
            continue
        outside = False
        for a, b, r in g.edges(node, data="relation") if not g.is_directed() else [
                *g.out_edges(node, data="relation"), *g.in_edges(node, data="relation")]:
            other = b if a == node else a
            if r != PART_OF and roots.get(other, other) != roots.get(node, node):
                outside = True
                break
        if not outside:
            out.append(node)
    return sorted(out)


def isolated_producers(sources: nx.DiGraph) -> list[str]:
    """Actors that produce data sources none of which anyone else uses."""
    produced: dict[str, list[bool]] = {}
    for producers, users in producers_and_users(sources).values():
        for p in producers:
            produced.setdefault(p, []).append(bool(users - producers))
    return sorted(a for a, used in produced.items() if not any(used))


def ranked(values: dict[str, float], nodes: Iterable[str], g: nx.Graph,
           top: int, positive: bool = True) -> list[str]:
    """The top nodes by value (ties broken by label), only those above zero if positive."""
    chosen = [n for n in nodes if not positive or values.get(n, 0) > 0]
    chosen.sort(key=lambda n: (-values.get(n, 0), label(g, n)))
    return chosen[:top]


def label(g: nx.Graph, node: str) -> str:
    return str(g.nodes[node].get("label") or node)


def counts_by(g: nx.Graph, attribute: str, codes: list[str]) -> list[tuple[str, int]]:
    """Actors per code of a multi-valued attribute ('stages', 'domains'), codes in order,
    every known code listed (0 = nobody), then codes seen but not known."""
    tally: dict[str, int] = dict.fromkeys(codes, 0)
    for _n, data in g.nodes(data=True):
        if data.get("kind") != ACTOR:
            continue
        for code in split(data.get(attribute)):
            tally[code] = tally.get(code, 0) + 1
    return list(tally.items())


@dataclass
class SummaryRow:
    key: str
    label: str
    value: int | list[str]
    meaning: str

    def text(self) -> str:
        """The value as one cell: lists joined with '; '."""
        return "; ".join(self.value) if isinstance(self.value, list) else str(self.value)


def meaning(key: str, lang: str) -> tuple[str, str]:
    """(label, plain-language meaning) of a metric in lang."""
    return i18n.t(f"network.metric.{key}.label", lang), i18n.t(f"network.metric.{key}.meaning",
                                                                lang)


def findings(relations: nx.Graph, sources: nx.DiGraph, *, seed: int = DEFAULT_SEED,
             top: int = 5, computed: Metrics | None = None) -> dict[str, object]:
    """The structural findings of a country as node ids (see `key_findings` for names);
    `computed` is compute(relations) when the caller already has it."""
    m = computed if computed is not None else compute(relations, seed=seed)
    actors = [n for n, k in relations.nodes(data="kind") if k == ACTOR]
    return {
        "metrics": m,
        "brokers": ranked(m.betweenness, actors, relations, top),
        "most_connected": ranked({n: float(d) for n, d in m.degree.items()}, actors,
                                 relations, top),
        "articulation_points": sorted(m.articulation_points, key=lambda n: label(relations, n)),
        "bridges": sorted((tuple(sorted(e, key=lambda n: label(relations, n)))
                           for e in m.bridges),
                          key=lambda e: (label(relations, e[0]), label(relations, e[1]))),
        "isolates": sorted((n for n in m.isolates if n in set(actors)),
                           key=lambda n: label(relations, n)),
        "within_organisation": sorted(m.within_organisation,
                                      key=lambda n: label(relations, n)),
        "isolated_producers": sorted(isolated_producers(sources),
                                     key=lambda n: label(sources, n)),
        "communities": sum(1 for c in m.communities if len(c) > 1),
    }


def summary(relations: nx.Graph, sources: nx.DiGraph, vocab: Vocabulary, lang: str,
            *, seed: int = DEFAULT_SEED, computed: Metrics | None = None) -> list[SummaryRow]:
    """The country summary table: one row per metric, each with its meaning."""
    f = findings(relations, sources, seed=seed, computed=computed)

    def names(nodes: Iterable[str], g: nx.Graph = relations) -> list[str]:
        return [label(g, n) for n in nodes]

    rows: list[SummaryRow] = []

    def add(key: str, value: int | list[str]) -> None:
        lab, mean = meaning(key, lang)
        rows.append(SummaryRow(key, lab, value, mean))

    n_sources = sum(1 for _n, k in sources.nodes(data="kind") if k == SOURCE)
    add("actors", sum(1 for _n, k in relations.nodes(data="kind") if k == ACTOR))
    add("relations", declared_edge_count(relations))
    add("sources", n_sources)
    add("components", nx.number_connected_components(undirected(relations))
        if relations.number_of_nodes() else 0)
    add("communities", int(f["communities"]))  # type: ignore[arg-type]
    add("most_connected", names(f["most_connected"]))  # type: ignore[arg-type]
    add("brokers", names(f["brokers"]))  # type: ignore[arg-type]
    add("articulation_points", names(f["articulation_points"]))  # type: ignore[arg-type]
    add("bridges", [f"{label(relations, a)} — {label(relations, b)}"
                    for a, b in f["bridges"]])  # type: ignore[union-attr]
    add("isolates", names(f["isolates"]))  # type: ignore[arg-type]
    add("within_organisation", names(f["within_organisation"]))  # type: ignore[arg-type]
    add("isolated_producers", names(f["isolated_producers"], sources))  # type: ignore[arg-type]
    stage_label, stage_meaning = meaning("stage", lang)
    stage_counts = counts_by(relations, "stages", vocab.codes("policy-stage"))
    for code, count in stage_counts:
        rows.append(SummaryRow(f"stage.{code}", f"{stage_label}: "
                               f"{vocab.label('policy-stage', code)}", count, stage_meaning))
    add("stages_without_actors", [vocab.label("policy-stage", c) for c, n in stage_counts
                                  if n == 0])
    domain_label, domain_meaning = meaning("domain", lang)
    for code, count in counts_by(relations, "domains", vocab.codes("domain")):
        rows.append(SummaryRow(f"domain.{code}", f"{domain_label}: "
                               f"{vocab.label('domain', code)}", count, domain_meaning))
    return rows
