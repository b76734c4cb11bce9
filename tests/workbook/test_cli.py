"""`migkg template` and `migkg questionnaire`, and the update cycle they close."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import workbook
from kg.cli import main
from kg.resources import demo_countries_dir
from tests.workbook.conftest import load


def invoke(store_dir: Path, *args: str):
    return CliRunner().invoke(main, ["--store", str(store_dir), *args], catch_exceptions=False)


def test_template_writes_the_blank_workbook(tmp_path: Path) -> None:
    out = tmp_path / "questionnaire.xlsx"
    result = invoke(tmp_path / "store", "template", "--lang", "fr", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == workbook.template("fr")
    piped = invoke(tmp_path / "store", "--lang", "fr", "template")
    assert piped.exit_code == 0 and piped.stdout_bytes == workbook.template("fr")


def test_update_cycle_download_edit_import(tmp_path: Path) -> None:
    """Import, download the questionnaire, import it untouched (unchanged), edit it, import."""
    store = tmp_path / "store"
    assert invoke(store, "import", str(demo_countries_dir() / "XAC")).exit_code == 0
    book = tmp_path / "XAC.xlsx"
    result = invoke(store, "questionnaire", "xac", "--include-restricted", "-o", str(book))
    assert result.exit_code == 0, result.output
    assert f"XAC: questionnaire written to {book}" in result.stderr
    again = invoke(store, "import", str(book))
    assert again.exit_code == 0 and "XAC: data unchanged; import recorded" in again.stderr
    wb = load(book.read_bytes())
    ws = wb["actors"]
    header = [c.value for c in ws[1]]
    ws.cell(row=ws.max_row + 1, column=header.index("id") + 1, value="new-unit")
    ws.cell(row=ws.max_row, column=header.index("name") + 1, value="New statistics unit")
    ws.cell(row=ws.max_row, column=header.index("type") + 1, value="government_agency")
    ws.cell(row=ws.max_row, column=header.index("domains") + 1, value="trends")
    wb.save(book)
    edited = invoke(store, "import", str(book))
    assert edited.exit_code == 0, edited.output
    assert "XAC: imported" in edited.stderr


def test_questionnaire_as_csv_folder_or_zip(demo_settings, demo_store, tmp_path: Path) -> None:
    folder = tmp_path / "XAB"
    result = invoke(demo_settings.store_dir, "questionnaire", "XAB", "--format", "csv",
                    "-o", str(folder))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{name}.csv" for name in ("country", "actors", "data_sources", "relations",
                                   "challenges", "recommendations", "practices", "process",
                                   "context", "references"))
    archive = tmp_path / "XAB.zip"
    result = invoke(demo_settings.store_dir, "questionnaire", "XAB", "--format", "csv",
                    "-o", str(archive))
    assert result.exit_code == 0
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as zf:
        for path in folder.iterdir():
            assert zf.read(f"XAB/{path.name}") == path.read_bytes()
    # Without --include-restricted, the operator is told what is left out.
    assert "restricted contact details of 1 actor(s) are left out" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("questionnaire", "XZZ", "-o", "x.xlsx"), "ISO3::: no country XZZ in the store"),
    (("questionnaire", "12", "-o", "x.xlsx"), "ISO3::: not a country code: '12'"),
    (("questionnaire", "XAA", "--format", "ods"), "Invalid value for '--format'"),
    (("template", "--lang", "de"), "Invalid value for '--lang'"),
])
def test_user_errors_exit_2(demo_settings, demo_store, args: tuple[str, ...], message: str) -> None:
    result = invoke(demo_settings.store_dir, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
