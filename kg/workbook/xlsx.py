"""The questionnaire as an .xlsx workbook: instructions, one sheet per template file, code lists.

What a person filling it in gets: the instructions first, in their language; a
frozen header on every sheet, coloured by whether the column is required, with
a note saying what the column takes; drop-downs of the allowed codes (from a
hidden `lists` sheet) and of the ids of the sheet a reference names; text
columns formatted as text, so that a phone number like +999 20 or a date like
2021-05 stays as typed. No formula, macro or external link: every cell is a
plain value, and text starting with = + - @ is stored as text (quote-prefixed),
never as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from copy import copy
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kg.errors import WARNING, Location, Problem
from kg.ingest.checks import YEAR_MAX, YEAR_MIN
from kg.vocab import Vocabularies
from kg.workbook.csvfiles import stable_zip
from kg.workbook.layout import (
    INSTRUCTIONS,
    LISTS,
    Column,
    Sheet,
    coded_schemes,
    header_note,
    purpose,
    required_text,
    sheets,
    t,
    version,
    with_notes,
)

# Excel and LibreOffice keep at most this many characters in a cell.
EXCEL_CELL_LIMIT = 32_767
# Rows below the data that keep the drop-downs and text formats, for rows a person adds.
SPARE_ROWS = 1_000
# Spreadsheet-ready text: what XML 1.0 cannot hold, and a literal "_xHHHH_", are escaped as
# _xHHHH_ (ECMA-376 ST_Xstring; the importer decodes them as Excel and LibreOffice do).
_XSTRING_RE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@")
_MODIFIED_RE = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")

_REQUIRED = PatternFill("solid", fgColor="1F4E79")
_ONE_OF = PatternFill("solid", fgColor="BDD7EE")
_OPTIONAL = PatternFill("solid", fgColor="E7E6E6")
_WHITE_BOLD = Font(bold=True, color="FFFFFF")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TEXT_FORMAT = "@"


@dataclass
class Info:
    """What the instructions say about this copy."""

    iso3: str | None = None  # None: the blank template
    country: str | None = None
    coordinator: str | None = None
    as_of: str | None = None  # date of the last import
    restricted_left_out: int = 0
    restricted_included: bool = False
    row_counts: dict[str, int] = field(default_factory=dict)


def xstring(text: str) -> str:
    """Text as a spreadsheet cell must hold it to read back verbatim in Excel and LibreOffice."""
    return _XSTRING_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def write_workbook(tables: dict[str, list[dict[str, str | int]]], info: Info, lang: str,
                   vocab: Vocabularies, notes: dict[str, list[str]] | None = None
                   ) -> tuple[bytes, list[Problem]]:
    """The workbook's bytes, and warnings about cells a spreadsheet program would cut.
    notes: sheet -> the columns the template does not define, written after its columns."""
    wb = Workbook()
    instructions = wb.active
    instructions.title = INSTRUCTIONS
    layout = [with_notes(s, (notes or {}).get(s.name, [])) for s in sheets()]
    problems: list[Problem] = []
    styles = _Styles()
    list_ranges = _write_lists(wb.create_sheet(LISTS), vocab, lang)
    spare = {s.name: _last_row(s, len(tables.get(s.name, []))) for s in layout}
    for sheet in layout:
        ws = wb.create_sheet(sheet.name, index=len(wb.sheetnames) - 1)
        _write_sheet(ws, sheet, tables.get(sheet.name, []), lang, vocab, problems, styles)
        _validate(ws, sheet, lang, list_ranges, spare)
    wb[LISTS].sheet_state = "hidden"
    _write_instructions(instructions, info, lang, vocab, styles)
    wb.active = 0
    moment = dt.datetime(2000, 1, 1)
    if info.as_of:
        moment = dt.datetime.fromisoformat(info.as_of.replace("Z", "+00:00")).replace(tzinfo=None)
    wb.properties.creator = "migkg"
    wb.properties.created = wb.properties.modified = moment
    out = io.BytesIO()
    wb.save(out)
    return _stable_zip(out.getvalue(), moment), problems


def _last_row(sheet: Sheet, rows: int) -> int:
    """Last row the sheet's drop-downs and formats cover."""
    return 2 if sheet.exactly_one_row else rows + 1 + SPARE_ROWS


