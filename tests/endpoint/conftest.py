"""The endpoint, editor, API and catalogue routes over the web app's test data (the demo
countries plus the hostile XZH, tests/webapp/conftest.py), on both store backends.

- `app`, `client` (Flask test client), `embedded_app`: as in tests/webapp;
- `served` (module): the app served by waitress on a free 127.0.0.1 port, once per backend,
  for the real clients (SPARQLWrapper, rdflib, curl, schemathesis, Chromium);
- `limited_app`: the app over the embedded store with a 1 s time limit and a 5-row cap.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from kg.config import Settings
from tests.conftest import free_port
from tests.webapp.conftest import (  # noqa: F401 - fixtures shared with the web app's tests
    BACKENDS,
    app,
    client,
    embedded_app,
    make_app,
    web_remote_settings,
    web_settings,
)


def serve(flask_app) -> tuple[str, object, threading.Thread]:
    from waitress import create_server

    port = free_port()
    server = create_server(flask_app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{port}", server, thread


def stop(server, thread: threading.Thread) -> None:
    """Stop waitress: its worker threads first (a request still in flight would otherwise
    write to the closed trigger), then the sockets and the loop."""
    server.task_dispatcher.shutdown(timeout=10)
    server.close()
    thread.join(timeout=10)


@pytest.fixture(scope="module", params=BACKENDS)
def served(request: pytest.FixtureRequest) -> Iterator[str]:
    """Base URL of the app served by waitress (as `migkg serve` does), on each backend."""
    name = "web_settings" if request.param == "embedded" else "web_remote_settings"
    base, server, thread = serve(make_app(request.getfixturevalue(name)))
    yield base
    stop(server, thread)


def limited_settings(settings: Settings, timeout_s: float = 1.0, max_rows: int = 5) -> Settings:
    return replace(settings, limits=replace(settings.limits, query_timeout_s=timeout_s,
                                            query_max_rows=max_rows))


@pytest.fixture(scope="module", params=BACKENDS)
def limited_app(request: pytest.FixtureRequest):
    """The app with a 1 s time limit and a 5-row cap, on each backend."""
    name = "web_settings" if request.param == "embedded" else "web_remote_settings"
    return make_app(limited_settings(request.getfixturevalue(name)))
