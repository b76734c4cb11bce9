"""Parameter types of named queries: check a user's string, turn it into one RDF term.

Every check happens before any query text is built; a bad value is a ParameterError
located as `QUERY::PARAMETER` (Location(file=query, column=parameter)) saying what is
accepted. Values never reach query text as strings: they become pyoxigraph terms,
serialised by pyoxigraph into a VALUES block (kg.query.catalogue.bind_text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import Location, ParameterError, Problem
from kg.i18n import LANGUAGES
from kg.namespaces import ISO3

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER = ox.NamedNode(XSD + "integer")
XSD_BOOLEAN = ox.NamedNode(XSD + "boolean")

BASE_TYPES = ("iso3", "id", "iri", "code", "int", "year", "text", "name", "bool", "lang")
INT_RANGE = (-1_000_000_000, 1_000_000_000)
YEAR_RANGE = (1900, 2100)
TEXT_MAX = 200
IRI_MAX = 2000
SHOWN_CHARS = 40  # how much of a bad value an error message quotes

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
INT_RE = re.compile(r"[+-]?[0-9]{1,12}")
IRI_RE = re.compile(r"https?://[^\s<>\"{}|\\^`\x00-\x20\x7f]+", re.IGNORECASE)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPEC_RE = re.compile(
    r"(?P<base>[a-z0-9]+)(?::(?P<scheme>[a-z0-9-]+))?"
    r"(?:\((?:(?P<min>-?\d+)\.\.(?P<max>-?\d+)|(?P<len>\d+))\))?"
)
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")


class SpecError(ValueError):
    """A parameter declaration in a query file is malformed (a bug in the query file)."""


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: `# param NAME: TYPE [= DEFAULT | , optional]`."""

    name: str
    type: str  # as declared: iso3, id, iri, code:<scheme>, int, int(0..9), year, text(50),
    #            name(500) (text bound in its searchable form, kg.names.key)...
    required: bool
    default: str | None
    description: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def base(self) -> str:
        return _parse_type(self.type)[0]

    @property
    def scheme(self) -> str | None:
        return _parse_type(self.type)[1]

    @property
    def range(self) -> tuple[int, int] | None:
        base, _, low, high, _ = _parse_type(self.type)
        if base == "int":
            return (low if low is not None else INT_RANGE[0], high if high is not None else INT_RANGE[1])
        if base == "year":
            return YEAR_RANGE
        return None

    @property
    def max_length(self) -> int | None:
        base, _, _, _, length = _parse_type(self.type)
        if base in ("text", "name"):
            return length or TEXT_MAX
        if base == "iri":
            return IRI_MAX
        return None

    def allowed(self) -> list[str] | None:
        """The closed list of accepted values, when there is one (codes, languages)."""
        base, scheme, *_ = _parse_type(self.type)
        if base == "lang":
            return list(LANGUAGES)
        if base == "code" and scheme:
            return _vocab().codes(scheme)
        if base == "bool":
            return ["true", "false"]
        return None


_TYPE_CACHE: dict[str, tuple[str, str | None, int | None, int | None, int | None]] = {}


def _parse_type(spec: str) -> tuple[str, str | None, int | None, int | None, int | None]:
    """(base, scheme, min, max, max_length) of a declared type; SpecError if malformed."""
    cached = _TYPE_CACHE.get(spec)
    if cached:
        return cached
    m = _SPEC_RE.fullmatch(spec)
    if not m or m["base"] not in BASE_TYPES:
        raise SpecError(f"unknown parameter type {spec!r}; types: {', '.join(BASE_TYPES)}"
                        " (code as code:<scheme>)")
    base, scheme = m["base"], m["scheme"]
    if (base == "code") != (scheme is not None):
        raise SpecError(f"type {spec!r}: a scheme goes with code only, as code:<scheme>")
    if base == "code" and scheme not in _vocab().schemes():
        raise SpecError(f"type {spec!r}: no vocabulary {scheme!r}; schemes: "
                        + ", ".join(_vocab().schemes()))
    low = int(m["min"]) if m["min"] is not None else None
    high = int(m["max"]) if m["max"] is not None else None
    length = int(m["len"]) if m["len"] is not None else None
    if (low is not None) and base != "int":
        raise SpecError(f"type {spec!r}: a range (MIN..MAX) goes with int only")
    if low is not None and high is not None and low > high:
        raise SpecError(f"type {spec!r}: empty range")
    if length is not None and base not in ("text", "name"):
        raise SpecError(f"type {spec!r}: a length (MAX) goes with text and name only")
    result = (base, scheme, low, high, length)
    _TYPE_CACHE[spec] = result
    return result


