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


def plural_key(key: str, n: int, lang: str = "en") -> str:
    """The form of key for the count n: key.zero (where the language has one) for 0,
    key.one for 1, else key.other; key itself when it has no forms."""
    lang = lang if lang in LANGUAGES else "en"
    stem = key.split(".", 1)[0]
    own = _area(lang, stem)
    known = own.keys() | _area("en", stem).keys()
    # A zero form is the language's own (French says "0 erreur", English "0 errors").
    if n == 0 and f"{key}.zero" in own:
        return f"{key}.zero"
    form = f"{key}.one" if n == 1 else f"{key}.other"
    return form if form in known else key


def plural(key: str, n: int, lang: str = "en", **params: object) -> str:
    """The message for a count (plural_key); {count} is the number as given in params,
    else n."""
    return t(plural_key(key, n, lang), lang, **{"count": n, **params})
