"""Graph builders: networkx graphs made from named-query result rows.

Every builder takes plain rows (lists of dicts, as `kg.query.run(...).rows` gives
them), never the store, so graphs can be built from hand-made rows in tests and
benchmarks. Nodes and edges carry only strings and numbers (multi-valued
attributes joined with "; "), so every graph exports to GraphML and GEXF as is.
Rows are sorted before use: the same rows in any order give the same graph,
node order included (layout and community detection depend on that order).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

Row = Mapping[str, "str | int | float | None"]
Rows = Iterable[Row]

# Node kinds; actor nodes are the country's organisations.
ACTOR, SOURCE, STAGE, COUNTRY = "actor", "source", "stage", "country"
# The edge kind of the hierarchy (actors.csv `parent`, org:subOrganizationOf): child -> parent.
PART_OF = "part_of"
PARTNER_TYPES = ("international_organisation", "regional_organisation", "development_partner")
SEP = "; "


def split(cell: object) -> list[str]:
    """A multi-valued query cell ('a; b') as a list; empty or None gives []."""
    if cell is None or cell == "":
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def _text(cell: object) -> str:
    return "" if cell is None else str(cell)


@dataclass
class Vocabulary:
    """Labels and order of the codes the graphs use (domains, stages, types, relations)."""

    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    order: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Rows) -> Vocabulary:
        """From `concepts` rows: scheme, code, label, position."""
        vocab = cls()
        keyed: dict[str, dict[str, int]] = defaultdict(dict)
        for row in rows:
            scheme, code = _text(row.get("scheme")), _text(row.get("code"))
            if not scheme or not code:
                continue
            vocab.labels[(scheme, code)] = _text(row.get("label")) or code
            position = row.get("position")
            keyed[scheme][code] = int(position) if position not in (None, "") else 10_000
        vocab.order = {s: sorted(items, key=lambda c, items=items: (items[c], c))
                       for s, items in keyed.items()}
        return vocab

    def label(self, scheme: str, code: str) -> str:
        return self.labels.get((scheme, code), code)

    def codes(self, scheme: str) -> list[str]:
        return list(self.order.get(scheme, []))


def _sorted(rows: Rows, *keys: str) -> list[Row]:
    return sorted(rows, key=lambda r: tuple(_text(r.get(k)) for k in keys))


def _add_actor(g: nx.Graph, row: Row, vocab: Vocabulary, country: str) -> None:
    iri = _text(row.get("actor"))
    code = _text(row.get("type"))
    domains, stages = sorted(split(row.get("domains"))), sorted(split(row.get("stages")))
    g.add_node(
        iri,
        kind=ACTOR,
        label=_text(row.get("label")) or iri.rsplit("/", 1)[-1],
        acronym=_text(row.get("acronym")),
        type=code,
        type_label=vocab.label("actor-type", code) if code else "",
        domains=SEP.join(domains),
        stages=SEP.join(stages),
        country=_text(row.get("country")) or country,
        parent=_text(row.get("parent")),
    )


def _actors(g: nx.Graph, actors: Rows, vocab: Vocabulary, country: str = "") -> None:
    for row in _sorted(actors, "actor"):
        if row.get("actor"):
            _add_actor(g, row, vocab, country)


def relation_graph(actors: Rows, relations: Rows, vocab: Vocabulary | None = None,
                   *, country: str = "") -> nx.MultiDiGraph:
    """Actor-actor graph of the declared relations: typed, directed, multi-edges kept.

    Edge key = relation code, so (subject, relation, object) stays unique; weight 1.
    A relation to an actor missing from `actors` (another country) adds that node bare.
    The hierarchy is there too, as its own edge kind: one `part_of` edge from each actor to
    its parent organisation (relation "part_of", key "part_of"), so views draw it, filters
    and exports tell it apart, and the metrics know who belongs to whom (kg.network.metrics).
    """
    vocab = vocab or Vocabulary()
    g = nx.MultiDiGraph(kind="relations", country=country)
    _actors(g, actors, vocab, country)
    for node, parent in sorted(g.nodes(data="parent")):
        if parent and parent in g and parent != node:
            g.add_edge(node, parent, key=PART_OF, relation=PART_OF, relation_label=PART_OF,
                       weight=1, note="", references="")
    for row in _sorted(relations, "subject", "relation_type", "object"):
        s, o, code = _text(row.get("subject")), _text(row.get("object")), _text(
            row.get("relation_type"))
        if not s or not o or not code:
            continue
        for node in (s, o):
            if node not in g:
                g.add_node(node, kind=ACTOR, label=node.rsplit("/", 1)[-1])
        g.add_edge(s, o, key=code, relation=code,
                   relation_label=vocab.label("relation-type", code),
                   weight=1, note=_text(row.get("note")),
                   references=_text(row.get("references")))
    return g


def source_graph(actors: Rows, links: Rows, vocab: Vocabulary | None = None,
                 *, country: str = "") -> nx.DiGraph:
    """Actor-source bipartite graph, edges in the direction data flow.

    producer -> source ("produces"), source -> user ("uses"); node attribute
    `bipartite` is 0 for actors, 1 for sources.
    """
    vocab = vocab or Vocabulary()
    g = nx.DiGraph(kind="sources", country=country)
    _actors(g, actors, vocab, country)
    for n in g:
        g.nodes[n]["bipartite"] = 0
    for row in _sorted(links, "source", "link", "actor"):
        src, actor, link = _text(row.get("source")), _text(row.get("actor")), _text(
            row.get("link"))
        if not src:
            continue
        if src not in g:
            status = _text(row.get("status"))
            kind_code = _text(row.get("kind"))
            g.add_node(src, kind=SOURCE, bipartite=1,
                       label=_text(row.get("source_label")) or src.rsplit("/", 1)[-1],
                       type="source", type_label=vocab.label("source-kind", kind_code),
                       source_kind=kind_code, status=status,
                       domains=SEP.join(sorted(split(row.get("domains")))), stages="",
                       country=country or _text(row.get("country")))
        if not actor or link not in ("produces", "uses"):
            continue
        if actor not in g:
            g.add_node(actor, kind=ACTOR, bipartite=0, label=actor.rsplit("/", 1)[-1])
        edge = (actor, src) if link == "produces" else (src, actor)
        g.add_edge(*edge, relation=link, relation_label=link, weight=1)
    return g


def producers_and_users(g: nx.DiGraph) -> dict[str, tuple[set[str], set[str]]]:
    """For each source node of a source graph: (producers, users)."""
    out: dict[str, tuple[set[str], set[str]]] = {}
    for n, data in g.nodes(data=True):
        if data.get("kind") == SOURCE:
            out[n] = (set(g.predecessors(n)), set(g.successors(n)))
    return out


def shared_source_graph(sources: nx.DiGraph) -> nx.Graph:
    """Projection of the actor-source graph onto actors.

    Two actors are linked when they produce or use the same source; the edge
    weight is the number of sources they share, `sources` lists their labels.
    Every actor of the bipartite graph is kept, linked or not.
    """
    g = nx.Graph(kind="shared-sources", country=sources.graph.get("country", ""))
    for n, data in sources.nodes(data=True):
        if data.get("kind") == ACTOR:
            g.add_node(n, **{k: v for k, v in data.items() if k != "bipartite"})
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for src, (producers, users) in sorted(producers_and_users(sources).items()):
        members = sorted(producers | users)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                shared[(a, b)].append(sources.nodes[src].get("label", src))
    for (a, b), labels in sorted(shared.items()):
        g.add_edge(a, b, relation="shares_source", relation_label="shares_source",
                   weight=len(labels), sources=SEP.join(sorted(labels)))
    return g


def stage_graph(actors: Rows, vocab: Vocabulary | None = None, *,
                country: str = "") -> nx.Graph:
    """Actors by policy stage: a bipartite actor-stage graph, stages in cycle order."""
    vocab = vocab or Vocabulary()
    g = nx.Graph(kind="stages", country=country)
    actor_rows = _sorted(actors, "actor")
    used = {code for row in actor_rows for code in split(row.get("stages"))}
    ordered = vocab.codes("policy-stage") or sorted(used)
    for pos, code in enumerate(ordered + sorted(used - set(ordered))):
        g.add_node(_stage_id(code), kind=STAGE, label=vocab.label("policy-stage", code),
                   type="stage", type_label="", code=code, position=pos, domains="",
                   stages=code, country=country)
    _actors(g, actor_rows, vocab, country)
    for row in actor_rows:
        for code in sorted(split(row.get("stages"))):
            g.add_edge(_text(row.get("actor")), _stage_id(code), relation="participates_in",
                       relation_label=vocab.label("policy-stage", code), weight=1)
    return g


def _stage_id(code: str) -> str:
    return f"stage:{code}"


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def partner_keys(row: Row) -> list[str]:
    """The keys that identify a partner across countries: its name up to the first comma
    (country offices add ", <Country> Office") and its acronym, normalised."""
    keys = []
    base = _text(row.get("label")).split(",")[0]
    if _norm(base):
        keys.append("partner:" + _norm(base))
    if _norm(_text(row.get("acronym"))):
        keys.append("partner:" + _norm(_text(row.get("acronym"))))
    return keys or ["partner:" + _text(row.get("partner"))]


def merge_partners(rows: Sequence[Row]) -> dict[str, str]:
    """Partner IRI -> merged node id. Rows sharing any key (name or acronym) are one partner,
    even through a chain of rows; the node id is the component's smallest key."""
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for row in rows:
        keys = partner_keys(row)
        for k in keys[1:]:
            a, b = find(keys[0]), find(k)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {_text(row.get("partner")): find(partner_keys(row)[0]) for row in rows}


