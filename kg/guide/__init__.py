"""Country guides on the use of migration data, made from the graph through named queries.

    sections  query rows -> Guide (plain dataclasses; every list sorted)
    build     runs the named queries of queries/guide/ and the network findings
    document  Guide -> Document: the layout shared by every format, texts translated
    render    Document -> HTML, Markdown, DOCX or PDF bytes (each format escapes its own way)
    diff      what changed between two versions of a country's data

Public API: build_guide(store, iso3, lang, include_restricted=False) -> Guide and
render(guide, fmt) -> bytes.
"""

from __future__ import annotations

from kg.guide.render import FORMATS, render
from kg.guide.sections import Guide

__all__ = ["FORMATS", "Guide", "build_guide", "render"]


def build_guide(store, iso3: str, lang: str = "en", include_restricted: bool = False, *,
                network: bool = True, png: bool = True) -> Guide:
    """The country's guide in lang (en, fr), from the store through named queries only.

    network=False leaves out the network figure and findings; png=False skips the PNG
    figure, which only the DOCX format uses.
    """
    from kg.guide.build import build_guide as _build

    return _build(store, iso3, lang, include_restricted=include_restricted, network=network,
                  png=png)
