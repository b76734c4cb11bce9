"""Query commands: `migkg queries`, `migkg query NAME -p key=value`, `migkg sparql FILE|-`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pyoxigraph as ox

from kg import i18n
from kg.cli.output import write_output
from kg.config import Settings
from kg.errors import Location, ParameterError, Problem, QueryRefused
from kg.query import catalogue, run, sparql
from kg.query.catalogue import NamedQuery
from kg.query.results import QueryResult
from kg.store import open_store

SELECT_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = ("turtle", "ntriples")


def _write(output: str, text: str) -> None:
    """Machine output: stdout alone (`-`), or a file written atomically."""
    write_output(output, text.encode("utf-8"))


def _render(result: QueryResult, fmt: str) -> str:
    if fmt == "csv":
        return result.to_csv()
    if fmt == "tsv":
        return result.to_tsv()
    if fmt == "json":
        return result.to_json() + "\n"
    return result.to_table()


def _param_summary(q: NamedQuery) -> str:
    parts = []
    for p in q.parameters:
        if p.default is not None:
            parts.append(f"{p.name}={p.default}")
        elif p.required:
            parts.append(f"{p.name}*")
        else:
            parts.append(f"[{p.name}]")
    return ", ".join(parts)


def catalogue_json(lang: str | None = None) -> str:
    """The catalogue as JSON: every query with its titles, parameters and columns."""
    out = []
    for q in catalogue():
        out.append({
            "name": q.name, "group": q.group, "title": q.title, "description": q.description,
            "parameters": [{"name": p.name, "type": p.type, "required": p.required,
                            "default": p.default, "description": p.description}
                           for p in q.parameters],
            "columns": [{"name": c.name, "list": c.is_list, "description": c.description}
                        for c in q.columns],
        })
    return json.dumps(out, ensure_ascii=False, indent=1) + "\n"


def parse_params(name: str, pairs: tuple[str, ...]) -> dict[str, str]:
    """`-p key=value` options as a dict; ParameterError for a pair without '=' or a key twice."""
    params: dict[str, str] = {}
    problems: list[Problem] = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(Problem(Location("-p"), "query.cli.bad_pair", {"pair": pair}))
        elif key in params:
            problems.append(Problem(Location(file=name, column=key), "query.param.twice", {}))
        else:
            params[key] = value
    if problems:
        raise ParameterError(problems)
    return params


@click.command("queries")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A table to read, or JSON with every detail.")
@click.option("-o", "--output", default="-", show_default=True, help="Output file, - for stdout.")
@click.pass_obj
def queries_cmd(settings: Settings, fmt: str, output: str) -> None:
    """List the named queries: name, group, parameters (* required) and title."""
    if fmt == "json":
        _write(output, catalogue_json())
        return
    lang = settings.lang
    keys = ("name", "group", "parameters", "title")
    headers = [i18n.t(f"query.cli.{k}", lang) for k in keys]
    rows = [dict(zip(headers, (q.name, q.group, _param_summary(q),
                               q.title.get(lang) or q.title.get("en", "")), strict=True))
            for q in catalogue()]
    _write(output, QueryResult(headers, rows).to_table(width=80))


@click.command("query")
@click.argument("name")
@click.option("-p", "--param", "pairs", multiple=True, metavar="KEY=VALUE",
              help="A parameter, e.g. -p country=XAA -p domain=trends (repeatable).")
@click.option("--format", "fmt", type=click.Choice(SELECT_FORMATS), default="table",
              show_default=True, help="json is the SPARQL 1.1 Query Results JSON format.")
@click.option("-o", "--output", default="-", show_default=True, help="Output file, - for stdout.")
@click.pass_obj
def query_cmd(settings: Settings, name: str, pairs: tuple[str, ...], fmt: str, output: str) -> None:
    """Run a named query (see `migkg queries`) on the configured store.

    Parameters are checked before anything runs. Labels come in the language of the `lang`
    parameter, which defaults to --lang / MIGKG_LANG.
    """
    q = catalogue().get(name)
    params = parse_params(name, pairs)
    if q.parameter("lang") is not None and "lang" not in params:
        params["lang"] = settings.lang
    q.terms(params)  # every parameter checked before the store is even opened
    with open_store(settings) as store:
        result = run(store, q, params)
    _write(output, _render(result, fmt))


@click.command("sparql")
@click.argument("source", metavar="FILE|-")
@click.option("--format", "fmt", type=click.Choice(SELECT_FORMATS + GRAPH_FORMATS), default="table",
              show_default=True,
              help="SELECT/ASK: table, csv, tsv, json; CONSTRUCT/DESCRIBE: turtle (table), ntriples.")
@click.option("-o", "--output", default="-", show_default=True, help="Output file, - for stdout.")
@click.pass_obj
def sparql_cmd(settings: Settings, source: str, fmt: str, output: str) -> None:
    """Run an ad-hoc read-only SPARQL query from a file (or - for stdin).

    Updates, LOAD, SERVICE, FROM and over-deep or over-long queries are refused before
    anything reaches the store.
    """
    where = source
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise QueryRefused(Problem(Location(file=where), "query.guard.unreadable",
                                   {"detail": exc.strerror or str(exc)})) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QueryRefused(Problem(Location(file=where), "query.guard.not_utf8", {})) from None
    from kg.query.guard import check_readonly

    form = check_readonly(text, settings.limits, where)
    allowed = GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else SELECT_FORMATS
    if fmt not in allowed and not (fmt == "table" and form in ("CONSTRUCT", "DESCRIBE")):
        raise QueryRefused(Problem(Location(file=where), "query.cli.bad_format",
                                   {"format": fmt, "form": form, "allowed": ", ".join(allowed)}))
    with open_store(settings) as store:
        answer = sparql(store, text, settings.limits, where)
    if answer.select is not None:
        _write(output, _render(answer.select, fmt))
    elif answer.boolean is not None:
        if fmt == "json":
            _write(output, json.dumps({"head": {}, "boolean": answer.boolean}) + "\n")
        else:
            _write(output, ("true" if answer.boolean else "false") + "\n")
    else:
        rdf_format = ox.RdfFormat.N_TRIPLES if fmt == "ntriples" else ox.RdfFormat.TURTLE
        _write(output, ox.serialize(answer.triples or [], format=rdf_format).decode("utf-8"))


def register(group: click.Group) -> None:
    group.add_command(queries_cmd)
    group.add_command(query_cmd)
    group.add_command(sparql_cmd)
