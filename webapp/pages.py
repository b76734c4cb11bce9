"""Pages about every country at once: home (dashboard + search), comparison, documentation.

Every figure comes from a named query run through the Workspace.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, render_template, request

from webapp import web
from webapp.tables import table

bp = Blueprint("pages", __name__)

SEARCH_KINDS = ("actor", "source", "challenge", "practice", "reference")


@bp.route("/")
def home():
    lang = web.lang()
    ws = web.workspace()
    text = request.args.get("q", "").strip()
    results = search_results(text) if text else None
    return render_template("pages/home.html", countries=ws.countries(lang).rows,
                           q=text, results=results)


@bp.route("/search")
def search():
    text = request.args.get("q", "").strip()
    return render_template("pages/search.html", q=text,
                           results=search_results(text) if text else None)


def search_results(text: str) -> list[tuple[str, str, list[tuple[str, list[dict]]]]]:
    """[(country, country name, [(kind, rows)])]: find-by-name's rows (best hits first, case,
    accents and punctuation ignored) grouped by country then kind. ParameterError (400) names
    the limit for a text too long or one with no letter or digit."""
    rows = web.workspace().run_query("find-by-name", {"name": text}, web.lang()).rows
    countries: dict[str, tuple[str, dict[str, list[dict]]]] = {}
    for r in rows:
        entry = countries.setdefault(r["country"], (r["country_name"] or r["country"], {}))
        entry[1].setdefault(r["kind"], []).append(r)
    return [(code, name, [(k, kinds[k]) for k in SEARCH_KINDS if k in kinds])
            for code, (name, kinds) in countries.items()]


# --- comparison --------------------------------------------------------------------------

COMPARE_SORTS = ("name", "completeness", "domains", "stages", "challenges", "existing",
                 "potential")


def compare_rows(lang: str) -> tuple[list[dict], list[tuple[str, str]], list[tuple[str, str]]]:
    """One row per country (summary, domains covered, stages staffed, challenge categories),
    with the domain and category columns in vocabulary order."""
    ws = web.workspace()
    labels = web.concept_labels()
    summary = ws.countries(lang).rows
    domains = ws.run_query("domains-across-countries", {}, lang, capped=False).rows
    challenges = ws.run_query("challenges-across-countries", {}, lang, capped=False).rows
    stage_rows = ws.run_query("stages-across-countries", {}, lang, capped=False).rows
    by_country: dict[str, tuple[dict, list, dict]] = {c["country"]: ({}, [], {}) for c in summary}
    for d in domains:
        if d["country"] in by_country:
            by_country[d["country"]][0][d["domain"]] = d
    for s in stage_rows:
        if s["country"] in by_country:
            by_country[s["country"]][1].append(s)
    for r in challenges:
        if r["country"] in by_country:
            by_country[r["country"]][2][r["category"]] = r
    out = []
    for c in summary:
        covered, stages, cats = by_country[c["country"]]
        out.append({
            **c,
            "domains": {k: covered[k]["existing_source_count"] for k in covered},
            "domains_covered": sum(1 for d in covered.values() if d["existing_source_count"]),
            "stages": {s["stage"]: s["actor_count"] for s in stages},
            "stages_staffed": sum(1 for s in stages if s["actor_count"]),
            "categories": {k: v["challenge_count"] for k, v in cats.items()},
        })
    domain_cols = list(labels.get("domain", {}).items())
    category_cols = [(k, v) for k, v in labels.get("challenge-category", {}).items()
                     if any(k in r["categories"] for r in out)]
    return out, domain_cols, category_cols


@bp.route("/compare")
def compare():
    lang = web.lang()
    sort = request.args.get("sort", "name")
    if sort not in COMPARE_SORTS:
        raise web.bad_value("sort", sort, list(COMPARE_SORTS))
    return render_template("pages/compare.html", sort=sort,
                           table_html=web.kept_fragment(("compare", lang, sort),
                                                        "pages/compare_table.html",
                                                        lambda: compare_table(lang, sort)))


def compare_table(lang: str, sort: str) -> dict[str, object]:
    rows, domain_cols, category_cols = compare_rows(lang)
    keys = {"name": lambda r: str(r["name"] or r["country"]).casefold(),
            "completeness": lambda r: -r["completeness"],
            "domains": lambda r: -r["domains_covered"], "stages": lambda r: -r["stages_staffed"],
            "challenges": lambda r: -r["challenge_count"],
            "existing": lambda r: -r["existing_source_count"],
            "potential": lambda r: -r["potential_source_count"]}
    rows.sort(key=keys[sort])
    stage_cols = list(web.concept_labels().get("policy-stage", {}).items())
    # The figure cells (value, shown text, flagged as a gap) made here: 40 cells a row
    # through template calls were most of the page's time.
    number = web.number
    for r in rows:
        r["cells"] = [
            *((v, number(v), not v) for v in (r["domains"].get(c, 0) for c, _ in domain_cols)),
            *((v, number(v), not v) for v in (r["stages"].get(c, 0) for c, _ in stage_cols)),
            *((v, number(v), False) for v in (r["categories"].get(c, 0)
                                               for c, _ in category_cols))]
    return {"rows": rows, "domain_cols": domain_cols, "stage_cols": stage_cols,
            "category_cols": category_cols}


@bp.route("/compare.csv")
def compare_csv():
    import csv
    import io

    rows, domain_cols, category_cols = compare_rows(web.lang())
    stage_cols = list(web.concept_labels().get("policy-stage", {}).items())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    head = [web.t("web.home.country"), "ISO3", web.t("web.home.completeness"),
            web.t("web.home.guide"), web.t("web.compare.domains_covered"),
            web.t("web.compare.stages_staffed"), web.t("web.compare.existing"),
            web.t("web.compare.potential"), web.t("web.home.challenges")]
    head += [f"{web.t('web.filter.domain')}: {label}" for _c, label in domain_cols]
    head += [f"{web.t('web.col.stages')}: {label}" for _c, label in stage_cols]
    head += [f"{web.t('web.col.category')}: {label}" for _c, label in category_cols]
    writer.writerow([_csv_cell(h) for h in head])
    for r in rows:
        line = [r["name"], r["country"], r["completeness"],
                web.t(f"web.guide_status.{r['status']}"), r["domains_covered"],
                r["stages_staffed"], r["existing_source_count"], r["potential_source_count"],
                r["challenge_count"]]
        line += [r["domains"].get(c, 0) for c, _l in domain_cols]
        line += [r["stages"].get(c, 0) for c, _l in stage_cols]
        line += [r["categories"].get(c, 0) for c, _l in category_cols]
        writer.writerow([_csv_cell(v) for v in line])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="compare.csv"'
    return response


def _csv_cell(value: object) -> object:
    """A cell a spreadsheet never reads as a formula (= + - @ get a leading apostrophe)."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return "" if value is None else value


