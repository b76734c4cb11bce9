"""The web app: a thin Flask shell over kg (app factory + one blueprint per concern).

    create_app(settings) -> Flask

Every blueprint is a module of this package with a `bp` Blueprint, listed in BLUEPRINTS
(an issue adding a concern adds its module there). Shared per-request machinery lives in
webapp.web: the language resolved once per request (g.lang: ?lang= wins, then the cookie
set by the switch, then Accept-Language), template helpers (`t`, `lang_url`, ...) and one
error path (JSON body under /api and /sparql, the error page elsewhere; never a traceback).
"""

from __future__ import annotations

from importlib import import_module

from flask import Flask

from kg.config import Settings, load_settings

# One module per concern, registered in this order. Each has `bp` (a Blueprint).
BLUEPRINTS: tuple[str, ...] = (
    "webapp.pages",      # /, /compare, /queries, /ontology, /vocab/<scheme>
    "webapp.health",     # /healthz, /readyz
)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app over one store (opened once per worker process)."""
    from kg.store import open_store
    from webapp import web

    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["MIGKG_SETTINGS"] = settings
    if settings.secret_key:
        app.secret_key = settings.secret_key
    app.extensions["migkg_store"] = open_store(settings)
    web.init_app(app)
    for module in BLUEPRINTS:
        app.register_blueprint(import_module(module).bp)
    return app
