"""The named-query API: every query of the catalogue as JSON or CSV, and its OpenAPI 3.1 document.

    GET /api/queries                    the catalogue (titles, parameters, columns in ?lang=)
    GET /api/queries/<name>?param=...   {"head", "results" (SPARQL JSON), "records"} or CSV
    GET /api/openapi.json               OpenAPI 3.1, one path per named query

Nothing here names a query: the routes answer for whatever the catalogue holds, so adding a
.rq file adds its API answer and its OpenAPI path. `format` (json|csv) and `lang` are
reserved; every other query-string name is a parameter of the query, checked by the
use-case layer exactly as `migkg query` checks it (400 with a JSON body naming it). Limits
as on /sparql: 504 at the time limit, the row cap named by `X-Result-Truncated` and, in JSON,
a `truncated` member.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, request

from kg import i18n
from kg.errors import Location, ParameterError, Problem
from kg.service import API_FORMATS, API_RESERVED, api_records
from webapp import web

bp = Blueprint("api", __name__)

TRUNCATED_HEADER = "X-Result-Truncated"
_MEDIA = {"json": "application/json", "csv": "text/csv"}


@bp.after_request
def _allow_any_origin(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = f"{TRUNCATED_HEADER}, X-Request-Id"
    return response


def _check_lang() -> str:
    """The answer's language: ?lang= when given (400 for anything but en or fr), else the
    request's language (cookie, Accept-Language)."""
    values = request.args.getlist("lang")
    if len(values) > 1:
        raise ParameterError(Problem(Location(column="lang"), "endpoint.twice", {"name": "lang"}))
    if values and values[0] not in i18n.LANGUAGES:
        raise web.bad_value("lang", values[0], list(i18n.LANGUAGES))
    return values[0] if values else web.lang()


def _format() -> str:
    """json or csv: ?format= wins, then Accept (text/csv), JSON by default."""
    values = request.args.getlist("format")
    if len(values) > 1:
        raise ParameterError(Problem(Location(column="format"), "endpoint.twice",
                                     {"name": "format"}))
    if values:
        if values[0] not in API_FORMATS:
            raise ParameterError(Problem(Location(column="format"), "endpoint.api.unknown_format",
                                         {"value": values[0][:40],
                                          "allowed": ", ".join(API_FORMATS)}))
        return values[0]
    best = request.accept_mimetypes.best_match([_MEDIA["json"], _MEDIA["csv"]])
    return "csv" if best == _MEDIA["csv"] else "json"


@bp.get("/api/queries")
def catalogue():
    lang = _check_lang()
    return jsonify(web.workspace().catalogue_data(lang))


@bp.get("/api/queries/<name>")
def run(name: str):
    lang = _check_lang()
    fmt = _format()
    ws = web.workspace()
    query = ws.query(name)  # NotFound (404) for a name the catalogue does not hold
    params: dict[str, str] = {}
    twice = [Problem(Location(file=name, column=key), "query.param.twice", {})
             for key in request.args if len(request.args.getlist(key)) > 1
             and key not in API_RESERVED]
    if twice:
        raise ParameterError(twice)
    for key, value in request.args.items():
        if key not in API_RESERVED:
            params[key] = value
    result = ws.public().run_query(query.name, params, lang)
    if fmt == "csv":
        response = Response(result.to_csv(), content_type="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = f'inline; filename="{query.name}.csv"'
    else:
        body = json.loads(result.to_json())
        body["records"] = api_records(query, result)
        if result.truncated is not None:
            body["truncated"] = result.truncated
        response = Response(json.dumps(body, ensure_ascii=False),
                            content_type="application/json")
    if result.truncated is not None:
        response.headers[TRUNCATED_HEADER] = str(result.truncated)
    response.vary.add("Accept")
    return response


@bp.get("/api/openapi.json")
def openapi():
    lang = _check_lang()
    return jsonify(web.workspace().openapi(lang, server=request.host_url.rstrip("/")))
