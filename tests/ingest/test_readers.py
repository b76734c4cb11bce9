"""Readers: CSV folders, zips and workbooks; encodings; hostile files refused fast."""

from __future__ import annotations

import datetime as dt
import re
import time
import zipfile
from pathlib import Path

import pytest

from kg.errors import InputError
from tests.ingest.helpers import (
    MINIMAL,
    copy_minimal,
    error_lines,
    minimal_tables,
    read,
    rewrite_zip,
    settings,
    table_values,
    write_folder,
    write_xlsx,
    zip_folder,
)

HOSTILE = [
    'x"><img src=x onerror=alert(1)>',
    "quotes ' \" and \"\"\" triple",
    '"""',
    "braces } UNION { ?s ?p ?o } {{ jinja }}",
    "a" * 10_000,
    "\u202eRTL \u0645\u0631\u062d\u0628\u0627\u202c \u200f\u2067isolate\u2069",
    "emoji \U0001f30d\U0001f9ed\u200d",
    "=1+1",
    "+221 33 000 00 00",
    "@SUM(A1)",
    "line one\nline two\r\nline three\rtab\there",
    "  leading and trailing spaces  ",
]


def hostile_tables() -> dict[str, list[list[object]]]:
    tables = minimal_tables()
    for i, text in enumerate(HOSTILE):
        tables["actors"].append([f"h{i}", text, "", "", "civil_society"] + [""] * 11)
    return tables


# "Refused early" means before the expensive work (a zip bomb took 50 s in openpyxl); the bound
# is loose because the suite runs on shared 2-core machines. Speed itself is in benchmarks/.
QUICK_S = 10


def timed(fn, *args, **kw):
    start = time.perf_counter()
    try:
        result = fn(*args, **kw)
    except InputError as exc:
        result = exc
    return result, time.perf_counter() - start


# -- formats ---------------------------------------------------------------------------------


def test_folder_zip_and_xlsx_give_equal_tables(tmp_path):
    from_folder = read(MINIMAL)
    from_zip = read(zip_folder(MINIMAL, tmp_path / "q.zip"))
    from_top = read(zip_folder(MINIMAL, tmp_path / "top.zip", top="xaa"))
    from_xlsx = read(write_xlsx(minimal_tables(), tmp_path / "q.xlsx"))
    expected = table_values(from_folder)
    assert table_values(from_zip) == expected
    assert table_values(from_top) == expected
    assert table_values(from_xlsx) == expected
    assert from_zip.tables["actors"].source == "q.zip!actors.csv"
    assert from_top.tables["actors"].source == "top.zip!xaa/actors.csv"
    assert from_xlsx.tables["actors"].source == "q.xlsx!actors"
    assert not (from_zip.warnings or from_top.warnings or from_xlsx.warnings)


