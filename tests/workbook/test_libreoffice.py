"""The workbooks in a real spreadsheet program: LibreOffice opens them, keeps their cells and
drop-downs, turns no text into a formula, and what it saves imports again."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kg import workbook
from kg.config import Settings
from kg.pipeline import check
from tests.workbook.conftest import load, sheet_rows, validations
from tests.workbook.fullcountry import ISO3

pytestmark = pytest.mark.slow
SOFFICE_TIMEOUT_S = 180


def _soffice() -> str:
    found = shutil.which("soffice")
    if not found:
        pytest.fail("LibreOffice (soffice) is missing: `make sysdeps` installs libreoffice-calc-nogui")
    return found


def _resave(books: list[Path], out: Path, profile: Path) -> list[Path]:
    """Open each workbook in LibreOffice and save it again as .xlsx (one soffice run)."""
    result = subprocess.run(
        [_soffice(), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(out), *map(str, books)],
        capture_output=True, text=True, timeout=SOFFICE_TIMEOUT_S, check=False)
    assert result.returncode == 0, result.stderr
    saved = [out / b.name for b in books]
    assert all(p.exists() for p in saved), (result.stdout, result.stderr)
    return saved


def _as_libreoffice_keeps(text: str) -> str:
    # LibreOffice stores a CR LF inside a cell as LF (Excel keeps it).
    return text.replace("\r\n", "\n")


def test_libreoffice_opens_and_saves_the_workbooks_unchanged(full_store, tmp_path: Path) -> None:
    store, settings = full_store
    originals = {"template-fr.xlsx": workbook.template("fr"),
                 f"{ISO3}.xlsx": workbook.questionnaire(store, ISO3, base=settings.base,
                                                        include_restricted=True).data}
    books = []
    for name, data in originals.items():
        (tmp_path / name).write_bytes(data)
        books.append(tmp_path / name)
    saved = _resave(books, tmp_path / "saved", tmp_path / "profile")
    for book, again in zip(books, saved, strict=True):
        ours, theirs = load(book.read_bytes()), load(again.read_bytes())
        assert theirs.sheetnames == ours.sheetnames
        assert theirs["lists"].sheet_state == "hidden"
        for ws in ours.worksheets:
            if ws.title == "instructions":
                continue
            other = theirs[ws.title]
            assert [c.value for c in other[1]] == [c.value for c in ws[1]], ws.title
            # (A headless LibreOffice has no view, so it saves no frozen panes: not checked here.)
            mine = [{k: _as_libreoffice_keeps(v) for k, v in row.items() if "_x" not in v}
                    for row in sheet_rows(ws)]
            kept = [{k: v for k, v in row.items() if k in mine[i]}
                    for i, row in enumerate(sheet_rows(other))]
            assert kept == mine, ws.title
            # Drop-downs survive (LibreOffice may merge ranges: compare the columns covered).
            assert sorted(validations(other)) == sorted(validations(ws)), ws.title
            assert all(c.data_type != "f" for row in other.iter_rows() for c in row)
    # What LibreOffice saved is still a valid questionnaire of the same country.
    checked = check(saved[1], Settings())
    assert checked.errors == [] and checked.iso3 == ISO3
