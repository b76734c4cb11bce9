"""Pages about every country at once: home (dashboard + search), comparison, documentation."""

from __future__ import annotations

from flask import Blueprint, render_template

from webapp import web
from webapp.tables import table

bp = Blueprint("pages", __name__)


def _run(name: str, params: dict[str, str]):
    ws = web.workspace()
    return ws.query(name), ws.run_query(name, params, capped=False)


@bp.route("/")
def home():
    lang = web.lang()
    named, result = _run("country-summary", {"lang": lang})
    return render_template("pages/home.html", countries=result.rows,
                           summary=table(named, result, lang), named=named)
