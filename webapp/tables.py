"""Named-query results prepared for the one table macro (templates/macros.html: result_table).

A Table holds the rows as the query returned them and, per column, the header label and
description from the catalogue in the page's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_CLAUSE_RE = re.compile(r"[,(:;.]\s|\s\(|\.$")


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    description: str
    is_list: bool = False
    numeric: bool = False
    link: str | None = None  # another column holding the IRI this cell links to

    @property
    def year(self) -> bool:
        """A year is a number shown without a thousands separator."""
        return self.name == "year" or self.name.endswith("_year")


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, object]]
    truncated: bool = False
    all_columns: list[str] = field(default_factory=list)


def header(description: str, name: str) -> str:
    """A short header from a column's description: its first clause, capitalised."""
    text = (description or name.replace("_", " ")).strip()
    m = _CLAUSE_RE.search(text)
    short = text[: m.start()] if m and m.start() > 0 else text.rstrip(".")
    return short[:1].upper() + short[1:]


def table(query: object, result: object, lang: str, *, hide: Iterable[str] = (),
          links: Mapping[str, str] | None = None, show: Iterable[str] | None = None,
          headers: Mapping[str, str] | None = None) -> Table:
    """A Table from a NamedQuery and its QueryResult.

    hide: columns not shown (e.g. an IRI column used as a link target); show: only these
    columns, in this order; links: {shown column: column holding the IRI it links to};
    headers: {column: header} where the catalogue's first clause reads badly in a page.
    """
    links = dict(links or {})
    meta = {c.name: c for c in query.columns}
    rows = list(result.rows)
    names = list(show) if show is not None else [c for c in result.columns if c not in set(hide)]
    columns = []
    for name in names:
        c = meta.get(name)
        description = (c.description.get(lang) or c.description.get("en", "")) if c else ""
        numeric = name.endswith(("_count", "_score", "_year")) or name in ("year", "score") \
            or (bool(rows) and all(isinstance(r.get(name), int) for r in rows
                                   if r.get(name) is not None)
                and any(r.get(name) is not None for r in rows))
        columns.append(Column(name, (headers or {}).get(name) or header(description, name),
                              description,
                              is_list=bool(c and c.is_list), numeric=numeric,
                              link=links.get(name)))
    return Table(name=query.name, title=query.title.get(lang) or query.title.get("en", ""),
                 columns=columns, rows=rows, truncated=bool(getattr(result, "truncated", False)),
                 all_columns=list(result.columns))
