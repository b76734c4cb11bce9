"""The public SPARQL 1.1 Protocol endpoint (/sparql) and the query editor (/query).

/sparql answers GET (`?query=`) and POST (a `query=` form, or an `application/sparql-query`
body) over the public view of the store (restricted contact points left out:
Workspace.public()), read-only through the guard `migkg sparql` uses, under the use-case
layer's time limit (504 with a JSON body) and row cap (`X-Result-Truncated`). The answer's
format comes from `format=` (a name or a media type) or else from Accept (q-values, Werkzeug's
matching) among the formats of the query's form, the default first: SPARQL JSON for
SELECT/ASK, Turtle for CONSTRUCT/DESCRIBE. A GET without a query is the service description.
Every answer allows any origin (CORS): the endpoint is public, read-only and cookie-free.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from kg.errors import Location, NotAcceptable, Problem, QueryRefused
from kg.service import (
    sparql_content_type,
    sparql_format_names,
    sparql_media_type_for,
    sparql_media_types,
    sparql_serialize,
)
from webapp import security, web

bp = Blueprint("sparql", __name__)

QUERY_MEDIA_TYPE = "application/sparql-query"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
UPDATE_MEDIA_TYPE = "application/sparql-update"
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
TRUNCATED_HEADER = "X-Result-Truncated"
# Media types clients send that mean one of ours (Fuseki and Virtuoso take them too).
ALIASES = {
    "SELECT": {"application/json": "application/sparql-results+json",
               "application/xml": "application/sparql-results+xml",
               "text/xml": "application/sparql-results+xml"},
    "GRAPH": {"application/json": "application/ld+json",
              "application/xml": "application/rdf+xml",
              "text/xml": "application/rdf+xml",
              "application/x-turtle": "text/turtle",
              "text/plain": "application/n-triples"},
}


def _refuse(key: str, column: str = "query", **params: object) -> QueryRefused:
    return QueryRefused(Problem(Location(column=column), f"endpoint.{key}", params))


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = f"{TRUNCATED_HEADER}, X-Request-Id"
    return response


@bp.after_request
def _allow_any_origin(response: Response) -> Response:
    if request.endpoint == "sparql.endpoint":
        _cors(response)
    return response


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise _refuse("twice", column=name, name=name)
    return values[0] if values else None


def _request_query() -> tuple[str | None, dict[str, list[str]]]:
    """The query text and the other protocol parameters of a GET or POST, as the SPARQL 1.1
    Protocol defines them; QueryRefused (400) for what is not a query request."""
    params: dict[str, list[str]] = {k: request.args.getlist(k) for k in request.args}
    if request.method == "GET":
        return _one(params.pop("query", []), "query"), params
    media_type = (request.mimetype or "").lower()
    limits = web.settings().limits
    if request.content_length is not None and request.content_length > 4 * limits.query_max_chars:
        raise QueryRefused(Problem(Location(column="query"), "query.guard.too_long",
                                   {"length": request.content_length,
                                    "max": limits.query_max_chars}))
    if media_type == FORM_MEDIA_TYPE:
        for key in request.form:
            params.setdefault(key, []).extend(request.form.getlist(key))
        return _one(params.pop("query", []), "query"), params
    if media_type == QUERY_MEDIA_TYPE:
        if "query" in params:
            raise _refuse("twice", name="query")
        data = request.get_data(cache=False)
        try:
            return data.decode("utf-8"), params
        except UnicodeDecodeError:
            raise _refuse("not_utf8") from None
    if media_type == UPDATE_MEDIA_TYPE:
        raise _refuse("update")
    raise _refuse("content_type", column="Content-Type", media_type=media_type or "-",
                  allowed=f"{QUERY_MEDIA_TYPE}, {FORM_MEDIA_TYPE}")


def choose_media_type(form: str, fmt: str | None) -> str:
    """The media type of the answer: `format=` when given, else the best of Accept among the
    form's media types (the default when Accept is absent or */*); 406 when nothing fits."""
    offered = sparql_media_types(form)
    kind = "GRAPH" if form in ("CONSTRUCT", "DESCRIBE") else "SELECT"
    if fmt:
        chosen = sparql_media_type_for(fmt, form)
        if chosen is None:
            raise _refuse("bad_format", column="format", value=fmt[:60], form=form,
                          allowed=", ".join(sparql_format_names(form)))
        return chosen
    accept = request.headers.get("Accept", "").strip()
    if not accept:
        return offered[0]
    aliases = {k: v for k, v in ALIASES[kind].items() if v in offered}
    best = request.accept_mimetypes.best_match(offered + list(aliases))
    if best is None:
        raise NotAcceptable(Problem(Location(column="Accept"), "endpoint.not_acceptable",
                                    {"accept": accept[:200], "form": form,
                                     "allowed": ", ".join(offered)}))
    return aliases.get(best, best)


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint():
    if request.method == "OPTIONS":  # a browser's CORS preflight for a POST
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
        return response
    text, params = _request_query()
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise _refuse("update", column="update")
    for name in DATASET_PARAMS:
        if name in params:
            raise _refuse("dataset", column=name, name=name)
    fmt = _one(params.get("format", []), "format")
    ws = web.workspace().public()
    if text is None:
        if request.method == "POST":
            raise QueryRefused(Problem(Location(column="query"), "query.param.missing",
                                       {"name": "query", "type": "SPARQL"}))
        data = ws.service_description(url_for("sparql.endpoint", _external=True))
        response = Response(data, content_type=sparql_content_type("text/turtle"))
        response.vary.add("Accept")
        return response
    form = ws.check_sparql(text, where="query")  # refused (400) before anything runs
    media_type = choose_media_type(form, fmt)
    answer = ws.sparql(text, where="query")  # 504 at the time limit
    response = Response(sparql_serialize(answer, media_type),
                        content_type=sparql_content_type(media_type))
    if answer.truncated is not None:
        response.headers[TRUNCATED_HEADER] = str(answer.truncated)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/query")
def editor():
    """The YASGUI editor over /sparql, the named queries as examples; `?query=` reopens a
    query (the shareable link), `?example=NAME` one of the examples."""
    ws = web.workspace()
    lang = web.lang()
    examples = ws.example_queries(lang)
    text = request.args.get("query", "")
    chosen = request.args.get("example", "")
    if not text and chosen:
        text = next((e["query"] for e in examples if e["name"] == chosen), "")
    if not text and examples:
        text = examples[0]["query"]
    limits = web.settings().limits
    # YASGUI sets inline styles on what it draws (result tables, tabs): allowed on this page
    # only; its scripts, like every page's, are the site's own files (webapp.security).
    security.relax_csp("style-src", "'unsafe-inline'")
    return render_template("sparql/query.html", examples=examples, query=text,
                           endpoint=url_for("sparql.endpoint", _external=True),
                           seconds=f"{limits.query_timeout_s:g}", max_rows=limits.query_max_rows)
