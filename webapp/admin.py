"""The admin pages: login, upload with a validation report before anything is written,
confirmation, replace and delete a country, import history, audit log.

    GET  /admin/                     what the user may do (or how to add a first user)
    GET  /admin/login, POST          log in (rate limited per name and per address)
    POST /admin/logout
    GET  /admin/upload, POST         a .zip of CSV files or an .xlsx workbook: checked, then
                                     the report (FILE:ROW:COLUMN, errors apart from warnings,
                                     grouped by file); nothing is written
    POST /admin/upload/<token>/confirm   write it (refused if the file's SHA-256 changed)
    POST /admin/upload/<token>/discard
    GET  /admin/countries/<iso3>     import history (prov:Activity records), replace, delete
    GET  /admin/countries/<iso3>/delete, POST   delete, after a confirmation step
    GET  /admin/audit                the audit log (admins)

Editors act on their own countries only; admins on all. Every login, upload, confirmation,
deletion goes to the audit log (Workspace.audit). Users are managed with `migkg users`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for

from kg.errors import Location, MigkgError, NotFound, Problem, UserError
from kg.service import User, check_iso3
from webapp import web
from webapp.security import Refused, client_address

bp = Blueprint("admin", __name__, url_prefix="/admin")

LOGIN_FAILURES_FILE = "login-failures.json"


# --- who is logged in ---------------------------------------------------------------------

def current_user() -> User | None:
    """The logged-in user, checked against the users file on every request (a removed user,
    or one whose password changed, is logged out at once)."""
    if "user" in g:
        return g.user
    user = None
    name = session.get("user")
    if isinstance(name, str):
        found = web.workspace().users().get(name)
        if found is not None and session.get("stamp") == found.stamp:
            user = found
        else:
            session.pop("user", None)
            session.pop("stamp", None)
    g.user = user
    return user


def _audit(event: str, outcome: str, user: str | None = None, **details: object) -> None:
    who = user if user is not None else (current_user().name if current_user() else "")
    web.workspace().audit(event, user=who, ip=client_address(), outcome=outcome, **details)


def login_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            if request.method == "GET":
                return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
            raise Refused("admin.login.required", 401)
        return view(*args, **kwargs)
    return wrapped


def admin_required(view: Callable) -> Callable:
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user().is_admin:  # type: ignore[union-attr]
            raise Refused("admin.forbidden", 403)
        return view(*args, **kwargs)
    return wrapped


def _may_edit(iso3: str) -> None:
    user = current_user()
    if user is None or not user.may_edit(iso3):
        raise Refused("admin.not_your_country", 403, iso3=iso3)


def _safe_next(target: str | None) -> str:
    """A local path to go back to after login (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("admin.index")


@bp.app_context_processor
def _template_user() -> dict[str, object]:
    return {"current_user": current_user}


# --- login rate limit (shared by every worker process through a small file) ----------------

def _login_blocked(name: str) -> float | None:
    """Seconds until a login for this name from this address may be tried, or None."""
    return _failures(name, record=False)


def _failures(name: str, *, record: bool, clear: bool = False) -> float | None:
    settings = web.settings()
    return _LoginFailures(settings.state / LOGIN_FAILURES_FILE, settings.login_max_failures,
                          settings.login_window_s).update(name, client_address(), record, clear)


class _LoginFailures:
    """Failed logins per name and per address within a window, in a JSON file under a lock."""

    def __init__(self, path, limit: int, window: float) -> None:
        self.path, self.limit, self.window = path, limit, window

    def update(self, name: str, address: str, record: bool, clear: bool) -> float | None:
        import fcntl
        import json
        import os

        now = time.time()
        keys = [f"name:{name.casefold()[:100]}", f"ip:{address}"]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+", encoding="utf-8") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                data = json.loads(fh.read() or "{}")
                if not isinstance(data, dict):
                    data = {}
            except ValueError:
                data = {}
            data = {k: [t for t in v if now - t < self.window] for k, v in data.items()
                    if isinstance(v, list)}
            data = {k: v for k, v in data.items() if v}
            if clear:
                data.pop(keys[0], None)
            wait = None
            # The name's count limits guessing one account; the address's (a few times more)
            # limits trying many names from one place.
            for key, limit in ((keys[0], self.limit), (keys[1], self.limit * 4)):
                hits = data.get(key, [])
                if len(hits) >= limit:
                    wait = max(wait or 0.0, self.window - (now - hits[-limit]))
            if record:
                for key in keys:
                    data.setdefault(key, []).append(now)
            if record or clear:
                fh.seek(0)
                fh.truncate()
                fh.write(json.dumps(data))
                fh.flush()
                os.fsync(fh.fileno())
        return wait


# --- pages ------------------------------------------------------------------------------------

@bp.get("/")
def index():
    users = web.workspace().users()
    if users.count() == 0:
        return render_template("admin/no_users.html", source=users.source)
    user = current_user()
    if user is None:
        return redirect(url_for("admin.login", next="/admin/"))
    codes = web.workspace().country_codes()
    mine = codes if user.is_admin else [c for c in codes if user.may_edit(c)]
    return render_template("admin/index.html", countries=mine,
                           missing=[c for c in user.countries if c not in codes],
                           users=sorted(users.all().values(), key=lambda u: u.name)
                           if user.is_admin else [])


@bp.route("/login", methods=["GET", "POST"])
def login():
    users = web.workspace().users()
    if users.count() == 0:
        return render_template("admin/no_users.html", source=users.source)
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target)
        return render_template("admin/login.html", next=target, name="", message=None)
    name = request.form.get("name", "")[:200]
    password = request.form.get("password", "")[:2048]
    wait = _login_blocked(name)
    if wait is not None:
        _audit("login", "locked", user=name)
        g.retry_after = max(1, int(wait) + 1)
        minutes = max(1, round(wait / 60))
        return render_template("admin/login.html", next=target, name=name,
                               message=web.t("admin.login.locked", minutes=minutes)), 429
    user = users.verify(name, password)
    if user is None:
        _failures(name, record=True)
        _audit("login", "failure", user=name)
        return render_template("admin/login.html", next=target, name=name,
                               message=web.t("admin.login.failed")), 401
    _failures(name, record=False, clear=True)
    session.clear()  # a new session (and CSRF token) at each login
    session["user"], session["stamp"] = user.name, user.stamp
    session.permanent = True
    g.user = user
    _audit("login", "success", user=user.name)
    return redirect(target)


