"""Import history on the guide page: every import keeps a snapshot of what it wrote, any two
are compared (guide-diff) in the page's language; questionnaire downloads (blank template,
the country's current answers) for the update cycle. On both store backends: the remote one
is the session's `oxigraph serve` (tests/conftest.py), its snapshots in the state folder."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kg.config import Settings
from kg.service import Workspace, demo_paths
from tests.conftest import remote_settings, wipe_remote

from .conftest import BACKENDS, IMG, make_app


def _append_actor(folder: Path, row: dict[str, str]) -> None:
    path = folder / "actors.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = list(reader.fieldnames or []), list(reader)
    rows.append({f: row.get(f, "") for f in fields})
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module", params=BACKENDS)
def history_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """XAC imported twice: as in the demo, then with one more (hostile-named) actor; the
    snapshots where the settings put them by default (the state folder's history/)."""
    root = tmp_path_factory.mktemp("history")
    if request.param == "embedded":
        settings = Settings(store_dir=root / "store")
    else:
        base = request.getfixturevalue("oxigraph_server")
        wipe_remote(base)
        settings = remote_settings(base, state_dir=root / "state")
    first = next(p for p in demo_paths() if p.name == "XAC")
    second = root / "XAC"
    shutil.copytree(first, second)
    _append_actor(second, {"id": "new-unit", "name": f"New unit {IMG}", "type": "ministry",
                           "domains": "trends"})
    with Workspace(settings) as ws:
        ws.write(ws.check([first]), user="tests")
        ws.write(ws.check([second]), user="tests")
    return make_app(settings), settings


def test_each_import_keeps_a_snapshot(history_app):
    _, settings = history_app
    with Workspace(settings) as ws:
        imports = ws.imports("XAC")
    assert len(imports) == 2
    assert all(i["snapshot"] for i in imports)
    assert settings.history == settings.state / "history"
    assert imports[0]["id"] > imports[1]["id"]  # latest first
    assert sorted(p.name for p in (settings.history / "XAC").iterdir()) == sorted(
        f"{i['id']}.nt.gz" for i in imports)
    assert {f["file_name"] for f in imports[0]["files"]} >= {"actors.csv", "country.csv"}


@pytest.mark.parametrize("lang, heading", [("en", "New actors"), ("fr", "Nouveaux acteurs")])
def test_guide_page_compares_two_imports(history_app, lang, heading):
    app, settings = history_app
    with Workspace(settings) as ws:
        new, old = (i["id"] for i in ws.imports("XAC"))
    with app.test_client() as c:
        page = c.get(f"/id/XAC/guide?lang={lang}").get_data(as_text=True)
        assert f'name="from" value="{old}"' in page and f'name="to" value="{new}"' in page
        assert 'id="compare-imports"' in page
        response = c.get(f"/id/XAC/guide/diff?from={old}&to={new}&lang={lang}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert heading in body
    assert "New unit &lt;img src=x onerror=alert(1)&gt;" in body and IMG not in body
    assert f'<html lang="{lang}"' in body


def test_diff_back_and_same(history_app):
    app, settings = history_app
    with Workspace(settings) as ws:
        new, old = (i["id"] for i in ws.imports("XAC"))
        back = ws.import_diff("XAC", new, old, "en")
        same = ws.import_diff("XAC", old, old, "en")
    assert [s["key"] for s in back["sections"]] == ["removed_actors"]
    assert same["empty"] and same["sections"] == []


@pytest.mark.parametrize("query", ["from=nope&to=nope", "from=../../etc&to=x", "",
                                   "from=20200101T000000000000Z-000000000000&to=x"])
def test_unknown_imports_are_404(history_app, query):
    app, _ = history_app
    with app.test_client() as c:
        response = c.get(f"/id/XAC/guide/diff?{query}")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_questionnaire_downloads(history_app):
    app, _ = history_app
    with app.test_client() as c:
        blank = c.get("/questionnaire/template.xlsx?lang=fr")
        filled = c.get("/id/XAC/questionnaire.xlsx")
        csvs = c.get("/id/XAC/questionnaire.zip")
        missing = c.get("/id/XZZ/questionnaire.xlsx")
        bad = c.get("/id/XAC/questionnaire.exe")
    assert blank.status_code == 200 and blank.mimetype.endswith("spreadsheetml.sheet")
    assert "questionnaire-template-fr.xlsx" in blank.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(filled.data), read_only=True)
    names = [row[1] for row in book["actors"].iter_rows(min_row=2, values_only=True)]
    assert f"New unit {IMG}" in names  # the current answers, verbatim
    assert "XAC/actors.csv" in zipfile.ZipFile(io.BytesIO(csvs.data)).namelist()
    assert (missing.status_code, bad.status_code) == (404, 404)


def test_cli_diff_reads_a_snapshot(history_app):
    _, settings = history_app
    with Workspace(settings) as ws:
        old = ws.imports("XAC")[1]["id"]
        text = ws.guide_diff("XAC", settings.history / "XAC" / f"{old}.nt.gz", lang="en")
    assert "## New actors" in text and "New unit" in text
