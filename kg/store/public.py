"""The public view of a store: the same graphs without restricted contact points.

What the public SPARQL endpoint queries. It is exactly the public export (kg.export
public_quads: every restricted contact point, and every triple linking to one, removed),
held in an in-memory pyoxigraph store with the union of its graphs as default graph.

The copy is rebuilt when the underlying store changes, as told by Store.fingerprint():
the embedded store's committed manifest (checked on every query, one stat), a remote
endpoint's graph list and latest import per graph (checked at most every
`FINGERPRINT_INTERVAL_S`). Memory: one more copy of the public data.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from kg.errors import StoreError
from kg.export import public_quads
from kg.store.base import SelectResult, Store
from kg.store.limited import ChildQueryError, QueryPool, RWLock, forking_works


def answer(result: object, form: type, wrong_form: StoreError) -> SelectResult | bool | list[ox.Triple]:
    """A pyoxigraph query answer materialised as the Store interface returns it."""
    if not isinstance(result, form):
        raise wrong_form
    if isinstance(result, ox.QuerySolutions):
        return SelectResult([v.value for v in result.variables], [tuple(s) for s in result])
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    return list(result)  # type: ignore[call-overload]


class PublicView(Store):
    """A read-only Store answering over `base` minus restricted contact points."""

    def __init__(self, base: Store) -> None:
        self.base = base
        self._store: ox.Store | None = None
        self._graphs: list[str] = []
        self._fingerprint: object = None
        self._checked = float("-inf")
        self._lock = threading.Lock()
        # Queries read under it; a query worker is forked holding it for writing.
        self._rw = RWLock()
        self._pool = QueryPool()
        self._version = 0  # bumped by every rebuild of the copy (the pool's workers)

    def expire(self) -> None:
        """Ask the base store's fingerprint at the next query (a write was announced)."""
        self._checked = float("-inf")

    def _current(self) -> ox.Store:
        return self._current_version()[0]

    def _current_version(self) -> tuple[ox.Store, int]:
        """The public copy, rebuilt if the base changed, and its version."""
        interval = self.base.fingerprint_interval_s
        store, version = self._store, self._version
        if store is not None and time.monotonic() - self._checked < interval:
            return store, version
        with self._lock:
            fingerprint = self.base.fingerprint()
            rebuilt = self._store is None or fingerprint != self._fingerprint
            if rebuilt:
                quads = public_quads(list(self.base.quads()))
                fresh = ox.Store()
                fresh.extend(quads)
                self._graphs = sorted({q.graph_name.value for q in quads})
                self._store, self._fingerprint = fresh, fingerprint
                self._version += 1
            self._checked = time.monotonic()
            store, version = self._store, self._version
        if rebuilt:
            self._pool.retire(version)  # workers forked from the old copy go
        return store, version

    def _run(self, sparql: str, form: type, expected: str) -> object:
        store = self._current()
        try:
            with self._rw.read():
                return answer(store.query(sparql, use_default_graph_as_union=True), form,
                              StoreError(key="store.wrong_form", expected=expected))
        except SyntaxError as exc:
            raise StoreError(key="store.bad_query", reason=str(exc)) from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise StoreError(key="store.query_failed", reason=str(exc)) from None

    def select(self, sparql: str) -> SelectResult:
        return self._run(sparql, ox.QuerySolutions, "SELECT")  # type: ignore[return-value]

    def run_query(self, sparql: str, form: str, *, timeout_s: float | None = None,
                  max_rows: int | None = None, trusted: bool = False
                  ) -> SelectResult | bool | list[ox.Triple]:
        """Under a time limit, in a worker process of the pool, killed at the limit
        (kg.store.limited), like the embedded store."""
        if timeout_s is None or trusted or not forking_works():
            return super().run_query(sparql, form, max_rows=max_rows)
        store, version = self._current_version()
        try:
            return self._pool.run(store, sparql, form, timeout_s=timeout_s,
                                  max_rows=max_rows, fork_lock=self._rw.write(),
                                  version=version)
        except ChildQueryError as exc:
            params = {"path": str(getattr(self.base, "path", self.base)), **exc.params}
            raise StoreError(key=f"store.{exc.key}", **params) from None

    def ask(self, sparql: str) -> bool:
        return self._run(sparql, ox.QueryBoolean, "ASK")  # type: ignore[return-value]

    def construct(self, sparql: str) -> list[ox.Triple]:
        return self._run(sparql, ox.QueryTriples, "CONSTRUCT/DESCRIBE")  # type: ignore[return-value]

    def graphs(self) -> list[str]:
        self._current()
        return list(self._graphs)

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        store = self._current()
        with self._rw.read():
            return [q.triple
                    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]

    def fingerprint(self) -> object:
        return self.base.fingerprint()

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        raise StoreError(key="store.read_only")

    def replace_all(self, graphs: Mapping[str, Iterable[ox.Triple]]) -> None:
        raise StoreError(key="store.read_only")

    def delete_graph(self, graph: str) -> bool:
        raise StoreError(key="store.read_only")

    def query_workers(self) -> list[int]:
        """Process ids of the live query workers (kg.store.limited)."""
        return self._pool.pids()

    def close(self) -> None:
        """Stop the query workers (the base store stays open)."""
        self._pool.close()

    def __repr__(self) -> str:
        return f"PublicView({self.base!r})"
