"""A realistic country with every template file and every column filled, written from the template.

The tables are generated from kg/ingest/template.toml and the vocabularies, column
type by column type, so a file or column added to the template is filled (and
round-tripped by the tests) without touching this module. Text cells cycle
through hostile values: formula starts, markup, line breaks of every kind,
spreadsheet escapes, bidi marks, emoji, surrounding spaces, number- and
date-like text.
"""

from __future__ import annotations

from pathlib import Path

from kg.ingest.checks import load_template
from kg.vocab import load_vocabularies
from tests.factories.questionnaires import write_csv

ISO3 = "XWB"
SIZES = {"country": 1, "actors": 50, "data_sources": 40, "relations": 60, "challenges": 30,
         "recommendations": 25, "practices": 12}
DEFAULT_ROWS = 10  # any other file (process, references, context...)

HOSTILE = [
    "=1+1",
    "+999 20 410 1100",
    "-5 and a dash",
    "@SUM(A1:A9)",
    "=HYPERLINK(\"http://evil.example/\",\"click\")",
    "<script>alert('x')</script> & <b>bold</b>",
    "x\"><img src=x onerror=alert(1)> href",
    "tab\there",
    "two\nlines",
    "windows\r\nline break",
    "old mac\rline break",
    "  spaces around  ",
    "_x000D_ is not a carriage return",
    "_x005F_x0041_ and _x0041_ stay literal",
    "\u202eright-to-left override\u202c and \u200fRLM",
    "emoji 🌍 and 🏳️‍🌈 and 𝔘nicode",
    "quote \" and ; semicolon, comma",
    "'apostrophe first",
    "\u00a0no-break space first",
    "0042",
    "2021-05-04",
    "TRUE",
    "1e5",
    "noncharacter \ufffe here",
    "Ministère de l'Intérieur — Direction générale",
]

DATES = ["2019", "2020-05", "2021-11-30"]


def _prefix(file: str) -> str:
    # Ids of different files never coincide (an `affects` id must be an actor or a source).
    return {"actors": "actor", "data_sources": "src"}.get(file, file.rstrip("s")[:12])


def full_country_tables(iso3: str = ISO3, long_text: str | None = None
                        ) -> dict[str, list[dict[str, str]]]:
    """file -> rows (column -> cell text) of a valid country using every column."""
    template = load_template()
    vocab = load_vocabularies()
    counts = {name: SIZES.get(name, DEFAULT_ROWS) for name in template}
    ids = {name: [f"{_prefix(name)}-{i}" for i in range(counts[name])] for name in template
           if "id" in template[name].columns}
    texts = iter(range(10**6))
    tables: dict[str, list[dict[str, str]]] = {}
    for name, spec in template.items():
        rows = []
        for i in range(counts[name]):
            row: dict[str, str] = {}
            for col in spec.columns.values():
                value = _value(name, col.name, col.kind, col.arg, i, iso3, ids, vocab, texts)
                if value:
                    row[col.name] = value
            rows.append(row)
        if spec.key:
            rows = _unique_keys(rows, spec.key, ids["actors"])
        tables[name] = rows
    if long_text is not None:
        tables["actors"][1]["role"] = long_text
    return tables


def _value(file: str, column: str, kind: str, arg: str, i: int, iso3: str,
           ids: dict[str, list[str]], vocab, texts) -> str:
    if i % 7 == 3 and kind not in ("id", "iso3") and column not in _required(file):
        return ""  # some cells left empty (unknown)
    if kind == "id":
        return ids[file][i]
    if kind.startswith("text"):
        n = next(texts)
        return HOSTILE[n % len(HOSTILE)] if n % 3 else f"{column} {i} of {iso3}"
    if kind in ("code", "codes"):
        codes = vocab.codes(arg)
        if column == "contact_visibility":
            return "restricted" if i % 4 == 1 else "public"
        first = codes[i % len(codes)]
        return first if kind == "code" else f"{first}; {codes[(i + 3) % len(codes)]}"
    if kind in ("ref", "refs"):
        targets = [t for t in arg.split("|") if ids.get(t)]
        if file == "actors" and column == "parent":
            # Directorates under one of the first five actors: no cycle.
            return ids["actors"][i % 5] if i >= 5 else ""
        pool = [x for t in targets for x in ids[t]]
        picked = pool[(i * 7) % len(pool)]
        if kind == "ref":
            return picked
        second = pool[(i * 7 + 5) % len(pool)]
        return picked if second == picked else f"{picked}; {second}"
    if kind == "year":
        return str(1990 + i % 35)
    if kind == "url":
        return f"https://www.{file.replace('_', '-')}.{iso3.lower()}.example/{i}?q=a&b=c#part"
    if kind == "email":
        return f"unit{i}@{file.replace('_', '-')}.{iso3.lower()}.example"
    if kind == "date":
        return DATES[i % len(DATES)]
    if kind == "bool":
        return "yes" if i % 2 else "no"
    if kind == "iso3":
        return iso3
    raise AssertionError(f"no generator for column type {kind} ({file}.{column})")


def _required(file: str) -> set[str]:
    spec = load_template()[file]
    required = {c.name for c in spec.columns.values() if c.required}
    return required | {group[0] for group in spec.one_of}


def _unique_keys(rows: list[dict[str, str]], key: tuple[str, ...],
                 actors: list[str]) -> list[dict[str, str]]:
    """Rows whose key columns (relations: subject, relation, object) are all different."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for i, row in enumerate(rows):
        row["subject"], row["object"] = actors[i % len(actors)], actors[(i * 3 + 1) % len(actors)]
        if row["subject"] == row["object"]:
            row["object"] = actors[(i + 1) % len(actors)]
        k = tuple(row.get(c, "") for c in key)
        if k not in seen:
            seen.add(k)
            out.append(row)
    return out


def write_full_country(folder: Path, iso3: str = ISO3, long_text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in full_country_tables(iso3, long_text).items():
        write_csv(folder, name, rows)
    return folder
