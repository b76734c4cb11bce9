"""Commands for actor networks: `migkg network` (views and exports), `migkg network-summary`."""

from __future__ import annotations

import click

from kg import i18n
from kg.cli.output import write_output
from kg.i18n import LANGUAGES
from kg.service import (
    NETWORK_FORMATS,
    NETWORK_KINDS,
    NETWORK_METRICS,
    Workspace,
    render_network_summary,
)


@click.command("network")
@click.argument("iso3", required=False)
@click.option("--kind", type=click.Choice(NETWORK_KINDS),
              default="relations", show_default=True,
              help="relations: declared actor relations; sources: actors and the data sources "
                   "they produce or use; shared-sources: actors linked by the sources they "
                   "share; stages: actors by policy stage; partners: international and "
                   "development partners and the countries they support (ISO3 optional).")
@click.option("--metric", type=click.Choice(NETWORK_METRICS), default="betweenness",
              show_default=True, help="Node size in views and figures.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of labels and text.")
@click.option("--format", "fmt", type=click.Choice(NETWORK_FORMATS), default="html",
              show_default=True,
              help="html: interactive offline view; graphml / gexf (Gephi) / json "
                   "(node-link) / csv (edge list): data; svg / png: static figure.")
@click.option("-o", "--output", default="-", show_default=True,
              help="Output file, or - for stdout.")
@click.pass_obj
def network_cmd(ws: Workspace, iso3: str | None, kind: str, metric: str, lang: str | None,
                fmt: str, output: str) -> None:
    """Build a country's actor network and write it as a view, a figure or a data file."""
    lang = lang or ws.lang
    view = ws.network_view(iso3, kind, fmt, lang=lang, metric=metric)
    write_output(output, view.data)
    what = view.iso3 or i18n.t("network.all_countries", lang)
    click.echo(i18n.t("network.written", lang, kind=kind, what=what, nodes=view.nodes,
                      edges=view.edges, output=output), err=True)


@click.command("network-summary")
@click.argument("iso3")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of labels and text.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@click.option("-o", "--output", default="-", show_default=True,
              help="Output file, or - for stdout.")
@click.pass_obj
def network_summary_cmd(ws: Workspace, iso3: str, lang: str | None, fmt: str,
                        output: str) -> None:
    """A country's network metrics, each with what it means for policy."""
    write_output(output, render_network_summary(ws.network_summary(iso3, lang), fmt))


def register(group: click.Group) -> None:
    group.add_command(network_cmd)
    group.add_command(network_summary_cmd)