def _write_sheet(ws: Worksheet, sheet: Sheet, rows: list[dict[str, str | int]], lang: str,
                 vocab: Vocabularies, problems: list[Problem], styles: _Styles) -> None:
    for index, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.name)
        if column.required:
            styles.apply(cell, fill=_REQUIRED, font=_WHITE_BOLD)
        else:
            styles.apply(cell, fill=_ONE_OF if column.one_of else _OPTIONAL, font=_BOLD)
        note = header_note(sheet.name, column, vocab, lang)
        comment = Comment(note, "migkg")
        comment.width = 320
        comment.height = min(600, 20 + 15 * (note.count("\n") + 1 + len(note) // 45))
        cell.comment = comment
        letter = get_column_letter(index)
        if column.is_text:
            # Typed entries stay text: +999 20 is no formula, 2021-05 no date, 007 no number.
            ws.column_dimensions[letter].number_format = _TEXT_FORMAT
        widest = len(column.name) + 4
        for number, row in enumerate(rows, start=2):
            value = row.get(column.name)
            if value is None:
                continue
            widest = max(widest, min(len(str(value)), 60))
            _put(ws, number, index, column, value, sheet.name, problems, styles)
        ws.column_dimensions[letter].width = max(12, min(widest + 2, 60))
    ws.freeze_panes = "A2"
    # On paper (some fill it in by hand): landscape, the header on every page.
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "1:1"


def _put(ws: Worksheet, row: int, col: int, column: Column, value: str | int, sheet: str,
         problems: list[Problem], styles: _Styles) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, int):
        cell.value = value
        return
    if len(value) > EXCEL_CELL_LIMIT:
        problems.append(Problem(Location(sheet, row, column.name), "workbook.cli.long_cell",
                                {"length": f"{len(value):,}", "limit": f"{EXCEL_CELL_LIMIT:,}"},
                                WARNING))
    cell.value = xstring(value)
    cell.data_type = "s"  # openpyxl would make "=..." a formula
    # Format "@" (text), and quote-prefixed when it would otherwise start a formula.
    styles.apply(cell, text=True, quote=value.startswith(_FORMULA_START))


def _write_lists(ws: Worksheet, vocab: Vocabularies, lang: str) -> dict[str, str]:
    """Code and label of every coded column's scheme, two columns each; scheme -> code range."""
    ranges = {}
    for n, scheme in enumerate(coded_schemes()):
        code_col, label_col = get_column_letter(2 * n + 1), get_column_letter(2 * n + 2)
        ws[f"{code_col}1"], ws[f"{label_col}1"] = scheme, t("table.label", lang)
        concepts = vocab.concepts(scheme)
        for row, concept in enumerate(concepts, start=2):
            ws[f"{code_col}{row}"] = concept.code
            ws[f"{label_col}{row}"] = xstring(vocab.label(concept.iri, lang))
        ranges[scheme] = f"{LISTS}!${code_col}$2:${code_col}${len(concepts) + 1}"
    return ranges


def _validate(ws: Worksheet, sheet: Sheet, lang: str, list_ranges: dict[str, str],
              spare: dict[str, int]) -> None:
    """Drop-downs and checks Excel can do by itself; the importer checks everything again."""
    last = spare[sheet.name]
    for index, column in enumerate(sheet.columns, start=1):
        dv = _validation(column, lang, list_ranges, spare)
        if dv is None:
            continue
        letter = get_column_letter(index)
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)


