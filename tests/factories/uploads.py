"""Questionnaires to upload in the admin tests and benchmarks (the demo country XAB zipped,
good or bad) and a store with users for them."""

from __future__ import annotations

import atexit
import csv
import functools
import io
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from kg.config import Settings
from kg.service import Workspace, demo_paths

ADMIN, EDITOR = "ada", "eve"
PASSWORD = "correct horse battery staple"
HOSTILE_CODE = '<img src=x onerror=alert(1)>"&'
NEW_NAME = "Republic of Uploadia"


def demo_folder(code: str) -> Path:
    return next(p for p in demo_paths() if p.name == code)


def questionnaire_zip(code: str = "XAB", changes: dict[tuple[str, int, str], str] | None = None
                      ) -> bytes:
    """The demo country's CSV files zipped, with cells changed: (file, data row index,
    column) -> value."""
    changes = changes or {}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(demo_folder(code).glob("*.csv")):
            mine = {(i, c): v for (f, i, c), v in changes.items() if f == path.name}
            if not mine:
                zf.write(path, path.name)
                continue
            with path.open(encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.DictReader(fh))
            for (index, column), value in mine.items():
                rows[index][column] = value
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
            zf.writestr(path.name, out.getvalue())
    return buf.getvalue()


def good_zip() -> bytes:
    return questionnaire_zip("XAB", {("country.csv", 0, "name"): NEW_NAME})


def bad_zip() -> bytes:
    """An error in actors.csv (an unknown type code, hostile text) and one in
    data_sources.csv (an unknown status)."""
    return questionnaire_zip("XAB", {("actors.csv", 1, "type"): HOSTILE_CODE,
                                     ("data_sources.csv", 0, "status"): "maybe"})


@functools.cache
def _seed() -> tuple[dict[str, list], Path]:
    """XAA and XAB imported once per process through the real pipeline, in a temporary
    embedded store: its graphs and the history folder holding that import's snapshots."""
    from kg.store import open_store  # test set-up only: copies graphs between stores

    folder = Path(tempfile.mkdtemp(prefix="migkg-seed-"))
    atexit.register(shutil.rmtree, folder, True)
    seed = Settings(store_dir=folder / "store", state_dir=folder / "state")
    with Workspace(seed) as ws:
        ws.write(ws.check([demo_folder("XAA"), demo_folder("XAB")]), user="tests")
    with open_store(seed) as store:
        graphs = {g: store.graph_triples(g) for g in store.graphs()}
    return graphs, seed.history


def make_store(root: Path, settings: Settings | None = None) -> Settings:
    """XAA and XAB imported (a copy of one import per process, its snapshots too), an
    admin and an editor of XAB, state in root/state (into the store settings name, which
    it replaces whole, else an embedded store in root/store)."""
    from dataclasses import replace

    from kg.store import open_store
    from kg.users import Users

    settings = replace(settings or Settings(store_dir=root / "store"), state_dir=root / "state",
                       history_dir=root / "history")
    graphs, history = _seed()
    with open_store(settings) as store:
        store.replace_all(graphs)
    shutil.copytree(history, settings.history)
    users = Users(settings)
    users.add(ADMIN, PASSWORD, "admin", [])
    users.add(EDITOR, PASSWORD, "editor", ["XAB"])
    return settings


_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = _CSRF_RE.search(html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def login(client, name: str = ADMIN, password: str = PASSWORD):
    page = client.get("/admin/login")
    return client.post("/admin/login", data={"name": name, "password": password,
                                             "csrf_token": csrf_of(page.get_data(as_text=True))})


def upload(client, data: bytes, filename: str = "xab.zip", token: str | None = None):
    if token is None:
        token = csrf_of(client.get("/admin/upload").get_data(as_text=True))
    return client.post("/admin/upload", data={"csrf_token": token,
                                              "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def confirm_form(html: str) -> tuple[str, str, str]:
    """(confirm action, sha256, csrf token) from a report page."""
    action = re.search(r'action="(/admin/upload/[^/"]+/confirm)"', html)
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', html)
    assert action and sha, "the report has no confirm form"
    return action.group(1), sha.group(1), csrf_of(html)
