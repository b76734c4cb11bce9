"""Broken and hostile questionnaires for the import benchmark: one builder per kind.

Each builder takes a valid CSV folder (tests/factories/questionnaires.py) and a work folder
and returns the path to hand to kg.ingest.read_questionnaire. They follow the cases of
tests/ingest (test_readers.py), built from the synthetic country instead of the fixture.
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl


def _copy(valid: Path, work: Path, name: str) -> Path:
    target = work / name
    shutil.copytree(valid, target)
    return target


def _tables(valid: Path) -> dict[str, list[list[str]]]:
    tables = {}
    for path in sorted(valid.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            tables[path.stem] = [list(r) for r in csv.reader(fh)]
    return tables


def _workbook(tables: dict[str, list[list[str]]], target: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)  # a str starting with "=" becomes a formula, as in a real workbook
    wb.save(target)
    return target


def _rewrite_zip(source: Path, target: Path, edit: Callable[[str, bytes], bytes]) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, edit(info.filename, zin.read(info)))
    return target


def _replace_in(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data, (path, old)
    path.write_bytes(data.replace(old, new, 1))


def zip_bomb(valid: Path, work: Path) -> Path:
    """The questionnaire zipped with a 200 MiB member of zeros (~200 KB packed)."""
    path = work / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for f in sorted(valid.glob("*.csv")):
            zf.write(f, f.name)
        chunk = b"\x00" * (1 << 20)
        with zf.open("notes.csv", "w") as fh:
            for _ in range(200):
                fh.write(chunk)
    return path


def xlsx_formula(valid: Path, work: Path) -> Path:
    tables = _tables(valid)
    email = tables["actors"][0].index("email")
    tables["actors"][2][email] = '=CONCAT("a","@b.org")'
    return _workbook(tables, work / "formula.xlsx")


def _plain_workbook(valid: Path, work: Path) -> Path:
    plain = work / "plain.xlsx"
    if not plain.exists():
        _workbook(_tables(valid), plain)
    return plain


def xlsx_doctype(valid: Path, work: Path) -> Path:
    bomb = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return re.sub(rb"(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or b"") + bomb, data,
                          count=1)
        return data

    return _rewrite_zip(_plain_workbook(valid, work), work / "doctype.xlsx", edit)


def xlsx_forged_dimension(valid: Path, work: Path) -> Path:
    """Every sheet claims A1:XFD1048576: read correctly (not refused), rows not padded."""

    def edit(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
        return data

    return _rewrite_zip(_plain_workbook(valid, work), work / "forged.xlsx", edit)


def xlsx_far_row(valid: Path, work: Path) -> Path:
    """A cell in the sheet's last row (1,048,576), far past the row limit."""

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b"</sheetData>", b'<row r="1048576"><c r="A1048576" '
                                b't="inlineStr"><is><t>x</t></is></c></row></sheetData>')
        return data

    return _rewrite_zip(_plain_workbook(valid, work), work / "far.xlsx", edit)


def latin1_csv(valid: Path, work: Path) -> Path:
    folder = _copy(valid, work, "latin1")
    path = folder / "country.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    return folder


def unterminated_quote(valid: Path, work: Path) -> Path:
    folder = _copy(valid, work, "quote")
    _replace_in(folder / "actors.csv", b",Actor 1 of ", b',"Actor 1 of ')
    return folder


def field_200kb(valid: Path, work: Path) -> Path:
    folder = _copy(valid, work, "field")
    _replace_in(folder / "actors.csv", b"Collects and publishes figures.",
                b'"' + b"x" * 200_000 + b'"')
    return folder


def too_many_rows(valid: Path, work: Path, rows: int = 20_001) -> Path:
    folder = _copy(valid, work, "rows")
    path = folder / "references.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    width = header.count(",")
    body = "".join(f"r{i},Title {i}" + "," * (width - 1) + "\n" for i in range(rows))
    path.write_text(header + "\n" + body, encoding="utf-8")
    return folder


def nul_byte(valid: Path, work: Path) -> Path:
    folder = _copy(valid, work, "nul")
    _replace_in(folder / "actors.csv", b"Collects and publishes", b"Collects\x00and publishes")
    return folder


# (label, builder, should be refused)
KINDS: list[tuple[str, Callable[[Path, Path], Path], bool]] = [
    ("zip bomb (200 MiB of zeros in ~200 KB)", zip_bomb, True),
    ("xlsx with a formula cell", xlsx_formula, True),
    ("xlsx with a DOCTYPE (entity bomb)", xlsx_doctype, True),
    ("xlsx with a forged <dimension> (read, not refused)", xlsx_forged_dimension, False),
    ("xlsx with a row at 1,048,576", xlsx_far_row, True),
    ("latin-1 CSV", latin1_csv, True),
    ("unterminated quote", unterminated_quote, True),
    ("200 KB field", field_200kb, True),
    ("too many rows (20,001)", too_many_rows, True),
    ("NUL byte in a cell", nul_byte, True),
]
