"""The project's errors, in one place.

A user error carries one or more Problems, each with a location
(file, row, column, or a parameter) and a message key; the CLI and web app
turn them into text in the user's language, when shown (a Problem holds a key and
its parameters, not English text). Exit code 2 for every user error, 3 when the store is
unreachable or failing; each error also carries the HTTP status the web shells answer with
(`error_body` builds their JSON body).
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

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """Plain data for JSON answers: {file, row, column, key, message} (message in lang)."""
        return {"file": self.location.file, "row": self.location.row,
                "column": self.location.column, "key": self.key,
                "message": self.message(lang)}


class MigkgError(Exception):
    """Base of every error the project raises on purpose."""

    exit_code = 1
    http_status = 500

    def message(self, lang: str = "en") -> str:
        """The error's text in lang (the text it was raised with, unless it has a key)."""
        return str(self)


class UserError(MigkgError):
    """Bad input, bad parameter or failed validation: exit code 2, never a traceback."""

    exit_code = 2
    http_status = 400

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(p.line("en") for p in self.problems))

    def lines(self, lang: str = "en") -> list[str]:
        return [p.line(lang) for p in self.problems]

    def to_dicts(self, lang: str = "en") -> list[dict[str, Any]]:
        return [p.to_dict(lang) for p in self.problems]


class InputError(UserError):
    """A questionnaire (or another input file) is malformed or invalid."""


class ValidationError(InputError):
    """SHACL found violations (or warnings, under --strict)."""

    http_status = 422


class TooLarge(InputError):
    """An upload, a file or a request goes past a configured size limit."""

    http_status = 413


class ParameterError(UserError):
    """A query or command parameter is unknown, missing or of the wrong type."""


class QueryRefused(UserError):
    """An ad-hoc query was refused before reaching the engine (update, SERVICE, too deep...)."""


class NotAcceptable(UserError):
    """No format the client accepts can carry the answer (HTTP 406)."""

    http_status = 406


class NotFound(UserError):
    """A named thing (country, query, entity) does not exist."""

    http_status = 404


class QueryTimeout(UserError):
    """A query ran past the configured wall-clock limit and was stopped (exit 2, HTTP 504)."""

    http_status = 504


class DataFileError(MigkgError):
    """A project data file (ontology, vocabulary, shape, query) is broken: a bug, exit 1."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path, self.line = path, line
        super().__init__(f"{path}:{'' if line is None else line}: {message}")


class ConfigError(MigkgError):
    """Configuration (environment, options) is unusable."""

    exit_code = 2


class StoreError(MigkgError):
    """The store cannot be read or written (unreachable endpoint, disk full, locked, corrupt).

    An operational error, not the user's: exit code 3, HTTP 503.
    """

    exit_code = 3
    http_status = 503

    def __init__(self, text: str = "", *, key: str = "", lang: str = "en", **params: object):
        """StoreError(text), or StoreError(key=..., **params): a message key translated when
        shown (message(lang)); str() is the text in `lang`, the store's language."""
        self.key, self.params = key, params
        super().__init__(i18n.t(key, lang, **params) if key else text)

    def message(self, lang: str = "en") -> str:
        return i18n.t(self.key, lang, **self.params) if self.key else str(self)


def error_body(exc: MigkgError, lang: str = "en") -> dict[str, Any]:
    """The JSON body of an error answer: {"ok": false, "status": N, "errors": [...]}.

    A user error lists its problems ({file, row, column, key, message}); any other project
    error is one entry whose message is the error's own (one line, never a traceback).
    """
    if isinstance(exc, UserError):
        errors = exc.to_dicts(lang)
    else:
        key = next((k for cls, k in ((StoreError, "store"), (ConfigError, "config"),
                                     (DataFileError, "data_file")) if isinstance(exc, cls)),
                   "error")
        errors = [{"file": "", "row": None, "column": "", "key": getattr(exc, "key", "") or key,
                   "message": exc.message(lang)}]
    return {"ok": False, "status": exc.http_status, "errors": errors}
