"""The SHACL fixtures of tests/shapes/: each <concern>/ok-*.ttl or bad-*.ttl is read as
prefixes.ttl + base.ttl + the fixture, one Turtle document (format: tests/shapes/test_shapes.py)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parents[1] / "shapes"
CONCERNS = (
    "country",
    "actors",
    "data-sources",
    "relations",
    "challenges",
    "recommendations",
    "practices",
    "process",
    "references",
    "context",
    "column-notes",
)
PREFIX_TEXT = (HERE / "prefixes.ttl").read_text(encoding="utf-8")
BASE_TEXT = (HERE / "base.ttl").read_text(encoding="utf-8")
FIXTURES = sorted(p for c in CONCERNS for p in (HERE / c).glob("*.ttl"))


def fixture_triples(path: Path | None = None) -> list[ox.Triple]:
    """base.ttl alone (path None), or base.ttl with one fixture, as triples."""
    text = PREFIX_TEXT + BASE_TEXT + ("" if path is None else path.read_text(encoding="utf-8"))
    return list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))
