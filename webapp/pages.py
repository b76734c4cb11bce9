"""Pages about every country at once: home (dashboard + search), comparison, documentation."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from kg import query
from webapp import web
from webapp.tables import table

bp = Blueprint("pages", __name__)


def _run(name: str, params: dict[str, object]):
    store = current_app.extensions["migkg_store"]
    return query.catalogue().get(name), query.run(store, name, params)


@bp.route("/")
def home():
    lang = web.lang()
    named, result = _run("country-summary", {"lang": lang})
    return render_template("pages/home.html", countries=result.rows,
                           summary=table(named, result, lang), named=named)
