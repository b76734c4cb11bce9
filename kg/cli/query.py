"""Query commands: `migkg queries`, `migkg query NAME -p key=value`, `migkg sparql FILE|-`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg import i18n
from kg.cli.output import write_output
from kg.errors import Location, ParameterError, Problem, QueryRefused
from kg.service import (
    GRAPH_FORMATS,
    SELECT_FORMATS,
    NamedQuery,
    QueryResult,
    Workspace,
    serialize_triples,
)


def _write(output: str, text: str) -> None:
    """Machine output: stdout alone (`-`), or a file written atomically."""
    write_output(output, text.encode("utf-8"))


def _warn_truncated(ws: Workspace, truncated: int | None) -> None:
    if truncated is not None:
        click.echo(f"{i18n.t('common.warning', ws.lang)}: "
                   f"{i18n.t('service.truncated', ws.lang, cap=truncated)}", err=True)


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
def queries_cmd(ws: Workspace, fmt: str, output: str) -> None:
    """List the named queries: name, group, parameters (* required) and title."""
    if fmt == "json":
        _write(output, json.dumps(ws.catalogue_data(), ensure_ascii=False, indent=1) + "\n")
        return
    lang = ws.lang
    keys = ("name", "group", "parameters", "title")
    headers = [i18n.t(f"query.cli.{k}", lang) for k in keys]
    rows = [dict(zip(headers, (q.name, q.group, _param_summary(q),
                               q.title.get(lang) or q.title.get("en", "")), strict=True))
            for q in ws.catalogue()]
    _write(output, QueryResult(headers, rows).to_table(width=80))


@click.command("query")
@click.argument("name")
@click.option("-p", "--param", "pairs", multiple=True, metavar="KEY=VALUE",
              help="A parameter, e.g. -p country=XAA -p domain=trends (repeatable).")
@click.option("--format", "fmt", type=click.Choice(SELECT_FORMATS), default="table",
              show_default=True, help="json is the SPARQL 1.1 Query Results JSON format.")
@click.option("-o", "--output", default="-", show_default=True, help="Output file, - for stdout.")
@click.pass_obj
def query_cmd(ws: Workspace, name: str, pairs: tuple[str, ...], fmt: str, output: str) -> None:
    """Run a named query (see `migkg queries`) on the configured store.

    Parameters are checked before anything runs. Labels come in the language of the `lang`
    parameter, which defaults to --lang / MIGKG_LANG. Rows past the row cap are cut, with a
    warning on stderr.
    """
    ws.query(name)  # an unknown name is reported before the parameters
    result = ws.run_query(name, parse_params(name, pairs))
    _write(output, result.render(fmt))
    _warn_truncated(ws, result.truncated)


@click.command("sparql")
@click.argument("source", metavar="FILE|-")
@click.option("--format", "fmt", type=click.Choice(SELECT_FORMATS + GRAPH_FORMATS), default="table",
              show_default=True,
              help="SELECT/ASK: table, csv, tsv, json; CONSTRUCT/DESCRIBE: turtle (table), ntriples.")
@click.option("-o", "--output", default="-", show_default=True, help="Output file, - for stdout.")
@click.pass_obj
def sparql_cmd(ws: Workspace, source: str, fmt: str, output: str) -> None:
    """Run an ad-hoc read-only SPARQL query from a file (or - for stdin).

    Updates, LOAD, SERVICE, FROM and over-deep or over-long queries are refused before
    anything reaches the store. A query running past the time limit is stopped (exit 2);
    rows past the row cap are cut, with a warning on stderr.
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
    form = ws.check_sparql(text, where=where)
    allowed = GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else SELECT_FORMATS
    if fmt not in allowed and not (fmt == "table" and form in ("CONSTRUCT", "DESCRIBE")):
        raise QueryRefused(Problem(Location(file=where), "query.cli.bad_format",
                                   {"format": fmt, "form": form, "allowed": ", ".join(allowed)}))
    answer = ws.sparql(text, where=where)
    if answer.select is not None:
        _write(output, answer.select.render(fmt))
        _warn_truncated(ws, answer.select.truncated)
    elif answer.boolean is not None:
        if fmt == "json":
            _write(output, json.dumps({"head": {}, "boolean": answer.boolean}) + "\n")
        else:
            _write(output, ("true" if answer.boolean else "false") + "\n")
    else:
        rdf_format = "ntriples" if fmt == "ntriples" else "turtle"  # table: Turtle
        _write(output, serialize_triples(answer.triples or [], rdf_format).decode("utf-8"))
        _warn_truncated(ws, answer.truncated)


def register(group: click.Group) -> None:
    group.add_command(queries_cmd)
    group.add_command(query_cmd)
    group.add_command(sparql_cmd)