# --- documentation pages -----------------------------------------------------------------

@bp.route("/ontology")
def ontology():
    lang = web.lang()
    ws = web.workspace()
    q = ws.query("ontology-terms")
    result = ws.run_query("ontology-terms", {}, lang, capped=False)
    return render_template("pages/ontology.html", terms=result.rows,
                           title=q.title.get(lang), description=q.description.get(lang))


@bp.route("/vocab")
def vocabularies():
    lang = web.lang()
    ws = web.workspace()
    q = ws.query("vocab-schemes")
    return render_template("pages/vocabularies.html",
                           table=table(q, ws.run_query("vocab-schemes", {}, lang), lang,
                                       hide=["scheme"]),
                           schemes=ws.run_query("vocab-schemes", {}, lang).rows)


@bp.route("/vocab/<scheme>")
def vocabulary(scheme: str):
    lang = web.lang()
    ws = web.workspace()
    if not re.fullmatch(r"[a-z0-9-]{1,60}", scheme):
        abort(404)
    schemes = {r["code"]: r for r in ws.run_query("vocab-schemes", {}, lang).rows}
    if scheme not in schemes:
        abort(404)
    concepts = ws.run_query("vocab-concepts", {"scheme": scheme}, lang).rows
    return render_template("pages/vocabulary.html", scheme=schemes[scheme], concepts=concepts)


@bp.route("/queries")
def queries():
    lang = web.lang()
    return render_template("pages/queries.html",
                           catalogue=web.workspace().catalogue_data(lang))


@bp.route("/queries/<name>")
def query_page(name: str):
    """A named query's description, parameters and columns, and a form built from its
    parameter declarations; submitting it (GET) shows the result table."""
    lang = web.lang()
    ws = web.workspace()
    if not re.fullmatch(r"[a-z0-9-]{1,80}", name):
        abort(404)
    q = ws.query(name)  # NotFound (404)
    entry = next(e for e in ws.catalogue_data(lang) if e["name"] == name)
    given = {p.name: request.args.get(p.name, "") for p in q.parameters}
    result = None
    if request.args.get("run"):
        params = {k: v for k, v in given.items() if v != ""}
        result = table(q, ws.run_query(name, params, lang), lang)
    return render_template("pages/query.html", q=entry, given=given, result=result)