def _validation(column: Column, lang: str, list_ranges: dict[str, str],
                spare: dict[str, int]) -> DataValidation | None:
    kind = column.kind
    if kind == "code":
        return DataValidation("list", formula1=list_ranges[column.scheme or ""], allow_blank=True,
                              showErrorMessage=True, errorStyle="stop",
                              errorTitle=t("validation.code_title", lang),
                              error=t("validation.code_error", lang))
    if kind == "codes":
        # A list cell holds several codes: offer the drop-down, let any text through.
        return DataValidation("list", formula1=list_ranges[column.scheme or ""], allow_blank=True,
                              showErrorMessage=False, showInputMessage=True,
                              promptTitle=t("validation.code_title", lang),
                              prompt=t("validation.codes_prompt", lang))
    if kind in ("ref", "refs") and len(column.targets) == 1:
        ids = _id_range(column.targets[0], spare)
        if ids is None:
            return None
        if kind == "ref":
            return DataValidation("list", formula1=ids, allow_blank=True, showErrorMessage=True,
                                  errorStyle="warning", errorTitle=t("validation.ref_title", lang),
                                  error=t("validation.ref_error", lang, sheet=column.targets[0]))
        return DataValidation("list", formula1=ids, allow_blank=True, showErrorMessage=False,
                              showInputMessage=True, promptTitle=t("validation.ref_title", lang),
                              prompt=t("validation.refs_prompt", lang))
    if kind == "year":
        return DataValidation("whole", operator="between", formula1=str(YEAR_MIN),
                              formula2=str(YEAR_MAX), allow_blank=True, showErrorMessage=True,
                              errorStyle="stop", error=t("validation.year_error", lang,
                                                         min=YEAR_MIN, max=YEAR_MAX))
    if kind == "bool":
        return DataValidation("list", formula1='"yes,no"', allow_blank=True,
                              showErrorMessage=True, errorStyle="stop",
                              error=t("validation.bool_error", lang))
    if kind == "iso3":
        return DataValidation("textLength", operator="equal", formula1="3", allow_blank=True,
                              showErrorMessage=True, errorStyle="stop",
                              error=t("validation.iso3_error", lang))
    return None


def _id_range(target: str, spare: dict[str, int]) -> str | None:
    """The id cells of a sheet, as a drop-down's source (None if it has no id column)."""
    sheet = next((s for s in sheets() if s.name == target), None)
    if sheet is None or "id" not in sheet.names:
        return None
    letter = get_column_letter(sheet.names.index("id") + 1)
    return f"{target}!${letter}$2:${letter}${spare[target]}"


# -- the instructions sheet -------------------------------------------------------------------

_PARAGRAPH_CHARS = 120  # characters per line of a paragraph across columns A:D, for row heights


def _write_instructions(ws: Worksheet, info: Info, lang: str, vocab: Vocabularies,
                        styles: _Styles) -> None:
    for letter, width in zip("ABCD", (26, 60, 60, 10), strict=True):
        ws.column_dimensions[letter].width = width
    w = _Writer(ws, styles)
    if info.iso3:
        w.title(t("title_country", lang, country=info.country or info.iso3, iso3=info.iso3))
        w.paragraph(t("intro.country", lang, country=info.country or info.iso3))
        if info.as_of:
            w.paragraph(t("intro.as_of", lang, date=info.as_of[:10]))
        if info.restricted_left_out:
            w.paragraph(t("intro.restricted_left_out", lang, count=info.restricted_left_out),
                        bold=True)
        if info.restricted_included:
            w.paragraph(t("intro.restricted_included", lang), bold=True)
    else:
        w.title(t("title_blank", lang, version=version()))
        w.paragraph(t("intro.blank", lang))
    w.heading(t("how.heading", lang))
    for key in ("sheets", "rows", "required", "empty", "ids", "lists", "codes", "languages",
                "contacts", "send"):
        w.paragraph(t(f"how.{key}", lang))
    coordinator = t("how.coordinator", lang, name=info.coordinator) if info.coordinator else ""
    w.paragraph(t("how.ask", lang, coordinator=coordinator))

    w.heading(t("table.legend_heading", lang))
    for fill, font, key in ((_REQUIRED, _WHITE_BOLD, "legend_required"),
                            (_ONE_OF, _BOLD, "legend_one_of"), (_OPTIONAL, _BOLD, "legend_optional")):
        w.row([t(f"table.{key}", lang)], fill=fill, font=font)

    w.heading(t("table.sheets_heading", lang))
    header = [t("table.sheet", lang), t("table.purpose", lang), t("table.required_columns", lang)]
    if info.iso3:
        header.append(t("table.rows", lang))
    w.row(header, font=_BOLD)
    for sheet in sheets():
        cells: list[str | int] = [sheet.name, purpose(sheet.name, lang), required_text(sheet, lang)]
        if info.iso3:
            cells.append(info.row_counts.get(sheet.name, 0))
        w.row(cells)

    w.heading(t("table.codes_heading", lang))
    for scheme, used in coded_schemes().items():
        w.paragraph(", ".join(used), bold=True)
        w.row([t("table.code", lang), t("table.label", lang), t("table.definition", lang)],
              font=_BOLD)
        for concept in vocab.concepts(scheme):
            w.row([concept.code, vocab.label(concept.iri, lang),
                   vocab.definition(concept.iri, lang)])
    # Printed, the instructions fit the page's width.
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0


