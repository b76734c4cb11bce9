"""Named queries: the catalogue in queries/, checked parameters bound as RDF terms, plain results.

    from kg.query import catalogue, run
    result = run(store, "actors", {"country": "XAA", "lang": "fr"})
    result.columns, result.rows, result.to_csv()

Also the read-only guard for ad-hoc SPARQL (kg.query.guard.check_readonly, kg.query.sparql).
The file format and binding rules are in queries/README.md.
"""

from __future__ import annotations

from kg.query.catalogue import Catalogue, Column, NamedQuery, catalogue
from kg.query.execute import AdHocResult, run, sparql
from kg.query.guard import check_readonly
from kg.query.params import Parameter
from kg.query.results import QueryResult

__all__ = [
    "AdHocResult", "Catalogue", "Column", "NamedQuery", "Parameter", "QueryResult",
    "catalogue", "check_readonly", "run", "sparql",
]
