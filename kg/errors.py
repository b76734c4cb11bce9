"""The project's errors, in one place.

A user error carries one or more Problems, each with a location
(file, row, column, or a parameter) and a message key; the CLI and web app
turn them into text in the user's language. Exit code 2 for every user error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg import i18n

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """Where a problem is: FILE:ROW:COLUMN, ROW 1 being the header row."""

    file: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{'' if self.row is None else self.row}:{self.column}"


@dataclass(frozen=True)
class Problem:
    location: Location
    key: str
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    severity: str = ERROR
    # A message already written in each language (e.g. a SHACL sh:message),
    # used instead of the catalogue key when present.
    texts: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def message(self, lang: str = "en") -> str:
        if self.texts:
            return self.texts.get(lang) or self.texts.get("en") or next(iter(self.texts.values()))
        return i18n.t(self.key, lang, **self.params)

    def line(self, lang: str = "en") -> str:
        prefix = f"{i18n.t('common.warning', lang)}: " if self.severity == WARNING else ""
        return f"{self.location}: {prefix}{self.message(lang)}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class MigkgError(Exception):
    """Base of every error the project raises on purpose."""

    exit_code = 1


class UserError(MigkgError):
    """Bad input, bad parameter or failed validation: exit code 2, never a traceback."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(p.line("en") for p in self.problems))

    def lines(self, lang: str = "en") -> list[str]:
        return [p.line(lang) for p in self.problems]


class InputError(UserError):
    """A questionnaire (or another input file) is malformed or invalid."""


class ValidationError(InputError):
    """SHACL found violations (or warnings, under --strict)."""


class ParameterError(UserError):
    """A query or command parameter is unknown, missing or of the wrong type."""


class QueryRefused(UserError):
    """An ad-hoc query was refused before reaching the engine (update, SERVICE, too deep...)."""


class NotFound(UserError):
    """A named thing (country, query, entity) does not exist."""


class DataFileError(MigkgError):
    """A project data file (ontology, vocabulary, shape, query) is broken: a bug, exit 1."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path, self.line = path, line
        super().__init__(f"{path}:{'' if line is None else line}: {message}")


class ConfigError(MigkgError):
    """Configuration (environment, options) is unusable."""

    exit_code = 2


class StoreError(MigkgError):
    """The store cannot be read or written (unreachable endpoint, disk full, locked, corrupt): exit 3."""

    exit_code = 3
