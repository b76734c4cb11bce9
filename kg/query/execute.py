"""Run named queries (checked, bound, converted) and guarded ad-hoc SPARQL on a Store.

Both take the limits kg.service applies: a wall-clock time limit (the store stops the
query: kg.errors.QueryTimeout) and a row cap (the answer is cut and says so in
`truncated`). Named queries confined to one country or entity, or declaring that they read
only the model or the precomputed figures (`# reads:`), are trusted to stay far under the
limit: the store may run them on its cheaper path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pyoxigraph as ox

from kg.config import Limits
from kg.errors import Location, QueryTimeout
from kg.query.catalogue import NamedQuery, named_query
from kg.query.guard import check_readonly
from kg.query.results import QueryResult, convert
from kg.store.base import SelectResult, Store


def run(store: Store, name: str | NamedQuery, params: Mapping[str, object] | None = None, *,
        timeout_s: float | None = None, max_rows: int | None = None) -> QueryResult:
    """Run a named query: parameters checked by type first (ParameterError), then bound as
    RDF terms in a VALUES block; rows converted to plain values (kg.query.results)."""
    query = name if isinstance(name, NamedQuery) else named_query(name)
    text = query.bind(params)
    if timeout_s is None and max_rows is None:
        answer = store.select(text)
    else:
        # One country's (or entity's) read, or only the model or the figures: trusted to stay
        # far under the limit, so the store may run it on its cheaper path (NamedQuery.confined).
        answer = store.run_query(text, "SELECT", timeout_s=timeout_s, max_rows=max_rows,
                                 trusted=query.confined(params))
    return _result(answer, max_rows, query.list_columns)


def rows(store: Store, name: str | NamedQuery, params: Mapping[str, object] | None = None
         ) -> list[dict]:
    """The rows of one named query, no limit (the guide's and the network's internal reads)."""
    return run(store, name, params).rows


def _result(answer: SelectResult, max_rows: int | None,
            list_columns: frozenset[str] = frozenset()) -> QueryResult:
    rows, truncated = answer.rows, None
    if max_rows is not None and len(rows) > max_rows:
        rows, truncated = rows[:max_rows], max_rows
    return QueryResult(answer.variables, convert(answer.variables, rows, list_columns), rows,
                       truncated)


@dataclass
class AdHocResult:
    """The answer of an ad-hoc query: form, and rows, a boolean or triples after it."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    select: QueryResult | None = None
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None
    # The row (or triple) cap when the answer was cut at it, else None.
    truncated: int | None = None


def sparql(store: Store, text: str, limits: Limits | None = None, where: str = "-", *,
           capped: bool = False) -> AdHocResult:
    """Run an ad-hoc read-only query after the guard (kg.query.guard.check_readonly).

    With limits, the query is stopped at limits.query_timeout_s (QueryTimeout naming
    `where`) and, when capped, cut at limits.query_max_rows rows or triples.
    """
    form = check_readonly(text, limits, where)
    timeout_s = limits.query_timeout_s if limits else None
    max_rows = limits.query_max_rows if limits and capped else None
    engine_form = "CONSTRUCT" if form == "DESCRIBE" else form
    try:
        answer = store.run_query(text, engine_form, timeout_s=timeout_s, max_rows=max_rows)
    except QueryTimeout as exc:
        raise QueryTimeout([replace(p, location=Location(file=where))
                            for p in exc.problems]) from None
    if form == "SELECT":
        result = _result(answer, max_rows)  # type: ignore[arg-type]
        return AdHocResult(form, select=result, truncated=result.truncated)
    if form == "ASK":
        return AdHocResult(form, boolean=bool(answer))
    triples: list[ox.Triple] = answer  # type: ignore[assignment]
    if max_rows is not None and len(triples) > max_rows:
        return AdHocResult(form, triples=triples[:max_rows], truncated=max_rows)
    return AdHocResult(form, triples=triples)