def check_type(spec: str) -> None:
    """Raise SpecError if a declared type is malformed."""
    _parse_type(spec)


def _vocab():
    from kg.vocab import load_vocabularies

    return load_vocabularies()


def shown(value: str) -> str:
    """A value as quoted in an error line: one line, at most SHOWN_CHARS characters."""
    text = value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…"
    return '"' + _UNPRINTABLE_RE.sub(lambda m: repr(m.group())[1:-1], text) + '"'


_UNPRINTABLE_RE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def to_term(query: str, param: Parameter, value: str) -> ox.NamedNode | ox.Literal:
    """The RDF term for a user's value, or ParameterError saying what the type accepts."""
    base, scheme, *_ = _parse_type(param.type)

    def fail(key: str, **extra: object) -> ParameterError:
        return ParameterError(Problem(Location(file=query, column=param.name), f"query.param.{key}",
                                      {"value": shown(value), "name": param.name, **extra}))

    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a Python caller's year or count: same checks as typed text
    if not isinstance(value, str):
        value = repr(value)
        raise fail("not_text")
    if base in ("text", "name"):
        limit = param.max_length or TEXT_MAX
        if len(value) > limit:
            raise fail("too_long", length=len(value), max=limit)
        bad = CONTROL_RE.search(value)
        if bad:
            raise fail("control", code=f"U+{ord(bad.group()):04X}", position=bad.start() + 1)
        if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise fail("surrogate")
        if base == "name":
            # Matched against the names' keys precomputed at import (kg.figures): the same
            # normal form, so case, accents and punctuation do not count.
            from kg.names import key

            searchable = key(value)
            if not searchable:
                raise fail("no_letters")
            return ox.Literal(searchable)
        return ox.Literal(value)
    stripped = value.strip()
    if base == "iso3":
        if not ISO3.valid(stripped):
            raise fail("bad_iso3")
        return ox.Literal(stripped.upper())
    if base == "lang":
        if stripped.lower() not in LANGUAGES:
            raise fail("bad_choice", allowed=", ".join(LANGUAGES))
        return ox.Literal(stripped.lower())
    if base == "code":
        assert scheme is not None
        vocab = _vocab()
        if not vocab.has_code(scheme, stripped):
            raise fail("bad_code", scheme=scheme, allowed=", ".join(vocab.codes(scheme)))
        return ox.NamedNode(vocab.concept(scheme, stripped))
    if base in ("int", "year"):
        low, high = param.range or INT_RANGE
        if not INT_RE.fullmatch(stripped) or not low <= int(stripped) <= high:
            raise fail("bad_year" if base == "year" else "bad_int", min=low, max=high)
        return ox.Literal(str(int(stripped)), datatype=XSD_INTEGER)
    if base == "bool":
        low_value = stripped.lower()
        if low_value not in _TRUE + _FALSE:
            raise fail("bad_choice", allowed="true, false")
        return ox.Literal("true" if low_value in _TRUE else "false", datatype=XSD_BOOLEAN)
    if base == "id":
        if not ID_RE.fullmatch(stripped):
            raise fail("bad_id")
        return ox.Literal(stripped)
    if base == "iri":
        if len(stripped) > IRI_MAX:
            raise fail("too_long", length=len(stripped), max=IRI_MAX)
        if not IRI_RE.fullmatch(stripped):
            raise fail("bad_iri")
        try:
            return ox.NamedNode(stripped)
        except ValueError:
            raise fail("bad_iri") from None
    raise AssertionError(base)  # pragma: no cover - _parse_type admits only BASE_TYPES


def example(param: Parameter) -> str:
    """A valid value of the parameter's type (used by the lint to bind required parameters)."""
    if param.default is not None:
        return param.default
    base, scheme, *_ = _parse_type(param.type)
    if base == "code":
        assert scheme is not None
        return _vocab().codes(scheme)[0]
    low, high = param.range or (0, 0)
    return {
        "iso3": "XAA", "id": "x", "iri": "https://example.org/x", "text": "x", "name": "x",
        "bool": "true", "lang": "en", "year": "2024", "int": str(max(low, min(0, high))),
    }[base]
