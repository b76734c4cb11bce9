"""The catalogue of named queries, loaded from queries/**/*.rq (format: queries/README.md).

A query file is data: its front matter (leading `# key: value` comments) gives the
bilingual title and description, the typed parameters and the documented result
columns. A malformed file is a bug in the project's data (DataFileError, exit 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg import i18n
from kg.errors import DataFileError, Location, NotFound, ParameterError, Problem
from kg.i18n import LANGUAGES
from kg.query import lexer
from kg.query.params import Parameter, SpecError, check_type, to_term
from kg.resources import queries_dir

_LINE_RE = re.compile(
    r"(?P<key>title|description|param|column|reads)"
    r"(?:\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*))?"
    r"(?P<list>\s*\(list\))?"
    r"(?:@(?P<lang>[a-z]{2}))?\s*:\s?(?P<value>.*)"
)
_PARAM_SPEC_RE = re.compile(r"(?P<type>[^=,\s]+)\s*(?:=\s*(?P<default>\S.*?)|,\s*(?P<opt>optional))?\s*")


@dataclass(frozen=True)
class Column:
    name: str
    description: dict[str, str]
    is_list: bool = False


@dataclass(frozen=True)
class NamedQuery:
    """One .rq file: its front matter and its text (with $parameters unbound)."""

    name: str
    group: str
    path: Path
    text: str
    title: dict[str, str]
    description: dict[str, str]
    parameters: list[Parameter]
    columns: list[Column]
    # The text with each $name renamed ?_p_name (so a parameter never clashes with an
    # ordinary ?name, e.g. a `type` parameter and a `type` column), and where VALUES blocks
    # go in it: (index just after a '{', parameter names bound there), in text order: the
    # outermost WHERE group binds every parameter, each sub-SELECT's WHERE group the ones it
    # uses (see _value_places and queries/README.md for where a binding is visible).
    prepared: str = field(default="", repr=False)
    inserts: tuple[tuple[int, tuple[str, ...]], ...] = field(default=(), repr=False)
    # `# reads: model` or `# reads: figures` (READS): the query reads nothing else, so its
    # cost is bounded whatever the countries hold (see confined()); None: any data.
    reads: str | None = None

    def parameter(self, name: str) -> Parameter | None:
        for p in self.parameters:
            if p.name == name:
                return p
        return None

    @property
    def list_columns(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns if c.is_list)

    def terms(self, params: Mapping[str, object] | None = None
              ) -> dict[str, ox.NamedNode | ox.Literal | None]:
        """Check every value by its type and return name -> RDF term (None = unbound).

        Raises ParameterError listing every problem (unknown, missing, bad value) at once.
        """
        given = dict(params or {})
        problems: list[Problem] = []
        declared = {p.name for p in self.parameters}
        for name in given:
            if name not in declared:
                key = "query.param.unknown" if declared else "query.param.unknown_none"
                problems.append(Problem(
                    Location(file=self.name, column=str(name)), key,
                    {"query": self.name, "allowed": ", ".join(p.name for p in self.parameters)}))
        bound: dict[str, ox.NamedNode | ox.Literal | None] = {}
        for p in self.parameters:
            value = given.get(p.name)
            if value is None or value == "":
                if p.default is not None:
                    value = p.default
                elif p.required:
                    problems.append(Problem(Location(file=self.name, column=p.name),
                                            "query.param.missing",
                                            {"name": p.name, "type": p.type}))
                    continue
                else:
                    bound[p.name] = None
                    continue
            try:
                bound[p.name] = to_term(self.name, p, value)  # type: ignore[arg-type]
            except ParameterError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ParameterError(problems)
        return bound

    def confined(self, params: Mapping[str, object] | None = None) -> bool:
        """Whether a run with these parameters reads one country's data (a country or an
        entity is given), or only what its `reads` front matter declares: the model
        (ontology and vocabularies), or the country nodes and their precomputed figures
        (one figures node per country, one per country and domain, kg/figures.py).

        Either way its cost is bounded by construction: one country's data, or a few nodes
        per country (at most a few hundred countries), never the volume of the countries'
        data. benchmarks/queries.py shows every such query far under the time limit at 1M
        triples, and tests/query/test_reads.py that a query declaring `reads` answers the
        same on a store holding only what it declares. So it may run on a store's cheaper
        path (in the thread: kg.query.execute). Any other query over every country grows
        with the store: it runs where the time limit stops it.
        """
        if self.reads is not None:
            return True
        given = params or {}
        return any(p.base in ("iso3", "iri") and given.get(p.name) not in (None, "")
                   for p in self.parameters)

    def bind(self, params: Mapping[str, object] | None = None) -> str:
        """The query text with its parameters bound by a VALUES block of RDF terms."""
        return bind_text(self.prepared, self.inserts, self.terms(params))


PARAM_PREFIX = "_p_"
# What a query may declare it reads (`# reads: ...`), and what that means.
READS = {
    "model": "only the ontology and the vocabularies, and whether the data use their terms",
    "figures": "only the country nodes, their precomputed figures and the model",
}


def bind_text(text: str, inserts: tuple[tuple[int, tuple[str, ...]], ...],
              terms: Mapping[str, ox.NamedNode | ox.Literal | None]) -> str:
    """Insert `VALUES (?_p_a ?_p_b) { (term term) }` blocks at the given places.

    str(term) is pyoxigraph's N-Triples serialisation of an RDF term, which escapes every
    character a literal or IRI could break out with: user text never becomes query syntax.
    """
    if not terms:
        return text
    pieces: list[str] = []
    last = 0
    for at, names in inserts:
        used = [n for n in names if n in terms]
        if not used:
            continue
        variables = " ".join(f"?{PARAM_PREFIX}{n}" for n in used)
        values = " ".join("UNDEF" if terms[n] is None else str(terms[n]) for n in used)
        pieces.append(text[last:at])
        pieces.append(f" VALUES ({variables}) {{ ({values}) }}")
        last = at
    pieces.append(text[last:])
    return "".join(pieces)


class Catalogue:
    """Every named query, by name; iteration gives them sorted by group then name."""

    def __init__(self, queries: list[NamedQuery]):
        self._by_name = {q.name: q for q in sorted(queries, key=lambda q: (q.group, q.name))}

    @classmethod
    def load(cls, folder: Path | None = None) -> Catalogue:
        root = folder or queries_dir()
        queries: list[NamedQuery] = []
        seen: dict[str, Path] = {}
        for path in sorted(root.rglob("*.rq")):
            q = parse_file(path, root)
            if q.name in seen:
                raise DataFileError(str(path), None,
                                    f"query name {q.name!r} is also {seen[q.name]}; names are file "
                                    "stems and must be unique across folders")
            seen[q.name] = path
            queries.append(q)
        return cls(queries)

    def names(self) -> list[str]:
        return list(self._by_name)

    def get(self, name: str) -> NamedQuery:
        try:
            return self._by_name[name]
        except KeyError:
            raise NotFound(Problem(Location(file=str(name)), "query.unknown",
                                   {"name": name, "known": ", ".join(sorted(self._by_name))})) from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[NamedQuery]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)


@cache
def catalogue() -> Catalogue:
    """The installed catalogue (queries/ beside the package, or bundled in a wheel), loaded once."""
    return Catalogue.load()


_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def named_query(name: str) -> NamedQuery:
    """One installed query by name. Until the whole catalogue is loaded, only its own file is
    parsed: `migkg query NAME` and the import's figures skip parsing the ~50 others (about
    half of the command's start-up). An unknown or ambiguous name goes to the catalogue,
    which says so."""
    if catalogue.cache_info().currsize:
        return catalogue().get(name)
    root = queries_dir()
    paths = sorted(root.rglob(f"{name}.rq")) if _STEM.fullmatch(name) else []
    if len(paths) != 1:
        return catalogue().get(name)
    return _parse_one(paths[0], root)


@cache
def _parse_one(path: Path, root: Path) -> NamedQuery:
    return parse_file(path, root)


# ---------------------------------------------------------------------------------------------
# Parsing a file
# ---------------------------------------------------------------------------------------------

def parse_file(path: Path, root: Path) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(str(path), None, f"unreadable query file: {exc}") from None
    rel = path.relative_to(root)
    group = rel.parts[0] if len(rel.parts) > 1 else ""
    return parse_text(text, name=path.stem, group=group, path=path)


def parse_text(text: str, name: str, group: str = "", path: Path | None = None) -> NamedQuery:
    """A NamedQuery from .rq text; DataFileError (file, line) when the front matter is wrong."""
    where = str(path or name)

    def fail(line: int | None, message: str) -> DataFileError:
        return DataFileError(where, line, message)

    entries: list[tuple[int, re.Match[str]]] = []
    values: list[list[str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        body = line[1:]
        if body.startswith("  ") and entries:  # continuation of the previous value
            values[-1].append(body.strip())
            continue
        body = body.strip()
        if not body:
            continue
        m = _LINE_RE.fullmatch(body)
        if not m:
            raise fail(number, f"front matter line not understood: {line!r}; see queries/README.md")
        entries.append((number, m))
        values.append([m["value"].strip()])

    title: dict[str, str] = {}
    description: dict[str, str] = {}
    specs: dict[str, tuple[int, str]] = {}
    param_docs: dict[str, dict[str, str]] = {}
    columns: dict[str, dict[str, str]] = {}
    list_columns: set[str] = set()
    reads: str | None = None
    for (number, m), parts in zip(entries, values, strict=True):
        key, item, lang = m["key"], m["name"], m["lang"]
        value = " ".join(p for p in parts if p)
        if lang is not None and lang not in LANGUAGES:
            raise fail(number, f"language {lang!r}: use @en or @fr")
        if not value:
            raise fail(number, f"empty value for {key}")
        if key in ("title", "description"):
            if item:
                raise fail(number, f"{key} takes no name")
            target = title if key == "title" else description
            target[lang or "en"] = value
        elif key == "reads":
            if item or lang or m["list"]:
                raise fail(number, "write `# reads: model` or `# reads: figures`")
            if value not in READS:
                raise fail(number, f"reads {value!r}: one of {', '.join(READS)}")
            if reads is not None:
                raise fail(number, "reads declared twice")
            reads = value
        elif key == "param":
            if not item or m["list"]:
                raise fail(number, "write `# param NAME: TYPE`")
            if lang is None:
                if item in specs:
                    raise fail(number, f"parameter {item!r} declared twice")
                specs[item] = (number, value)
            else:
                param_docs.setdefault(item, {})[lang] = value
        else:  # column
            if not item:
                raise fail(number, "write `# column NAME: meaning`")
            if m["list"]:
                list_columns.add(item)
            columns.setdefault(item, {})[lang or "en"] = value

    parameters: list[Parameter] = []
    for item, (number, spec) in specs.items():
        pm = _PARAM_SPEC_RE.fullmatch(spec)
        if not pm:
            raise fail(number, f"parameter {item!r}: write TYPE, TYPE = DEFAULT or TYPE, optional")
        ptype, default = pm["type"], pm["default"]
        try:
            check_type(ptype)
        except SpecError as exc:
            raise fail(number, f"parameter {item!r}: {exc}") from None
        docs = dict(param_docs.get(item, {}))
        base = ptype.split(":")[0].split("(")[0]
        for lang in LANGUAGES:
            if lang not in docs:
                scheme = ptype.split(":", 1)[1] if ":" in ptype else ""
                docs[lang] = i18n.t(f"query.type.{base}", lang, scheme=scheme)
        param = Parameter(item, ptype, required=default is None and not pm["opt"],
                          default=default, description=docs)
        if default is not None:
            try:
                to_term(name, param, default)
            except ParameterError as exc:
                raise fail(number, f"default of {item!r}: {exc}") from None
        parameters.append(param)
    for item in param_docs:
        if item not in specs:
            raise fail(None, f"description of an undeclared parameter {item!r}")

    names = [p.name for p in parameters]
    prepared = _rename_parameters(text, names, fail)
    inserts = _value_places(prepared, names, fail)
    return NamedQuery(
        name=name, group=group, path=path or Path(name), text=text, title=title,
        description=description, parameters=parameters,
        columns=[Column(c, d, c in list_columns) for c, d in columns.items()],
        prepared=prepared, inserts=inserts, reads=reads,
    )


def _value_places(prepared: str, names: list[str], fail
                  ) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Where VALUES blocks go: the outermost WHERE group (every parameter), and the WHERE
    group of each sub-SELECT that uses a parameter (those it uses): a sub-SELECT is
    evaluated on its own, so it needs its own binding.

    Not in other nested groups: a VALUES block inside an OPTIONAL makes oxigraph evaluate
    that OPTIONAL over the whole store (~75 ms at 1M triples) instead of row by row.
    """
    skel, variables = lexer.scan(prepared)
    where = lexer.where_brace(skel)
    if where is None:
        raise fail(None, "no WHERE group found")
    places: dict[int, list[str]] = {where: list(names)}
    subqueries = lexer.subselect_wheres(skel)  # (where '{', its '}') of each sub-SELECT
    for var in variables:
        if not var.name.startswith(PARAM_PREFIX):
            continue
        name = var.name[len(PARAM_PREFIX):]
        enclosing = [(o, c) for o, c in subqueries if o < var.start < c]
        if not enclosing:
            continue
        inner = max(enclosing)[0]
        used = places.setdefault(inner, [])
        if name not in used:
            used.append(name)
    return tuple((brace + 1, tuple(used)) for brace, used in sorted(places.items()))


def _rename_parameters(text: str, declared: list[str], fail) -> str:
    """$name -> ?_p_name; every $name must be declared (an unused declaration is harmless
    here: the lint test reports it)."""
    skel, variables = lexer.scan(text)
    pieces: list[str] = []
    last = 0
    for var in variables:
        if var.name.startswith(PARAM_PREFIX):
            raise fail(lexer.line_col(text, var.start)[0],
                       f"variable {var.sigil}{var.name}: names starting with {PARAM_PREFIX} are "
                       "reserved for parameters")
        if var.sigil != "$":
            continue
        if var.name not in declared:
            raise fail(lexer.line_col(text, var.start)[0],
                       f"${var.name} is not a declared parameter (declared: "
                       f"{', '.join(declared) or 'none'}); ordinary variables are written ?name")
        pieces.append(text[last:var.start])
        pieces.append(f"?{PARAM_PREFIX}{var.name}")
        last = var.start + 1 + len(var.name)
    pieces.append(text[last:])
    return "".join(pieces)
