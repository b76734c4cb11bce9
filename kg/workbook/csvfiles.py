"""The questionnaire as CSV files: the import format itself, one UTF-8 file per template file.

Cells are written exactly as the importer reads them back (no apostrophe before
= + - @, which would become part of the data on re-import): this form is for
scripts, version control and text editors; in a spreadsheet program, use the
.xlsx workbook, whose cells are typed as text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable

from kg.workbook.layout import sheets, with_notes

_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def csv_files(tables: dict[str, list[dict[str, str | int]]],
              notes: dict[str, list[str]] | None = None) -> dict[str, bytes]:
    """file name -> bytes, every template file (header only when it has no rows); the columns
    the template does not define (notes: sheet -> names) after the template's."""
    out = {}
    for sheet in sheets():
        sheet = with_notes(sheet, (notes or {}).get(sheet.name, []))
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(sheet.names)
        for row in tables.get(sheet.name, []):
            writer.writerow(["" if row.get(c) is None else str(row[c]) for c in sheet.names])
        out[f"{sheet.name}.csv"] = buffer.getvalue().encode("utf-8")
    return out


def zip_files(folder: str, files: dict[str, bytes]) -> bytes:
    """The files in one top folder of a zip (what `migkg import` reads)."""
    return stable_zip((f"{folder}/{name}", data) for name, data in files.items())


def stable_zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of (name, bytes) with fixed entry times, so the same data gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            entry = zipfile.ZipInfo(name, _FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, data)
    return out.getvalue()