def partners_graph(rows: Rows, vocab: Vocabulary | None = None) -> nx.DiGraph:
    """Cross-country graph: international / regional / development partners -> countries.

    Each country lists its partners as its own actors; the same partner in several
    countries is one node (see `merge_partners`), linked to every country that lists
    it; the edge weight is 1 + the number of relations it takes part in there.
    """
    vocab = vocab or Vocabulary()
    g = nx.DiGraph(kind="partners", country="")
    rows = [r for r in _sorted(rows, "country", "partner") if r.get("country") and r.get("partner")]
    merged = merge_partners(rows)
    for row in rows:
        iso3, iri = _text(row.get("country")), _text(row.get("partner"))
        key, country = merged[iri], f"country:{iso3}"
        if country not in g:
            g.add_node(country, kind=COUNTRY, label=_text(row.get("country_label")) or iso3,
                       type="country", type_label="", country=iso3, domains="", stages="",
                       acronym=iso3)
        if key not in g:
            code = _text(row.get("type"))
            g.add_node(key, kind=ACTOR, label=_text(row.get("label")) or iri,
                       acronym=_text(row.get("acronym")), type=code,
                       type_label=vocab.label("actor-type", code), country="",
                       domains="", stages="", members="")
        node = g.nodes[key]
        node["members"] = SEP.join(sorted(set(split(node["members"])) | {iri}))
        node["domains"] = SEP.join(sorted(set(split(node["domains"]))
                                          | set(split(row.get("domains")))))
        node["country"] = SEP.join(sorted(set(split(node["country"])) | {iso3}))
        weight = 1 + int(row.get("relation_count") or 0)
        if g.has_edge(key, country):  # two offices of one partner in one country
            g[key][country]["weight"] += weight - 1
        else:
            g.add_edge(key, country, relation="supports_country", weight=weight)
    return g


