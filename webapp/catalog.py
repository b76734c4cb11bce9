"""The DCAT-AP 3.0.1 catalogue of every country's data-source inventory, for data portals to
harvest: /catalog.ttl (Turtle) and /catalog.jsonld (expanded JSON-LD, no context to fetch). The same
document as `migkg catalog`; built from the public view of the store."""

from __future__ import annotations

from flask import Blueprint, Response

from webapp import web

bp = Blueprint("catalog", __name__)


def _answer(fmt: str) -> Response:
    data, media_type = web.workspace().public().catalog(fmt)
    response = Response(data, content_type=media_type)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/catalog.ttl")
def turtle():
    return _answer("ttl")


@bp.get("/catalog.jsonld")
def jsonld():
    return _answer("jsonld")
