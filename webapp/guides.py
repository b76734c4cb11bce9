"""A country's guide: preview in the page, downloads in every format and both languages,
and the import records a comparison (guide-diff) is made between."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from kg.i18n import LANGUAGES
from kg.service import GUIDE_FORMATS
from webapp import web
from webapp.entities import check_country, country_status

bp = Blueprint("guides", __name__)


@bp.route("/id/<iso3>/guide")
def guide(iso3: str):
    status = country_status(iso3)
    ws = web.workspace()
    summary = {"name": status.get("name")}
    records = ws.run_query("provenance", {"entity": web.settings().base + f"id/{iso3}"}).rows
    imports: dict[str, dict] = {}
    for r in records:
        entry = imports.setdefault(r["import"], {**r, "files": []})
        if r["file_name"]:
            entry["files"].append(r)
    downloads = [(lng, fmt, f"/id/{iso3}/guide/{lng}.{fmt}") for lng in LANGUAGES
                 for fmt in GUIDE_FORMATS]
    return render_template("guides/guide.html", iso3=iso3, summary=summary, status=status,
                           imports=list(imports.values()), downloads=downloads)


@bp.route("/id/<iso3>/guide/preview")
def preview(iso3: str):
    """The guide's self-contained HTML, for the preview frame of the guide page."""
    iso3 = check_country(iso3)
    data, media_type = web.workspace().guide(iso3, web.lang(), "html")
    return Response(data, content_type=media_type)


@bp.route("/id/<iso3>/guide/<lng>.<fmt>")
def download(iso3: str, lng: str, fmt: str):
    iso3 = check_country(iso3)
    if lng not in LANGUAGES or fmt not in GUIDE_FORMATS:
        abort(404)
    data, media_type = web.workspace().guide(iso3, lng, fmt)
    response = Response(data, content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="guide-{iso3}-{lng}.{fmt}"'
    return response
