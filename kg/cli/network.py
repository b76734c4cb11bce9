"""Commands for actor networks: `migkg network` (views and exports), `migkg network-summary`."""

from __future__ import annotations

import csv
import io
import json

import click

from kg import i18n
from kg.cli.output import write_output
from kg.config import Settings
from kg.store import open_store

FORMATS = ("html", "graphml", "gexf", "json", "csv", "svg", "png")


@click.command("network")
@click.argument("iso3", required=False)
@click.option("--kind", type=click.Choice(["relations", "sources", "shared-sources", "stages",
                                           "partners"]),
              default="relations", show_default=True,
              help="relations: declared actor relations; sources: actors and the data sources "
                   "they produce or use; shared-sources: actors linked by the sources they "
                   "share; stages: actors by policy stage; partners: international and "
                   "development partners and the countries they support (ISO3 optional).")
@click.option("--metric", type=click.Choice(["betweenness", "degree"]), default="betweenness",
              show_default=True, help="Node size in views and figures.")
@click.option("--lang", type=click.Choice(["en", "fr"]), help="Language of labels and text.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True,
              help="html: interactive offline view; graphml / gexf (Gephi) / json "
                   "(node-link) / csv (edge list): data; svg / png: static figure.")
@click.option("-o", "--output", default="-", show_default=True,
              help="Output file, or - for stdout.")
@click.pass_obj
def network_cmd(settings: Settings, iso3: str | None, kind: str, metric: str, lang: str | None,
                fmt: str, output: str) -> None:
    """Build a country's actor network and write it as a view, a figure or a data file."""
    from kg.network import export, load, metrics, render

    lang = lang or settings.lang
    if kind != "partners":
        iso3 = load.check_iso3(iso3, kind)
    elif iso3:
        iso3 = load.check_iso3(iso3, kind)
    with open_store(settings) as store:
        vocab = load.vocabulary(store, lang)
        g = load.graph(store, kind, iso3, lang)
    m = metrics.compute(g)
    if fmt == "html":
        data = render.html(g, m, lang=lang, metric=metric, vocab=vocab).encode("utf-8")
    elif fmt in ("svg", "png"):
        data = render.figure(g, m, fmt=fmt, lang=lang, metric=metric)
    else:
        data = export.export(g, fmt, m, metric=metric)
    write_output(output, data)
    what = iso3 or i18n.t("network.all_countries", lang)
    click.echo(i18n.t("network.written", lang, kind=kind, what=what, nodes=g.number_of_nodes(),
                      edges=g.number_of_edges(), output=output), err=True)


@click.command("network-summary")
@click.argument("iso3")
@click.option("--lang", type=click.Choice(["en", "fr"]), help="Language of labels and text.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@click.option("-o", "--output", default="-", show_default=True,
              help="Output file, or - for stdout.")
@click.pass_obj
def network_summary_cmd(settings: Settings, iso3: str, lang: str | None, fmt: str,
                        output: str) -> None:
    """A country's network metrics, each with what it means for policy."""
    from kg.network import export, load, metrics

    lang = lang or settings.lang
    with open_store(settings) as store:
        net = load.country(store, iso3, lang)
    g, s = net.relation_graph, net.source_graph
    rows = metrics.summary(g, s, net.vocab, lang)
    if fmt == "json":
        m = metrics.compute(g)
        payload = {
            "country": net.iso3, "lang": lang,
            "rows": [{"key": r.key, "label": r.label, "value": r.value, "meaning": r.meaning}
                     for r in rows],
            "actors": [{"id": n, "label": metrics.label(g, n), "type": g.nodes[n].get("type", ""),
                        "degree": m.degree.get(n, 0),
                        "weighted_degree": m.weighted_degree.get(n, 0.0),
                        "betweenness": m.betweenness.get(n, 0.0),
                        "community": m.community.get(n)}
                       for n in g.nodes if g.nodes[n].get("kind") == "actor"],
        }
        data = (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow([i18n.t(f"network.summary.{c}", lang)
                         for c in ("key", "label", "value", "meaning")])
        for r in rows:
            writer.writerow([export.safe_cell(v) for v in (r.key, r.label, r.text(), r.meaning)])
        data = buf.getvalue().encode("utf-8")
    else:
        width = max(len(r.label) for r in rows) + 2
        lines, previous = [], ""
        for r in rows:
            lines.append(f"{r.label.ljust(width)}{r.text()}")
            if r.meaning != previous:  # per-stage / per-domain rows share one meaning
                lines.append(f"{'':4}{r.meaning}")
            previous = r.meaning
        data = ("\n".join(lines) + "\n").encode("utf-8")
    write_output(output, data)


def register(group: click.Group) -> None:
    group.add_command(network_cmd)
    group.add_command(network_summary_cmd)