@bp.post("/logout")
def logout():
    user = current_user()
    if user is not None:
        _audit("logout", "success", user=user.name)
    session.clear()
    return redirect(url_for("pages.home"))


# --- upload, report, confirm ------------------------------------------------------------------

def _report(problems: list[Problem]) -> dict[str, object]:
    """Problems for the report page: errors and warnings apart, each grouped by file."""
    lang = web.lang()

    def grouped(items: list[Problem]) -> list[tuple[str, list[dict[str, object]]]]:
        files: dict[str, list[dict[str, object]]] = {}
        for p in items:
            files.setdefault(p.location.file, []).append(
                {"where": str(p.location), "row": p.location.row, "column": p.location.column,
                 "message": p.message(lang)})
        return sorted(files.items(), key=lambda kv: kv[0])

    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    return {"errors": grouped(errors), "warnings": grouped(warnings),
            "error_count": len(errors), "warning_count": len(warnings)}


@bp.get("/upload")
@login_required
def upload_form():
    return render_template("admin/upload.html", limits=web.settings().limits)


@bp.post("/upload")
@login_required
def upload():
    ws = web.workspace()
    user = current_user()
    assert user is not None
    file = request.files.get("file")
    if file is None or not file.filename:
        raise UserError(Problem(Location(column="file"), "admin.upload.no_file", {}))
    started = time.perf_counter()
    try:
        staged = ws.stage_upload(file.filename, file.stream, user.name)
    except UserError as exc:
        _audit("upload", "refused", file=file.filename[:200], reason=exc.problems[0].key)
        raise
    details = {"file": staged.name, "sha256": staged.sha256, "bytes": staged.size}
    try:
        checked = ws.check_upload(staged.token)
    except UserError as exc:
        ws.discard_upload(staged.token)
        _audit("upload", "invalid", errors=sum(p.is_error for p in exc.problems),
               warnings=sum(not p.is_error for p in exc.problems), **details)
        return render_template("admin/report.html", staged=staged, report=_report(exc.problems),
                               checked=None, limits=web.settings().limits,
                               seconds=time.perf_counter() - started)
    item = checked[0]
    if not user.may_edit(item.iso3):
        ws.discard_upload(staged.token)
        _audit("upload", "refused", country=item.iso3, **details)
        raise Refused("admin.not_your_country", 403, iso3=item.iso3)
    _audit("upload", "checked", country=item.iso3, warnings=len(item.warnings), **details)
    existing = item.iso3 in ws.country_codes()
    history = ws.imports(item.iso3) if existing else []
    return render_template("admin/report.html", staged=staged, report=_report(item.problems),
                           checked=item, iso3=item.iso3, triples=len(item.mapped.triples),
                           existing=existing, last=history[0] if history else None,
                           limits=web.settings().limits, seconds=time.perf_counter() - started)


