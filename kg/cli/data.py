"""Commands that put data in and take it out: import, validate, demo, countries, export, catalog,
delete."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg import i18n
from kg.cli.output import write_output
from kg.service import CATALOG_FORMATS, EXPORT_FORMATS, Workspace, demo_paths

if TYPE_CHECKING:
    from kg.service import Checked

_PATHS = click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)


def _echo_warnings(checked: list[Checked], lang: str) -> None:
    for item in checked:
        # Several questionnaires: each line starts with its questionnaire's path.
        for problem in item.warnings:
            click.echo(problem.line(lang), err=True)


def _run_import(ws: Workspace, paths: list[Path], strict: bool, dry_run: bool) -> None:
    lang = ws.lang
    label = i18n.t("cli.checking", lang)
    with click.progressbar(length=len(paths), label=label, file=sys.stderr,
                           show_pos=True) if len(paths) > 1 else _nullbar() as bar:
        checked = ws.check(paths, strict=strict, progress=lambda _p: bar.update(1))
    _echo_warnings(checked, lang)
    if dry_run:
        for c in checked:
            click.echo(i18n.t("pipeline.dry_run", lang, iso3=c.iso3,
                              triples=len(c.mapped.triples)), err=True)
        return
    label = i18n.t("cli.writing", lang)
    with click.progressbar(length=len(checked), label=label, file=sys.stderr,
                           show_pos=True) if len(checked) > 1 else _nullbar() as bar:
        reports = ws.write(checked, progress=lambda _i: bar.update(1))
    for r in reports:
        key = "pipeline.imported" if r.changed else "pipeline.unchanged"
        click.echo(i18n.t(key, lang, iso3=r.iso3, triples=r.triples, origin=r.origin), err=True)


class _nullbar:
    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, _n: int) -> None:
        return None


@click.command("import")
@_PATHS
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@click.option("--strict", is_flag=True, help="Treat SHACL warnings as errors.")
@click.pass_obj
def import_cmd(ws: Workspace, paths: tuple[Path, ...], dry_run: bool, strict: bool) -> None:
    """Import questionnaires (CSV folders, .zip or .xlsx): one country each.

    Every questionnaire is checked (cells, then SHACL) before anything is written;
    if one fails, nothing is written. Each country's graph is replaced atomically.
    """
    _run_import(ws, list(paths), strict, dry_run)


@click.command("validate")
@_PATHS
@click.option("--strict", is_flag=True, help="Treat SHACL warnings as errors (exit 2).")
@click.pass_obj
def validate_cmd(ws: Workspace, paths: tuple[Path, ...], strict: bool) -> None:
    """Check questionnaires without writing anything: exit 0 if valid, 2 otherwise."""
    checked = ws.check(list(paths), strict=strict)
    _echo_warnings(checked, ws.lang)
    for c in checked:
        click.echo(i18n.t("pipeline.valid", ws.lang, iso3=c.iso3,
                          triples=len(c.mapped.triples), warnings=len(c.warnings)), err=True)


@click.command("demo")
@click.pass_obj
def demo_cmd(ws: Workspace) -> None:
    """Import the fictional demo countries shipped with the package."""
    _run_import(ws, demo_paths(), strict=False, dry_run=False)


@click.command("export")
@click.option("--country", "iso3", help="Only this country's graph (ISO3).")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="trig",
              show_default=True, help="RDF serialisation.")
@click.option("--include-restricted", is_flag=True,
              help="Keep restricted contact details (operator use only).")
@click.option("-o", "--output", default="-", show_default=True,
              help="Output file, or - for stdout.")
@click.pass_obj
def export_cmd(ws: Workspace, iso3: str | None, fmt: str, include_restricted: bool,
               output: str) -> None:
    """Export the store (or one country) as RDF, sorted so unchanged data gives the same bytes."""
    write_output(output, ws.export(fmt, iso3=iso3, include_restricted=include_restricted))


@click.command("catalog")
@click.option("--format", "fmt", type=click.Choice(CATALOG_FORMATS), default="ttl",
              show_default=True, help="Turtle, or JSON-LD (expanded: full IRIs, no context to fetch).")
@click.option("-o", "--output", default="-", show_default=True,
              help="Output file, or - for stdout.")
@click.pass_obj
def catalog_cmd(ws: Workspace, fmt: str, output: str) -> None:
    """The DCAT-AP 3.0.1 catalogue of every country's existing data sources, for data portals
    to harvest (the same document as /catalog.ttl and /catalog.jsonld)."""
    data, _media_type = ws.catalog(fmt)
    write_output(output, data)


@click.command("delete")
@click.argument("iso3")
@click.pass_obj
def delete_cmd(ws: Workspace, iso3: str) -> None:
    """Remove one country's graph from the store."""
    code = ws.delete(iso3)
    click.echo(i18n.t("cli.deleted", ws.lang, iso3=code), err=True)


@click.command("countries")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]),
              default="table", show_default=True)
@click.pass_obj
def countries_cmd(ws: Workspace, fmt: str) -> None:
    """List the countries in the store with their counts (the `country-summary` query)."""
    click.echo(ws.countries().render(fmt).rstrip("\n"))


def register(group: click.Group) -> None:
    for command in (import_cmd, validate_cmd, demo_cmd, countries_cmd, export_cmd, catalog_cmd,
                    delete_cmd):
        group.add_command(command)
