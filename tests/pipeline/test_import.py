"""End to end: questionnaire -> checks -> SHACL -> store -> export, through public interfaces."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import openpyxl
import pyoxigraph as ox
import pytest
from rdflib import Dataset

from kg.config import Settings
from kg.errors import ValidationError
from kg.export import export
from kg.namespaces import MKG, RDF, SKOS, DataIRIs
from kg.pipeline import check, check_all, import_paths
from kg.resources import demo_countries_dir
from kg.store import open_store
from tests.pipeline.conftest import copy_tables, write_questionnaire

BASE = "https://w3id.org/migkg/"
IRIS = DataIRIs(BASE)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_dir=tmp_path / "store")


def parse_dataset(data: bytes, fmt: str) -> Dataset:
    """rdflib's own Dataset.parse trips its own deprecation warning (rdflib 7.6); not ours."""
    ds = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ds.parse(data=data, format=fmt)
    return ds


def dump(store) -> list[str]:
    return sorted(str(q) for q in store.quads())


def data_quads(store, iso3: str = "XZZ") -> set[str]:
    prefix = IRIS.entity(iso3, "import", "")
    return {str(t) for t in store.graph_triples(IRIS.graph(iso3))
            if not t.subject.value.startswith(prefix)}


def test_import_writes_country_graph_and_import_record(settings, small_folder):
    with open_store(settings) as store:
        [report] = import_paths(store, [small_folder], settings, user="tester")
        assert report.iso3 == "XZZ" and report.written and report.changed
        triples = store.graph_triples(IRIS.graph("XZZ"))
        assert IRIS.vocabulary_graph in store.graphs()
        records = [t for t in triples if t.predicate.value == str(MKG.sha256)]
        assert len(records) == len(list(small_folder.glob("*.csv")))
        assert not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                       for t in triples)


def test_reimport_changes_no_data_triple_and_adds_one_record(settings, small_folder):
    with open_store(settings) as store:
        import_paths(store, [small_folder], settings, user="tester")
        before = data_quads(store)
        [report] = import_paths(store, [small_folder], settings, user="tester")
        assert not report.changed
        assert data_quads(store) == before
        imports = {t.subject for t in store.graph_triples(IRIS.graph("XZZ"))
                   if t.predicate.value == str(MKG.toolVersion)}
        assert len(imports) == 2


def test_shacl_violation_is_reported_at_its_row_and_column(settings, tmp_path):
    tables = copy_tables()
    tables["actors"][2]["parent"] = "ghost"
    folder = write_questionnaire(tmp_path / "bad", tables)
    with pytest.raises(ValidationError) as info:
        check_all([folder], settings)
    lines = info.value.lines("en")
    assert any(line.startswith("actors.csv:4:parent: ") for line in lines), lines


def test_shacl_messages_follow_the_language(settings, tmp_path):
    tables = copy_tables()
    tables["actors"][2]["parent"] = "ghost"
    folder = write_questionnaire(tmp_path / "bad", tables)
    with pytest.raises(ValidationError) as info:
        check_all([folder], settings)
    english = [ln for ln in info.value.lines("en") if ln.startswith("actors.csv:4:parent:")]
    french = [ln for ln in info.value.lines("fr") if ln.startswith("actors.csv:4:parent:")]
    assert english and french and english != french


def test_failed_import_leaves_the_store_unchanged(migkg, settings, small_folder, tmp_path):
    with open_store(settings) as store:
        import_paths(store, [small_folder], settings, user="tester")
        before = dump(store)
    tables = copy_tables()
    tables["relations"][0]["object"] = "nobody"
    bad = write_questionnaire(tmp_path / "bad", tables)
    result = migkg(settings, "import", str(small_folder), str(bad))
    assert result.exit_code == 2
    assert "relations.csv:2:object: " in result.stderr
    with open_store(settings) as store:
        assert dump(store) == before


def test_warnings_do_not_block_but_strict_does(migkg, settings, tmp_path):
    tables = copy_tables()
    del tables["actors"][2]["domains"]  # an actor with no domain: a warning
    folder = write_questionnaire(tmp_path / "warn", tables)
    result = migkg(settings, "import", str(folder))
    assert result.exit_code == 0, result.stderr
    assert "actors.csv:4:domains: warning: " in result.stderr
    strict = migkg(settings, "validate", "--strict", str(folder))
    assert strict.exit_code == 2


def test_dry_run_and_validate_write_nothing(migkg, settings, small_folder):
    assert migkg(settings, "import", "--dry-run", str(small_folder)).exit_code == 0
    assert migkg(settings, "validate", str(small_folder)).exit_code == 0
    with open_store(settings) as store:
        assert store.graphs() == []


def _zip_of(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.glob("*.csv")):
            zf.write(f, f.name)
    return target