class _Writer:
    """Writes the instructions top to bottom."""

    def __init__(self, ws: Worksheet, styles: _Styles):
        self.ws, self.styles, self.next = ws, styles, 1

    def title(self, text: str) -> None:
        self.styles.apply(self.ws.cell(row=self.next, column=1, value=xstring(text)), font=_TITLE)
        self.next += 2

    def heading(self, text: str) -> None:
        self.next += 1
        self.title(text)
        self.next -= 1

    def paragraph(self, text: str, *, bold: bool = False) -> None:
        r = self.next
        cell = self.ws.cell(row=r, column=1, value=xstring(text))
        cell.data_type = "s"
        self.styles.apply(cell, alignment=_WRAP, font=_BOLD if bold else None)
        self.ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
        lines = len(text) // _PARAGRAPH_CHARS + 1
        self.ws.row_dimensions[r].height = 15 * lines + 3
        self.next += 1

    def row(self, cells: list[str | int], *, fill: PatternFill | None = None,
            font: Font | None = None) -> None:
        r = self.next
        tallest = 1
        for index, value in enumerate(cells, start=1):
            cell = self.ws.cell(row=r, column=index)
            if isinstance(value, int):
                cell.value = value
            else:
                cell.value = xstring(value)
                cell.data_type = "s"
                width = self.ws.column_dimensions[get_column_letter(index)].width or 10
                tallest = max(tallest, len(value) // max(int(width), 1) + 1)
            self.styles.apply(cell, alignment=_WRAP, fill=fill, font=font)
        self.ws.row_dimensions[r].height = 15 * tallest + 3
        self.next += 1


class _Styles:
    """The workbook's cell styles, each set once through openpyxl and then copied: setting
    font, fill, alignment and format attribute by attribute costs ~0.2 ms a cell."""

    def __init__(self) -> None:
        self._arrays: dict[tuple, object] = {}

    def apply(self, cell: Cell, *, font: Font | None = None, fill: PatternFill | None = None,
              alignment: Alignment | None = None, text: bool = False, quote: bool = False) -> None:
        key = (id(font), id(fill), id(alignment), text, quote)
        array = self._arrays.get(key)
        if array is not None:
            cell._style = copy(array)
            return
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        if text:
            cell.number_format = _TEXT_FORMAT
        if quote:
            cell.quotePrefix = True
        self._arrays[key] = copy(cell._style)


def _stable_zip(data: bytes, moment: dt.datetime) -> bytes:
    """The same workbook with fixed times, so the same data gives the same bytes (openpyxl
    stamps the time of saving as the document's modification time)."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = []
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED_RE.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            entries.append((info.filename, content))
    return stable_zip(entries)
