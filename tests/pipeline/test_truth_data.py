"""Issue 15 (parts 1 and 7) and issue 20 (part 2): the graph keeps every column the importer
promises to keep, and says where each statement comes from, down to FILE:ROW.

Real-shaped data (tests/factories/real_country.py): a ministry with its directorates, a
central bank with remittance sources, an unknown `confidence` column in actors and
data_sources, and `reviewed_by` in country.csv.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import workbook
from kg.config import Settings
from kg.namespaces import MKG, RDF, DataIRIs
from kg.pipeline import import_paths, split_import_records
from kg.query.execute import rows as query_rows
from kg.store import Store, open_store
from kg.workbook.layout import sheets
from tests.conftest import run_migkg
from tests.factories import real_country
from tests.workbook.conftest import load, sheet_rows

BASE = Settings().base
ACTOR = f"{BASE}id/XRL/actor/"
BACKENDS = ["embedded", pytest.param("remote", marks=pytest.mark.remote)]


def data(store: Store) -> set[ox.Triple]:
    iris = DataIRIs(BASE)
    found, _ = split_import_records(store.graph_triples(iris.graph("XRL")), iris, "XRL")
    return set(found)


def notes(store: Store) -> dict[tuple[str, str], str]:
    """(row node, column) -> text of every column note in XRL's graph."""
    triples = store.graph_triples(DataIRIs(BASE).graph("XRL"))
    owner = {t.object.value: t.subject.value for t in triples
             if t.predicate.value == str(MKG.columnNote)}
    name = {t.subject.value: t.object.value for t in triples
            if t.predicate.value == str(MKG.columnName)}
    value = {t.subject.value: t.object.value for t in triples
             if t.predicate.value == str(RDF.value)}
    return {(owner[n], name[n]): value[n] for n in owner}


EXPECTED_NOTES = {
    (f"{ACTOR}min-interior", "confidence"): "high",
    (f"{ACTOR}dir-immigration", "confidence"): "medium",
    (f"{ACTOR}nso", "confidence"): "high; checked 2024-05",
    (f"{ACTOR}central-bank", "confidence"): "=low",
    (f"{BASE}id/XRL/source/census-2020", "confidence"): "high",
    (f"{BASE}id/XRL/source/remittance-bop", "confidence"): "medium",
    (f"{BASE}id/XRL", "reviewed_by"): "Working group secretariat",
}


def test_unknown_columns_are_kept_as_notes_exported_and_shown(tmp_path: Path) -> None:
    folder = real_country.write_folder(tmp_path / "xrl")
    store_dir = tmp_path / "store"
    result = run_migkg(store_dir, "import", str(folder))
    assert result.exit_code == 0, result.stderr
    # The warning stays, and is now true.
    assert "actors.csv:1:confidence: warning: unknown column, kept as a note" in result.stderr
    with open_store(Settings(store_dir=store_dir)) as store:
        assert notes(store) == EXPECTED_NOTES
        facts = query_rows(store, "entity-facts", {"entity": f"{ACTOR}nso", "lang": "en"})
    assert {(f["property_label"], f["value_label"]) for f in facts
            if f["property"] == str(MKG.columnNote)} == {
        ("column note", "confidence: high; checked 2024-05")}
    exported = run_migkg(store_dir, "export", "--country", "XRL", "--format", "nt")
    assert exported.exit_code == 0
    assert '"high; checked 2024-05"' in exported.stdout
    assert f"<{ACTOR}nso/column/confidence> <{MKG.columnName}> \"confidence\"" in exported.stdout
    # The public export keeps the notes (they are no contact details).
    public = run_migkg(store_dir, "export", "--country", "XRL", "--format", "nt")
    assert '"=low"' in public.stdout


