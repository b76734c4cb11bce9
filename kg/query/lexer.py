"""Just enough SPARQL lexing to see a query's structure: strings, comments, IRIs, variables.

`skeleton(text)` returns the text with the same length and line breaks, where every
comment, string literal, IRI and variable is blanked out, so structural searches
(braces, keywords) cannot be fooled by text inside them. Used by the binder (where to
insert VALUES) and by the read-only guard.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# IRIREF of the SPARQL grammar: no space, no <>"{}|^`\ and no control character.
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
# VARNAME (approximately: \w covers PN_CHARS_U and digits), after '?' or '$'.
_VAR = re.compile(r"[?$]([\w\u00b7\u0300-\u036f\u203f\u2040]+)")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

OPEN = "{(["
CLOSE = "})]"


class Variable(NamedTuple):  # a tuple: scan() makes one per variable of every query checked
    name: str
    sigil: str  # "?" or "$"
    start: int


def decode_escapes(text: str) -> str:
    """Apply SPARQL's \\uXXXX / \\UXXXXXXXX escapes to the whole text, as the spec says to."""

    def one(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        try:
            return chr(code)
        except (ValueError, OverflowError):
            return "\ufffd"

    return _UNICODE_ESCAPE.sub(one, text)


def _string_end(text: str, start: int) -> int:
    """Index just past the string literal starting at start (or len(text) if unterminated)."""
    quote = text[start]
    long = text.startswith(quote * 3, start)
    i = start + (3 if long else 1)
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if long:
            if text.startswith(quote * 3, i):
                return i + 3
        elif ch == quote:
            return i + 1
        elif ch in "\n\r":  # a short string cannot span lines: the engine will refuse it
            return i
        i += 1
    return n


# Where scan() has something to look at: a comment, a string, an escape, an IRI, a variable.
_NEXT = re.compile(r"[#'\"\\<?$]")
_NOT_BREAK = re.compile(r"[^\n\r]")
_BREAK = re.compile(r"[\n\r]")


def scan(text: str) -> tuple[str, list[Variable]]:
    """(skeleton, variables): the blanked text and every variable with its position."""
    out: list[str] = []
    variables: list[Variable] = []
    i, n = 0, len(text)
    last = 0
    following = _NEXT.search

    def blank(start: int, end: int) -> None:
        out.append(text[last:start])
        # Keep line breaks so positions still map to lines (only a long string has some).
        part = text[start:end]
        out.append(_NOT_BREAK.sub(" ", part) if "\n" in part or "\r" in part
                   else " " * (end - start))

    while i < n:
        found = following(text, i)  # other characters are left as they are
        if found is None:
            break
        i = found.start()
        ch = text[i]
        if ch == "#":
            line_end = _BREAK.search(text, i)
            end = n if line_end is None else line_end.start()
            blank(i, end)
            i = last = end
        elif ch in "'\"":
            end = _string_end(text, i)
            blank(i, end)
            i = last = end
        elif ch == "\\":
            # Outside strings a backslash only escapes a character of a prefixed name's
            # local part (PN_LOCAL_ESC: ex:a\#b); the escaped '#' or quote is not syntax.
            i += 2
        elif ch == "<":
            m = _IRI.match(text, i)
            if m:
                blank(i, m.end())
                i = last = m.end()
            else:
                i += 1
        else:  # ? or $
            m = _VAR.match(text, i)
            if m:
                variables.append(Variable(m.group(1), ch, i))
                blank(i, m.end())
                i = last = m.end()
            else:
                i += 1
    out.append(text[last:])
    return "".join(out), variables


def skeleton(text: str) -> str:
    return scan(text)[0]


_BRACKET = re.compile(r"[{(\[\])}]")


def max_depth(skel: str) -> int:
    """Deepest nesting of { ( [ in a skeleton (strings and comments already blanked)."""
    depth = deepest = 0
    for m in _BRACKET.finditer(skel):
        if m.group() in OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


def where_brace(skel: str) -> int | None:
    """Index of the '{' opening the outermost WHERE group of a query, or None.

    That is the first '{' outside parentheses (a projection may hold EXISTS { } inside
    its parentheses, which comes before it), skipping a CONSTRUCT template.
    """
    parens = depth = 0
    template = False
    for i, ch in enumerate(skel):
        if ch == "(":
            parens += 1
        elif ch == ")":
            parens -= 1
        elif ch == "{" and parens == 0:
            if depth == 0 and not template and word_before(skel, i) == "CONSTRUCT":
                template = True
            elif depth == 0 and not template:
                return i
            depth += 1
        elif ch == "}" and parens == 0:
            depth -= 1
            if depth == 0:
                template = False
    return None


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of an index."""
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def subselect_wheres(skel: str) -> list[tuple[int, int]]:
    """(index of '{', index of its '}') of the WHERE group of every sub-SELECT.

    A sub-SELECT is a SELECT keyword inside braces; its WHERE group is the first '{' after
    it outside parentheses (its projection may hold EXISTS { } in parentheses).
    """
    matching: dict[int, int] = {}
    stack: list[int] = []
    for i, ch in enumerate(skel):
        if ch == "{":
            stack.append(i)
        elif ch == "}" and stack:
            matching[stack.pop()] = i
    out: list[tuple[int, int]] = []
    for m in _SELECT_RE.finditer(skel):
        if not any(o < m.start() < c for o, c in matching.items()):
            continue  # the query's own SELECT
        brace = where_brace(skel[m.end():])
        if brace is not None:
            start = m.end() + brace
            out.append((start, matching.get(start, len(skel))))
    return out


_SELECT_RE = re.compile(r"(?<![\w:])SELECT(?![\w:])", re.IGNORECASE)


def top_groups(skel: str) -> list[tuple[int, int]] | None:
    """(start, end) of every top-level { } group (outside parentheses); None if unbalanced."""
    spans: list[tuple[int, int]] = []
    braces = parens = 0
    start = 0
    for m in _BRACKET.finditer(skel):
        ch, i = m.group(), m.start()
        if ch == "(" and braces == 0:
            parens += 1
        elif ch == ")" and braces == 0:
            parens -= 1
        elif ch == "{":
            if braces == 0 and parens == 0:
                start = i
            braces += 1
        elif ch == "}":
            braces -= 1
            if braces < 0:
                return None
            if braces == 0 and parens == 0:
                spans.append((start, i + 1))
    return spans if braces == 0 else None


_WORD_BEFORE_RE = re.compile(r"([A-Za-z]+)[\s()]*$")


def word_before(skel: str, index: int) -> str:
    """The keyword just before a '{' (OPTIONAL, EXISTS, UNION, MINUS, WHERE, GRAPH, VALUES...),
    upper-cased; "" when a '{' or '}' comes first (a plain nested group, a first UNION branch)."""
    head = skel[max(0, index - 200):index].rstrip()
    if not head or head[-1] in "{}.;":
        return ""
    m = _WORD_BEFORE_RE.search(head)
    return m.group(1).upper() if m else ""


def enclosing_groups(skel: str, index: int) -> list[tuple[int, str]]:
    """(position of '{', keyword before it) of every group around index, outermost first."""
    stack: list[int] = []
    for i, ch in enumerate(skel[:index]):
        if ch == "{":
            stack.append(i)
        elif ch == "}" and stack:
            stack.pop()
    return [(o, word_before(skel, o)) for o in stack]
