"""Issue 15: what the importer says must be true and complete.

Several questionnaires name themselves in every line (and none loses its warnings), a link
out of the folder is refused without quoting it, warnings are capped like errors, a
macro-enabled workbook is refused, every reference check names the offending id, UTF-32 is
called UTF-32. Real-shaped data: tests/factories/real_country.py.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from pathlib import Path

import pytest

from kg.config import Limits, Settings
from kg.errors import InputError
from kg.ingest import read_questionnaire
from tests.conftest import run_migkg
from tests.factories import real_country


def test_several_questionnaires_name_themselves_in_every_line(tmp_path: Path) -> None:
    """Two questionnaires, errors in one: every line starts with its questionnaire's path
    as given, and the warnings of the valid one are shown too."""
    broken = real_country.tables()
    broken["country"][0]["iso3"] = "XRM"
    broken["actors"][1]["parent"] = "ministry-of-interior"  # no such actor
    broken["data_sources"][0]["producer"] = "min-customs"  # no such actor
    real_country.write_folder(tmp_path / "gh", broken)
    real_country.write_xlsx(tmp_path / "book.xlsx")
    result = run_migkg(tmp_path / "store", "import", str(tmp_path / "gh"),
                       str(tmp_path / "book.xlsx"))
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if not line.startswith("Checking")]
    gh, book = str(tmp_path / "gh"), str(tmp_path / "book.xlsx")
    assert all(line.startswith((gh + "/", book + "!")) for line in lines), lines
    assert f"{gh}/actors.csv:3:parent: The parent must be one actor id from actors.csv. " \
           "Found: 'ministry-of-interior'." in lines
    assert f"{gh}/data_sources.csv:2:producer: Each producer must be an actor id from " \
           "actors.csv. Found: 'min-customs'." in lines
    # The valid workbook's warnings are not lost because the folder has errors.
    assert any(line.startswith(f"{book}!actors:1:confidence: warning: unknown column, kept as "
                               "a note") for line in lines), lines
    assert not (tmp_path / "store" / "manifest.json").exists()  # nothing written


def test_one_questionnaire_keeps_the_short_form(tmp_path: Path) -> None:
    data = real_country.tables()
    data["actors"][2]["parent"] = "nobody"
    folder = real_country.write_folder(tmp_path / "xrl", data)
    result = run_migkg(tmp_path / "store", "validate", str(folder))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "actors.csv:4:parent: The parent must be one actor id from actors.csv. Found: 'nobody'.")


def test_every_reference_check_names_the_offending_ids(tmp_path: Path) -> None:
    data = real_country.tables()
    data["data_sources"][1]["producer"] = "central-bank; min-customs; ghost-unit"
    data["data_sources"][1]["users"] = "nso; min-finance"
    data["relations"][0]["object"] = "min-justice"
    data["country"][0]["coordinator"] = "coord-office"
    folder = real_country.write_folder(tmp_path / "xrl", data)
    result = run_migkg(tmp_path / "store", "--lang", "fr", "validate", str(folder))
    assert result.exit_code == 2
    text = result.stderr
    assert "data_sources.csv:3:producer:" in text and "'ghost-unit', 'min-customs'" in text
    assert "data_sources.csv:3:users:" in text and "Trouvé : 'min-finance'." in text
    assert "'min-justice'" in text
    assert "country.csv:2:coordinator:" in text and "'coord-office'" in text
    for line in text.splitlines():
        if not line.split(":")[3].strip().startswith("avertissement"):
            assert "Trouvé" in line or "'" in line, line


def test_a_symlink_out_of_the_folder_is_refused_and_never_quoted(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET-FIRST-LINE\n", encoding="utf-8")
    folder = real_country.write_folder(tmp_path / "xrl")
    (folder / "references.csv").unlink()
    (folder / "references.csv").symlink_to(secret)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "relations.csv").write_bytes((folder / "relations.csv").read_bytes())
    (folder / "relations.csv").unlink()
    (folder / "relations.csv").symlink_to(outside / "relations.csv")  # a link to a real CSV
    result = run_migkg(tmp_path / "store", "import", str(folder))
    assert result.exit_code == 2
    assert "SECRET" not in result.stderr + result.stdout
    assert "references.csv::: a symbolic link, or a file outside the questionnaire folder, " \
           "is not read; put the file itself in the folder" in result.stderr.splitlines()
    assert any(line.startswith("relations.csv::: a symbolic link") for line in
               result.stderr.splitlines())


def test_warnings_are_capped_like_errors(tmp_path: Path) -> None:
    folder = real_country.write_folder(tmp_path / "xrl")
    with (folder / "references.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[0] += [f"extra-{i}" for i in range(20_000)]
    with (folder / "references.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    result = run_migkg(tmp_path / "store", "import", str(folder))
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    limit = Settings().limits.max_problems
    warnings = [line for line in lines if ": warning: " in line]
    assert len(warnings) == limit + 1
    assert warnings[-1].endswith(f"more warnings not shown (at most {limit} are listed)")
    assert len(lines) < limit + 10


def test_capped_warnings_stay_warnings_in_the_reader(tmp_path: Path) -> None:
    folder = real_country.write_folder(tmp_path / "xrl")
    text = (folder / "references.csv").read_text(encoding="utf-8").splitlines()
    text[0] += "," + ",".join(f"x{i}" for i in range(30))
    (folder / "references.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    q = read_questionnaire(folder, Settings(limits=Limits(max_problems=5)))
    assert len(q.warnings) == 6 and not any(w.is_error for w in q.warnings)


def test_a_macro_enabled_workbook_renamed_xlsx_is_refused(tmp_path: Path) -> None:
    plain = real_country.write_xlsx(tmp_path / "plain.xlsx")
    macro = tmp_path / "budget.xlsx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(macro, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 fake VBA project")
    with pytest.raises(InputError) as info:
        read_questionnaire(macro, Settings())
    assert info.value.lines() == [
        "budget.xlsx!xl/vbaProject.bin::: a macro-enabled workbook (VBA project) is not "
        "accepted, even renamed .xlsx; save it as an Excel Workbook (.xlsx) without macros"]


@pytest.mark.parametrize(("encoding", "bom", "name"), [
    ("utf-32-le", codecs.BOM_UTF32_LE, "UTF-32"), ("utf-32-be", codecs.BOM_UTF32_BE, "UTF-32"),
    ("utf-32-le", b"", "UTF-32"), ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16"),
    ("utf-16-be", b"", "UTF-16"),
])
def test_wide_encodings_are_named_right(tmp_path: Path, encoding: str, bom: bytes,
                                        name: str) -> None:
    folder = real_country.write_folder(tmp_path / "xrl")
    path = folder / "references.csv"
    path.write_bytes(bom + path.read_text(encoding="utf-8").encode(encoding))
    with pytest.raises(InputError) as info:
        read_questionnaire(folder, Settings())
    assert info.value.lines()[0] == (
        f'references.csv:1:: {name} text is not accepted; save the file as "CSV UTF-8"')


def test_rules_about_the_row_itself_name_no_value(tmp_path: Path) -> None:
    """A rule about the row (an existing source with no producer) has nothing to name."""
    from kg.resources import demo_countries_dir

    result = run_migkg(tmp_path / "store", "validate", str(demo_countries_dir() / "XAC"))
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert any("has no producer" in line for line in lines)
    assert not any("Found:" in line for line in lines), lines
