"""Liveness and readiness for load balancers and orchestrators (JSON, never cached).

    GET /healthz  200 {"ok": true, "status": 200} while the process serves requests; it
                  never touches the store, so a slow store does not get a live worker killed.
    GET /readyz   200 {"ok": true, "status": 200, "checks": {"store": "ok"}} when the store
                  answers a trivial query; else 503 with "checks": {"store": "failing"} and
                  the usual JSON error list. The store's own message (endpoint, reason) goes
                  to the server log only.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from webapp import web

bp = Blueprint("health", __name__)


def _answer(status: int, **body: object):
    response = jsonify({"ok": status == 200, "status": status, **body})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return _answer(200)


@bp.get("/readyz")
def readyz():
    if not web.workspace().ping():
        current_app.logger.error("not ready: the store does not answer")
        return _answer(503, checks={"store": "failing"},
                       errors=[{"file": "", "row": None, "column": "", "key": "web.error.store",
                                "message": web.t("web.error.store")}])
    return _answer(200, checks={"store": "ok"})
