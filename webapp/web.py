"""What every blueprint shares: the request's language, template helpers and the one error path.

Language: resolved once per request into `g.lang`: `?lang=` wins, then the cookie the
language switch sets (COOKIE), then Accept-Language, then English. A valid `?lang=` is
remembered in the cookie.

Errors: every error the project raises on purpose carries its HTTP status; under
JSON_PREFIXES (/api, /sparql) the answer is the JSON body
`{"ok": false, "status": N, "errors": [{file, row, column, key, message}]}`, elsewhere the
error page. Anything unexpected is logged and answered 500 without a traceback.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from flask import Flask, current_app, g, jsonify, render_template, request
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from kg import i18n
from kg.config import Settings
from kg.errors import Location, MigkgError, Problem, StoreError, UserError
from kg.service import Workspace

REQUEST_ID_HEADER = "X-Request-Id"
# A request id given by a proxy in front is kept when it looks like one; else a new one.
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._:-]{8,128}\Z")
COOKIE = "migkg_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
JSON_PREFIXES = ("/api", "/sparql")
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
# The site menu: (endpoint, text key); an entry shows once its blueprint is registered, so a
# blueprint of another concern adds its page by appending here.
NAV: list[tuple[str, str]] = [
    ("pages.home", "web.nav.countries"),
    ("pages.compare", "web.nav.compare"),
    ("network.partners", "web.nav.partners"),
    ("pages.queries", "web.nav.queries"),
    ("sparql.editor", "web.nav.sparql"),
    ("pages.ontology", "web.nav.ontology"),
    ("admin.index", "web.nav.admin"),
]


# --- language -----------------------------------------------------------------------------

def resolve_language() -> str:
    """The request's language: ?lang=, then the cookie, then Accept-Language, then English."""
    asked = request.args.get("lang", "")
    if asked in i18n.LANGUAGES:
        return asked
    remembered = request.cookies.get(COOKIE, "")
    if remembered in i18n.LANGUAGES:
        return remembered
    return request.accept_languages.best_match(i18n.LANGUAGES) or "en"


def lang() -> str:
    """The current request's language (resolved once, in before_request)."""
    if "lang" not in g:
        g.lang = resolve_language()
    return g.lang


def t(key: str, **params: object) -> str:
    """A user-facing text in the request's language."""
    return i18n.t(key, lang(), **params)


def tn(key: str, count: int, **params: object) -> str:
    """A user-facing text for a count (singular or plural), the count in the locale's form."""
    return i18n.plural(key, count, lang(), **{"count": number(count), **params})


def settings() -> Settings:
    return current_app.config["MIGKG_SETTINGS"]


def workspace() -> Workspace:
    """The app's Workspace: the one door into kg."""
    return current_app.extensions["migkg_workspace"]


def kept_fragment(key: tuple, template: str, context: Callable[[], dict]) -> Markup:
    """A rendered fragment that holds data only (no per-request or per-user state), kept
    while the store does not change: key names it fully (page, language, order), from a
    small fixed set, so the kept fragments stay few."""
    fingerprint = workspace().fingerprint()
    kept: dict[tuple, tuple[object, Markup]] = current_app.extensions.setdefault(
        "migkg_fragments", {})
    hit = kept.get(key)
    if hit is not None and hit[0] == fingerprint:
        return hit[1]
    html = Markup(render_template(template, **context()))
    kept[key] = (fingerprint, html)
    return html


def concept_labels() -> dict[str, dict[str, str]]:
    """scheme -> {code: label} in the request's language, in the template's order.

    Vocabularies are project data (not user data): read once per process and language.
    """
    cache: dict[str, dict[str, dict[str, str]]] = current_app.extensions.setdefault(
        "migkg_concepts", {})
    lng = lang()
    if lng not in cache:
        rows = workspace().run_query("concepts", {}, lng, capped=False).rows
        by_scheme: dict[str, dict[str, str]] = {}
        for r in sorted(rows, key=lambda r: (str(r["scheme"]), r["position"] or 0, str(r["code"]))):
            by_scheme.setdefault(str(r["scheme"]), {})[str(r["code"])] = str(r["label"] or r["code"])
        cache[lng] = by_scheme
    return cache[lng]


def _set_language() -> None:
    g.started = time.perf_counter()
    g.lang = resolve_language()


def _server_timing(response):
    """Server-Timing: app;dur=MS, the time spent in the app (read by benchmarks/webapp.py)."""
    if "started" in g:
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - g.started) * 1000:.1f}"
    return response


# --- request id ---------------------------------------------------------------------------

def request_id() -> str:
    """The current request's id: the X-Request-Id it came with if well-formed, else a new one.
    Echoed in the answer's X-Request-Id header and written in the access log."""
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _REQUEST_ID_RE.match(given) else uuid.uuid4().hex
    return g.request_id


def _echo_request_id(response):
    response.headers[REQUEST_ID_HEADER] = request_id()
    return response


def _remember_language(response):
    asked = request.args.get("lang", "")
    if asked in i18n.LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            httponly=True)
    if "lang" in g:
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")
    return response


