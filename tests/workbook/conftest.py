"""Reading workbooks back, and the stores the questionnaire tests export from."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pyoxigraph as ox
import pytest
from openpyxl.workbook.workbook import Workbook

from kg.config import Settings
from kg.ingest import read_questionnaire
from kg.ingest.mapping import map_questionnaire
from kg.ingest.readers import cell_value_text
from kg.namespaces import DataIRIs
from kg.pipeline import check, import_paths, split_import_records
from kg.store import Store, open_store
from tests.workbook.fullcountry import write_full_country


def load(data: bytes) -> Workbook:
    """A workbook as openpyxl reads it with everything (comments, validations, styles)."""
    return openpyxl.load_workbook(io.BytesIO(data))


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def validations(ws) -> dict[str, object]:
    """Column letter -> the data validation covering row 2 of that column."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for cells in dv.sqref.ranges:
            letter = re.match(r"[A-Z]+", cells.coord).group()
            if cells.min_row == 2:
                out[letter] = dv
    return out


def sheet_rows(ws) -> list[dict[str, str]]:
    """Rows of a data sheet as the importer sees them (header -> text), blank cells left out."""
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    out = [{h: cell_value_text(v) for h, v in zip(header, row, strict=False) if v is not None}
           for row in rows[1:]]
    return [row for row in out if row]  # blank rows are no records (the importer skips them)


def data_triples(store: Store, iso3: str, base: str) -> set[ox.Triple]:
    iris = DataIRIs(base)
    data, _records = split_import_records(store.graph_triples(iris.graph(iso3)), iris, iso3)
    return set(data)


def reimported(path: Path, settings: Settings, *, shacl: bool = False) -> set[ox.Triple]:
    """The data triples importing `path` would write: read and mapped as the import does
    (SHACL, which adds no triple, too if asked; the full-country test imports for real)."""
    if shacl:
        checked = check(path, settings)
        assert checked.errors == [], [p.line() for p in checked.errors]
        return set(checked.mapped.triples)
    q = read_questionnaire(path, settings)
    return set(map_questionnaire(q, DataIRIs(settings.base)).triples)


@pytest.fixture(scope="session")
def full_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The realistic country with every file and column (tests/workbook/fullcountry.py)."""
    return write_full_country(tmp_path_factory.mktemp("full") / "XWB")


@pytest.fixture(scope="module")
def full_store(full_folder: Path, tmp_path_factory: pytest.TempPathFactory):
    """An embedded store holding the full country, imported through the real pipeline."""
    settings = Settings(store_dir=tmp_path_factory.mktemp("full-store"))
    with open_store(settings) as store:
        import_paths(store, [full_folder], settings, user="tests")
        yield store, settings