def union_graph(graphs: Sequence[nx.Graph]) -> nx.Graph:
    """Several countries' actor graphs as one undirected weighted graph.

    Partner actors (types in PARTNER_TYPES) are merged across countries as in
    `partners_graph`, and each country (its graph's `country`) is a node linked to
    the partners it lists. Used for cross-country analyses and their benchmark.
    """
    g = nx.Graph(kind="union", country="")
    partner_rows = [{"partner": n, "label": d.get("label"), "acronym": d.get("acronym")}
                    for sub in graphs for n, d in sub.nodes(data=True)
                    if d.get("type") in PARTNER_TYPES]
    merged = merge_partners(partner_rows)
    for sub in graphs:
        iso3 = str(sub.graph.get("country") or "")
        for n, data in sub.nodes(data=True):
            node = merged.get(n, n)
            if node not in g:
                g.add_node(node, **dict(data))
            if iso3 and n in merged:
                country = f"country:{iso3}"
                if country not in g:
                    g.add_node(country, kind=COUNTRY, label=iso3, type="country",
                               country=iso3, domains="", stages="")
                g.add_edge(node, country, relation="supports_country", weight=1.0)
        for a, b, data in sub.edges(data=True):
            u, v = merged.get(a, a), merged.get(b, b)
            if u == v:
                continue
            w = float(data.get("weight", 1))
            if g.has_edge(u, v):
                g[u][v]["weight"] += w
            else:
                g.add_edge(u, v, relation=data.get("relation", ""), weight=w)
    return g


def declared_edge_count(g: nx.Graph) -> int:
    """The declared relations of a graph: its edges but the hierarchy's."""
    return sum(1 for _a, _b, r in g.edges(data="relation") if r != PART_OF)


def actor_nodes(g: nx.Graph) -> list[str]:
    """The actor nodes of any of the graphs, in graph order."""
    return [n for n, kind in g.nodes(data="kind") if kind == ACTOR]
