"""Questionnaire readers: a folder of CSV files, a .zip of them, or an .xlsx workbook.

Hostile input is refused early and cheaply: sizes and zip structure are checked
before anything is decompressed, CSV bytes are decoded strictly as UTF-8, XML
parts of a workbook carrying a DOCTYPE are refused before openpyxl reads them,
and nothing is ever extracted to disk. Every problem found is reported, with its
FILE:ROW:COLUMN, in one InputError.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import re
import stat
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.config import Limits, Settings
from kg.errors import ERROR, WARNING, InputError, Location, Problem
from kg.ingest.checks import (
    CellChecker,
    FileSpec,
    RawTable,
    Report,
    check_table,
    get_column_letter,
    load_template,
    show,
    template_info,
)
from kg.ingest.model import InputFile, Questionnaire, Table

MAX_ZIP_MEMBERS = 1000  # a questionnaire has ten files; a workbook a few dozen parts
RATIO_MIN_BYTES = 1 << 20  # small members may compress well without being a bomb
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
NESTED_ARCHIVES = (".zip", ".xlsx", ".xlsm", ".xls", ".ods", ".jar", ".7z", ".rar", ".gz",
                   ".tgz", ".tar", ".bz2", ".xz")
DOCTYPE_RE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
XML_DECL_RE = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
# First bytes of XML in encodings where "<!DOCTYPE" is not plain ASCII (UTF-16/32, EBCDIC).
WIDE_XML_STARTS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE,
                   codecs.BOM_UTF16_BE, b"<\x00", b"\x00<", b"\x00\x00\x00<", b"\x4c\x6f\xa7\x94")
ASCII_XML_ENCODINGS = {"utf-8", "utf8", "us-ascii", "ascii"}
LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
HIDDEN_PREFIXES = (".", "~$", "__MACOSX")


def read_questionnaire(path: Path, settings: Settings, *, name: str | None = None) -> Questionnaire:
    """Read and check one questionnaire: a folder of CSV files, a .zip of them, or an .xlsx.

    `name` is how error lines name a zip or workbook (default: the file's name), for callers
    that hold the upload under a temporary name. Raises InputError with every problem found
    (errors first, then warnings; at most settings.limits.max_problems lines and one more
    saying how many were left out). Warnings alone do not raise: they are in .warnings.
    """
    path = Path(path)
    reader = _Reader(settings.limits, name or path.name or str(path))
    raws = reader.read(path)
    from kg.vocab import load_vocabularies  # here, so that importing the readers stays cheap

    cells = CellChecker(load_vocabularies().codes)
    template = load_template()
    tables: dict[str, Table] = {}
    for raw in raws:
        tables[raw.name] = check_table(raw, template[raw.name], cells, settings.limits,
                                       reader.report)
    report = reader.report
    if report.errors:
        raise InputError(capped(report.errors + report.warnings, settings.limits,
                                reader.display))
    return Questionnaire(str(path), tables, reader.files,
                         capped(report.warnings, settings.limits, reader.display))


def capped(problems: list[Problem], limits: Limits, display: str) -> list[Problem]:
    """At most limits.max_problems problems, then one line counting the rest. The count is
    a warning when every problem left out is one (20,000 unknown columns are not an error)."""
    if len(problems) <= limits.max_problems:
        return problems
    rest = problems[limits.max_problems:]
    severity = ERROR if any(p.is_error for p in rest) else WARNING
    key = "ingest.more_problems" if severity == ERROR else "ingest.more_warnings"
    return problems[:limits.max_problems] + [Problem(
        Location(display), key, {"count": len(rest), "limit": limits.max_problems}, severity)]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_hidden(name: str) -> bool:
    return any(part.startswith(HIDDEN_PREFIXES) for part in name.split("/") if part)


def _n(size: int) -> str:
    return f"{size:,}"


class _Reader:
    """Reads one questionnaire into RawTables, collecting problems and input-file records."""

    def __init__(self, limits: Limits, display: str):
        self.limits, self.display = limits, display
        self.template = load_template()
        self.report = Report()
        self.files: list[InputFile] = []

    def error(self, file: str, key: str, params: dict | None = None, row: int | None = None,
              column: str = "") -> None:
        self.report.add(Location(file, row, column), key, params)

    # -- entry --------------------------------------------------------------------------------
    def read(self, path: Path) -> list[RawTable]:
        if path.is_dir():
            return self.folder(path)
        try:
            info = path.stat()
        except OSError:
            self.error(str(path), "ingest.not_found")
            return []
        if not stat.S_ISREG(info.st_mode):
            self.error(self.display, "ingest.unsupported_input")
            return []
        if info.st_size > self.limits.max_upload_bytes:
            self.error(self.display, "ingest.too_large",
                       {"size": _n(info.st_size), "limit": _n(self.limits.max_upload_bytes)})
            return []
        data = _read_bounded(path, self.limits.max_upload_bytes)
        if data is None:
            self.error(self.display, "ingest.too_large",
                       {"size": "> " + _n(self.limits.max_upload_bytes),
                        "limit": _n(self.limits.max_upload_bytes)})
            return []
        if not data.startswith(ZIP_MAGICS):
            single = path.suffix.lower() == ".csv"
            self.error(self.display, "ingest.single_csv" if single else "ingest.unsupported_input")
            return []
        return self.archive(data)

    # -- a folder of CSV files ----------------------------------------------------------------
    def folder(self, path: Path) -> list[RawTable]:
        known = {spec.csv_name: spec for spec in self.template.values()}
        found: dict[str, Path] = {}
        total = 0
        try:
            root = path.resolve(strict=True)
        except OSError:
            root = None
        for entry in sorted(path.iterdir()):
            if _is_hidden(entry.name):
                continue
            spec = known.get(entry.name)
            if spec is None:
                self._unknown_file(entry.name, entry.name, known)
                continue
            if entry.is_symlink() or not _inside(entry, root):
                # A link may point anywhere (/etc/passwd): never read it, never quote it.
                self.error(entry.name, "ingest.symlink_refused")
                continue
            try:
                info = entry.lstat()
            except OSError:
                info = None
            if info is None or not stat.S_ISREG(info.st_mode):
                # A FIFO or device would block or never end; a dangling link has no data.
                self.error(entry.name, "ingest.not_regular_file")
                continue
            total += info.st_size
            found[spec.name] = entry
        if total > self.limits.max_upload_bytes:
            self.error(self.display, "ingest.too_large",
                       {"size": _n(total), "limit": _n(self.limits.max_upload_bytes)})
            return []
        raws = []
        for spec in self.template.values():
            entry = found.get(spec.name)
            if entry is None:
                if spec.required:
                    self.error(spec.csv_name, "ingest.missing_file")
                continue
            try:
                data = _read_bounded(entry, self.limits.max_upload_bytes, follow=False)
            except OSError:  # replaced by a link (or removed) since lstat(): refuse it
                self.error(entry.name, "ingest.symlink_refused")
                continue
            if data is None:  # grew since stat()
                self.error(self.display, "ingest.too_large",
                           {"size": "> " + _n(self.limits.max_upload_bytes),
                            "limit": _n(self.limits.max_upload_bytes)})
                return []
            raw = self.read_csv(spec, entry.name, data)
            if raw is not None:
                raws.append(raw)
        return raws

    def _unknown_file(self, name: str, shown: str, known: dict[str, FileSpec]) -> None:
        close = [k for k in known if k.lower() == name.rsplit("/", 1)[-1].lower()]
        if close:
            self.report.warn(Location(shown), "ingest.unknown_file_case", {"suggest": close[0]})
        else:
            self.report.warn(Location(shown), "ingest.unknown_file", {"known": ", ".join(known)})

    # -- one CSV file -------------------------------------------------------------------------
    def read_csv(self, spec: FileSpec, source: str, data: bytes) -> RawTable | None:
        raw = parse_csv(data, spec.name, source, self.limits, self.report)
        rows = len(raw.rows) if raw else 0
        self.files.append(InputFile(source, _sha256(data), len(data), rows))
        if raw is None:
            return None
        if raw.header_row == 0:
            return self._empty(spec, source)
        return raw

    def _empty(self, spec: FileSpec, source: str) -> None:
        if spec.required:
            self.error(source, "ingest.empty_file_required", row=1)
        else:
            self.report.warn(Location(source, 1), "ingest.empty_file")
        return None

    # -- zip archives: CSV files or a workbook -----------------------------------------------
    def archive(self, data: bytes) -> list[RawTable]:
        zf = self.open_zip(data)
        if zf is None:
            return []
        with zf:
            names = {info.filename for info in zf.infolist()}
            if "[Content_Types].xml" in names or "xl/workbook.xml" in names:
                return self.workbook(data, zf)
            return self.csv_zip(data, zf)

    def open_zip(self, data: bytes) -> zipfile.ZipFile | None:
        """Open a zip after checking, from its directory alone, that it is safe to read."""
        display, limits = self.display, self.limits
        declared = _declared_entries(data)
        if declared is not None and declared > MAX_ZIP_MEMBERS:
            self.error(display, "ingest.zip_too_many_members",
                       {"count": _n(declared), "limit": _n(MAX_ZIP_MEMBERS)})
            return None
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
            self.error(display, "ingest.zip_bad", {"detail": _detail(exc)})
            return None
        infos = zf.infolist()
        before = len(self.report.errors)
        if len(infos) > MAX_ZIP_MEMBERS:
            self.error(display, "ingest.zip_too_many_members",
                       {"count": _n(len(infos)), "limit": _n(MAX_ZIP_MEMBERS)})
        seen: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            where = f"{display}!{name}"
            normal = name.replace("\\", "/")
            parts = normal.split("/")
            if normal.startswith("/") or re.match(r"[A-Za-z]:", normal) or ".." in parts:
                self.error(where, "ingest.zip_unsafe_path")
                continue
            if normal in seen:
                self.error(where, "ingest.zip_duplicate")
            seen.add(normal)
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                self.error(where, "ingest.zip_encrypted")
            total += info.file_size
            if info.file_size > RATIO_MIN_BYTES:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_zip_ratio:
                    self.error(where, "ingest.zip_ratio",
                               {"ratio": int(ratio), "limit": limits.max_zip_ratio})
        if total > limits.max_upload_bytes:
            self.error(display, "ingest.too_large_unpacked",
                       {"size": _n(total), "limit": _n(limits.max_upload_bytes)})
        if len(self.report.errors) > before:
            zf.close()
            return None
        return zf

    def read_member(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
        """A member's bytes, never more than its declared size (the size checks relied on it)."""
        where = f"{self.display}!{info.filename}"
        try:
            with zf.open(info) as fh:
                data = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError,
                ValueError, RuntimeError) as exc:
            self.error(where, "ingest.zip_bad", {"detail": _detail(exc)})
            return None
        if len(data) > info.file_size:
            self.error(where, "ingest.zip_size_mismatch")
            return None
        return data

    def csv_zip(self, data: bytes, zf: zipfile.ZipFile) -> list[RawTable]:
        members = [i for i in zf.infolist() if not i.is_dir() and not _is_hidden(i.filename)]
        for info in members:
            if info.filename.lower().endswith(NESTED_ARCHIVES):
                self.error(f"{self.display}!{info.filename}", "ingest.zip_nested")
        if self.report.errors:
            return []
        # Files at the root, or all in one top folder.
        tops = {i.filename.split("/", 1)[0] for i in members}
        prefix = ""
        if len(tops) == 1 and all(i.filename.count("/") == 1 for i in members):
            prefix = next(iter(tops)) + "/"
        known = {spec.csv_name: spec for spec in self.template.values()}
        by_name = {info.filename: info for info in members}
        for info in members:
            inside = info.filename.startswith(prefix)
            if not inside or info.filename[len(prefix):] not in known:
                self._unknown_file(info.filename, f"{self.display}!{info.filename}", known)
        raws, read = [], []
        for spec in self.template.values():
            member = prefix + spec.csv_name
            source = f"{self.display}!{member}"
            info = by_name.get(member)
            if info is None:
                if spec.required:
                    self.error(source, "ingest.missing_file")
                continue
            content = self.read_member(zf, info)
            if content is None:
                continue
            before = len(self.files)
            raw = self.read_csv(spec, source, content)
            read.extend(self.files[before:])
            if raw is not None:
                raws.append(raw)
        self._container(data, read)
        return raws

    def _container(self, data: bytes, members: list[InputFile]) -> None:
        """Record the archive itself first, then its members (already appended)."""
        whole = InputFile(self.display, _sha256(data), len(data), sum(m.rows for m in members))
        self.files.insert(len(self.files) - len(members), whole)

    # -- an .xlsx workbook --------------------------------------------------------------------
    def workbook(self, data: bytes, zf: zipfile.ZipFile) -> list[RawTable]:
        parts: dict[str, bytes] = {}
        for info in zf.infolist():
            if info.is_dir():
                continue
            if _is_macro_part(info.filename):
                # A macro-enabled workbook (.xlsm) renamed .xlsx: refused, not read silently.
                self.error(f"{self.display}!{info.filename}", "ingest.xlsx_macros")
                continue
            content = self.read_member(zf, info)
            if content is None:
                continue
            parts[info.filename] = content
            key = _xml_refusal(content)
            if key:
                self.error(f"{self.display}!{info.filename}", key)
        if self.report.errors:
            return []
        import openpyxl  # here: only workbooks need it

        try:
            with warnings.catch_warnings():
                # openpyxl warns about features it drops (data validation, styles...): not ours.
                warnings.simplefilter("ignore")
                wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False,
                                            keep_links=False, keep_vba=False)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on broken files
            self.error(self.display, "ingest.xlsx_bad", {"detail": _detail(exc)})
            return []
        raws, read = [], []
        try:
            sheets = list(wb.sheetnames)
            for spec in self.template.values():
                source = f"{self.display}!{spec.name}"
                if spec.name not in sheets:
                    if spec.required:
                        self.error(source, "ingest.missing_sheet",
                                   {"sheets": ", ".join(sheets) or "-"})
                    continue
                raw, record = self.sheet(wb[spec.name], spec, source, parts)
                if record is not None:
                    read.append(record)
                    self.files.append(record)
                if raw is not None:
                    raws.append(raw)
            known = list(self.template)
            extra = set(template_info().extra_sheets)
            for sheet in sheets:
                if sheet not in self.template and sheet not in extra:
                    close = [k for k in known if k.lower() == sheet.strip().lower()]
                    where = Location(f"{self.display}!{sheet}")
                    if close:
                        self.report.warn(where, "ingest.unknown_sheet_case", {"suggest": close[0]})
                    else:
                        self.report.warn(where, "ingest.unknown_sheet", {"known": ", ".join(known)})
        finally:
            wb.close()
        self._container(data, read)
        return raws

    def sheet(self, ws: object, spec: FileSpec, source: str,
              parts: dict[str, bytes]) -> tuple[RawTable | None, InputFile | None]:
        if not hasattr(ws, "reset_dimensions"):
            self.error(source, "ingest.not_worksheet")
            return None, None
        part = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
        content = parts.get(part, b"")
        ws.reset_dimensions()  # a forged <dimension> would pad every row to 16,384 cells
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                raw = self._sheet_rows(ws.iter_rows(), spec, source)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on broken sheets
            self.error(source, "ingest.xlsx_bad", {"detail": _detail(exc)})
            return None, None
        record = InputFile(source, _sha256(content), len(content), len(raw.rows) if raw else 0)
        if raw is not None and raw.header_row == 0:
            return self._empty(spec, source), record
        return raw, record

    def _sheet_rows(self, rows: Iterable, spec: FileSpec, source: str) -> RawTable | None:
        limits = self.limits
        raw = RawTable(spec.name, source, 0, [], [], workbook=True)
        for number, row in enumerate(rows, start=1):
            cells: list[str | None] = []
            for index, cell in enumerate(row):
                text = self._cell_text(cell, number, index, raw, source)
                cells.append(text)
            key = _take_record(raw, number, cells, limits.max_rows)
            if key:
                self.error(source, key, {"limit": _n(limits.max_rows)}, row=number)
                return None
        return raw

    def _cell_text(self, cell: object, number: int, index: int, raw: RawTable,
                   source: str) -> str | None:
        value = getattr(cell, "value", None)
        if value is None:
            return ""
        kind = getattr(cell, "data_type", None)
        if kind in ("f", "e"):
            column = ""
            if raw.header_row and index < len(raw.header):
                column = raw.header[index] or ""
            key = "ingest.formula" if kind == "f" else "ingest.error_value"
            self.report.add(Location(source, number, column), key, {"value": show(str(value))},
                            cell=f"{get_column_letter(index + 1)}{number}")
            return None
        return cell_value_text(value)


