"""User-facing text in English and French, from the TOML catalogues in kg/locale/<lang>/.

Each file holds one area (common, ingest, query...); keys are '<file stem>.<key>'.
"""

from __future__ import annotations

import tomllib
from functools import cache

from kg.resources import locale_dir

# The languages of the project, in one place (click choices, query parameters, guides...).
LANGUAGES = ("en", "fr")


@cache
def catalogue(lang: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    folder = locale_dir() / lang
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as fh:
            table = tomllib.load(fh)
        for key, value in _flatten(table):
            messages[f"{path.stem}.{key}"] = value
    return messages


def _flatten(table: dict, prefix: str = ""):
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, full + ".")
        else:
            yield full, str(value)


def check_lang(value: str, where: str = "--lang") -> str:
    """value if it is one of LANGUAGES, else a ParameterError located at `where`."""
    if value not in LANGUAGES:
        from kg.errors import Location, ParameterError, Problem

        raise ParameterError(Problem(Location(where), "common.bad_lang",
                                     {"value": value, "allowed": ", ".join(LANGUAGES)}))
    return value


def t(key: str, lang: str = "en", **params: object) -> str:
    """The message for key in lang (English as fallback), formatted with params."""
    lang = lang if lang in LANGUAGES else "en"
    template = catalogue(lang).get(key) or catalogue("en").get(key)
    if template is None:
        # A missing key is a bug, but the user still deserves the facts.
        return key + (" " + repr(params) if params else "")
    return template.format(**params) if params else template
