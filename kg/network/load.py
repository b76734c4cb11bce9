"""Fetch a country's network rows through the named queries in queries/network/.

The only place the network package touches the store, and only through
`kg.query.run`: no SPARQL is written in Python. Contact details are never
queried, so no network output can leak them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

from kg.errors import Location, NotFound, ParameterError, Problem
from kg.namespaces import ISO3
from kg.network import build
from kg.network.build import Vocabulary
from kg.query.execute import rows
from kg.store import Store

QUERY_ACTORS = "network-actors"
QUERY_RELATIONS = "network-relations"
QUERY_SOURCE_LINKS = "network-source-links"
QUERY_PARTNERS = "network-partners"
QUERY_CONCEPTS = "concepts"

KINDS = ("relations", "sources", "shared-sources", "stages", "partners")


def check_iso3(iso3: str | None, kind: str = "relations") -> str:
    """The upper-cased code, or a ParameterError naming what is accepted."""
    if not iso3:
        raise ParameterError(Problem(Location("ISO3"), "network.iso3_required", {"kind": kind}))
    return ISO3.parse(iso3)


def vocabulary(store: Store, lang: str) -> Vocabulary:
    return Vocabulary.from_rows(rows(store, QUERY_CONCEPTS, {"lang": lang}))


@dataclass
class CountryNetwork:
    """One country's query rows and the graphs built from them (each built once)."""

    iso3: str
    lang: str
    vocab: Vocabulary
    actors: list[dict]
    relations: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)

    @cached_property
    def relation_graph(self) -> nx.MultiDiGraph:
        return build.relation_graph(self.actors, self.relations, self.vocab, country=self.iso3)

    @cached_property
    def metrics(self):
        """Every metric of the relation graph (kg.network.metrics.Metrics), computed once."""
        from kg.network.metrics import compute

        return compute(self.relation_graph)

    @cached_property
    def source_graph(self) -> nx.DiGraph:
        return build.source_graph(self.actors, self.links, self.vocab, country=self.iso3)

    @cached_property
    def shared_source_graph(self) -> nx.Graph:
        return build.shared_source_graph(self.source_graph)

    @cached_property
    def stage_graph(self) -> nx.Graph:
        return build.stage_graph(self.actors, self.vocab, country=self.iso3)

    def graph(self, kind: str) -> nx.Graph:
        return {
            "relations": lambda: self.relation_graph,
            "sources": lambda: self.source_graph,
            "shared-sources": lambda: self.shared_source_graph,
            "stages": lambda: self.stage_graph,
        }[kind]()


def country(store: Store, iso3: str, lang: str = "en", *, vocab: Vocabulary | None = None
            ) -> CountryNetwork:
    """Every row a country's network needs; NotFound when the store has no such country.
    `vocab`: the labels in lang when the caller already has them."""
    code = check_iso3(iso3)
    params = {"country": code, "lang": lang}
    actors = rows(store, QUERY_ACTORS, params)
    if not actors:
        raise NotFound(Problem(Location("ISO3"), "network.unknown_country", {"iso3": code}))
    return CountryNetwork(
        iso3=code, lang=lang, vocab=vocab or vocabulary(store, lang), actors=actors,
        relations=rows(store, QUERY_RELATIONS, {"country": code}),  # IRIs and codes only
        links=rows(store, QUERY_SOURCE_LINKS, params),
    )


def partners(store: Store, lang: str = "en") -> nx.DiGraph:
    """The cross-country partners graph of every country in the store."""
    return build.partners_graph(rows(store, QUERY_PARTNERS, {"lang": lang}),
                                vocabulary(store, lang))


def graph(store: Store, kind: str, iso3: str | None = None, lang: str = "en") -> nx.Graph:
    """One graph by kind (see KINDS); iso3 is required except for 'partners'."""
    if kind not in KINDS:
        raise ParameterError(Problem(Location("--kind"), "network.bad_kind",
                                     {"kind": kind, "allowed": ", ".join(KINDS)}))
    if kind == "partners":
        if iso3:
            code = check_iso3(iso3, kind)
            g = partners(store, lang)
            keep = {f"country:{code}"} | {a for a, b in g.edges() if b == f"country:{code}"}
            if f"country:{code}" not in g:
                # A country with no partner still exists if it has actors.
                country(store, code, lang)
            sub = nx.DiGraph(kind="partners", country=code)
            sub.add_nodes_from((n, d) for n, d in g.nodes(data=True) if n in keep)
            sub.add_edges_from((a, b, d) for a, b, d in g.edges(data=True)
                               if a in keep and b in keep)
            return sub
        return partners(store, lang)
    return country(store, check_iso3(iso3, kind), lang).graph(kind)