def lang_url(code: str) -> str:
    """The current page in another language (other query arguments kept)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", code))
    return f"{request.path}?{urlencode(args)}"


# --- formatting -----------------------------------------------------------------------------

def number(value: object) -> str:
    """An integer or decimal in the locale's form (1,234.5 / 1 234,5)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if type(value) is int and -1000 < value < 1000:  # no separator in either language
        return str(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    if lang() == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?")


def date(value: object) -> str:
    """An ISO date or date-time in the locale's form (2024-03-05 -> 5 March 2024 / 5 mars 2024)."""
    text = "" if value is None else str(value)
    m = _DATE_RE.match(text)
    if not m:
        return text
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= month <= 12:
        return text
    shown = t("web.date", day=day, month=t(f"web.month.{month}"), year=year)
    if m[4]:
        shown += f" {m[4]}:{m[5]}"
    return shown


def local_path(iri: object) -> str | None:
    """The path this app serves an IRI at (`<base>id/XAA/actor/x` -> `/id/XAA/actor/x`), or
    None for an IRI outside the data base."""
    if not isinstance(iri, str):
        return None
    base = settings().base
    if iri.startswith(base + "id/"):
        return "/" + iri[len(base):]
    return None


_WEB_RE = re.compile(r"(https?|mailto):[^\s<>\"]+\Z", re.IGNORECASE)


def web_link(value: object) -> str | None:
    """An http(s)/mailto address safe to link to, else None (never a javascript: link)."""
    if isinstance(value, str) and _WEB_RE.match(value):
        return value
    return None


# --- errors -----------------------------------------------------------------------------

def wants_json() -> bool:
    path = request.path
    return any(path == p or path.startswith(p + "/") or path.startswith(p + ".")
               for p in JSON_PREFIXES)


def status_of(exc: MigkgError) -> int:
    """The HTTP status an error carries (kg.errors: 404 unknown thing, 400 bad input, 503
    store...)."""
    return exc.http_status


def error_response(status: int, errors: list[dict[str, object]]):
    """The one error answer: JSON under /api and /sparql, the error page elsewhere."""
    if wants_json():
        response = jsonify({"ok": False, "status": status, "errors": errors})
        response.status_code = status
        return response
    title = t(f"web.error.{status}") if status in (400, 401, 403, 404, 405, 406, 413, 422,
                                                    429, 500, 503) \
        else t("web.error.other", status=status)
    return render_template("error.html", status=status, title=title, errors=errors), status


def _user_error(exc: MigkgError):
    lng = lang()
    status = status_of(exc)
    if isinstance(exc, UserError):
        errors = exc.to_dicts(lng)
    elif isinstance(exc, StoreError):
        current_app.logger.error("store error: %s", exc)
        errors = [{"file": "", "row": None, "column": "", "key": "web.error.store",
                   "message": t("web.error.store")}]
    else:
        current_app.logger.exception("error: %s", exc)
        errors = [{"file": "", "row": None, "column": "", "key": "web.error.internal",
                   "message": t("web.error.internal")}]
    return error_response(status, errors)


def _http_error(exc: HTTPException):
    status = exc.code or 500
    key = f"web.error.{status}.detail"
    message = t(key) if key in i18n.catalogue("en") else (exc.description or "")
    return error_response(status, [{"file": "", "row": None, "column": "", "key": key,
                                    "message": message}])


def _unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    current_app.logger.exception("unexpected error on %s", request.path)
    return error_response(500, [{"file": "", "row": None, "column": "", "key": "web.error.internal",
                                 "message": t("web.error.internal")}])


def bad_value(name: str, value: str, allowed: list[str]) -> UserError:
    """A 400 for a filter or option value that is not one of `allowed`."""
    return UserError(Problem(Location(column=name), "web.bad_value",
                             {"name": name, "value": value[:40], "allowed": ", ".join(allowed)}))


# --- templates --------------------------------------------------------------------------

def _helpers() -> dict[str, object]:
    return {
        "lang": lang(), "t": t, "tn": tn, "lang_url": lang_url, "language_names": LANGUAGE_NAMES,
        "languages": i18n.LANGUAGES,
        "nav_items": [(e, k) for e, k in NAV if e in current_app.view_functions],
    }


def _nl2br(text: object) -> Markup:
    """Line breaks kept visible: the text escaped, then each newline a <br>."""
    from markupsafe import escape

    return Markup("<br>").join(escape("" if text is None else str(text)).split("\n"))


def init_app(app: Flask) -> None:
    """Install the language resolver, template helpers and error handlers on app."""
    app.before_request(_set_language)
    app.after_request(_remember_language)
    app.after_request(_server_timing)
    app.after_request(_echo_request_id)
    app.context_processor(_helpers)
    filters: dict[str, Callable] = {"number": number, "date": date, "local": local_path,
                                    "weblink": web_link, "nl2br": _nl2br}
    app.jinja_env.filters.update(filters)
    app.jinja_env.globals.update(t=t, tn=tn, lang_url=lang_url)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.register_error_handler(MigkgError, _user_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