def _xlsx_of(tables: dict[str, list[dict[str, str]]], target: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        columns: list[str] = []
        for row in rows:
            columns += [c for c in row if c not in columns]
        ws.append(columns)
        for row in rows:
            ws.append([row.get(c, "") for c in columns])
    wb.save(target)
    return target


def test_csv_zip_and_xlsx_give_the_same_graph(settings, small_folder, tmp_path):
    from_csv = set(check(small_folder, settings).mapped.triples)
    from_zip = set(check(_zip_of(small_folder, tmp_path / "x.zip"), settings).mapped.triples)
    from_xlsx = set(check(_xlsx_of(copy_tables(), tmp_path / "x.xlsx"), settings).mapped.triples)
    assert from_csv == from_zip == from_xlsx
    assert len(from_csv) > 50


CONTEXT_ROWS = [
    {"id": "npm", "topic": "policy", "title": "National Migration Policy",
     "title_fr": "Politique nationale de migration", "text": "Sets the objectives.",
     "year": "2019", "status": "in_force", "responsible": "moi; nso",
     "domains": "trends; border_management", "source": "r1"},
    {"id": "population", "topic": "background", "title_fr": "Population",
     "text_fr": "9,8 millions d'habitants.", "year": "2021"},
]


def test_template_1_0_questionnaire_imports_unchanged(settings, small_folder, tmp_path):
    """1.1 only adds: empty foreword columns and a context.csv with no row add no triple."""
    old = check(small_folder, settings)
    assert not old.problems
    tables = copy_tables()
    tables["country"][0].update({"foreword": "", "foreword_fr": "", "foreword_by": ""})
    folder = write_questionnaire(tmp_path / "with-1.1-columns", tables)
    (folder / "context.csv").write_text(",".join(
        ["id", "topic", "title", "title_fr", "text", "text_fr", "year", "status", "responsible",
         "domains", "source"]) + "\n", encoding="utf-8")
    new = check(folder, settings)
    assert not new.problems
    assert set(new.mapped.triples) == set(old.mapped.triples)
    used = {t.predicate.value for t in old.mapped.triples} | {
        t.object.value for t in old.mapped.triples if t.predicate.value == str(RDF.type)}
    assert not used & {str(MKG.foreword), str(MKG.forewordBy), str(MKG.contextTopic),
                       str(MKG.PolicyInstrument), str(MKG.ContextFact)}


def test_context_and_foreword_of_template_1_1(settings, small_folder, tmp_path):
    tables = copy_tables()
    tables["country"][0].update({"foreword": "We thank every institution.",
                                 "foreword_fr": "Nous remercions chaque institution.",
                                 "foreword_by": "moi"})
    tables["context"] = [dict(r) for r in CONTEXT_ROWS]
    from_csv = check(write_questionnaire(tmp_path / "q", tables), settings)
    assert not from_csv.problems
    from_xlsx = check(_xlsx_of(tables, tmp_path / "q.xlsx"), settings)
    assert set(from_xlsx.mapped.triples) == set(from_csv.mapped.triples)
    triples = {(t.subject.value, t.predicate.value, t.object.value)
               for t in from_csv.mapped.triples}
    npm, population = IRIS.entity("XZZ", "context", "npm"), \
        IRIS.entity("XZZ", "context", "population")
    assert npm == BASE + "id/XZZ/context/npm"
    assert (npm, str(RDF.type), str(MKG.PolicyInstrument)) in triples
    assert (population, str(RDF.type), str(MKG.ContextFact)) in triples
    assert (npm, str(MKG.instrumentStatus),
            "https://w3id.org/migkg/vocab/instrument-status/in_force") in triples
    assert (npm, str(MKG.responsible), IRIS.entity("XZZ", "actor", "nso")) in triples
    profile = IRIS.country("XZZ") + "/profile"
    assert (profile, str(MKG.forewordBy), IRIS.entity("XZZ", "actor", "moi")) in triples
    forewords = {(t.object.value, t.object.language) for t in from_csv.mapped.triples
                 if t.predicate.value == str(MKG.foreword)}
    assert forewords == {("We thank every institution.", "en"),
                         ("Nous remercions chaque institution.", "fr")}
    # A SHACL problem in context.csv is reported at its row and column.
    tables["context"][0]["responsible"] = "ghost"
    with pytest.raises(ValidationError) as info:
        check_all([write_questionnaire(tmp_path / "bad", tables)], settings)
    assert any(line.startswith("context.csv:2:responsible: ")
               for line in info.value.lines("en")), info.value.lines("en")


def test_export_parses_back_to_the_store_contents(settings, small_folder):
    with open_store(settings) as store:
        import_paths(store, [small_folder], settings, user="tester")
        data = export(store, "nq", base=BASE, include_restricted=True)
        again = export(store, "nq", base=BASE, include_restricted=True)
        assert data == again
        stored = set(dump(store))
    exported = {line.strip() for line in data.decode().splitlines() if line.strip()}
    assert {q.removesuffix(" .") for q in exported} == {q for q in stored}
    assert len(parse_dataset(data, "nquads")) == len(stored)
    with open_store(settings) as store:
        trig = parse_dataset(export(store, "trig", base=BASE, include_restricted=True), "trig")
    assert len(trig) == len(stored)


def test_restricted_contacts_are_left_out_of_the_default_export(migkg, settings, small_folder):
    with open_store(settings) as store:
        import_paths(store, [small_folder], settings, user="tester")
        public = export(store, "ttl", base=BASE, iso3="XZZ")
        full = export(store, "ttl", base=BASE, iso3="XZZ", include_restricted=True)
    assert b"secret@nso" not in public and b"info@moi" in public
    assert b"secret@nso" in full
    result = migkg(settings, "export", "--country", "XZZ", "--format", "nq")
    assert result.exit_code == 0 and "secret@nso" not in result.stdout


HOSTILE = [
    'x"><img src=x onerror=alert(1)>',
    "quotes ' \" and \"\"\" triple",
    "braces } UNION { ?s ?p ?o }",
    "a" * 10_000,
    "\u202eRTL \u0645\u0631\u062d\u0628\u0627\u202c",
    "emoji \U0001f30d\U0001f9ed",
    "=1+1",
    "line one\nline two\ttab",
]


def test_hostile_cell_text_is_stored_verbatim(settings, tmp_path):
    tables = copy_tables()
    for i, text in enumerate(HOSTILE):
        tables["actors"].append({"id": f"h{i}", "name": text, "type": "civil_society",
                                 "domains": "trends"})
    folder = write_questionnaire(tmp_path / "hostile", tables)
    with open_store(settings) as store:
        import_paths(store, [folder], settings, user="tester")
        labels = {t.object.value for t in store.graph_triples(IRIS.graph("XZZ"))
                  if t.predicate.value == str(SKOS.prefLabel)}
    assert set(HOSTILE) <= labels


def test_cli_bad_input_exits_2_without_traceback(migkg, settings, tmp_path):
    tables = copy_tables()
    tables["actors"][0]["type"] = "ministery"
    folder = write_questionnaire(tmp_path / "bad", tables)
    result = migkg(settings, "import", str(folder))
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("actors.csv:2:type: ")


def test_export_of_unknown_country_is_a_clear_error(migkg, settings):
    result = migkg(settings, "export", "--country", "XQQ")
    assert result.exit_code == 2 and "XQQ" in result.stderr


def test_delete_removes_the_country(migkg, settings, small_folder):
    assert migkg(settings, "import", str(small_folder)).exit_code == 0
    assert migkg(settings, "delete", "XZZ").exit_code == 0
    with open_store(settings) as store:
        assert IRIS.graph("XZZ") not in store.graphs()
    assert migkg(settings, "delete", "XZZ").exit_code == 2


def test_demo_countries_import_without_errors(migkg, settings):
    result = migkg(settings, "demo")
    assert result.exit_code == 0, result.stderr
    with open_store(settings) as store:
        graphs = store.graphs()
    demo = sorted(p.name for p in demo_countries_dir().iterdir() if p.is_dir())
    assert len(demo) == 3
    assert all(IRIS.graph(iso3) in graphs for iso3 in demo)


def test_export_stdout_is_machine_output_only(migkg, settings, small_folder):
    migkg(settings, "import", str(small_folder))
    result = migkg(settings, "export", "--format", "nq")
    assert len(parse_dataset(result.stdout_bytes, "nquads")) > 0


def test_figures_are_written_with_the_country_and_follow_new_definitions(settings, small_folder):
    """A country's figures land in its graph with its data; when the model or the figure
    queries change (here: a store written before figures existed), the next import of any
    country recomputes every country's figures."""
    from kg import figures
    from kg.query import run

    xac = demo_countries_dir() / "XAC"
    with open_store(settings) as store:
        import_paths(store, [small_folder, xac], settings, user="tester")
        node = figures.figures_iri(IRIS, "XAC")
        graph = store.graph_triples(IRIS.graph("XAC"))
        assert any(t.subject.value == node for t in graph)
        live = run(store, "country-figures", {"country": "XAC"}).rows
        # As an older version left it: no figures, no version recorded.
        store.replace_graph(IRIS.graph("XAC"),
                            [t for t in graph if not t.subject.value.startswith(node)])
        store.replace_graph(IRIS.vocabulary_graph, [
            t for t in store.graph_triples(IRIS.vocabulary_graph)
            if t.predicate.value != str(MKG.figuresVersion)])
        assert run(store, "completeness", {"country": "XAC"}).rows[0]["completeness"] is None
        import_paths(store, [small_folder], settings, user="tester")
        summary = {r["country"]: r for r in run(store, "country-summary", {}).rows}
        assert summary["XAC"]["completeness"] == live[0]["completeness"]
        assert summary["XAC"]["actor_count"] == live[0]["actor_count"] == 6
