"""HTML pages. Every figure shown comes from a named query."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from kg import i18n, query
from kg.errors import UserError

bp = Blueprint("pages", __name__)


def _lang() -> str:
    lang = request.args.get("lang", "")
    if lang in i18n.LANGUAGES:
        return lang
    return request.accept_languages.best_match(i18n.LANGUAGES) or "en"


@bp.app_context_processor
def _helpers() -> dict:
    lang = _lang()
    return {"lang": lang, "t": lambda key, **kw: i18n.t(key, lang, **kw)}


@bp.route("/")
def countries():
    lang = _lang()
    store = current_app.extensions["migkg_store"]
    named = query.catalogue().get("country-summary")
    try:
        result = query.run(store, "country-summary", {"lang": lang})
    except UserError as exc:  # pragma: no cover - the query takes no user input
        return render_template("error.html", lines=exc.lines(lang)), 400
    # Column meanings are sentences in the catalogue; shown as headers without the full stop.
    headers = {c.name: (c.description.get(lang) or c.name).rstrip(".") for c in named.columns}
    return render_template("countries.html", result=result, headers=headers, named=named)
