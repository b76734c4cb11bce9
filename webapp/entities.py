"""Country and entity pages at their IRI paths, with content negotiation.

`<base>id/XAA` is served at `/id/XAA`, `<base>id/XAA/actor/moi` at `/id/XAA/actor/moi`:
HTML for browsers (and when Accept is absent or */*), Turtle, N-Triples or JSON-LD (inline
@context) by Accept or by the suffixes .ttl, .nt, .jsonld; a Link header names the
alternates; 406 for a type none of these satisfies. Restricted contact points never
appear (the use-case layer leaves them out for anonymous readers).
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, redirect, render_template, request

from kg.errors import Location, NotFound, Problem
from webapp import web
from webapp.tables import table

bp = Blueprint("entities", __name__)

MEDIA_TYPES = {
    "html": "text/html",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
}
_OFFERED = ["text/html", "application/xhtml+xml", "text/turtle", "application/n-triples",
            "application/ld+json", "application/json"]
_BY_MEDIA = {"text/html": "html", "application/xhtml+xml": "html", "text/turtle": "ttl",
             "application/n-triples": "nt", "application/ld+json": "jsonld",
             "application/json": "jsonld"}
ISO3_RE = re.compile(r"[A-Za-z]{3}")
# What an entity IRI's tail may hold (row ids, import stamps, percent-encoded file names).
TAIL_RE = re.compile(r"[A-Za-z0-9._~%-]+(?:/[A-Za-z0-9._~%-]+)*")
# The kinds of page a country's IRIs have (docs/data-model.md), and the country page
# section each appears in.
KIND_SECTIONS = {
    "actor": "actors", "source": "sources", "challenge": "matrix", "action": "matrix",
    "recommendation": "recommendations", "practice": "practices", "process": "process",
    "reference": "references", "relation": "actors", "participation": "cycle",
    "contact": "actors", "profile": "process", "import": "provenance", "context": "context",
}


def split_suffix(tail: str) -> tuple[str, str | None]:
    """('moi', 'ttl') for 'moi.ttl'; (tail, None) when it ends with no known suffix."""
    stem, dot, suffix = tail.rpartition(".")
    if dot and suffix in MEDIA_TYPES and suffix != "html" and stem:
        return stem, suffix
    return tail, None


def negotiate(suffix: str | None) -> str:
    """The format to answer in: the suffix's, else the Accept header's best (HTML when
    absent or */*); 406 when nothing offered is acceptable."""
    if suffix:
        return suffix
    if not request.headers.get("Accept", "").strip():
        return "html"
    best = request.accept_mimetypes.best_match(_OFFERED)
    if best is None:
        abort(406)
    return _BY_MEDIA[best]


def _links(path: str) -> str:
    return ", ".join(f'<{path}.{fmt}>; rel="alternate"; type="{media}"'
                     for fmt, media in MEDIA_TYPES.items() if fmt != "html") \
        + f', <{path}>; rel="canonical"; type="text/html"'


def _finish(response: Response, path: str) -> Response:
    response.headers["Link"] = _links(path)
    response.vary.add("Accept")
    return response


def _rdf(iri: str, fmt: str, path: str) -> Response:
    data, media_type = web.workspace().entity_document(iri, fmt)
    return _finish(Response(data, mimetype=media_type.split(";")[0]), path)


def country_status(iso3: str) -> dict:
    """The endorsement-status row of a country the store holds (name, coordinator, guide
    status, dates); 404 for any other code. One small query, also an existence check."""
    if not ISO3_RE.fullmatch(iso3) or iso3 != iso3.upper():
        abort(404)
    rows = web.workspace().run_query("endorsement-status", {"country": iso3}, web.lang()).rows
    if not rows:
        raise NotFound(Problem(Location(column="ISO3"), "web.unknown_country", {"iso3": iso3}))
    return rows[0]


def check_country(iso3: str) -> str:
    """The code of a country the store holds; 404 otherwise."""
    country_status(iso3)
    return iso3


@bp.route("/id/<iso3>")
def country(iso3: str):
    code, suffix = split_suffix(iso3)
    if ISO3_RE.fullmatch(code) and code != code.upper():
        return redirect(f"/id/{code.upper()}" + (f".{suffix}" if suffix else ""), 301)
    status = country_status(code)
    path = f"/id/{code}"
    fmt = negotiate(suffix)
    iri = web.settings().base + path[1:]
    if fmt != "html":
        return _rdf(iri, fmt, path)
    page = country_page(code, web.lang(), status)
    return _finish(Response(render_template("entities/country.html", **page)), path)


def _choice(name: str, allowed: list[str]) -> str | None:
    value = request.args.get(name, "")
    if not value:
        return None
    if value not in allowed:
        raise web.bad_value(name, value, allowed)
    return value


def country_page(iso3: str, lang: str, status: dict) -> dict[str, object]:
    """Everything the country page shows, each part from a named query."""
    ws = web.workspace()
    labels = web.concept_labels()

    def run(name: str, **params: object):
        params = {"country": iso3, **{k: v for k, v in params.items() if v is not None}}
        return ws.query(name), ws.run_query(name, params, lang)

    filters = {
        "domain": _choice("domain", list(labels.get("domain", {}))),
        "status": _choice("status", list(labels.get("source-status", {}))),
        "kind": _choice("kind", list(labels.get("source-kind", {}))),
        "access": _choice("access", list(labels.get("access", {}))),
    }
    q, all_sources = run("data-sources")
    # The query's own domain filter: a domain takes in its sub-domains.
    in_domain = ({r["source"] for r in run("data-sources", domain=filters["domain"])[1].rows}
                 if filters["domain"] else None)
    sources = [r for r in all_sources.rows
               if (in_domain is None or r["source"] in in_domain)
               and all(not filters[k] or r.get(k) == filters[k] for k in ("status", "kind", "access"))]
    score = (run("completeness")[1].rows or [{}])[0].get("completeness", 0)
    summary = {"name": status.get("name"), "status": status.get("status"), "completeness": score}
    by_domain = run("actors-by-domain")[1].rows
    actors = run("actors")[1].rows
    stages = run("stage-coverage")[1].rows
    framework_query, framework = run("policy-framework")
    return {
        "iso3": iso3, "summary": summary, "labels": labels,
        "context": {
            "facts": [r for r in run("guide-context")[1].rows if r.get("instrument") != "true"],
            "framework": table(
                framework_query, _with_labels(framework, "domains", labels.get("domain", {})),
                lang, show=FRAMEWORK_COLUMNS, links={"title": "instrument"},
                headers={c: web.t(f"web.country.framework_column.{c}")
                         for c in FRAMEWORK_COLUMNS}),
        },
        "filters": filters,
        "filter_choices": {
            "domain": _present(all_sources.rows, "domains", labels.get("domain", {})),
            "status": _present(all_sources.rows, "status", labels.get("source-status", {})),
            "kind": _present(all_sources.rows, "kind", labels.get("source-kind", {})),
            "access": _present(all_sources.rows, "access", labels.get("access", {})),
        },
        "sources": sources, "source_total": len(all_sources.rows),
        "sources_query": q,
        "by_domain": _group(by_domain, "domain"),
        "seed_domains": [c for c in labels.get("domain", {})][:4],
        "other_actors": _group([a for a in actors if a.get("type") not in GOVERNMENT_TYPES],
                               "type"),
        "government_without_domain": [
            a for a in actors if a.get("type") in GOVERNMENT_TYPES and not a.get("domains")],
        "stages": stages,
        "working_group": run("working-group")[1].rows,
        "process": run("process-timeline")[1].rows,
        "endorsement": status,
        "practices": run("good-practices")[1].rows,
        "matrix": run("problem-solution-matrix")[1].rows,
        "recommendations": _group(run("recommendations")[1].rows, "area"),
        "gaps": {
            "domains": run("domains-without-source")[1].rows,
            "stages": run("stages-without-actors")[1].rows,
            "isolated": run("isolated-producers")[1].rows,
            "stale": table(*run("stale-sources", year=str(_this_year())), lang,
                           hide=["source"], links={"title": "source"}),
        },
        "references": table(*run("references"), lang, hide=["reference"],
                            links={"title": "reference"}),
        "provenance": ws.run_query("provenance", {"entity": web.settings().base + f"id/{iso3}"}
                                   ).rows,
    }


FRAMEWORK_COLUMNS = ["title", "topic_label", "year", "status_label", "responsible", "domains",
                     "description"]


def _with_labels(result, column: str, labels: dict[str, str]):
    """The result with a list column of codes shown as their labels."""
    import dataclasses

    rows = [{**r, column: "; ".join(labels.get(c, c) for c in (r[column] or "").split("; ") if c)
             or None} for r in result.rows]
    return dataclasses.replace(result, rows=rows)


GOVERNMENT_TYPES = ("ministry", "government_agency", "statistics_office", "local_authority",
                    "parliament")


def _this_year() -> int:
    import datetime

    return datetime.date.today().year


def _present(rows: list[dict], column: str, labels: dict[str, str]) -> list[tuple[str, str]]:
    """(code, label) of the codes found in a column, in vocabulary order."""
    found: set[str] = set()
    for r in rows:
        value = r.get(column)
        if value:
            found.update(str(value).split("; "))
    return [(c, lab) for c, lab in labels.items() if c in found] + \
        [(c, c) for c in sorted(found - set(labels))]


def _group(rows: list[dict], column: str) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(str(r.get(column) or ""), []).append(r)
    return list(groups.items())


@bp.route("/id/<iso3>/<kind>/<path:tail>")
def entity(iso3: str, kind: str, tail: str):
    tail, suffix = split_suffix(tail)
    if not TAIL_RE.fullmatch(tail) or len(tail) > 500:
        abort(404)
    return _entity(iso3, kind, tail, suffix)


# The country's own parts, one per country, at `<base>id/<ISO3>/<part>` (no id after the
# kind): its profile (coordinator, foreword, migration profile status) and its figures.
COUNTRY_PARTS = "any(profile, figures)"


@bp.route(f"/id/<iso3>/<{COUNTRY_PARTS}:part>")
@bp.route(f"/id/<iso3>/<{COUNTRY_PARTS}:part>.<any(ttl, nt, jsonld):suffix>")
def country_part(iso3: str, part: str, suffix: str | None = None):
    return _entity(iso3, part, None, suffix)


def _entity(iso3: str, kind: str, tail: str | None, suffix: str | None):
    """The page (or RDF) of the entity at /id/<iso3>/<kind>[/<tail>]."""
    if not ISO3_RE.fullmatch(iso3) or not re.fullmatch(r"[a-z]{2,20}", kind):
        abort(404)
    path = f"/id/{iso3}/{kind}" + (f"/{tail}" if tail else "")
    iri = web.settings().base + path[1:]
    ws = web.workspace()
    ws.describe(iri)  # NotFound (404) when the graph says nothing about it
    fmt = negotiate(suffix)
    if fmt != "html":
        return _rdf(iri, fmt, path)
    lang = web.lang()
    facts, figures_name = ws.entity_facts(iri, lang)
    out = [f for f in facts if f["direction"] == "out"]
    incoming = [f for f in facts if f["direction"] == "in"]
    name = figures_name or _name(out) or tail or _type(out) or kind
    detail = None
    plain_id = tail is not None and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", tail)
    if kind == "actor" and plain_id:
        rows = ws.run_query("actor-detail", {"country": iso3, "actor": tail, "lang": lang}).rows
        detail = rows[0] if rows else None
    elif kind == "source" and plain_id:
        rows = ws.run_query("source-detail", {"country": iso3, "source": tail, "lang": lang}).rows
        detail = rows[0] if rows else None
    neighbours = _neighbours(facts)
    provenance = ws.run_query("provenance", {"entity": iri}).rows
    page = {
        "iso3": iso3, "kind": kind, "iri": iri, "path": path, "name": name,
        "type_label": _type(out), "out": _by_property(out), "incoming": _by_property(incoming),
        "detail": detail, "neighbours": neighbours, "provenance": provenance,
        "section": KIND_SECTIONS.get(kind), "labels": web.concept_labels(),
        "formats": [(f"{path}.{fmt}", fmt) for fmt in ("ttl", "nt", "jsonld")],
    }
    return _finish(Response(render_template("entities/entity.html", **page)), path)


_NAME_PROPERTIES = ("http://www.w3.org/2004/02/skos/core#prefLabel",
                    "http://purl.org/dc/terms/title", "http://www.w3.org/2000/01/rdf-schema#label",
                    "http://www.w3.org/2006/vcard/ns#fn")
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_ORG = "http://www.w3.org/ns/org#Organization"


def _name(out: list[dict]) -> str | None:
    """The entity's name: its label in the page's language, else any label."""
    lang = web.lang()
    for prop in _NAME_PROPERTIES:
        values = [f for f in out if f["property"] == prop]
        for f in values:
            if f["value_lang"] == lang:
                return f["value"]
        if values:
            return values[0]["value"]
    return None


def _type(out: list[dict]) -> str | None:
    for f in out:
        if f["property"] == _TYPE:
            return f["value_label"]  # a class without a label in the graph is not named
    return None


def _by_property(facts: list[dict]) -> list[tuple[str, str, list[dict]]]:
    """[(property label, property IRI, [facts])], in the query's order."""
    groups: dict[str, tuple[str, str, list[dict]]] = {}
    for f in facts:
        if f["property"] == _TYPE:
            continue
        groups.setdefault(f["property"], (f["property_label"], f["property"], []))[2].append(f)
    return list(groups.values())


def _neighbours(facts: list[dict]) -> list[dict]:
    """The actors linked to the entity either way (directly), once each."""
    seen: dict[str, dict] = {}
    for f in facts:
        if f["value_type"] == _ORG and f["value"] not in seen:
            seen[f["value"]] = {"iri": f["value"], "name": f["value_label"] or f["value"],
                                "relations": []}
        if f["value"] in seen:
            seen[f["value"]]["relations"].append((f["direction"], f["property_label"]))
    return sorted(seen.values(), key=lambda n: str(n["name"]).casefold())
