"""Hardening shared by every route, in both serve modes (plain `migkg serve` and --production).

On every response: X-Content-Type-Options: nosniff and Referrer-Policy. On every HTML page:
a Content-Security-Policy whose scripts are the site's own files or carry the request's
nonce (`csp_nonce()` in templates; never 'unsafe-inline'), frame-ancestors 'none' (a view
that is meant to be framed by the site itself, such as the guide preview, calls
`allow_framing_by_self()`), and X-Frame-Options. A view that needs more (e.g. a vendored
editor's styles) calls `relax_csp("style-src", "...")` for its own answer only.

CSRF: every POST, PUT, PATCH and DELETE outside the JSON prefixes (/api, /sparql: read-only,
cookie-less protocols) must carry the session's token, as the form field `csrf_token`
(`{{ csrf_field() }}` in a form) or the X-CSRF-Token header; else 400 and the view never runs.

Rate limits (production only, Settings.rate_limits): a generic hook keyed by path prefix.
Every route under a limited prefix (/sparql, /api by default, and any route added there
later) is counted per client address in a sliding window; past the limit the answer is 429
with Retry-After, in the one error shape. Counts are kept per worker process.

Requests larger than the upload limit (plus a little for the form) are refused with 413
before they are read. With Settings.proxies > 0 the app trusts that many proxies'
X-Forwarded-For/-Proto/-Host/-Port (werkzeug ProxyFix), so addresses, https and redirects
are the client's.
"""

from __future__ import annotations

import hmac
import math
import os
import secrets
import threading
import time
from collections import OrderedDict, deque
from datetime import timedelta

from flask import Flask, current_app, g, request, session
from markupsafe import Markup, escape
from werkzeug.middleware.proxy_fix import ProxyFix

from kg.config import Settings
from kg.errors import Location, Problem, UserError

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
REFERRER_POLICY = "same-origin"
FORM_SLACK_BYTES = 1 << 20
SESSION_HOURS = 8
# The CSP of every HTML page; script-src gets the request's nonce.
CSP: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


class Refused(UserError):
    """A request refused by the hardening hooks (CSRF, rate limit)."""

    def __init__(self, key: str, status: int, **params: object) -> None:
        self.http_status = status
        super().__init__(Problem(Location(), key, params))


# --- CSP ------------------------------------------------------------------------------------

def csp_nonce() -> str:
    """This request's script nonce (for an inline <script nonce="...">, if one is ever needed)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def relax_csp(directive: str, *sources: str) -> None:
    """Add sources to one directive of this answer's CSP (never for script-src inline code)."""
    if directive == "script-src" and "'unsafe-inline'" in sources:
        raise ValueError("script-src 'unsafe-inline' is not allowed: use csp_nonce()")
    g.setdefault("csp_extra", {}).setdefault(directive, []).extend(sources)


def allow_framing_by_self() -> None:
    """This answer may be shown in a frame of the site's own pages (not of other sites)."""
    g.csp_frame_self = True


def content_security_policy() -> str:
    directives = {k: list(v) for k, v in CSP.items()}
    directives["script-src"].append(f"'nonce-{csp_nonce()}'")
    for key, sources in g.get("csp_extra", {}).items():
        directives.setdefault(key, []).extend(sources)
    if g.get("csp_frame_self"):
        directives["frame-ancestors"] = ["'self'"]
    return "; ".join(f"{k} {' '.join(dict.fromkeys(v))}".strip() for k, v in directives.items())


def _headers(response):
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = REFERRER_POLICY
    if response.mimetype in ("text/html", "application/xhtml+xml"):
        response.headers["Content-Security-Policy"] = content_security_policy()
        response.headers["X-Frame-Options"] = "SAMEORIGIN" if g.get("csp_frame_self") else "DENY"
    settings: Settings = current_app.config["MIGKG_SETTINGS"]
    if settings.production and request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    if request.path.startswith("/admin"):
        response.headers["Cache-Control"] = "no-store"
    return response


