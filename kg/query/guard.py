"""The read-only guard for ad-hoc SPARQL (`migkg sparql`, and the public endpoint later).

Checks, in this order, each before anything reaches an engine:
1. length (limits.query_max_chars);
2. nesting of { ( [ (limits.query_max_nesting): ~2,500 levels crash pyoxigraph's parser
   and abort `oxigraph serve`;
3. SERVICE anywhere (both engines fetch SERVICE URLs and it cannot be switched off),
   FROM / FROM NAMED (some engines load those graphs), updates and LOAD;
4. the query parses (pyoxigraph, on an empty store: parsed, never evaluated).

The text is looked at twice, as written and with SPARQL's \\u escapes decoded (rdflib
decodes `\\u0053ERVICE` before parsing), each time as a skeleton where comments,
strings, IRIs and variables are blanked out (kg.query.lexer). SERVICE is refused
wherever it appears in that skeleton, even glued to a name (`SERVICEex:x` parses
as SERVICE in pyoxigraph); a prefixed name containing "service" is refused too:
write that IRI in full.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyoxigraph as ox

from kg.config import Limits
from kg.errors import Location, Problem, QueryRefused
from kg.query import lexer

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_SERVICE_RE = re.compile(r"SERVICE", re.IGNORECASE)
# FROM as a keyword: not the tail of a name (prov:wasDerivedFrom is fine), but anything
# may follow it (FROM<g>, FROMex:g).
_FROM_RE = re.compile(r"(?<![\w:.\-\u00b7])FROM", re.IGNORECASE)
_WORD_RE = re.compile(r"[A-Za-z]+")
_PROLOGUE_RE = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*)", re.IGNORECASE)


def _refuse(key: str, where: str, line: int | None = None, column: str = "", **params: object
            ) -> QueryRefused:
    return QueryRefused(Problem(Location(file=where, row=line, column=column), f"query.guard.{key}",
                                params))


def first_keyword(skel: str) -> str:
    """The first keyword after the prologue (PREFIX/BASE declarations), upper-cased."""
    i = 0
    while True:
        m = _PROLOGUE_RE.match(skel, i)
        if not m or m.end() == i:
            break
        i = m.end()
    word = _WORD_RE.search(skel, i)
    return word.group().upper() if word else ""


def check_readonly(text: str, limits: Limits | None = None, where: str = "-") -> str:
    """Refuse anything but one read-only query; return its form (SELECT, ASK, CONSTRUCT, DESCRIBE).

    `where` names the query in error lines (a file name, or "-" for stdin).
    Raises QueryRefused (exit 2) with one line saying why and where.

    Accepted texts up to CACHED_CHARS long are remembered (the last ACCEPTED_CACHE, at most
    ~16 MB): the endpoint checks a query before choosing the answer's format and again when
    it runs, and popular queries come back; the check of a few-KB text costs milliseconds of
    pure Python. Refusals are not remembered (each is checked again, and says where).
    """
    limits = limits or Limits()
    if len(text) <= CACHED_CHARS:
        return _remembered(text, limits, where)
    return _accepted(text, limits, where)


ACCEPTED_CACHE = 1024
CACHED_CHARS = 16_000


def _accepted(text: str, limits: Limits, where: str) -> str:
    if len(text) > limits.query_max_chars:
        raise _refuse("too_long", where, length=len(text), max=limits.query_max_chars)
    views = [text]
    decoded = lexer.decode_escapes(text)
    if decoded != text:
        views.append(decoded)
    form = ""
    for view in views:
        skel = lexer.skeleton(view)
        depth = lexer.max_depth(skel)
        if depth > limits.query_max_nesting:
            raise _refuse("too_deep", where, depth=depth, max=limits.query_max_nesting)
        found = _SERVICE_RE.search(skel)
        if found:
            line, col = lexer.line_col(view, found.start())
            raise _refuse("service", where, line, str(col))
        found = _FROM_RE.search(skel)
        if found:
            line, col = lexer.line_col(view, found.start())
            raise _refuse("from", where, line, str(col))
        keyword = first_keyword(skel)
        if keyword == "LOAD":
            raise _refuse("load", where)
        if keyword in UPDATE_WORDS:
            raise _refuse("update", where, keyword=keyword)
        if view is text:
            form = keyword
    if form not in FORMS:
        _parse(text, where, form)  # a syntax error says more than "not a query"
        raise _refuse("not_query", where, keyword=form or "?")
    _parse(text, where, form)
    return form


_remembered = lru_cache(maxsize=ACCEPTED_CACHE)(_accepted)


def _parse(text: str, where: str, form: str) -> None:
    """Parse with pyoxigraph, without the cost of running the query.

    pyoxigraph has no parse-only call and evaluates eagerly (an ORDER BY over a cross
    product of inline VALUES ran 100 s on an empty store), so the copy it parses has its
    WHERE group wrapped as `{ FILTER(false) { ... } }`: the same grammar (a group holds any
    group), and the optimiser turns the whole pattern into nothing. Syntax error positions
    are mapped back to the text as written.
    """
    skel = lexer.skeleton(text)
    spans = lexer.top_groups(skel)
    if spans is None:
        raise _refuse("unbalanced", where)
    target = _where_group(skel, spans, form)
    parsed, inserts = text, []
    if target is not None:
        start, end = target  # '{' at start, '}' at end - 1
        head, tail = "FILTER(false){", "}"
        parsed = text[:start + 1] + head + text[start + 1:end - 1] + tail + text[end - 1:]
        inserts = [(start + 1, len(head)), (end - 1, len(tail))]
    try:
        ox.Store().query(parsed)
    except SyntaxError as exc:
        line, col, detail = _position(exc)
        if line is not None and col is not None:
            line, col = _map_back(parsed, text, inserts, line, col)
        raise _refuse("syntax", where, line, "" if col is None else str(col), detail=detail) from None
    except (ValueError, OSError, RuntimeError) as exc:
        raise _refuse("syntax", where, detail=str(exc)) from None


def _where_group(skel: str, spans: list[tuple[int, int]], form: str) -> tuple[int, int] | None:
    """The top-level group that is the WHERE clause (not a CONSTRUCT template, not VALUES data)."""
    candidates = [s for s in spans if lexer.word_before(skel, s[0]) != "VALUES"]
    if not candidates:
        return None
    if form == "CONSTRUCT":
        if lexer.word_before(skel, candidates[0][0]) == "WHERE":
            return None  # CONSTRUCT WHERE { triples }: only triples allowed, nothing to run
        return candidates[1] if len(candidates) > 1 else None
    return candidates[0]


_POSITION_RE = re.compile(r"^\s*error at (\d+):(\d+):\s*", re.IGNORECASE)


def _position(exc: SyntaxError) -> tuple[int | None, int | None, str]:
    message = str(exc)
    if isinstance(exc.lineno, int):
        return exc.lineno, exc.offset if isinstance(exc.offset, int) else None, exc.msg or message
    m = _POSITION_RE.match(message)
    if m:
        return int(m.group(1)), int(m.group(2)), message[m.end():]
    return None, None, message


def _index(text: str, line: int, col: int) -> int:
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    return min(start + col - 1, len(text))


def _map_back(parsed: str, text: str, inserts: list[tuple[int, int]], line: int, col: int
              ) -> tuple[int, int]:
    """(line, col) in the parsed copy -> (line, col) in the text as written."""
    index = _index(parsed, line, col)
    shift = 0
    for at, length in inserts:
        if index >= at + shift + length:
            shift += length
        elif index >= at + shift:
            index = at + shift  # inside an insertion: point at where it was inserted
    return lexer.line_col(text, max(0, index - shift))