def test_input_files_are_recorded(tmp_path):
    import hashlib

    path = zip_folder(MINIMAL, tmp_path / "q.zip")
    q = read(path)
    assert q.files[0].name == "q.zip"
    assert q.files[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    actors = next(f for f in q.files if f.name == "q.zip!actors.csv")
    data = (MINIMAL / "actors.csv").read_bytes()
    assert (actors.sha256, actors.size, actors.rows) == (hashlib.sha256(data).hexdigest(),
                                                         len(data), 3)
    assert q.files[0].rows == sum(f.rows for f in q.files[1:])
    book = read(write_xlsx(minimal_tables(), tmp_path / "q.xlsx"))
    assert [f.name for f in book.files][:2] == ["q.xlsx", "q.xlsx!country"]
    sheet = next(f for f in book.files if f.name == "q.xlsx!actors")
    assert sheet.rows == 3 and sheet.size > 0  # the checksum of the sheet's XML part


def test_display_name_for_uploads(tmp_path):
    path = zip_folder(MINIMAL, tmp_path / "upload-123.tmp")
    q = read(path, name="ghana.zip")
    assert q.tables["actors"].source == "ghana.zip!actors.csv"


def test_bom_is_accepted(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    path = folder / "country.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    q = read(folder)
    assert q.iso3 == "XAA" and q.warnings == []


def test_semicolon_separated_csv_is_accepted(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    (folder / "references.csv").write_text(
        'id;title;publisher;year;url\nr1;"Annual report; vol. 1";Ministry;2021;\nr2;Census;;;\n',
        encoding="utf-8")
    rows = read(folder).tables["references"].rows
    assert rows[0].values["title"] == "Annual report; vol. 1"


def test_crlf_and_unknown_file_warning(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    path = folder / "actors.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    (folder / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    (folder / "Practices.CSV").write_text("a\n1\n", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    q = read(folder)
    assert q.tables["actors"].rows[0].values["role"] == \
        "Coordinates the migration profile;\r\nchairs the working group"
    lines = [w.line() for w in q.warnings]
    assert lines[0] == ("Practices.CSV::: warning: unknown file, ignored; file names are "
                        "case-sensitive: did you mean practices.csv?")
    assert lines[1].startswith("notes.csv::: warning: unknown file, ignored (the questionnaire "
                               "files are: country.csv, actors.csv,")


def test_not_a_questionnaire(tmp_path):
    (tmp_path / "a.csv").write_text("iso3\nGHA\n", encoding="utf-8")
    assert error_lines(tmp_path / "a.csv")[0].startswith(
        "a.csv::: a single CSV file is not a questionnaire")
    (tmp_path / "b.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    assert error_lines(tmp_path / "b.xls") == [
        "b.xls::: not a questionnaire: give a folder of CSV files, a .zip of CSV files or an "
        ".xlsx workbook"]
    missing = tmp_path / "nothing"
    assert error_lines(missing) == [f"{missing}::: no such file or folder"]


def test_empty_optional_file_is_ignored_with_a_warning(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    (folder / "practices.csv").write_bytes(b"")
    q = read(folder)
    assert "practices" not in q.tables
    assert [w.line() for w in q.warnings] == [
        "practices.csv:1:: warning: the file is empty (no header row); it is ignored"]


# -- hostile text ------------------------------------------------------------------------------


def test_hostile_text_is_kept_verbatim_in_csv(tmp_path):
    q = read(write_folder(tmp_path / "q", hostile_tables()))
    names = [r.values.get("name") for r in q.tables["actors"].rows[3:]]
    assert names == HOSTILE
    assert [r.number for r in q.tables["actors"].rows[3:]] == list(range(5, 5 + len(HOSTILE)))


def test_hostile_text_is_kept_verbatim_in_xlsx(tmp_path):
    tables = hostile_tables()
    formula = HOSTILE.index("=1+1")
    del tables["actors"][4 + formula]  # a string starting with '=' is a formula in a workbook
    q = read(write_xlsx(tables, tmp_path / "q.xlsx"))
    names = [r.values.get("name") for r in q.tables["actors"].rows[3:]]
    assert names == [t for t in HOSTILE if t != "=1+1"]


# -- encodings and CSV syntax ------------------------------------------------------------------


def test_latin1_file_is_refused_with_row_and_line(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    text = (folder / "actors.csv").read_text(encoding="utf-8")
    (folder / "actors.csv").write_bytes(text.encode("latin-1"))
    # "Ministère" is on physical line 2 = row 2.
    (line,), took = timed(error_lines, folder)
    assert line == ('actors.csv:2:: not UTF-8 text (byte 0xE8 on line 2); save the file as '
                    '"CSV UTF-8" (in Excel: Save As > CSV UTF-8)')


def test_latin1_byte_after_a_multiline_cell_gives_the_row_not_the_line(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    path = folder / "actors.csv"
    path.write_bytes(path.read_bytes().replace(b"Runs the census", b"Runs the r\xe9census"))
    assert error_lines(folder) == [
        'actors.csv:3:: not UTF-8 text (byte 0xE9 on line 4); save the file as "CSV UTF-8" '
        '(in Excel: Save As > CSV UTF-8)']


def test_utf16_is_refused(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    path = folder / "references.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    assert error_lines(folder) == [
        'references.csv:1:: UTF-16 text is not accepted; save the file as "CSV UTF-8"']


def test_unterminated_quote_is_reported_where_it_starts(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    (folder / "references.csv").write_text(
        'id,title,publisher,year,url\nr1,Report,Ministry,2021,\nr2,"Census 2020,NSO,2022,\n'
        'r3,Other,,,\n', encoding="utf-8")
    (line,), took = timed(error_lines, folder)
    assert line == ('references.csv:3:title: a quoted cell starts here (line 3) and is never '
                    'closed; close the quote, and write a quote inside a quoted cell as two '
                    'quotes ("")')
    assert took < QUICK_S, took


def test_text_after_a_closing_quote(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    (folder / "references.csv").write_text(
        'id,title,publisher,year,url\nr1,"Report" 2021,Ministry,2021,\n', encoding="utf-8")
    assert error_lines(folder) == [
        'references.csv:2:title: unexpected text after the closing quote of a quoted cell '
        '(line 2); write a quote inside a quoted cell as two quotes ("")']


def test_nul_byte_is_refused_with_row_and_column(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    path = folder / "actors.csv"
    path.write_bytes(path.read_bytes().replace(b"Runs the census", b"Runs\x00the census"))
    assert error_lines(folder) == [
        "actors.csv:3:role: control character U+0000 is not accepted (character 5 of the cell); "
        "remove it"]


@pytest.mark.parametrize("quoted", [False, True])
def test_200kb_field_is_refused_fast(tmp_path, quoted):
    folder = copy_minimal(tmp_path / "q")
    big = "x" * 200_000
    cell = f'"{big}"' if quoted else big
    (folder / "references.csv").write_text(
        f"id,title,publisher,year,url\nr1,Report,,,\nr2,Census,{cell},2022,\n", encoding="utf-8")
    (line,), took = timed(error_lines, folder)
    assert line == ("references.csv:3:publisher: the cell holds > 100,000 characters; "
                    "at most 100,000 are accepted")
    assert took < QUICK_S, took


def test_too_many_rows_stops_reading(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    rows = "".join(f"r{i},Title {i},,,\n" for i in range(1, 20_002))
    (folder / "references.csv").write_text("id,title,publisher,year,url\n" + rows,
                                           encoding="utf-8")
    (line,), took = timed(error_lines, folder)
    assert line == ("references.csv:20002:: too many rows: at most 20,000 rows of data per file "
                    "are accepted")
    assert took < QUICK_S, took
    small = error_lines(folder, settings(max_rows=5))
    assert small == ["references.csv:7:: too many rows: at most 5 rows of data per file are "
                     "accepted"]


def test_trailing_blank_rows_are_ignored_but_bounded(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    path = folder / "references.csv"
    path.write_bytes(path.read_bytes() + b",,,,\n" * 5 + b"\n" * 3)  # rows 4 to 11
    assert len(read(folder, settings(max_rows=5)).tables["references"].rows) == 2
    assert len(read(folder, settings(max_rows=6)).tables["references"].rows) == 2
    path.write_bytes(path.read_bytes() + b"\n" * 20)
    # Past 2 x max_rows, even empty rows end the reading.
    assert error_lines(folder, settings(max_rows=5)) == [
        "references.csv:12:: too many rows: the file goes on past this row (empty rows "
        "included); at most 5 rows of data per file are accepted"]


def test_total_size_limit_for_folders(tmp_path):
    folder = copy_minimal(tmp_path / "q")
    assert error_lines(folder, settings(max_upload_bytes=1000))[0].startswith(
        "q::: the input is too large (")


# -- zip archives ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> Path:
    """200 MB of zeros that pack to ~200 KB, beside a valid questionnaire."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for f in sorted(MINIMAL.glob("*.csv")):
            zf.write(f, f.name)
        chunk = b"\x00" * (1 << 20)
        with zf.open("notes.csv", "w") as fh:
            for _ in range(200):
                fh.write(chunk)
    assert path.stat().st_size < 1_000_000
    return path


def test_zip_bomb_is_refused_before_extraction(zip_bomb):
    lines, took = timed(error_lines, zip_bomb)
    assert len(lines) == 2, lines
    assert re.fullmatch(r"bomb\.zip!notes\.csv::: this entry unpacks to 10\d\d times its packed "
                        r"size; at most 100 times is accepted \(a zip bomb\?\)", lines[0]), lines
    assert re.fullmatch(r"bomb\.zip::: the archive unpacks to 209,7\d\d,\d{3} bytes; at most "
                        r"52,428,800 bytes are accepted", lines[1]), lines
    assert took < QUICK_S, took


def test_zip_ratio_alone_is_refused(tmp_path):
    path = tmp_path / "ratio.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(MINIMAL.glob("*.csv")):
            zf.write(f, f.name)
        zf.writestr("notes.csv", b"a" * 5_000_000)
    lines, took = timed(error_lines, path)
    assert len(lines) == 1 and re.fullmatch(
        r"ratio\.zip!notes\.csv::: this entry unpacks to \d+ times its packed size; at most 100 "
        r"times is accepted \(a zip bomb\?\)", lines[0]), lines
    assert took < QUICK_S, took


def test_zip_unsafe_and_nested_members(tmp_path):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../evil.csv", "a\n")
        zf.writestr("/etc/passwd", "a\n")
        zf.writestr("inner.zip", b"PK\x05\x06" + b"\x00" * 18)
    assert error_lines(path) == [
        "bad.zip!../evil.csv::: unsafe path in the archive (absolute, or going up with '..'); "
        "archives must hold plain relative names",
        "bad.zip!/etc/passwd::: unsafe path in the archive (absolute, or going up with '..'); "
        "archives must hold plain relative names",
    ]
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w") as zf:
        zf.writestr("inner.zip", b"PK\x05\x06" + b"\x00" * 18)
    assert error_lines(nested) == [
        "nested.zip!inner.zip::: an archive inside the archive is not accepted; put the CSV "
        "files themselves in the zip"]


def test_zip_with_too_many_members(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(1001):
            zf.writestr(f"f{i}.txt", b"")
    (line,), took = timed(error_lines, path)
    assert line == "many.zip::: the archive holds 1,001 entries; at most 1,000 are accepted"
    assert took < QUICK_S, took


def test_zip_missing_file_and_damaged_zip(tmp_path):
    path = tmp_path / "q.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(MINIMAL / "actors.csv", "xaa/actors.csv")
    assert error_lines(path) == ["q.zip!xaa/country.csv::: required file is missing"]
    broken = tmp_path / "broken.zip"
    broken.write_bytes(zip_folder(MINIMAL, tmp_path / "ok.zip").read_bytes()[:300])
    assert error_lines(broken)[0].startswith("broken.zip::: not a readable zip archive (")


def test_zip_member_larger_than_declared_is_refused(tmp_path):
    path = zip_folder(MINIMAL, tmp_path / "q.zip")
    data = bytearray(path.read_bytes())
    # Forge the declared size of references.csv (local header and central directory) to 10.
    name = b"references.csv"
    real = (MINIMAL / "references.csv").stat().st_size
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = data.find(sig)
        while pos >= 0:
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                assert int.from_bytes(data[pos + off:pos + off + 4], "little") == real
                data[pos + off:pos + off + 4] = (10).to_bytes(4, "little")
            pos = data.find(sig, pos + 4)
    path.write_bytes(bytes(data))
    lines = error_lines(path)
    assert len(lines) == 1 and lines[0].startswith("q.zip!references.csv::: "), lines


# -- workbooks ---------------------------------------------------------------------------------


def actors_sheet_with(email: object) -> dict[str, list[list[object]]]:
    tables = minimal_tables()
    tables["actors"] = [
        ["id", "name", "type", "website", "email"],
        ["moi", "Ministry", "ministry", "", "info@moi.example.org"],
        ["nso", "Statistics", "statistics_office", "", email],
    ]
    return tables


def test_formula_cell_is_refused_with_its_cell(tmp_path):
    path = write_xlsx(actors_sheet_with('=CONCAT("a","@b.org")'), tmp_path / "book.xlsx")
    (line,), took = timed(error_lines, path)
    assert line == "book.xlsx!actors:3:email: formulas are not accepted (cell E3)"
    fr = error_lines(path, lang="fr")
    assert fr == ["book.xlsx!actors:3:email: les formules ne sont pas acceptées (cellule E3)"]
    assert took < QUICK_S, took


def test_workbook_cell_problems_name_the_cell(tmp_path):
    path = write_xlsx(actors_sheet_with("not an email"), tmp_path / "book.xlsx")
    assert error_lines(path) == [
        "book.xlsx!actors:3:email: 'not an email' is not an e-mail address: give one address "
        "such as name@example.org (cell E3)"]


def test_workbook_numbers_and_dates_become_text(tmp_path):
    tables = minimal_tables()
    tables["country"][1][5] = 2019  # mp_last_edition as a number
    tables["references"][1][3] = 2021.0  # year as a float
    tables["process"][2][2] = dt.date(2021, 5, 17)
    tables["process"][1][2] = dt.datetime(2021, 3, 1)
    tables["actors"][1][11] = 99912345  # phone typed as a number
    q = read(write_xlsx(tables, tmp_path / "book.xlsx"))
    assert q.tables["country"].rows[0].values["mp_last_edition"] == 2019
    assert q.tables["references"].rows[0].values["year"] == 2021
    assert [r.values["date"] for r in q.tables["process"].rows] == ["2021-03-01", "2021-05-17"]
    assert q.tables["actors"].rows[0].values["phone"] == "99912345"


def test_workbook_missing_and_unknown_sheets(tmp_path):
    tables = minimal_tables()
    tables["Instructions"] = [["Fill in every sheet"]]
    del tables["country"]
    lines = error_lines(write_xlsx(tables, tmp_path / "book.xlsx"))
    assert lines[0].startswith("book.xlsx!country::: required sheet is missing (the workbook "
                               "has the sheets: actors, challenges,")
    assert lines[1].startswith("book.xlsx!Instructions::: warning: unknown sheet, ignored")


def test_workbook_own_sheets_are_skipped_silently(tmp_path):
    tables = minimal_tables()
    tables["instructions"] = [["Fill in every sheet"]]
    tables["lists"] = [["domain", "label"], ["trends", "Migration trends"]]
    assert read(write_xlsx(tables, tmp_path / "book.xlsx")).warnings == []


def test_workbook_string_escapes_are_decoded_as_excel_does(tmp_path):
    # Excel writes a carriage return as _x000D_ and a literal "_x0041_" as "_x005F_x0041_".
    tables = minimal_tables()
    tables["actors"][1][8] = "two_x000D_\nlines, _x005F_x0041_ and _xD800_ kept"
    q = read(write_xlsx(tables, tmp_path / "book.xlsx"))
    assert q.tables["actors"].rows[0].values["role"] == "two\r\nlines, _x0041_ and _xD800_ kept"


def test_forged_dimension_is_read_correctly(tmp_path):
    plain = write_xlsx(minimal_tables(), tmp_path / "plain.xlsx")

    def forge(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
        return data

    forged = rewrite_zip(plain, tmp_path / "forged.xlsx", forge)
    with zipfile.ZipFile(forged) as zf:
        assert b"XFD1048576" in zf.read("xl/worksheets/sheet2.xml")
    q, took = timed(read, forged)
    assert table_values(q) == table_values(read(MINIMAL))
    assert all(len(t.columns) < 20 for t in q.tables.values())
    assert took < QUICK_S, took


def test_rows_far_down_a_sheet_are_refused_fast(tmp_path):
    plain = write_xlsx(minimal_tables(), tmp_path / "plain.xlsx")

    def far(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet8.xml":  # references (sheets in file-name order)
            return data.replace(b"</sheetData>", b'<row r="1048576"><c r="A1048576" '
                                b't="inlineStr"><is><t>r9</t></is></c></row></sheetData>')
        return data

    path = rewrite_zip(plain, tmp_path / "far.xlsx", far)
    (line,), took = timed(error_lines, path)
    assert line.startswith("far.xlsx!references:40002:: too many rows: the file goes on past "
                           "this row")
    assert took < QUICK_S, took


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet2.xml",
                                  "[Content_Types].xml", "xl/styles.xml",
                                  "xl/_rels/workbook.xml.rels"])
def test_doctype_in_a_workbook_is_refused(tmp_path, part):
    plain = write_xlsx(minimal_tables(), tmp_path / "plain.xlsx")
    bomb = (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>')

    def add_doctype(name: str, data: bytes) -> bytes:
        if name == part:
            return re.sub(rb"(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or b"") + bomb, data,
                          count=1)
        return data

    path = rewrite_zip(plain, tmp_path / "doctype.xlsx", add_doctype)
    with zipfile.ZipFile(path) as zf:
        if part not in zf.namelist():
            pytest.skip(f"{part} not written by this openpyxl")
    (line,), took = timed(error_lines, path)
    assert line == (f"doctype.xlsx!{part}::: a DOCTYPE or ENTITY declaration is not accepted in "
                    "a workbook; save the workbook again with a spreadsheet program")
    assert took < QUICK_S, took


def test_utf16_workbook_part_is_refused(tmp_path):
    plain = write_xlsx(minimal_tables(), tmp_path / "plain.xlsx")

    def utf16(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            return data.decode("utf-8").replace("UTF-8", "UTF-16").encode("utf-16")
        return data

    path = rewrite_zip(plain, tmp_path / "wide.xlsx", utf16)
    assert error_lines(path) == [
        "wide.xlsx!xl/workbook.xml::: a workbook part in an encoding other than UTF-8 is not "
        "accepted; save the workbook again with a spreadsheet program"]


def test_xlsx_bomb_is_refused_before_openpyxl(tmp_path):
    plain = write_xlsx(minimal_tables(), tmp_path / "plain.xlsx")
    padding = b"<!-- " + b" " * 60_000_000 + b" -->"

    def pad(name: str, data: bytes) -> bytes:
        return data + padding if name == "xl/worksheets/sheet2.xml" else data

    path = rewrite_zip(plain, tmp_path / "big.xlsx", pad)
    lines, took = timed(error_lines, path)
    assert lines[0].startswith("big.xlsx!xl/worksheets/sheet2.xml::: this entry unpacks to ")
    assert lines[1].startswith("big.xlsx::: the archive unpacks to ")
    assert took < QUICK_S, took


def test_workbook_error_values_and_header_formulas(tmp_path):
    tables = actors_sheet_with("#N/A")  # openpyxl stores a known error code as an error cell
    tables["references"][0][2] = "=UPPER(\"publisher\")"
    assert error_lines(write_xlsx(tables, tmp_path / "book.xlsx")) == [
        "book.xlsx!actors:3:email: the cell holds the spreadsheet error '#N/A'; type the value "
        "itself (cell E3)",
        "book.xlsx!references:1:: formulas are not accepted (cell C1)",
    ]
