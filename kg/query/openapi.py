"""The OpenAPI 3.1 description of the named-query API, generated from the catalogue.

One path per named query (`/api/queries/{name}`), its parameters typed from the front
matter (kg.query.params), plus the catalogue itself (`/api/queries`). Adding a .rq file
adds its path: nothing here names a query.
"""

from __future__ import annotations

from typing import Any

from kg import __version__, i18n
from kg.config import Limits
from kg.i18n import LANGUAGES
from kg.namespaces import ISO3
from kg.query.catalogue import Catalogue, NamedQuery
from kg.query.params import ID_RE, Parameter

RESERVED = ("format", "lang")
API_FORMATS = ("json", "csv")

_ERROR = {
    "type": "object",
    "required": ["ok", "status", "errors"],
    "properties": {
        "ok": {"const": False},
        "status": {"type": "integer"},
        "errors": {"type": "array", "items": {
            "type": "object",
            "required": ["file", "row", "column", "key", "message"],
            "properties": {"file": {"type": "string"}, "row": {"type": ["integer", "null"]},
                           "column": {"type": "string"}, "key": {"type": "string"},
                           "message": {"type": "string"}}}},
    },
}
_TERM = {
    "type": "object", "required": ["type", "value"],
    "properties": {"type": {"enum": ["uri", "literal", "bnode"]}, "value": {"type": "string"},
                   "xml:lang": {"type": "string"}, "datatype": {"type": "string"}},
}
_CATALOGUE_TEXT = {"type": "string"}


def schema(param: Parameter) -> dict[str, Any]:
    """The JSON Schema of a parameter's value as sent in a query string."""
    base, allowed = param.base, param.allowed()
    if allowed is not None:
        if base == "bool":
            return {"type": "string", "enum": ["true", "false", "yes", "no", "1", "0"]}
        return {"type": "string", "enum": list(allowed)}
    if base in ("int", "year"):
        low, high = param.range or (None, None)
        return {"type": "integer", "minimum": low, "maximum": high}
    if base == "iso3":
        return {"type": "string", "pattern": f"^{ISO3.PATTERN}$"}
    if base == "id":
        return {"type": "string", "pattern": f"^{ID_RE.pattern}$"}
    if base == "iri":
        return {"type": "string", "format": "uri", "maxLength": param.max_length,
                "pattern": r"^https?://[^\s<>\"{}|\\^`]+$"}
    return {"type": "string", "maxLength": param.max_length,
            "pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"}


def _text(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("en", "")


def _record(query: NamedQuery) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for column in query.columns:
        if column.is_list:
            props[column.name] = {"type": "array", "items": {"type": "string"}}
        else:
            props[column.name] = {"type": ["string", "integer", "null"]}
    return {"type": "object", "properties": props}


def _operation(query: NamedQuery, lang: str, limits: Limits) -> dict[str, Any]:
    params: list[dict[str, Any]] = []
    for p in query.parameters:
        if p.name in RESERVED:
            continue
        item: dict[str, Any] = {"name": p.name, "in": "query", "required": p.required,
                                "description": _text(p.description, lang), "schema": schema(p)}
        if p.default is not None:
            item["schema"] = {**item["schema"], "default": p.default}
        if p.required and item["schema"].get("type") == "string" and "enum" not in item["schema"]:
            # An empty value counts as a missing one.
            item["schema"] = {**item["schema"], "minLength": 1}
        params.append(item)
    params.append({"$ref": "#/components/parameters/format"})
    params.append({"$ref": "#/components/parameters/lang"})
    columns = {c.name: _text(c.description, lang) for c in query.columns}
    result = {
        "type": "object",
        "required": ["head", "results", "records"],
        "properties": {
            "head": {"type": "object", "required": ["vars"],
                     "properties": {"vars": {"type": "array", "items": {"type": "string"},
                                             "const": [c.name for c in query.columns]}}},
            "results": {"type": "object", "required": ["bindings"], "properties": {
                "bindings": {"type": "array", "items": {
                    "type": "object", "additionalProperties": {"$ref": "#/components/schemas/Term"}}}}},
            "records": {"type": "array", "items": _record(query)},
            "truncated": {"type": "integer", "description": i18n.t("endpoint.api.truncated", lang,
                                                                  max=limits.query_max_rows)},
        },
    }
    errors = {str(code): {"$ref": f"#/components/responses/Error{code}"}
              for code in (400, 404, 503, 504)}
    return {
        "operationId": query.name.replace("-", "_"),
        "summary": _text(query.title, lang),
        "description": _text(query.description, lang) + "\n\n" + "\n".join(
            f"- `{name}`: {text}" for name, text in columns.items()),
        "tags": [query.group] if query.group else [],
        "parameters": params,
        "responses": {
            "200": {"description": i18n.t("endpoint.api.ok", lang), "headers": {
                "X-Result-Truncated": {"description": i18n.t("endpoint.api.truncated", lang,
                                                             max=limits.query_max_rows),
                                       "schema": {"type": "integer"}}},
                    "content": {"application/json": {"schema": result},
                                "text/csv": {"schema": {"type": "string"}}}},
            **errors,
        },
    }


def document(catalogue: Catalogue, lang: str, limits: Limits, server: str = "/") -> dict[str, Any]:
    """The OpenAPI 3.1 document (plain data, ready for json.dumps)."""
    paths: dict[str, Any] = {
        "/api/queries": {"get": {
            "operationId": "catalogue",
            "summary": i18n.t("endpoint.api.catalogue", lang),
            "parameters": [{"$ref": "#/components/parameters/lang"}],
            "responses": {"200": {"description": i18n.t("endpoint.api.catalogue", lang),
                                  "content": {"application/json": {"schema": {
                                      "type": "array", "items": {"type": "object",
                                                                 "required": ["name", "title"]}}}}},
                          "400": {"$ref": "#/components/responses/Error400"}}}},
    }
    for query in catalogue:
        paths[f"/api/queries/{query.name}"] = {"get": _operation(query, lang, limits)}
    responses = {f"Error{code}": {"description": i18n.t(f"endpoint.api.error{code}", lang),
                                  "content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/Error"}}}}
                 for code in (400, 404, 503, 504)}
    return {
        "openapi": "3.1.0",
        "info": {"title": i18n.t("endpoint.api.title", lang), "version": __version__,
                 "description": i18n.t("endpoint.api.description", lang,
                                       seconds=f"{limits.query_timeout_s:g}",
                                       max=limits.query_max_rows)},
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "parameters": {
                "format": {"name": "format", "in": "query", "required": False,
                           "description": i18n.t("endpoint.api.format", lang),
                           "schema": {"type": "string", "enum": list(API_FORMATS),
                                      "default": "json"}},
                "lang": {"name": "lang", "in": "query", "required": False,
                         "description": i18n.t("endpoint.api.lang", lang),
                         "schema": {"type": "string", "enum": list(LANGUAGES)}},
            },
            "schemas": {"Error": _ERROR, "Term": _TERM},
            "responses": responses,
        },
    }
