"""Deterministic node positions, computed in Python so big views need no physics.

Small graphs get a seeded force-directed layout (networkx spring_layout, dense
solver). Big ones are laid out in two levels, so no n x n matrix is built and
scipy is not needed: Louvain communities are placed by a spring layout of the
community graph, each community is laid out on its own inside a disc whose area
grows with its size, and isolated nodes go on a grid below.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from kg.network.metrics import DEFAULT_SEED, communities, undirected

# networkx's dense spring solver handles up to 499 nodes without scipy.
DIRECT_MAX = 300

Positions = dict[str, tuple[float, float]]


def layout(g: nx.Graph, *, seed: int = DEFAULT_SEED,
           groups: list[list[str]] | None = None) -> Positions:
    """Positions in a unit-ish square, centred on 0; the same graph gives the same positions."""
    u = g if isinstance(g, nx.Graph) and not g.is_directed() and not g.is_multigraph() \
        else undirected(g)
    if u.number_of_nodes() == 0:
        return {}
    isolated = sorted(nx.isolates(u))
    core = _induced(u, [n for n in u if u.degree(n) > 0])
    if core.number_of_nodes() <= DIRECT_MAX:
        pos = _spring(core, seed) if core.number_of_nodes() else {}
    else:
        pos = _two_level(core, seed, groups)
    return _normalise(_below(pos, isolated)) if isolated else pos


def _induced(g: nx.Graph, nodes: list[str]) -> nx.Graph:
    """The subgraph on nodes, in g's node and edge order. (networkx's subgraph views may
    iterate a set, whose order changes with PYTHONHASHSEED, and so would the layout.)"""
    keep = set(nodes)
    sub = nx.Graph()
    sub.add_nodes_from(n for n in g if n in keep)
    sub.add_edges_from((a, b, d) for a, b, d in g.edges(data=True) if a in keep and b in keep)
    return sub


def _spring(u: nx.Graph, seed: int, iterations: int | None = None) -> Positions:
    n = u.number_of_nodes()
    if n == 1:
        return {next(iter(u)): (0.0, 0.0)}
    iterations = iterations or (100 if n <= 100 else 50)
    pos = nx.spring_layout(u, seed=seed, iterations=iterations, method="force", weight=None)
    return {node: (float(x), float(y)) for node, (x, y) in pos.items()}


def _disc(count: int) -> list[tuple[float, float]]:
    """count points filling the unit disc evenly (sunflower spiral), deterministic."""
    golden = math.pi * (3 - math.sqrt(5))
    return [(math.sqrt((i + 0.5) / count) * math.cos(i * golden),
             math.sqrt((i + 0.5) / count) * math.sin(i * golden)) for i in range(count)]


def _two_level(core: nx.Graph, seed: int, groups: list[list[str]] | None) -> Positions:
    comms = groups if groups is not None else communities(core, seed)
    comms = [c for c in ([m for m in c if m in core] for c in comms) if c]
    member = {node: i for i, c in enumerate(comms) for node in c}
    # Community graph: communities as nodes, links weighted by their edges.
    cg = nx.Graph()
    cg.add_nodes_from(range(len(comms)))
    inside: list[list[tuple[str, str]]] = [[] for _ in comms]  # one pass over the edges
    for a, b, w in core.edges(data="weight", default=1):
        ca, cb = member[a], member[b]
        if ca == cb:
            inside[ca].append((a, b))
        else:
            prev = cg.get_edge_data(ca, cb, {"weight": 0})["weight"]
            cg.add_edge(ca, cb, weight=prev + w)
    radii = np.array([math.sqrt(len(c)) for c in comms], dtype=float)
    if 1 < len(comms) <= DIRECT_MAX:
        centre_pos = nx.spring_layout(cg, seed=seed, iterations=100, method="force")
        centres = np.array([centre_pos[i] for i in range(len(comms))], dtype=float)
    else:
        centres = np.array(_disc(len(comms)), dtype=float)
    # Spread centres so neighbouring discs hardly overlap (bounded, O(c^2) with c small).
    if len(comms) > 1:
        d = np.sqrt(((centres[:, None, :] - centres[None, :, :]) ** 2).sum(-1))
        need = radii[:, None] + radii[None, :]
        np.fill_diagonal(d, np.inf)
        ratio = need / np.maximum(d, 1e-9)
        scale = float(min(np.percentile(ratio[np.isfinite(d)], 95), 50 * radii.max()))
        centres *= max(scale, 1.0)
    pos: Positions = {}
    for i, members in enumerate(comms):
        if len(members) <= DIRECT_MAX:
            sub = nx.Graph()
            sub.add_nodes_from(members)  # a sorted list: a stable order, so a stable layout
            sub.add_edges_from(inside[i])
            inner = _spring(sub, seed, iterations=50)
        else:
            inner = dict(zip(sorted(members), _disc(len(members)), strict=True))
        xs = np.array([inner[m] for m in members], dtype=float)
        xs -= xs.mean(axis=0)
        spread = float(np.abs(xs).max()) or 1.0
        xs *= radii[i] / spread
        for m, (x, y) in zip(members, xs + centres[i], strict=True):
            pos[m] = (float(x), float(y))
    return _normalise(pos)


def _below(pos: Positions, isolated: list[str]) -> Positions:
    """Isolated nodes on a grid under the rest, so they neither scatter nor hide."""
    out = dict(pos)
    if pos:
        arr = np.array(list(pos.values()), dtype=float)
        (x0, y0), (x1, _y1) = arr.min(axis=0), arr.max(axis=0)
    else:
        x0 = y0 = x1 = 0.0
    width = max(x1 - x0, 1e-3) if pos else 1.0
    # Twice as wide as tall, at least 8 columns so a few isolates sit close together.
    cols = max(8, math.ceil(math.sqrt(len(isolated) * 4)))
    step = width / (cols - 1)
    for j, node in enumerate(isolated):
        out[node] = (float(x0 + (j % cols) * step), float(y0 - step * (1 + j // cols)))
    return out


def _normalise(pos: Positions) -> Positions:
    arr = np.array(list(pos.values()), dtype=float)
    arr -= (arr.max(axis=0) + arr.min(axis=0)) / 2
    span = float(np.abs(arr).max()) or 1.0
    arr /= span
    return {node: (float(x), float(y)) for node, (x, y) in zip(pos, arr, strict=True)}