@bp.post("/upload/<token>/confirm")
@login_required
def confirm(token: str):
    ws = web.workspace()
    user = current_user()
    assert user is not None
    sha256 = request.form.get("sha256", "")
    try:
        staged = _own_upload(token)
        checked = ws.check_upload(token, sha256)
    except MigkgError:
        _audit("confirm", "refused", token=token[:12], sha256=sha256[:64])
        raise
    item = checked[0]
    _may_edit(item.iso3)
    reports = ws.write(checked, user=user.name)
    ws.discard_upload(token)
    _audit("confirm", "written", country=item.iso3, file=staged.name, sha256=staged.sha256,
           triples=reports[0].triples, changed=reports[0].changed,
           import_iri=reports[0].import_iri)
    flash(web.t("admin.upload.written", iso3=item.iso3, triples=web.number(reports[0].triples)))
    return redirect(f"/id/{item.iso3}")


@bp.post("/upload/<token>/discard")
@login_required
def discard(token: str):
    try:
        _own_upload(token)
    except MigkgError:
        _audit("discard", "refused", token=token[:12])
        raise
    web.workspace().discard_upload(token)
    _audit("discard", "ok", token=token[:12])
    return redirect(url_for("admin.upload_form"))


def _own_upload(token: str):
    """The staged upload of the logged-in user (any, for an admin); 404 otherwise, as if it
    were gone: another user's upload is not theirs to confirm or discard."""
    user = current_user()
    assert user is not None
    staged = web.workspace().staged_upload(token)
    if staged.user != user.name and not user.is_admin:
        raise NotFound(Problem(Location(column="upload"), "admin.upload.gone", {}))
    return staged


# --- a country: history, replace, delete --------------------------------------------------

def _country(iso3: str) -> str:
    code = check_iso3(iso3)
    _may_edit(code)
    if code not in web.workspace().country_codes():
        raise NotFound(Problem(Location("ISO3"), "web.unknown_country", {"iso3": code}))
    return code


@bp.get("/countries/<iso3>")
@login_required
def country(iso3: str):
    code = _country(iso3)
    history = web.workspace().imports(code)
    return render_template("admin/country.html", iso3=code, history=history)


@bp.route("/countries/<iso3>/delete", methods=["GET", "POST"])
@login_required
def delete(iso3: str):
    code = _country(iso3)
    if request.method == "GET":
        return render_template("admin/delete.html", iso3=code)
    if request.form.get("confirm_iso3", "").strip().upper() != code:
        return render_template("admin/delete.html", iso3=code,
                               message=web.t("admin.delete.mismatch", iso3=code)), 400
    web.workspace().delete(code)
    _audit("delete", "deleted", country=code)
    flash(web.t("admin.delete.done", iso3=code))
    return redirect(url_for("admin.index"))


@bp.get("/audit")
@admin_required
def audit():
    return render_template("admin/audit.html", records=web.workspace().audit_records(500))
