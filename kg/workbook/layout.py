"""The questionnaire template (kg/ingest/template.toml) as a workbook layout.

Sheets, columns, what each column takes and how it is explained, in English or
French: all derived from the template and the vocabularies, so a file or a
column added to the template appears in the workbook without a code change
(its explanation falls back to its type's text until kg/locale gives it a
meaning of its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from kg import i18n
from kg.ingest.checks import YEAR_MAX, YEAR_MIN, load_template, template_info
from kg.vocab import Vocabularies

INSTRUCTIONS, LISTS = "instructions", "lists"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # id, text, text@en, text@fr, code, codes, ref, refs, year, url, email, date, bool, iso3
    required: bool
    one_of: tuple[str, ...]  # the "at least one of" group the column belongs to, if any
    scheme: str | None  # code, codes: the vocabulary
    targets: tuple[str, ...]  # ref, refs: the files (sheets) whose ids it holds

    @property
    def is_list(self) -> bool:
        return self.kind in ("codes", "refs")

    @property
    def is_text(self) -> bool:
        """Cells kept verbatim as text (never numbers, dates or formulas in a spreadsheet)."""
        return self.kind not in ("year",)


@dataclass(frozen=True)
class Sheet:
    name: str  # template file stem = sheet name
    required: bool
    exactly_one_row: bool
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the columns identifying a row when there is no id column

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


@cache
def sheets() -> tuple[Sheet, ...]:
    """One sheet per template file, in template order, columns in template order."""
    out = []
    for spec in load_template().values():
        groups = {name: group for group in spec.one_of for name in group}
        columns = []
        for col in spec.columns.values():
            kind = col.kind
            scheme = col.arg if kind in ("code", "codes") else None
            targets = tuple(col.arg.split("|")) if kind in ("ref", "refs") else ()
            columns.append(Column(col.name, kind, col.required, tuple(groups.get(col.name, ())),
                                  scheme, targets))
        out.append(Sheet(spec.name, spec.required, spec.exactly_one_row, tuple(columns), spec.key))
    return tuple(out)


def with_notes(sheet: Sheet, names: list[str] | tuple[str, ...]) -> Sheet:
    """The sheet with extra columns after the template's: columns the template does not
    define, read from the graph's column notes (kind "note": text, kept as typed)."""
    if not names:
        return sheet
    extra = tuple(Column(name, "note", False, (), None, ()) for name in names)
    return Sheet(sheet.name, sheet.required, sheet.exactly_one_row, sheet.columns + extra,
                 sheet.key)


def version() -> str:
    return template_info().version


def t(key: str, lang: str, **params: object) -> str:
    return i18n.t(f"workbook.{key}", lang, **params)


def _known(key: str, lang: str) -> bool:
    return f"workbook.{key}" in i18n.catalogue(lang) or f"workbook.{key}" in i18n.catalogue("en")


def purpose(sheet: str, lang: str) -> str:
    """What a sheet holds (a generic line for a file kg/locale does not describe yet)."""
    key = f"purpose.{sheet}"
    return t(key, lang) if _known(key, lang) else t("purpose.other", lang, file=sheet)


def meaning(sheet: str, column: str, lang: str) -> str | None:
    key = f"column.{sheet}.{column}"
    return t(key, lang) if _known(key, lang) else None


def requirement(column: Column, lang: str) -> str:
    if column.required:
        return t("type.required", lang)
    if column.one_of:
        return t("type.one_of", lang, columns=", ".join(column.one_of))
    return t("type.optional", lang)


def _sheets_text(targets: tuple[str, ...], lang: str) -> str:
    if len(targets) == 2:
        return t("type.sheets_or", lang, first=targets[0], second=targets[1])
    return ", ".join(targets)


def type_text(column: Column, vocab: Vocabularies, lang: str) -> str:
    """What the column takes, in one or two sentences (codes listed separately)."""
    kind = column.kind
    if kind in ("code", "codes"):
        codes = vocab.codes(column.scheme or "")
        return t(f"type.{kind}", lang, example="; ".join(codes[:2]))
    if kind == "ref":
        return t("type.ref", lang, sheet=_sheets_text(column.targets, lang))
    if kind == "refs":
        return t("type.refs", lang, sheets=_sheets_text(column.targets, lang),
                 example="id-1; id-2")
    if kind == "year":
        return t("type.year", lang, min=YEAR_MIN, max=YEAR_MAX)
    return t(f"type.{kind.replace('@', '_')}", lang)


def code_lines(column: Column, vocab: Vocabularies, lang: str) -> list[str]:
    """'code: label' for every allowed code of a coded column, in the vocabulary's order."""
    if column.scheme is None:
        return []
    return [f"{c.code}: {c.labels.get(lang) or vocab.label(c.iri, lang)}"
            for c in vocab.concepts(column.scheme)]


def header_note(sheet: str, column: Column, vocab: Vocabularies, lang: str) -> str:
    """The comment on a header cell: meaning, whether required, what it takes, the codes."""
    lines = [f"{column.name}"]
    said = meaning(sheet, column.name, lang)
    if said:
        lines.append(said)
    lines.append(requirement(column, lang))
    lines.append(type_text(column, vocab, lang))
    lines += code_lines(column, vocab, lang)
    return "\n".join(lines)


def required_text(sheet: Sheet, lang: str) -> str:
    """The required columns of a sheet, for the instructions' table."""
    parts = [c.name for c in sheet.columns if c.required]
    seen: set[tuple[str, ...]] = set()
    for c in sheet.columns:
        if c.one_of and c.one_of not in seen:
            seen.add(c.one_of)
            parts.append(t("table.one_of", lang, columns=" / ".join(c.one_of)))
    return ", ".join(parts) or t("table.required_none", lang)


def coded_schemes() -> dict[str, list[str]]:
    """Every scheme a coded column uses -> the 'sheet.column' names using it, in template order."""
    used: dict[str, list[str]] = {}
    for sheet in sheets():
        for c in sheet.columns:
            if c.scheme:
                used.setdefault(c.scheme, []).append(f"{sheet.name}.{c.name}")
    return used
