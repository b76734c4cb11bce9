"""A country's guide: preview in the page, downloads in every format and both languages,
and the import records a comparison (guide-diff) is made between."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from kg.i18n import LANGUAGES
from kg.service import GUIDE_FORMATS, WORKBOOK_FORMATS
from webapp import security, web
from webapp.entities import check_country, country_status

bp = Blueprint("guides", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/id/<iso3>/guide")
def guide(iso3: str):
    status = country_status(iso3)
    imports = web.workspace().imports(iso3)
    compared = [i["id"] for i in imports if i["snapshot"]]
    downloads = [(lng, fmt, f"/id/{iso3}/guide/{lng}.{fmt}") for lng in LANGUAGES
                 for fmt in GUIDE_FORMATS]
    return render_template("guides/guide.html", iso3=iso3, summary={"name": status.get("name")},
                           status=status, imports=imports, downloads=downloads,
                           diff_to=compared[0] if compared else None,
                           diff_from=compared[1] if len(compared) > 1 else None)


@bp.route("/id/<iso3>/guide/diff")
def diff(iso3: str):
    """What changed in the guide between two imports of the country (guide-diff)."""
    status = country_status(iso3)
    old, new = request.args.get("from", ""), request.args.get("to", "")
    result = web.workspace().import_diff(iso3, old, new, web.lang())
    return render_template("guides/diff.html", iso3=iso3, name=status.get("name") or iso3,
                           diff=result)


@bp.route("/questionnaire/template.xlsx")
def template():
    """The blank questionnaire workbook, instructions in the page's language."""
    response = Response(web.workspace().template(web.lang()), content_type=XLSX)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="questionnaire-template-{web.lang()}.xlsx"')
    return response


@bp.route("/id/<iso3>/questionnaire.<fmt>")
def questionnaire(iso3: str, fmt: str):
    """The country's current answers as a pre-filled questionnaire (xlsx, or a zip of the
    CSV files): public contacts only, restricted ones too for a logged-in editor of the
    country (who needs them to re-import the whole answer)."""
    from webapp.admin import current_user

    iso3 = check_country(iso3)
    formats = {"xlsx": "xlsx", "zip": "csv"}
    if fmt not in formats or formats[fmt] not in WORKBOOK_FORMATS:
        abort(404)
    user = current_user()
    editor = user is not None and user.may_edit(iso3)
    out = web.workspace().questionnaire(iso3, web.lang(), formats[fmt],
                                        include_restricted=editor)
    response = Response(out.data, content_type=XLSX if fmt == "xlsx" else "application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="questionnaire-{iso3}.{fmt}"')
    if editor:  # never kept by a shared cache
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/id/<iso3>/guide/preview")
def preview(iso3: str):
    """The guide's self-contained HTML, for the preview frame of the guide page."""
    iso3 = check_country(iso3)
    data, media_type = web.workspace().guide(iso3, web.lang(), "html")
    # Shown in the guide page's (sandboxed) frame; the guide's own <style> is inline.
    security.allow_framing_by_self()
    security.relax_csp("style-src", "'unsafe-inline'")
    security.relax_csp("sandbox")
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
