"""Header and cell checks: every error kind with its exact FILE:ROW:COLUMN line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import WARNING
from kg.vocab import load_vocabularies
from tests.ingest.helpers import (
    copy_minimal,
    error_lines,
    minimal_tables,
    read,
    settings,
    write_folder,
)


def actor_codes() -> str:
    return ", ".join(load_vocabularies().codes("actor-type"))


def with_cell(tmp_path: Path, name: str, row: int, column: str, value: str) -> Path:
    """The minimal fixture with one cell changed (row as a spreadsheet numbers it)."""
    tables = minimal_tables()
    header = tables[name][0]
    if column not in header:
        header.append(column)
        for r in tables[name][1:]:
            r.append("")
    tables[name][row - 1][header.index(column)] = value
    return write_folder(tmp_path / "q", tables)


def one_error(path: Path, **limits: int) -> str:
    lines = error_lines(path, settings(**limits))
    assert len(lines) == 1, lines
    return lines[0]


def test_minimal_fixture_reads_with_typed_values():
    q = read(Path(__file__).parent / "fixtures" / "minimal")
    assert q.warnings == []
    assert q.iso3 == "XAA"
    actors = q.tables["actors"]
    assert [r.number for r in actors.rows] == [2, 3, 4]  # a quoted newline is not a new row
    moi = actors.rows[0].values
    assert moi["domains"] == ["border_management", "trends"]
    assert moi["wg_member"] is True and actors.rows[1].values["wg_member"] is False
    assert moi["role"] == "Coordinates the migration profile;\nchairs the working group"
    assert "name" not in actors.rows[2].values  # empty cell: absent, never ""
    assert q.tables["country"].rows[0].values["mp_last_edition"] == 2019
    assert q.tables["process"].rows[1].values["date"] == "2021-05-17"
    assert q.tables["challenges"].rows[0].values["affects"] == ["census", "nso"]
    assert {f.name for f in q.files} == {p.name for p in q_files()}
    actors_file = next(f for f in q.files if f.name == "actors.csv")
    assert actors_file.rows == 3 and len(actors_file.sha256) == 64 and actors_file.size > 0


def q_files() -> list[Path]:
    return sorted((Path(__file__).parent / "fixtures" / "minimal").glob("*.csv"))


def test_missing_required_file(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    (folder / "country.csv").unlink()
    assert one_error(folder) == "country.csv::: required file is missing"


def test_missing_required_column(tmp_path):
    tables = minimal_tables()
    header = tables["actors"][0]
    i = header.index("type")
    for row in tables["actors"]:
        del row[i]
    assert one_error(write_folder(tmp_path / "q", tables)) == \
        "actors.csv:1:type: required column is missing"


def test_renamed_required_column_hints_with_a_warning(tmp_path):
    tables = minimal_tables()
    tables["references"][0][1] = "label"
    lines = error_lines(write_folder(tmp_path / "q", tables))
    assert lines[0] == "references.csv:1:title: required column is missing"
    assert lines[1].startswith("references.csv:1:label: warning: unknown column")


def test_missing_one_of_columns(tmp_path):
    tables = minimal_tables()
    for row in tables["practices"]:
        del row[1:3]  # title, title_fr
    assert one_error(write_folder(tmp_path / "q", tables)) == \
        "practices.csv:1:title: one of the columns title, title_fr is required"


def test_required_cell_says_the_allowed_codes(tmp_path):
    path = with_cell(tmp_path, "actors", 3, "type", "  ")
    assert one_error(path) == \
        f"actors.csv:3:type: a value is required; allowed codes: {actor_codes()}"


def test_required_id_cell(tmp_path):
    assert one_error(with_cell(tmp_path, "data_sources", 3, "id", "")) == \
        "data_sources.csv:3:id: a value is required"


def test_one_of_pair(tmp_path):
    tables = minimal_tables()
    tables["actors"][2][1] = ""  # nso has no name_fr either
    assert one_error(write_folder(tmp_path / "q", tables)) == \
        "actors.csv:3:name: one of name, name_fr is required"


def test_country_has_exactly_one_row(tmp_path):
    tables = minimal_tables()
    tables["country"].append(list(tables["country"][1]))
    assert one_error(write_folder(tmp_path / "q", tables)) == \
        "country.csv:3:: exactly one row (the country) is required; found 2"
    tables["country"] = tables["country"][:1]
    assert one_error(write_folder(tmp_path / "r", tables)) == \
        "country.csv::: exactly one row (the country) is required; found 0"


@pytest.mark.parametrize("value", ["Moi", "-moi", "moi_1", "a" * 65, "ministère", "two ids"])
def test_id_syntax(tmp_path, value):
    line = one_error(with_cell(tmp_path, "references", 3, "id", value))
    assert line.startswith("references.csv:3:id: ")
    assert "is not a valid id: use 1 to 64 lower-case letters" in line


def test_duplicate_id_is_reported_on_the_later_row(tmp_path):
    assert one_error(with_cell(tmp_path, "actors", 4, "id", " moi ")) == \
        "actors.csv:4:id: duplicate id 'moi', first on row 2"


def test_duplicate_relation(tmp_path):
    tables = minimal_tables()
    tables["relations"].append(["nso", "shares_data_with", "moi", "again", ""])
    assert one_error(write_folder(tmp_path / "q", tables)) == (
        "relations.csv:4:: duplicate row: the same subject, relation, object "
        "(nso shares_data_with moi), first on row 2")


def test_bad_code_lists_allowed_codes_and_suggests(tmp_path):
    line = one_error(with_cell(tmp_path, "actors", 2, "type", "ministery"))
    assert line == ("actors.csv:2:type: 'ministery' is not an allowed code (did you mean "
                    f"'ministry'?); allowed codes: {actor_codes()}")
    line = one_error(with_cell(tmp_path / "b", "actors", 2, "type", "banana"))
    assert line == \
        f"actors.csv:2:type: 'banana' is not an allowed code; allowed codes: {actor_codes()}"


def test_code_list_items(tmp_path):
    path = with_cell(tmp_path, "actors", 3, "domains", " trends ;; ; diaspora;trends ")
    assert read(path).tables["actors"].rows[1].values["domains"] == ["trends", "diaspora"]
    line = one_error(with_cell(tmp_path / "b", "actors", 3, "domains", "trends; fishing; Trends"))
    assert line.startswith("actors.csv:3:domains: 'fishing', 'Trends': not allowed codes; "
                           "allowed codes: ")
    assert "border_management" in line


def test_empty_list_is_absent(tmp_path):
    path = with_cell(tmp_path, "actors", 3, "domains", " ; ")
    assert "domains" not in read(path).tables["actors"].rows[1].values


def test_ref_syntax_only(tmp_path):
    # A well-formed id that names nothing passes here: SHACL reports it later.
    assert read(with_cell(tmp_path, "actors", 4, "parent", "ghost")).tables["actors"]
    line = one_error(with_cell(tmp_path / "b", "data_sources", 2, "producer", "nso; Bad Id"))
    assert line.startswith("data_sources.csv:2:producer: 'Bad Id': not a valid id")


@pytest.mark.parametrize("value", ["1899", "2101", "20x1", "2019.0", "19"])
def test_year(tmp_path, value):
    assert one_error(with_cell(tmp_path, "references", 2, "year", value)) == \
        f"references.csv:2:year: '{value}' is not a year: give a whole number from 1900 to 2100"


@pytest.mark.parametrize("value", [
    "javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.org/file", "/relative/path",
    "www.example.org", "https://exa mple.org/", "https:///nohost", "http://example.org:99999/",
    "https://example.org/<script>", "mailto:a@b.org",
])
def test_url_refused(tmp_path, value):
    line = one_error(with_cell(tmp_path, "references", 2, "url", value))
    assert line.startswith("references.csv:2:url: ")
    assert line.endswith("is not a web address: give a full http:// or https:// address "
                         "without spaces (e.g. https://www.example.org/page)")


@pytest.mark.parametrize("value", ["https://example.org", "http://x.example.org:8080/a?b=c#d",
                                   "https://exemple.fr/données", "  https://example.org/  "])
def test_url_accepted(tmp_path, value):
    q = read(with_cell(tmp_path, "references", 2, "url", value))
    assert q.tables["references"].rows[0].values["url"] == value.strip()


@pytest.mark.parametrize("value", ["info", "a@b", "a b@example.org", "a@@example.org",
                                   "a@example.org; b@example.org", "<a@example.org>",
                                   "a{b}@example.org", ".a@example.org"])
def test_email_refused(tmp_path, value):
    line = one_error(with_cell(tmp_path, "actors", 2, "email", value))
    assert line.startswith("actors.csv:2:email: ")
    assert line.endswith("is not an e-mail address: give one address such as name@example.org")


def test_email_accepted(tmp_path):
    q = read(with_cell(tmp_path, "actors", 2, "email", "first.last+migration@sub.example.org"))
    assert q.tables["actors"].rows[0].values["email"] == "first.last+migration@sub.example.org"


@pytest.mark.parametrize("value", ["2021-02-30", "2021-13", "21-05-01", "2021/05/01", "1850",
                                   "2021-5-1", "2021-05-17T10:00:00"])
def test_date_refused(tmp_path, value):
    line = one_error(with_cell(tmp_path, "process", 3, "date", value))
    assert line.startswith("process.csv:3:date: ")
    assert "is not a date: give YYYY-MM-DD, YYYY-MM or YYYY" in line


@pytest.mark.parametrize("value", ["2024-02-29", "2021-12", "2021"])
def test_date_accepted(tmp_path, value):
    assert read(with_cell(tmp_path, "process", 3, "date", value)).tables["process"] \
        .rows[1].values["date"] == value


def test_bool(tmp_path):
    assert read(with_cell(tmp_path, "actors", 3, "wg_member", "YES")).tables["actors"] \
        .rows[1].values["wg_member"] is True
    assert one_error(with_cell(tmp_path / "b", "actors", 3, "wg_member", "true")) == \
        "actors.csv:3:wg_member: 'true' is not yes or no: give yes or no"


@pytest.mark.parametrize("value", ["gha", "GH", "GHAN", "G1A"])
def test_iso3(tmp_path, value):
    assert one_error(with_cell(tmp_path, "country", 2, "iso3", value)) == (
        f"country.csv:2:iso3: '{value}' is not an ISO 3166-1 alpha-3 code: "
        "give three capital letters (e.g. GHA)")


@pytest.mark.parametrize(("char", "code"), [("\x00", "U+0000"), ("\x0b", "U+000B"),
                                             ("\x1b", "U+001B"), ("\x7f", "U+007F")])
def test_control_characters_refused_with_location(tmp_path, char, code):
    line = one_error(with_cell(tmp_path, "actors", 3, "role", f"ab{char}c"))
    assert line == (f"actors.csv:3:role: control character {code} is not accepted "
                    "(character 3 of the cell); remove it")


def test_cell_length_limit(tmp_path):
    path = with_cell(tmp_path, "actors", 4, "role", "x" * 101)
    assert one_error(path, max_cell_chars=100) == \
        "actors.csv:4:role: the cell holds 101 characters; at most 100 are accepted"
    assert read(path, settings(max_cell_chars=101)).tables["actors"].rows[2].values["role"] \
        == "x" * 101


def test_unknown_column_is_a_warning_and_kept(tmp_path):
    path = with_cell(tmp_path, "actors", 3, "Comment", " kept  as typed ")
    q = read(path)
    assert q.tables["actors"].rows[1].extras == {"Comment": " kept  as typed "}
    [warning] = q.warnings
    assert warning.severity == WARNING
    assert warning.line().startswith(
        "actors.csv:1:Comment: warning: unknown column, kept as a note (the columns of this "
        "file are: id, name, name_fr, acronym, type,")


def test_unknown_column_with_wrong_case_hints(tmp_path):
    tables = minimal_tables()
    tables["references"][0][2] = "Publisher"
    [warning] = read(write_folder(tmp_path / "q", tables)).warnings
    assert warning.line() == ("references.csv:1:Publisher: warning: unknown column, kept as a "
                              "note; column names are case-sensitive: did you mean publisher?")


def test_value_without_header(tmp_path):
    tables = minimal_tables()
    tables["references"][2].append("stray")
    assert one_error(write_folder(tmp_path / "q", tables)) == (
        "references.csv:3:: a value in column F (6), which has no header; "
        "give the column a header or remove the value")


def test_duplicate_column(tmp_path):
    tables = minimal_tables()
    for row in tables["references"]:
        row.append(row[1])
    assert one_error(write_folder(tmp_path / "q", tables)) == (
        "references.csv:1:title: this column appears twice in the header (columns B and F); "
        "keep one")


def test_text_is_verbatim_and_blank_is_absent(tmp_path):
    path = with_cell(tmp_path, "actors", 3, "role", "  two  spaces\t")
    path = with_cell(tmp_path / "b", "actors", 3, "acronym", " \t ")
    q = read(path)
    assert "acronym" not in q.tables["actors"].rows[1].values
    q = read(with_cell(tmp_path / "c", "actors", 3, "role", "  two  spaces\t"))
    assert q.tables["actors"].rows[1].values["role"] == "  two  spaces\t"


def test_all_problems_are_reported_then_capped(tmp_path):
    tables = minimal_tables()
    for i in range(30):
        tables["references"].append([f"Bad{i}", "t", "", "3000", ""])
    lines = error_lines(write_folder(tmp_path / "q", tables), settings())
    assert len(lines) == 60
    capped = error_lines(write_folder(tmp_path / "r", tables), settings(max_problems=10))
    assert len(capped) == 11
    assert capped[-1] == "r::: 50 more problems not shown (at most 10 are listed)"


def test_french_messages(tmp_path):
    [line] = error_lines(with_cell(tmp_path, "actors", 4, "id", "moi"), lang="fr")
    assert line == "actors.csv:4:id: identifiant 'moi' en double, d'abord à la ligne 2"
    folder = copy_minimal(tmp_path / "f")
    (folder / "country.csv").unlink()
    assert error_lines(folder, lang="fr") == ["country.csv::: fichier obligatoire manquant"]
