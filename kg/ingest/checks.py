"""Cell-level checks of questionnaire tables, driven by kg/ingest/template.toml.

The readers (kg.ingest.readers) turn CSV files and worksheets into RawTables of
text cells; this module checks headers and cells against the template and types
the values (see kg.ingest.model.Value). Allowed codes come from the vocabularies;
whether a referenced id exists in another file is checked later by SHACL.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox

from kg import i18n
from kg.config import Limits
from kg.errors import ERROR, WARNING, DataFileError, Location, Problem
from kg.ingest.model import Row, Table, Value
from kg.namespaces import ISO3

TEMPLATE_PATH = Path(__file__).with_name("template.toml")

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
YEAR_RE = re.compile(r"[0-9]{4}")
DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
# A sane e-mail: ASCII local part without the characters an IRI (mailto:) cannot hold
# or that would change its meaning (% # ? and the like), a dotted host name.
EMAIL_RE = re.compile(
    r"[A-Za-z0-9!$&'*+/=_~-]+(?:\.[A-Za-z0-9!$&'*+/=_~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
# C0 controls except TAB, LF, CR, and DEL: never data.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Characters an IRI may not hold (RFC 3987), besides controls and spaces.
URL_FORBIDDEN_RE = re.compile(r"[\s<>\"{}|\\^`\x00-\x1f\x7f]")
YEAR_MIN, YEAR_MAX = 1900, 2100
SHOW_MAX = 60  # characters of a refused value quoted back in a message

SIMPLE_TYPES = {"id", "text", "text@en", "text@fr", "year", "url", "email", "date", "bool", "iso3"}
PARAM_TYPES = {"code", "codes", "ref", "refs"}


# ---------------------------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str  # as written in the template: "id", "code:domain", "refs:actors|data_sources"...
    required: bool = False

    @property
    def kind(self) -> str:
        return self.type.split(":", 1)[0]

    @property
    def arg(self) -> str:
        return self.type.split(":", 1)[1] if ":" in self.type else ""

    @property
    def is_text(self) -> bool:
        return self.kind.startswith("text")


@dataclass(frozen=True)
class FileSpec:
    name: str  # file stem = sheet name
    columns: dict[str, ColumnSpec]
    required: bool = False
    exactly_one_row: bool = False
    one_of: tuple[tuple[str, ...], ...] = ()
    key: tuple[str, ...] = ()

    @property
    def csv_name(self) -> str:
        return f"{self.name}.csv"


@dataclass(frozen=True)
class TemplateInfo:
    version: str  # the template's version, as users see it ("1", "1.1")
    extra_sheets: tuple[str, ...]  # workbook sheets that are not files (instructions, lists)


def _template_data(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


@cache
def template_info(path: Path = TEMPLATE_PATH) -> TemplateInfo:
    """What the template says besides its files: version, the workbook's extra sheets."""
    data = _template_data(path)
    workbook = data.get("workbook", {})
    return TemplateInfo(str(data.get("version", "")), tuple(workbook.get("extra_sheets", ())))


@cache
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, FileSpec]:
    """The template's files, in template order."""
    data = _template_data(path)
    files: dict[str, FileSpec] = {}
    for name, spec in data["files"].items():
        columns = {}
        for column, col in spec["columns"].items():
            kind = col["type"].split(":", 1)[0]
            if col["type"] not in SIMPLE_TYPES and kind not in PARAM_TYPES:
                raise DataFileError(str(path), None, f"{name}.{column}: unknown type {col['type']}")
            columns[column] = ColumnSpec(column, col["type"], bool(col.get("required", False)))
        files[name] = FileSpec(
            name=name,
            columns=columns,
            required=bool(spec.get("required", False)),
            exactly_one_row=bool(spec.get("exactly_one_row", False)),
            one_of=tuple(tuple(group) for group in spec.get("one_of", [])),
            key=tuple(spec.get("key", [])),
        )
    return files


# ---------------------------------------------------------------------------------------------
# What the readers hand over
# ---------------------------------------------------------------------------------------------


@dataclass
class RawTable:
    """One file or sheet as text cells, before any check.

    A cell is None when the reader already refused it (e.g. a formula), so that the
    checks neither report it again nor call it missing. Blank records are left out.
    """

    name: str  # template file stem
    source: str  # as error lines name it
    header_row: int
    header: list[str | None]
    rows: list[tuple[int, list[str | None]]]
    workbook: bool = False  # cell references (E3) are added to messages


