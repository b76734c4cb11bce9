"""Build questionnaire variants (CSV folders, zips, workbooks) from the minimal fixture."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kg.config import Limits, Settings
from kg.errors import InputError
from kg.ingest import read_questionnaire
from kg.ingest.model import Questionnaire

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"

Tables = dict[str, list[list[object]]]  # file stem -> rows, the header first


def settings(**limits: int) -> Settings:
    return Settings(limits=Limits(**limits))


def minimal_tables() -> Tables:
    """The minimal fixture as lists of rows (header first), text cells."""
    tables: Tables = {}
    for path in sorted(MINIMAL.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            tables[path.stem] = [list(r) for r in csv.reader(fh)]
    return tables


def copy_minimal(target: Path) -> Path:
    shutil.copytree(MINIMAL, target)
    return target


def write_csv(folder: Path, name: str, rows: list[list[object]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_folder(folder: Path, tables: Tables) -> Path:
    for name, rows in tables.items():
        write_csv(folder, name, rows)
    return folder


def zip_folder(folder: Path, target: Path, top: str | None = None) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.glob("*.csv")):
            zf.write(f, f"{top}/{f.name}" if top else f.name)
    return target


def write_xlsx(tables: Tables, target: Path) -> Path:
    """A workbook with one sheet per table; cells keep their Python types (a str '=...' is a
    formula, as in a real workbook)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(target)
    return target


def rewrite_zip(source: Path, target: Path, edit) -> Path:
    """Copy a zip, passing every member through edit(name, bytes) -> bytes."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, edit(info.filename, zin.read(info)))
    return target


def read(path: Path, s: Settings | None = None, **kw) -> Questionnaire:
    return read_questionnaire(path, s or settings(), **kw)


def error_lines(path: Path, s: Settings | None = None, lang: str = "en", **kw) -> list[str]:
    with pytest.raises(InputError) as info:
        read_questionnaire(path, s or settings(), **kw)
    return info.value.lines(lang)


def table_values(q: Questionnaire) -> dict[str, list[tuple[int, dict, dict]]]:
    return {name: [(r.number, r.values, r.extras) for r in t.rows] for name, t in q.tables.items()}


def csv_bytes(rows: list[list[object]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8")
