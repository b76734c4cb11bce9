"""`migkg queries`, `migkg query NAME`, `migkg sparql FILE|-`: the catalogue from the command line."""

from __future__ import annotations

import json
import sys

import click

from kg.cli.output import write_output
from kg.config import Settings
from kg.errors import Location, ParameterError, Problem

_FORMATS = ("table", "csv", "tsv", "json")


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ParameterError(Problem(Location("-p"), "query.cli.bad_pair", {"pair": pair}))
        params[key.strip()] = value
    return params


def _render(result, fmt: str) -> str:
    return {"table": result.to_table, "csv": result.to_csv, "tsv": result.to_tsv,
            "json": result.to_json}[fmt]()


@click.command("queries")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_obj
def queries_cmd(settings: Settings, fmt: str) -> None:
    """List the named queries: name, group, parameters, title."""
    from kg.query import catalogue

    lang = settings.lang
    entries = [{
        "name": q.name, "group": q.group, "title": q.title, "description": q.description,
        "parameters": [{"name": p.name, "type": p.type, "required": p.required,
                        "default": p.default} for p in q.parameters],
        "columns": [{"name": c.name, "description": c.description, "list": c.is_list}
                    for c in q.columns],
    } for q in catalogue()]
    if fmt == "json":
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
        return
    width = max(len(e["name"]) for e in entries)
    for e in entries:
        params = " ".join(p["name"] + ("" if p["required"] else "?") for p in e["parameters"])
        click.echo(f"{e['name']:<{width}}  {e['group']:<8}  {e['title'].get(lang) or e['title']['en']}"
                   + (f"  [{params}]" if params else ""))


@click.command("query")
@click.argument("name")
@click.option("-p", "--param", "pairs", multiple=True, metavar="KEY=VALUE",
              help="A parameter, e.g. -p country=XAA -p lang=fr (repeatable).")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="table", show_default=True,
              help="json = SPARQL 1.1 Query Results JSON.")
@click.option("-o", "--output", default="-", show_default=True, help="Output file, or - for stdout.")
@click.pass_obj
def query_cmd(settings: Settings, name: str, pairs: tuple[str, ...], fmt: str, output: str) -> None:
    """Run the named query NAME (see `migkg queries`)."""
    from kg import query
    from kg.store import open_store

    named = query.catalogue().get(name)
    params = _params(pairs)
    with open_store(settings) as store:
        result = query.run(store, named, params)
    write_output(output, _render(result, fmt).encode("utf-8"))


@click.command("sparql")
@click.argument("source", type=click.File("r", encoding="utf-8"))
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="table", show_default=True)
@click.option("-o", "--output", default="-", show_default=True, help="Output file, or - for stdout.")
@click.pass_obj
def sparql_cmd(settings: Settings, source, fmt: str, output: str) -> None:
    """Run an ad-hoc read-only SPARQL query from FILE (or - for stdin).

    Updates, LOAD, SERVICE, FROM and over-deep queries are refused before they reach the store.
    """
    import pyoxigraph as ox

    from kg.query import sparql
    from kg.store import open_store

    where = "-" if source is sys.stdin or source.name == "<stdin>" else source.name
    text = source.read()
    with open_store(settings) as store:
        answer = sparql(store, text, settings.limits, where)
    if answer.select is not None:
        data = _render(answer.select, fmt).encode("utf-8")
    elif answer.boolean is not None:
        value = "true" if answer.boolean else "false"
        data = (json.dumps({"head": {}, "boolean": answer.boolean}) if fmt == "json"
                else value).encode("utf-8") + b"\n"
    else:
        data = ox.serialize(answer.triples or [], format=ox.RdfFormat.N_TRIPLES)
    write_output(output, data)


def register(group: click.Group) -> None:
    for command in (queries_cmd, query_cmd, sparql_cmd):
        group.add_command(command)