# Spreadsheet strings escape what XML cannot hold as _xHHHH_ (a carriage return is _x000D_),
# and a literal "_x0041_" as "_x005F_x0041_" (ECMA-376 ST_Xstring); Excel and LibreOffice
# decode them, openpyxl does not.
XSTRING_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _xstring_char(m: re.Match[str]) -> str:
    code = int(m.group(1), 16)
    # A lone surrogate is no character: keep the escape as it was written.
    return m.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)


def cell_value_text(value: object) -> str:
    """A workbook cell value as the text a person sees in it (2019.0 -> "2019", dates ISO)."""
    if isinstance(value, str):
        return XSTRING_ESCAPE_RE.sub(_xstring_char, value) if "_x" in value else value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _header_name(cell: str | None) -> str | None:
    return None if cell is None else cell.strip().lstrip("\ufeff").strip()


def _take_record(raw: RawTable, number: int, cells: list[str | None], max_rows: int) -> str | None:
    """One record of a CSV file or sheet: blank, the header, or a data row. The key of the
    row-limit problem when the limit is passed (blank rows get twice the room, so trailing
    empty rows are ignored but cannot make reading slow)."""
    if _blank(cells):
        if raw.header_row and number > raw.header_row + 2 * max_rows:
            return "ingest.too_many_rows_blank"
        return None
    if not raw.header_row:
        raw.header_row = number
        raw.header = [_header_name(c) for c in cells]
        return None
    if number > raw.header_row + max_rows:
        return "ingest.too_many_rows"
    raw.rows.append((number, cells))
    return None