@dataclass
class Report:
    """Problems found so far, errors and warnings, in the order they were found."""

    problems: list[Problem] = field(default_factory=list)

    def add(
        self, location: Location, key: str, params: dict | None = None, *,
        severity: str = ERROR, cell: str | None = None,
    ) -> None:
        params = dict(params or {})
        texts: dict[str, str] = {}
        if cell:
            # A workbook user finds a cell by its reference: say it in every language.
            texts = {
                lang: f"{i18n.t(key, lang, **params)} {i18n.t('ingest.cell', lang, ref=cell)}"
                for lang in i18n.LANGUAGES
            }
        self.problems.append(Problem(location, key, params, severity, texts))

    def warn(self, location: Location, key: str, params: dict | None = None, **kw) -> None:
        self.add(location, key, params, severity=WARNING, **kw)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def show(value: str) -> str:
    """A refused value quoted back in a message: short, one line, controls made visible."""
    text = value if len(value) <= SHOW_MAX else value[:SHOW_MAX] + "…"
    out = []
    for ch in text:
        if ch in "\t\r\n" or unicodedata.category(ch) in ("Cc", "Cf"):
            # Controls and bidi/format marks would garble the error line.
            out.append(ch.encode("unicode_escape").decode("ascii") if ord(ch) < 256
                       else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def char_name(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def get_column_letter(number: int) -> str:
    """Spreadsheet letters of a 1-based column number (1 -> A, 27 -> AA)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------------------------------------
# Cell checks
# ---------------------------------------------------------------------------------------------

CodesFor = Callable[[str], Sequence[str]]
CellResult = tuple[Value | None, tuple[str, dict] | None]


class CellChecker:
    """Checks one cell's text against a column type: (typed value or None, problem or None)."""

    def __init__(self, codes_for: CodesFor):
        self._codes_for = codes_for
        self._codes: dict[str, tuple[list[str], set[str]]] = {}

    def codes(self, scheme: str) -> tuple[list[str], set[str]]:
        if scheme not in self._codes:
            found = self._codes_for(scheme)
            ordered = list(found) if isinstance(found, list | tuple) else sorted(found)
            self._codes[scheme] = (ordered, set(ordered))
        return self._codes[scheme]

    def allowed(self, scheme: str) -> str:
        return ", ".join(self.codes(scheme)[0])

    def check(self, spec: ColumnSpec, text: str) -> CellResult:
        """Check a non-blank cell. Text types keep the cell verbatim; others ignore outer spaces."""
        if spec.is_text:
            return text, None
        value = text.strip()
        return getattr(self, f"_check_{spec.kind}")(spec, value)

    # -- one method per kind ------------------------------------------------------------------
    def _check_id(self, spec: ColumnSpec, value: str) -> CellResult:
        if ID_RE.fullmatch(value):
            return value, None
        return None, ("ingest.bad_id", {"value": show(value)})

    def _check_ref(self, spec: ColumnSpec, value: str) -> CellResult:
        if ID_RE.fullmatch(value):
            return value, None
        return None, ("ingest.bad_ref", {"value": show(value)})

    def _check_refs(self, spec: ColumnSpec, value: str) -> CellResult:
        items = split_list(value)
        bad = [v for v in items if not ID_RE.fullmatch(v)]
        if bad:
            return None, ("ingest.bad_ref", {"value": ", ".join(show(v) for v in bad)})
        return (items or None), None

    def _check_code(self, spec: ColumnSpec, value: str) -> CellResult:
        if value in self.codes(spec.arg)[1]:
            return value, None
        return None, self._bad_codes(spec.arg, [value])

    def _check_codes(self, spec: ColumnSpec, value: str) -> CellResult:
        items = split_list(value)
        allowed = self.codes(spec.arg)[1]
        bad = [v for v in items if v not in allowed]
        if bad:
            return None, self._bad_codes(spec.arg, bad)
        return (items or None), None

    def _bad_codes(self, scheme: str, bad: list[str]) -> tuple[str, dict]:
        ordered, _ = self.codes(scheme)
        params = {"value": ", ".join(show(v) for v in bad), "allowed": self.allowed(scheme)}
        if len(bad) == 1:
            close = difflib.get_close_matches(bad[0].lower(), ordered, n=1, cutoff=0.75)
            if close:
                return "ingest.bad_code_suggest", {**params, "suggest": close[0]}
            return "ingest.bad_code", params
        return "ingest.bad_codes", params

    def _check_year(self, spec: ColumnSpec, value: str) -> CellResult:
        if YEAR_RE.fullmatch(value) and YEAR_MIN <= int(value) <= YEAR_MAX:
            return int(value), None
        return None, ("ingest.bad_year", {"value": show(value), "min": YEAR_MIN, "max": YEAR_MAX})

    def _check_date(self, spec: ColumnSpec, value: str) -> CellResult:
        m = DATE_RE.fullmatch(value)
        ok = False
        if m and YEAR_MIN <= int(m.group(1)) <= YEAR_MAX:
            year, month, day = m.groups()
            try:
                dt.date(int(year), int(month or 1), int(day or 1))
                ok = True
            except ValueError:
                ok = False
        if ok:
            return value, None
        return None, ("ingest.bad_date", {"value": show(value), "min": YEAR_MIN, "max": YEAR_MAX})

    def _check_url(self, spec: ColumnSpec, value: str) -> CellResult:
        if is_web_url(value):
            return value, None
        return None, ("ingest.bad_url", {"value": show(value)})

    def _check_email(self, spec: ColumnSpec, value: str) -> CellResult:
        if len(value) <= 254 and EMAIL_RE.fullmatch(value) and is_iri(f"mailto:{value}"):
            return value, None
        return None, ("ingest.bad_email", {"value": show(value)})

    def _check_bool(self, spec: ColumnSpec, value: str) -> CellResult:
        lowered = value.lower()
        if lowered in ("yes", "no"):
            return lowered == "yes", None
        return None, ("ingest.bad_bool", {"value": show(value)})

    def _check_iso3(self, spec: ColumnSpec, value: str) -> CellResult:
        if ISO3.valid(value, upper_only=True):
            return value, None
        return None, ("ingest.bad_iso3", {"value": show(value)})


def split_list(value: str) -> list[str]:
    """A `;` list: surrounding spaces and empty items ignored, duplicates dropped, order kept."""
    return list(dict.fromkeys(item.strip() for item in value.split(";") if item.strip()))


def is_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host, that is also a valid IRI (it becomes one)."""
    if URL_FORBIDDEN_RE.search(value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return False
    return is_iri(value)


# ---------------------------------------------------------------------------------------------
# Table checks
# ---------------------------------------------------------------------------------------------


class TableChecker:
    """Checks one RawTable against its FileSpec, adding problems to a Report."""

    def __init__(self, raw: RawTable, spec: FileSpec, cells: CellChecker, limits: Limits,
                 report: Report):
        self.raw, self.spec, self.cells, self.limits, self.report = raw, spec, cells, limits, report
        self._ignored: set[int] = set()  # header cells refused: their columns are not read
        self._present: set[str] = set()  # usable column names of the header

    def add(self, row: int | None, index: int | None, column: str, key: str,
            params: dict | None = None, *, warning: bool = False) -> None:
        cell = None
        if self.raw.workbook and row is not None and index is not None:
            cell = f"{get_column_letter(index + 1)}{row}"
        self.report.add(Location(self.raw.source, row, column), key, params,
                        severity=WARNING if warning else ERROR, cell=cell)

    def run(self) -> Table:
        raw, spec = self.raw, self.spec
        columns = self._check_header()
        names = [c or "" for c in raw.header]
        table = Table(spec.name, raw.source, names, [])
        unnamed_reported: set[int] = set()
        first_id: dict[str, int] = {}
        first_key: dict[tuple, int] = {}
        for number, cells in raw.rows:
            row, refused = Row(number), set()
            for index, text in enumerate(cells):
                if index in self._ignored:  # under a refused header cell; already reported
                    continue
                if text is None:  # refused by the reader; already reported
                    if index < len(columns) and columns[index]:
                        refused.add(columns[index])
                    continue
                name = columns[index] if index < len(columns) else None
                blank = not text.strip()
                if name is None:
                    # No usable header above this cell (none, or a duplicate): data would be lost.
                    if not blank and index not in unnamed_reported:
                        unnamed_reported.add(index)
                        self.add(number, index, "", "ingest.no_header",
                                 {"index": index + 1, "letter": get_column_letter(index + 1)})
                    continue
                if blank:
                    continue
                if not self._cell_ok(number, index, name, text):
                    refused.add(name)
                    continue
                col = spec.columns.get(name)
                if col is None:
                    row.extras[name] = text
                    continue
                value, problem = self.cells.check(col, text)
                if problem:
                    refused.add(name)
                    self.add(number, index, name, *problem)
                elif value is not None:
                    row.values[name] = value
            self._check_row(row, refused, first_id, first_key)
            table.rows.append(row)
        if spec.exactly_one_row and len(table.rows) != 1:
            extra = table.rows[1].number if len(table.rows) > 1 else None
            self.add(extra, None, "", "ingest.exactly_one_row", {"count": len(table.rows)})
        return table

    def _cell_ok(self, number: int, index: int, name: str, text: str) -> bool:
        bad = CONTROL_RE.search(text)
        if bad:
            self.add(number, index, name, "ingest.control_char",
                     {"char": char_name(bad.group()), "position": bad.start() + 1})
            return False
        if len(text) > self.limits.max_cell_chars:
            self.add(number, index, name, "ingest.cell_too_long",
                     {"length": f"{len(text):,}", "limit": f"{self.limits.max_cell_chars:,}"})
            return False
        return True

    def _check_header(self) -> list[str | None]:
        """Usable column names by position (None: no header or refused); reports header problems."""
        raw, spec = self.raw, self.spec
        columns: list[str | None] = []
        seen: dict[str, int] = {}
        for index, name in enumerate(raw.header):
            if name is None or name == "":
                if name is None:  # refused by the reader (a formula): already reported
                    self._ignored.add(index)
                columns.append(None)
                continue
            bad = CONTROL_RE.search(name)
            if bad:
                self.add(raw.header_row, index, "", "ingest.control_char_header",
                         {"char": char_name(bad.group()), "index": index + 1})
                self._ignored.add(index)
                columns.append(None)
                continue
            if name in seen:
                self.add(raw.header_row, index, name, "ingest.duplicate_column",
                         {"first": get_column_letter(seen[name] + 1),
                          "second": get_column_letter(index + 1)})
                self._ignored.add(index)
                columns.append(None)
                continue
            seen[name] = index
            columns.append(name)
            if name not in spec.columns:
                known = list(spec.columns)
                close = [c for c in known if c.lower() == name.strip().lower()]
                if close:
                    self.add(raw.header_row, index, name, "ingest.unknown_column_case",
                             {"suggest": close[0]}, warning=True)
                else:
                    self.add(raw.header_row, index, name, "ingest.unknown_column",
                             {"known": ", ".join(known)}, warning=True)
        present = set(seen)
        for col in spec.columns.values():
            if col.required and col.name not in present:
                self.add(raw.header_row, None, col.name, "ingest.missing_column")
        for group in spec.one_of:
            if not present.intersection(group):
                self.add(raw.header_row, None, group[0], "ingest.missing_one_of_columns",
                         {"columns": ", ".join(group)})
        self._present = present
        return columns

    def _check_row(self, row: Row, refused: set[str], first_id: dict[str, int],
                   first_key: dict[tuple, int]) -> None:
        spec, present = self.spec, self._present
        for col in spec.columns.values():
            if col.required and col.name in present and col.name not in row.values \
                    and col.name not in refused:
                index = self.raw.header.index(col.name)
                if col.kind in ("code", "codes"):
                    self.add(row.number, index, col.name, "ingest.required_code",
                             {"allowed": self.cells.allowed(col.arg)})
                else:
                    self.add(row.number, index, col.name, "ingest.required")
        for group in spec.one_of:
            given = [c for c in group if c in present]
            if given and not any(c in row.values or c in refused for c in given):
                self.add(row.number, self.raw.header.index(given[0]), given[0],
                         "ingest.one_of", {"columns": ", ".join(group)})
        if "id" in spec.columns and "id" in row.values:
            ident = str(row.values["id"])
            if ident in first_id:
                self.add(row.number, self.raw.header.index("id"), "id", "ingest.duplicate_id",
                         {"value": show(ident), "first": first_id[ident]})
            else:
                first_id[ident] = row.number
        if spec.key and all(c in row.values for c in spec.key):
            key = tuple(str(row.values[c]) for c in spec.key)
            if key in first_key:
                self.add(row.number, None, "", "ingest.duplicate_key",
                         {"value": " ".join(key), "columns": ", ".join(spec.key),
                          "first": first_key[key]})
            else:
                first_key[key] = row.number


def check_table(raw: RawTable, spec: FileSpec, cells: CellChecker, limits: Limits,
                report: Report) -> Table:
    """The checked, typed Table of one RawTable; problems go to report."""
    return TableChecker(raw, spec, cells, limits, report).run()