# --- CSRF -----------------------------------------------------------------------------------

def csrf_token() -> str:
    """The session's CSRF token (made on first use)."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def csrf_field() -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, escape(csrf_token()))


def _json_path() -> bool:
    from webapp.web import wants_json

    return wants_json()


def _check_csrf() -> None:
    if request.method not in UNSAFE_METHODS or _json_path():
        return
    expected = session.get(CSRF_FIELD)
    given = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    if not isinstance(expected, str) or not given or not hmac.compare_digest(
            expected.encode(), given.encode()):
        raise Refused("web.csrf", 400)


# --- rate limits --------------------------------------------------------------------------

class RateLimiter:
    """Sliding-window request counts per (rule prefix, key), in this process."""

    MAX_KEYS = 50_000

    def __init__(self, rules: tuple[tuple[str, int, float], ...]) -> None:
        # Longest prefix first: /api/queries may have a rule of its own beside /api.
        self.rules = sorted(rules, key=lambda r: -len(r[0]))
        self._hits: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def rule(self, path: str) -> tuple[str, int, float] | None:
        for rule in self.rules:
            prefix = rule[0]
            if prefix == "/" or path == prefix or path.startswith(prefix + "/") \
                    or path.startswith(prefix + "."):
                return rule
        return None

    def hit(self, path: str, key: str, now: float | None = None) -> float | None:
        """Count one request; None if allowed, else the seconds until one is allowed again."""
        rule = self.rule(path)
        if rule is None:
            return None
        prefix, limit, window = rule
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get((prefix, key))
            if hits is None:
                hits = self._hits[(prefix, key)] = deque()
                while len(self._hits) > self.MAX_KEYS:
                    self._hits.popitem(last=False)
            self._hits.move_to_end((prefix, key))
            while hits and now - hits[0] >= window:
                hits.popleft()
            if len(hits) >= limit:
                return window - (now - hits[0])
            hits.append(now)
        return None


def client_address() -> str:
    """The client's address (the proxy's view of it when ProxyFix trusts one)."""
    return request.remote_addr or "-"


def _rate_limit() -> None:
    limiter: RateLimiter | None = current_app.extensions.get("migkg_rate_limiter")
    if limiter is None:
        return
    wait = limiter.hit(request.path, client_address())
    if wait is not None:
        g.retry_after = max(1, math.ceil(wait))
        raise Refused("web.rate_limited", 429, seconds=g.retry_after)


def _retry_after(response):
    if response.status_code == 429 and "retry_after" in g:
        response.headers["Retry-After"] = str(g.retry_after)
    return response


# --- install --------------------------------------------------------------------------------

def init_app(app: Flask, settings: Settings) -> None:
    if settings.secret_key:
        app.secret_key = settings.secret_key
    else:  # plain `migkg serve` only (production refuses to start without one)
        app.secret_key = os.urandom(32)
    app.config.update(
        MAX_CONTENT_LENGTH=settings.limits.max_upload_bytes + FORM_SLACK_BYTES,
        MAX_FORM_MEMORY_SIZE=FORM_SLACK_BYTES,
        SESSION_COOKIE_NAME="migkg_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
    )
    if settings.production:
        app.debug = False
        app.config.update(DEBUG=False, PROPAGATE_EXCEPTIONS=False, TRAP_HTTP_EXCEPTIONS=False)
        if settings.rate_limit_rules:
            app.extensions["migkg_rate_limiter"] = RateLimiter(settings.rate_limit_rules)
    if settings.proxies > 0:
        n = settings.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]
    app.before_request(_rate_limit)
    app.before_request(_check_csrf)
    app.after_request(_headers)
    app.after_request(_retry_after)
    app.jinja_env.globals.update(csp_nonce=csp_nonce, csrf_field=csrf_field,
                                 csrf_token=csrf_token)