def _blank(cells: list[str | None]) -> bool:
    return all(c is not None and not c.strip() for c in cells)


def _detail(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"


def _read_bounded(path: Path, limit: int, *, follow: bool = True) -> bytes | None:
    """At most limit bytes of a file (None if it holds more). follow=False: a symbolic link
    is refused by the kernel when opening (OSError), so a link swapped in is never read."""
    flags = os.O_RDONLY | (0 if follow else os.O_NOFOLLOW)
    with os.fdopen(os.open(path, flags), "rb") as fh:
        data = fh.read(limit + 1)
    return None if len(data) > limit else data


def _inside(entry: Path, root: Path | None) -> bool:
    """Whether a folder entry resolves to a path inside the folder (no link, no bind out)."""
    if root is None:
        return False
    try:
        return entry.resolve(strict=True).parent == root
    except OSError:
        return False


def _declared_entries(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record, read before zipfile parses it."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if pos < 0 or pos + 22 > len(data):
        return None
    return int.from_bytes(data[pos + 10:pos + 12], "little")


MACRO_PART_RE = re.compile(r"(?:^|/)(?:vbaProject|vbaProjectSignature|vbaData)\.(?:bin|xml)$",
                           re.IGNORECASE)


def _is_macro_part(name: str) -> bool:
    """A VBA project part (xl/vbaProject.bin and its kin): macros, which are never run here."""
    return bool(MACRO_PART_RE.search(name.replace("\\", "/")))


def _xml_refusal(content: bytes) -> str | None:
    """Why an xlsx part must not reach the XML parser (entity bombs, external entities)."""
    if content.startswith(WIDE_XML_STARTS):
        return "ingest.xlsx_encoding"
    m = XML_DECL_RE.match(content)
    if m and m.group(1).decode("ascii", "replace").lower() not in ASCII_XML_ENCODINGS:
        return "ingest.xlsx_encoding"
    if DOCTYPE_RE.search(content):
        return "ingest.xlsx_doctype"
    return None


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------


def parse_csv(data: bytes, name: str, source: str, limits: Limits,
              report: Report) -> RawTable | None:
    """Text cells of a CSV file (header_row 0 if it has no header); None if unreadable."""
    wide = _wide_encoding(data)
    if wide:
        report.add(Location(source, 1), f"ingest.{wide}")
        return None
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        row, line = _utf8_position(body, exc.start)
        report.add(Location(source, row), "ingest.not_utf8",
                   {"byte": f"0x{body[exc.start]:02X}", "line": line})
        return None
    delimiter = _delimiter(text)
    raw = RawTable(name, source, 0, [], [])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    old_limit = csv.field_size_limit(limits.max_cell_chars + 1)
    try:
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                _csv_error(text, delimiter, number, raw, limits, report, str(exc))
                return None
            number += 1
            key = _take_record(raw, number, list(record), limits.max_rows)
            if key:
                report.add(Location(source, number), key, {"limit": _n(limits.max_rows)})
                return None
    finally:
        csv.field_size_limit(old_limit)
    return raw


def _wide_encoding(data: bytes) -> str | None:
    """'utf32' or 'utf16' for text in those encodings (by BOM, or by the NUL bytes of ASCII
    text without one), else None. UTF-32 first: its little-endian BOM starts like UTF-16's."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf16"
    head = data[:4]
    if len(head) < 4:
        return None
    if head[0] and not any(head[1:]) or head[3] and not any(head[:3]):
        return "utf32"
    if head[0] and head[2] and not head[1] and not head[3] \
            or head[1] and head[3] and not head[0] and not head[2]:
        return "utf16"
    return None


def _delimiter(text: str) -> str:
    """`,` as the template says; `;` when the header line has only semicolons (French Excel)."""
    first = re.match(r"[^\r\n]*", text).group()  # type: ignore[union-attr]
    return ";" if "," not in first and ";" in first else ","


class _LineFeed:
    """Lines of a text for csv.reader, counting the characters handed out (error path only)."""

    def __init__(self, text: str):
        self._lines = io.StringIO(text, newline="")
        self.consumed = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.consumed += len(line)
        return line


def _record_start(text: str, delimiter: str, records: int) -> int:
    """Character offset where the record after the first `records` records starts."""
    feed = _LineFeed(text)
    reader = csv.reader(feed, delimiter=delimiter)
    old = csv.field_size_limit(max(len(text) + 1, 131_072))
    try:
        for _ in range(records):
            next(reader)
    finally:
        csv.field_size_limit(old)
    return feed.consumed


def _csv_error(text: str, delimiter: str, records: int, raw: RawTable, limits: Limits,
               report: Report, detail: str) -> None:
    """Report a CSV syntax error at the row (and column, when known) where it starts."""
    number = records + 1
    start = _record_start(text, delimiter, records)
    kind, field, pos = _scan_record(text, start, delimiter, limits.max_cell_chars)
    column = ""
    if raw.header_row and field is not None and field < len(raw.header):
        column = raw.header[field] or ""
    location = Location(raw.source, number, column)
    line = len(LINE_BREAK_RE.findall(text, 0, pos)) + 1
    if kind == "unterminated":
        report.add(location, "ingest.unterminated_quote", {"line": line})
    elif kind == "too_long":
        report.add(location, "ingest.cell_too_long",
                   {"length": f"> {_n(limits.max_cell_chars)}", "limit": _n(limits.max_cell_chars)})
    elif kind == "bad_quote":
        report.add(location, "ingest.bad_quote", {"line": line})
    else:
        report.add(location, "ingest.csv_error", {"detail": detail})


def _scan_record(text: str, start: int, delimiter: str,
                 limit: int) -> tuple[str | None, int | None, int]:
    """Walk one CSV record as the csv module reads it: (problem kind, field index, position)."""
    n, i, field = len(text), start, 0
    plain = re.compile(f"[{re.escape(delimiter)}\r\n]")
    while True:
        if i < n and text[i] == '"':
            j = i + 1
            while True:
                k = text.find('"', j)
                if k < 0:
                    return "unterminated", field, i
                if text.startswith('""', k):
                    j = k + 2
                    continue
                break
            if k - i - 1 > limit:
                return "too_long", field, i
            i = k + 1
            if i >= n or text[i] in "\r\n":
                return None, field, i
            if text[i] != delimiter:
                return "bad_quote", field, i
            field, i = field + 1, i + 1
            continue
        m = plain.search(text, i)
        end = m.start() if m else n
        if end - i > limit:
            return "too_long", field, i
        if m is None or text[end] in "\r\n":
            return None, None, i
        field, i = field + 1, end + 1


def _utf8_position(body: bytes, offset: int) -> tuple[int | None, int]:
    """(record number, physical line) of a byte offset; the record is None if unknowable."""
    prefix = body[:offset].decode("utf-8")
    line = len(LINE_BREAK_RE.findall(prefix)) + 1
    delimiter = _delimiter(prefix)
    old = csv.field_size_limit(max(len(prefix) + 2, 131_072))
    try:
        count = sum(1 for _ in csv.reader(io.StringIO(prefix, newline=""), delimiter=delimiter))
        # If a character appended to the prefix joins its last record, the bad byte is in it.
        joined = sum(1 for _ in csv.reader(io.StringIO(prefix + "x", newline=""),
                                           delimiter=delimiter))
    except csv.Error:
        return None, line
    finally:
        csv.field_size_limit(old)
    return (count if joined == count else count + 1), line
