"""Web app fixtures: a Flask test client over the demo countries plus one hostile country,
on each store backend.

XZH is the demo country XAC copied with hostile text in its names (markup, a script, an
ampersand, a javascript: link): every page type must show it as text. `app` is
parametrised: "embedded" (pyoxigraph snapshots) and "remote" (a real `oxigraph serve`,
marked `remote`); every route test taking it runs on both over identical data.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.config import Settings
from kg.service import Workspace, demo_paths
from tests.conftest import remote_settings, start_oxigraph, stop_process
from webapp import create_app

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = 'x"><script>alert(1)</script> href'
AMP = "Labour & Social <b>Affairs</b>"
HOSTILE = "XZH"
BACKENDS = ["embedded", pytest.param("remote", marks=pytest.mark.remote)]


def _rewrite(path: Path, changes: dict[tuple[int, str], str]) -> None:
    """Set cells (row index among data rows, column) of a CSV file."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    for (index, column), value in changes.items():
        rows[index][column] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def hostile_country(folder: Path) -> Path:
    """XAC copied as XZH, with hostile names and titles."""
    source = next(p for p in demo_paths() if p.name == "XAC")
    target = folder / HOSTILE
    shutil.copytree(source, target)
    _rewrite(target / "country.csv", {(0, "iso3"): HOSTILE, (0, "name"): f"Hostile {AMP}",
                                      (0, "name_fr"): f"Hostile FR {AMP}"})
    _rewrite(target / "actors.csv", {(0, "name"): IMG, (1, "name"): SCRIPT,
                                     (1, "role"): AMP})
    _rewrite(target / "data_sources.csv", {(0, "title"): f"Source {IMG}"})
    _rewrite(target / "challenges.csv", {(0, "title"): f"Challenge {SCRIPT}"})
    return target


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """An embedded store with the demo countries and XZH, imported through the real pipeline."""
    settings = Settings(store_dir=tmp_path_factory.mktemp("web-store"))
    paths = [*demo_paths(), hostile_country(tmp_path_factory.mktemp("hostile"))]
    with Workspace(settings) as ws:
        ws.write(ws.check(paths), user="tests")
    return settings


@pytest.fixture(scope="session")
def web_remote_settings(web_settings: Settings, tmp_path_factory: pytest.TempPathFactory
                        ) -> Iterator[Settings]:
    """The same graphs, byte for byte, in an `oxigraph serve` of their own."""
    from kg.store import open_store  # test set-up only: copies graphs between backends

    process, base = start_oxigraph(tmp_path_factory.mktemp("oxigraph-web") / "db")
    try:
        settings = remote_settings(base, "remote")
        with open_store(web_settings) as source, open_store(settings) as target:
            for graph in source.graphs():
                target.replace_graph(graph, source.graph_triples(graph))
        yield settings
    finally:
        stop_process(process)


def make_app(settings: Settings):
    app = create_app(settings)
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="module", params=BACKENDS)
def app(request: pytest.FixtureRequest):
    name = "web_settings" if request.param == "embedded" else "web_remote_settings"
    return make_app(request.getfixturevalue(name))


@pytest.fixture
def client(app) -> Iterator[object]:
    with app.test_client() as c:
        yield c


@pytest.fixture(scope="module")
def embedded_app(web_settings: Settings):
    """The app over the embedded store only (checks that do not depend on the backend)."""
    return make_app(web_settings)
