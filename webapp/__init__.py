"""The web app: a thin Flask shell over kg (app factory + blueprints)."""

from __future__ import annotations

from flask import Flask

from kg.config import Settings, load_settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app over one store (opened once per worker process)."""
    from kg.store import open_store
    from webapp import pages

    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["MIGKG_SETTINGS"] = settings
    app.extensions["migkg_store"] = open_store(settings)
    app.register_blueprint(pages.bp)
    return app
