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
    """Every message of lang, keyed '<file stem>.<key>'."""
    messages: dict[str, str] = {}
    for path in sorted((locale_dir() / lang).glob("*.toml")):
        messages.update(_area(lang, path.stem))
    return messages


@cache
def _area(lang: str, stem: str) -> dict[str, str]:
    """One file's messages: t() reads only the area it needs (start-up of a command)."""
    path = locale_dir() / lang / f"{stem}.toml"
    try:
        with path.open("rb") as fh:
            table = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    return {f"{stem}.{key}": value for key, value in _flatten(table)}


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
    stem = key.split(".", 1)[0]
    template = _area(lang, stem).get(key) or _area("en", stem).get(key)
    if template is None:
        # A missing key is a bug, but the user still deserves the facts.
        return key + (" " + repr(params) if params else "")
    return template.format(**params) if params else template


def plural(key: str, n: int, lang: str = "en", **params: object) -> str:
    """The message for a count: `key_one` for one (in French also for zero), else
    `key_other`, else key itself; {count} is the number as given in params, else n."""
    lang = lang if lang in LANGUAGES else "en"
    one = n == 1 or (lang == "fr" and n == 0)
    stem = key.split(".", 1)[0]
    area = _area(lang, stem)
    chosen = f"{key}_{'one' if one else 'other'}"
    if chosen not in area and chosen not in _area("en", stem):
        chosen = key
    return t(chosen, lang, **{"count": n, **params})
