"""The network explorer: a country's interactive actor network, its metrics in plain words,
downloads, the cross-country view of partners, and the view's assets (served from here:
vis-network is vendored in the package, never fetched from elsewhere)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from kg.service import NETWORK_ASSETS, NETWORK_FORMATS, network_asset, network_style_hashes
from webapp import security, web
from webapp.entities import check_country, country_status
from webapp.tables import table

bp = Blueprint("network", __name__)

PAGE_KINDS = ("relations", "sources", "shared-sources", "stages")
METRICS = ("betweenness", "degree")


def _arg(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = request.args.get(name, default) or default
    if value not in allowed:
        raise web.bad_value(name, value, list(allowed))
    return value


def _vis_network_styles() -> None:
    """vis-network's standalone build injects its CSS as <style> elements when it loads:
    the network pages allow exactly those (by hash), never any other inline style or script."""
    security.relax_csp("style-src", *network_style_hashes())


def _with_links(payload: dict) -> dict:
    """Each actor node gets the local path of its page (href); nothing else links. A copy:
    the workspace keeps the payload for the next request."""
    nodes = [{**{k: v for k, v in node.items() if k != "iri"},
              "href": web.local_path(node.get("iri", "")) or ""} for node in payload["nodes"]]
    return {**payload, "nodes": nodes}


@bp.route("/id/<iso3>/network")
def country(iso3: str):
    name = country_status(iso3).get("name") or iso3
    lang = web.lang()
    kind = _arg("kind", "relations", PAGE_KINDS)
    metric = _arg("metric", "betweenness", METRICS)
    ws = web.workspace()
    data = ws.country(iso3, lang)  # one read and one metrics run for the view and the summary
    payload = _with_links(ws.network_payload(iso3, kind, lang=lang, metric=metric, data=data))
    summary = ws.network_summary(iso3, lang, data=data)
    actors = sorted(summary["actors"], key=lambda a: (-a["betweenness"], -a["degree"],
                                                      str(a["label"]).casefold()))
    downloads = [(f"/id/{iso3}/network/{kind}.{fmt}?lang={lang}", fmt.upper())
                 for fmt in NETWORK_FORMATS]
    _vis_network_styles()
    return render_template("network/country.html", iso3=iso3, name=name, kind=kind,
                           kinds=PAGE_KINDS, metric=metric, payload=payload,
                           summary=summary["rows"], actors=actors, downloads=downloads)


@bp.route("/id/<iso3>/network/<kind>.<fmt>")
def download(iso3: str, kind: str, fmt: str):
    iso3 = check_country(iso3)
    if kind not in PAGE_KINDS or fmt not in NETWORK_FORMATS:
        abort(404)
    lang = web.lang()
    metric = _arg("metric", "betweenness", METRICS)
    data, media_type = web.workspace().network(iso3, kind, fmt, lang=lang, metric=metric)
    response = Response(data, content_type=media_type)
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{iso3}-network-{kind}-{lang}.{fmt}"'
    return response


@bp.route("/network/partners")
def partners():
    lang = web.lang()
    ws = web.workspace()
    payload = _with_links(ws.network_payload(None, "partners", lang=lang))
    q = ws.query("partners-by-country")
    result = ws.run_query("partners-by-country", {}, lang)
    rows = table(q, result, lang, hide=["partner", "country"], links={"name": "partner"})
    downloads = [(f"/network/partners.{fmt}?lang={lang}", fmt.upper()) for fmt in NETWORK_FORMATS]
    _vis_network_styles()
    return render_template("network/partners.html", payload=payload, table=rows,
                           downloads=downloads)


@bp.route("/network/partners.<fmt>")
def partners_download(fmt: str):
    if fmt not in NETWORK_FORMATS:
        abort(404)
    lang = web.lang()
    data, media_type = web.workspace().network(None, "partners", fmt, lang=lang)
    response = Response(data, content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="partners-{lang}.{fmt}"'
    return response


@bp.route("/assets/network/<name>")
def asset(name: str):
    if name not in NETWORK_ASSETS:
        abort(404)
    text, media_type = network_asset(name)
    response = Response(text, content_type=media_type)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
