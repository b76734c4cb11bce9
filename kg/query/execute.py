"""Run named queries (checked, bound, converted) and guarded ad-hoc SPARQL on a Store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.config import Limits
from kg.query.catalogue import NamedQuery, catalogue
from kg.query.guard import check_readonly
from kg.query.results import QueryResult, convert
from kg.store.base import Store


def run(store: Store, name: str | NamedQuery, params: Mapping[str, object] | None = None
        ) -> QueryResult:
    """Run a named query: parameters checked by type first (ParameterError), then bound as
    RDF terms in a VALUES block; rows converted to plain values (kg.query.results)."""
    query = name if isinstance(name, NamedQuery) else catalogue().get(name)
    text = query.bind(params)
    answer = store.select(text)
    return QueryResult(answer.variables, convert(answer.variables, answer.rows, query.list_columns),
                       answer.rows)


@dataclass
class AdHocResult:
    """The answer of an ad-hoc query: form, and rows, a boolean or triples after it."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    select: QueryResult | None = None
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None
    # The row (or triple) cap when the answer was cut at it (kg.service), else None.
    truncated: int | None = None


def sparql(store: Store, text: str, limits: Limits | None = None, where: str = "-") -> AdHocResult:
    """Run an ad-hoc read-only query after the guard (kg.query.guard.check_readonly)."""
    form = check_readonly(text, limits, where)
    if form == "SELECT":
        answer = store.select(text)
        return AdHocResult(form, select=QueryResult(answer.variables,
                                                    convert(answer.variables, answer.rows),
                                                    answer.rows))
    if form == "ASK":
        return AdHocResult(form, boolean=store.ask(text))
    return AdHocResult(form, triples=store.construct(text))
