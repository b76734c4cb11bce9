"""What the readers hand to the mapping: checked tables of typed cell values."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import Problem

# A checked cell value: text/id/code/ref/url/email/iso3/date -> str,
# list columns (codes:, refs:) -> list[str] (order kept, duplicates dropped),
# year -> int, bool -> bool. Empty cells are absent from Row.values.
Value = str | int | bool | list[str]


@dataclass
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1, the first record row 2
    values: dict[str, Value] = field(default_factory=dict)
    extras: dict[str, str] = field(default_factory=dict)  # unknown columns, kept as text


@dataclass
class Table:
    name: str  # template file stem: "actors", "data_sources", ...
    source: str  # how error lines name it: "actors.csv", "book.xlsx!actors", "x.zip!actors.csv"
    columns: list[str]
    rows: list[Row]


@dataclass(frozen=True)
class InputFile:
    name: str  # as shown in error lines and in the import record
    sha256: str
    size: int
    rows: int


@dataclass
class Questionnaire:
    origin: str  # the path the user gave
    tables: dict[str, Table]
    files: list[InputFile]
    warnings: list[Problem] = field(default_factory=list)

    @property
    def iso3(self) -> str:
        return str(self.tables["country"].rows[0].values["iso3"])

    def table(self, name: str) -> Table | None:
        return self.tables.get(name)