@pytest.mark.parametrize("backend", BACKENDS)
def test_unknown_columns_survive_the_workbook_round_trip(
    backend: str, settings_for: Callable[[str], Settings], tmp_path: Path,
) -> None:
    """Exported as a workbook (xlsx, csv zip, csv folder) with the extra columns after the
    template's, and imported again: no data triple changes (issue 20 part 2)."""
    settings = settings_for(backend)
    folder = real_country.write_folder(tmp_path / "xrl")
    with open_store(settings) as store:
        import_paths(store, [folder], settings, user="tests")
        before = data(store)
        assert notes(store) == EXPECTED_NOTES
        book = workbook.questionnaire(store, "XRL", base=settings.base, include_restricted=True)
        assert book.warnings == []
        xlsx = tmp_path / "XRL.xlsx"
        xlsx.write_bytes(book.data)
        wb = load(book.data)
        header = [c.value for c in wb["actors"][1]]
        template = next(s for s in sheets() if s.name == "actors").names
        assert header == [*template, "confidence"]
        cells = {r["id"]: r.get("confidence") for r in sheet_rows(wb["actors"])}
        assert cells["central-bank"] == "=low" and cells["dir-border-police"] is None
        assert wb["actors"]["Q2"].data_type == "s"  # =low is text, never a formula
        assert [c.value for c in wb["country"][1]][-1] == "reviewed_by"
        csv_book = workbook.questionnaire(store, "XRL", base=settings.base, fmt="csv",
                                          include_restricted=True)
        archive = tmp_path / "XRL.zip"
        archive.write_bytes(csv_book.data)
        csv_folder = tmp_path / "XRL-csv"
        csv_folder.mkdir()
        for name, content in csv_book.files.items():
            (csv_folder / name).write_bytes(content)
        assert csv_book.files["data_sources.csv"].splitlines()[0].endswith(b",confidence")
        for path in (xlsx, archive, csv_folder):
            reports = import_paths(store, [path], settings, user="tests")
            assert [r.changed for r in reports] == [False], path
            assert data(store) == before, path
            assert notes(store) == EXPECTED_NOTES, path


def test_every_node_knows_its_file_and_row_from_the_latest_record(tmp_path: Path) -> None:
    folder = real_country.write_folder(tmp_path / "xrl")
    book = real_country.write_xlsx(tmp_path / "xrl.xlsx")
    settings = Settings(store_dir=tmp_path / "store")
    with open_store(settings) as store:
        import_paths(store, [folder], settings, user="tests")
        first = data(store)
        # The same answers as a workbook: the data do not change, the origin does.
        reports = import_paths(store, [book], settings, user="tests")
        assert reports[0].changed is False
        assert data(store) == first
        # No origin in the data triples: it lives in the import records.
        assert not [t for t in first if t.predicate.value in (
            str(MKG.sourceRowOf), str(MKG.rowNumber), str(MKG.inFile))]

        def origins(iri: str) -> list[tuple[str, str]]:
            rows = query_rows(store, "provenance", {"entity": iri})
            return [(r["import"], r["origin"]) for r in rows if r["origin"]]

        # The latest record's rows only: earlier records keep their files, not their rows.
        prov = origins(f"{ACTOR}dir-immigration")
        assert [o for _, o in prov] == ["xrl.xlsx!actors:3"]
        assert [o for _, o in origins(f"{BASE}id/XRL/source/remittance-bop")] == [
            "xrl.xlsx!data_sources:3"]
        assert [o for _, o in origins(f"{BASE}id/XRL")] == ["xrl.xlsx!country:2"]
        # A secondary node (a stage participation, a column note) has the row of its row.
        assert [o for _, o in origins(
            f"{BASE}id/XRL/participation/dir-immigration--implementation")] == [
            "xrl.xlsx!actors:3"]
        assert [o for _, o in origins(f"{BASE}id/XRL/relation/nso--shares_data_with--"
                                      "min-interior")] == ["xrl.xlsx!relations:2"]
        facts = query_rows(store, "entity-facts", {"entity": f"{ACTOR}dir-immigration",
                                                   "lang": "fr"})
        rows = [(f["property_label"], f["value_label"]) for f in facts
                if f["property"] == str(MKG.sourceRowOf)]
        assert rows == [("ligne source", "xrl.xlsx!actors:3")]  # the latest record only
        # Both records are kept; the row nodes are the latest import's only, so re-imports
        # do not grow the graph by half its data each time.
        graph = store.graph_triples(DataIRIs(BASE).graph("XRL"))
        records = [t for t in graph if t.predicate.value == str(RDF.type)
                   and t.object.value == str(MKG.ImportActivity)]
        assert len(records) == 2
        rows = {t.subject.value for t in graph if t.predicate.value == str(RDF.type)
                and t.object.value == str(MKG.InputRow)}
        assert rows and all(r.startswith(reports[0].import_iri + "/") for r in rows)
        import_paths(store, [book], settings, user="tests")
        assert len(store.graph_triples(DataIRIs(BASE).graph("XRL"))) - len(graph) < 40


def test_provenance_answers_file_and_row_from_the_cli(tmp_path: Path) -> None:
    folder = real_country.write_folder(tmp_path / "xrl")
    store_dir = tmp_path / "store"
    assert run_migkg(store_dir, "import", str(folder)).exit_code == 0
    result = run_migkg(store_dir, "query", "provenance", "-p", f"entity={ACTOR}central-bank",
                       "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert ",actors.csv:6," in result.stdout
