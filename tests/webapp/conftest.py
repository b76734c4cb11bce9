"""Web app fixtures: a Flask test client over the demo countries, on each store backend.

`client` is parametrised: "embedded" (pyoxigraph snapshots) and "remote" (a real
`oxigraph serve`, marked `remote`); every route test taking it runs on both.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from webapp import create_app

BACKENDS = ["embedded", pytest.param("remote", marks=pytest.mark.remote)]


def demo_app(request: pytest.FixtureRequest, backend: str):
    if backend == "embedded":
        request.getfixturevalue("demo_store")  # imported once per session
        settings = request.getfixturevalue("demo_settings")
    else:
        settings = request.getfixturevalue("remote_demo_settings")
    app = create_app(settings)
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="module", params=BACKENDS)
def app(request: pytest.FixtureRequest):
    return demo_app(request, request.param)


@pytest.fixture
def client(app) -> Iterator[object]:
    with app.test_client() as c:
        yield c


@pytest.fixture(scope="module")
def embedded_app(request: pytest.FixtureRequest):
    """The app over the embedded demo store only (for checks that do not depend on the backend)."""
    return demo_app(request, "embedded")
