"""The web app: a thin Flask shell over kg.service (app factory + one blueprint per concern).

Routes parse the request, call the Workspace, render or serialise. webapp/ imports
kg.service, kg.errors, kg.config and kg.i18n only.

    create_app(settings) -> Flask

Every blueprint is a module of this package with a `bp` Blueprint, listed in BLUEPRINTS
(an issue adding a concern adds its module there). Shared per-request machinery lives in
webapp.web: the language resolved once per request (g.lang: ?lang= wins, then the cookie
set by the switch, then Accept-Language), template helpers (`t`, `lang_url`, ...) and one
error path (JSON body under /api and /sparql, the error page elsewhere; never a traceback).
Hardening for every response (security headers, CSP, CSRF, rate limits, request size, proxy
headers) lives in webapp.security, installed on every app in both serve modes.
"""

from __future__ import annotations

from importlib import import_module

from flask import Flask

from kg.config import Settings, load_settings

# One module per concern, registered in this order. Each has `bp` (a Blueprint).
BLUEPRINTS: tuple[str, ...] = (
    "webapp.pages",      # /, /search, /compare, /queries, /ontology, /vocab/<scheme>
    "webapp.health",     # /healthz, /readyz
    "webapp.network",    # /id/<ISO3>/network..., /network/partners, /assets/network/...
    "webapp.guides",     # /id/<ISO3>/guide...
    "webapp.sparql",     # /sparql (SPARQL 1.1 Protocol), /query (the YASGUI editor)
    "webapp.api",        # /api/queries, /api/queries/<name>, /api/openapi.json
    "webapp.catalog",    # /catalog.ttl, /catalog.jsonld (DCAT-AP)
    "webapp.admin",      # /admin/...: login, upload, report, confirm, history, delete, audit
    "webapp.entities",   # /id/<ISO3>, /id/<ISO3>/<kind>/<id> (content negotiation); last:
                         # its catch-all entity path must not shadow the routes above
)


def create_app(settings: Settings | None = None, *, serving: bool = False) -> Flask:
    """Build the app over one Workspace (its store opened once per worker process).

    serving: the app is about to be served for hours (`migkg serve`, either mode): what is
    loaded now, and the answers each warming pass keeps, are frozen out of the cyclic
    garbage collector (kg.service.freeze_loaded_objects). Not for tests and scripts, which
    build and drop many apps."""
    from kg.service import Workspace, freeze_loaded_objects
    from webapp import security, web

    settings = settings or load_settings()
    if settings.production:
        from webapp.production import check_production

        check_production(settings)
    app = Flask(__name__)
    app.config["MIGKG_SETTINGS"] = settings
    app.extensions["migkg_workspace"] = Workspace(settings)
    if settings.production:
        # What checking an upload needs (shapes, pyshacl, vocabularies) is loaded when the
        # worker starts, not by the first user who uploads.
        app.extensions["migkg_workspace"].warm_up()
    web.init_app(app)
    security.init_app(app, settings)
    for module in BLUEPRINTS:
        app.register_blueprint(import_module(module).bp)
    if serving:
        freeze_loaded_objects()
    if settings.production and settings.cache_mb > 0:
        from webapp.warm import Warmer

        app.extensions["migkg_warmer"] = Warmer(app, freeze=serving)
        app.extensions["migkg_warmer"].start()
    return app
