"""A country's answers written back from the graph: re-importing them changes no data triple."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from kg import workbook
from kg.config import Settings
from kg.errors import NotFound
from kg.pipeline import import_paths
from kg.resources import demo_countries_dir
from kg.store import open_store
from kg.vocab import load_vocabularies
from kg.workbook.layout import sheets
from kg.workbook.xlsx import EXCEL_CELL_LIMIT, Info, write_workbook
from tests.conftest import DEMO_COUNTRIES
from tests.workbook.conftest import data_triples, load, parts, reimported, sheet_rows
from tests.workbook.fullcountry import HOSTILE, ISO3, full_country_tables

BACKENDS = ["embedded", pytest.param("remote", marks=pytest.mark.remote)]


def test_every_template_column_is_read_back_from_the_graph() -> None:
    # A column added to the template needs its path in kg/workbook/rows.py FILES.
    assert workbook.missing_paths() == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_demo_countries_reimport_unchanged(backend: str, request: pytest.FixtureRequest,
                                           tmp_path: Path) -> None:
    store = request.getfixturevalue("demo_store" if backend == "embedded" else "remote_demo_store")
    settings = Settings()
    for iso3 in DEMO_COUNTRIES:
        book = workbook.questionnaire(store, iso3, base=settings.base, include_restricted=True)
        assert book.warnings == []
        path = tmp_path / f"{iso3}.xlsx"
        path.write_bytes(book.data)
        assert reimported(path, settings) == data_triples(store, iso3, settings.base), iso3


def test_demo_countries_as_csv_reimport_unchanged(demo_store, tmp_path: Path) -> None:
    settings = Settings()
    for iso3 in DEMO_COUNTRIES:
        book = workbook.questionnaire(demo_store, iso3, base=settings.base, fmt="csv",
                                      include_restricted=True)
        archive = tmp_path / f"{iso3}.zip"
        archive.write_bytes(book.data)
        folder = tmp_path / iso3
        folder.mkdir()
        for name, data in book.files.items():
            (folder / name).write_bytes(data)
        expected = data_triples(demo_store, iso3, settings.base)
        assert reimported(archive, settings) == expected
        assert reimported(folder, settings) == expected
        assert sorted(book.files) == sorted(f"{s.name}.csv" for s in sheets())


@pytest.mark.parametrize("kind", BACKENDS)
def test_full_country_reimports_with_data_unchanged(kind: str, request: pytest.FixtureRequest,
                                                    full_folder: Path, tmp_path: Path) -> None:
    """Every file and column, hostile text included, through the real import on each backend."""
    if kind == "embedded":
        store, settings = request.getfixturevalue("full_store")
    else:
        settings = request.getfixturevalue("settings_for")(kind)
        store = open_store(settings)
        request.addfinalizer(store.close)
        import_paths(store, [full_folder], settings, user="tests")
    before = data_triples(store, ISO3, settings.base)
    xlsx = workbook.questionnaire(store, ISO3, base=settings.base, include_restricted=True)
    zipped = workbook.questionnaire(store, ISO3, base=settings.base, fmt="csv",
                                    include_restricted=True)
    (tmp_path / "XWB.xlsx").write_bytes(xlsx.data)
    (tmp_path / "XWB.zip").write_bytes(zipped.data)
    for name in ("XWB.xlsx", "XWB.zip"):
        [report] = import_paths(store, [tmp_path / name], settings, user="tests")
        assert report.changed is False, name
        assert data_triples(store, ISO3, settings.base) == before
    tables = full_country_tables()
    assert xlsx.rows == sum(len(rows) for rows in tables.values())


def test_hostile_text_is_written_verbatim_and_never_as_a_formula(full_store) -> None:
    store, settings = full_store
    book = workbook.questionnaire(store, ISO3, base=settings.base, include_restricted=True)
    zipped = workbook.questionnaire(store, ISO3, base=settings.base, fmt="csv",
                                    include_restricted=True)
    wb = load(book.data)
    expected = full_country_tables()
    seen = set()
    for sheet in sheets():
        ws = wb[sheet.name]
        texts = [c.name for c in sheet.columns if c.kind.startswith("text")]
        key = "id" if "id" in sheet.names else None
        if key is None:
            continue
        written = {row["id"]: row for row in sheet_rows(ws)}
        for row in expected[sheet.name]:
            for column in texts:
                assert written[row["id"]].get(column) == row.get(column), (sheet.name, column)
                seen.add(row.get(column))
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                assert cell.data_type != "f"
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
                    assert cell.number_format == "@"
    assert set(HOSTILE) <= seen
    # The CSV form holds the same text, byte for byte as the importer reads it.
    with zipfile.ZipFile(io.BytesIO(zipped.data)) as zf:
        text = zf.read(f"{ISO3}/actors.csv").decode("utf-8")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    for row in expected["actors"]:
        assert rows[row["id"]]["role"] == row.get("role", "")


def test_restricted_contacts_only_with_include_restricted(demo_store) -> None:
    settings = Settings()
    with (demo_countries_dir() / "XAA" / "actors.csv").open(encoding="utf-8", newline="") as fh:
        restricted = [r for r in csv.DictReader(fh) if r["contact_visibility"] == "restricted"]
    secrets = [r["email"] for r in restricted if r["email"]]
    assert secrets
    public = workbook.questionnaire(demo_store, "XAA", base=settings.base)
    public_csv = workbook.questionnaire(demo_store, "XAA", base=settings.base, fmt="csv")
    everything = b"".join([*parts(public.data).values(), *public_csv.files.values()])
    assert not [s for s in secrets if s.encode() in everything]
    [warning] = public.warnings
    assert warning.params == {"count": len(restricted)}
    instructions = "\n".join(str(c.value) for row in load(public.data)["instructions"].iter_rows()
                             for c in row if c.value)
    assert f"Restricted contact details of {len(restricted)} actor(s) are left out" in instructions

    full = workbook.questionnaire(demo_store, "XAA", base=settings.base, include_restricted=True)
    actors = {r["id"]: r for r in sheet_rows(load(full.data)["actors"])}
    for row in restricted:
        assert actors[row["id"]]["contact_visibility"] == "restricted"
        assert actors[row["id"]].get("email", "") == row["email"]
    assert full.warnings == []
    text = "\n".join(str(c.value) for row in load(full.data)["instructions"].iter_rows()
                     for c in row if c.value)
    assert "This copy contains restricted contact details" in text


def test_cells_longer_than_a_spreadsheet_keeps_are_reported() -> None:
    vocab = load_vocabularies()
    long_text = "x" * (EXCEL_CELL_LIMIT + 1)
    _data, problems = write_workbook({"actors": [{"id": "a", "name": "A", "type": "ministry"},
                                                 {"id": "b", "role": long_text}]},
                                     Info(iso3="XWB"), "en", vocab)
    assert [p.line() for p in problems] == [
        "actors:3:role: warning: 32,768 characters: Excel and LibreOffice keep at most 32,767 in a "
        "cell and would cut this text; edit it in the CSV form (--format csv) instead"]


def test_unknown_country_is_a_clear_error(demo_store) -> None:
    with pytest.raises(NotFound) as caught:
        workbook.questionnaire(demo_store, "XZZ", base=Settings().base)
    assert caught.value.lines() == ["ISO3::: no country XZZ in the store; see `migkg countries`"]


def test_questionnaire_is_in_the_chosen_language_and_stable(demo_store) -> None:
    base = Settings().base
    fr = workbook.questionnaire(demo_store, "XAB", base=base, lang="fr")
    again = workbook.questionnaire(demo_store, "XAB", base=base, lang="fr")
    assert fr.data == again.data
    ws = load(fr.data)["instructions"]
    assert ws["A1"].value.startswith("Questionnaire sur les données migratoires : ")
    assert "XAB" in ws["A1"].value
