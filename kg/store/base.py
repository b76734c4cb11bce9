"""The store interface: one small contract, two implementations (embedded, remote).

Terms crossing this interface are pyoxigraph terms (NamedNode, Literal, BlankNode)
on both backends, so everything downstream sees one term type.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox


@dataclass
class SelectResult:
    """A SELECT answer: projected variable names (no '?') and rows of terms (None = unbound)."""

    variables: list[str]
    rows: list[tuple[ox.NamedNode | ox.Literal | ox.BlankNode | None, ...]]


# Query forms for Store.run_query (DESCRIBE answers like CONSTRUCT).
SELECT, ASK, CONSTRUCT = "SELECT", "ASK", "CONSTRUCT"


class Store(ABC):
    """A quad store where each country is one named graph; queries see the union."""

    @abstractmethod
    def select(self, sparql: str) -> SelectResult:
        """Run a SELECT query over the union of all graphs."""

    @abstractmethod
    def ask(self, sparql: str) -> bool:
        """Run an ASK query over the union of all graphs."""

    @abstractmethod
    def construct(self, sparql: str) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE query over the union of all graphs."""

    def run_query(self, sparql: str, form: str, *, timeout_s: float | None = None,
                  max_rows: int | None = None, trusted: bool = False
                  ) -> SelectResult | bool | list[ox.Triple]:
        """A query under limits: stopped after timeout_s (kg.errors.QueryTimeout), at most
        max_rows + 1 rows or triples kept (so the caller can tell a cut answer). `trusted`:
        the text is one of ours (a named query), so a backend may use a cheaper path.

        This default applies the row limit only; backends override it with a time limit.
        """
        if form == SELECT:
            answer = self.select(sparql)
            if max_rows is not None:
                answer.rows = answer.rows[: max_rows + 1]
            return answer
        if form == ASK:
            return self.ask(sparql)
        triples = self.construct(sparql)
        return triples if max_rows is None else triples[: max_rows + 1]

    @abstractmethod
    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Atomically replace one named graph: readers see the old graph or the new, never a mix."""

    def replace_graphs(self, graphs: Iterable[tuple[str, Iterable[ox.Triple]]]) -> None:
        """Replace several graphs; each one atomically (the embedded store: all in one commit)."""
        for graph, triples in graphs:
            self.replace_graph(graph, triples)

    @abstractmethod
    def replace_all(self, graphs: Mapping[str, Iterable[ox.Triple]]) -> None:
        """Make the store hold exactly these graphs (a restore): all at once, or nothing."""

    @abstractmethod
    def delete_graph(self, graph: str) -> bool:
        """Remove a named graph; False if it did not exist."""

    @abstractmethod
    def graph_triples(self, graph: str) -> list[ox.Triple]:
        """Every triple of one named graph (empty if absent)."""

    @abstractmethod
    def graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of every named graph, graph by graph in sorted order."""
        for g in self.graphs():
            node = ox.NamedNode(g)
            for t in self.graph_triples(g):
                yield ox.Quad(t.subject, t.predicate, t.object, node)

    # How long a fingerprint may be trusted before asking again (kg.store.public).
    fingerprint_interval_s = 0.0

    def ping(self) -> None:
        """Raise StoreError unless the store answers a trivial query (readiness checks)."""
        self.ask("ASK {}")

    def fingerprint(self) -> object:
        """A value that changes whenever the data changes (equal values: same data).

        This default reads everything; backends override it with something cheap.
        """
        return hash(tuple(self.quads()))

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (files, connections)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
