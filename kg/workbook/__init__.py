"""Questionnaire workbooks: the blank template, and a country's answers written back from the graph.

`template(lang)` is the questionnaire template as an .xlsx a working group fills
in; `questionnaire(store, iso3, ...)` is the same layout pre-filled with what
the graph holds for one country (from the store, never from the files that were
imported), as .xlsx or as CSV files in a zip. Importing that file again changes
no data triple. Restricted contact details are written only when the operator
asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import WARNING, Location, NotFound, Problem
from kg.export import public_quads, restricted_nodes
from kg.namespaces import MKG, PROV, RDF, SKOS, DataIRIs
from kg.store.base import Store
from kg.vocab import load_vocabularies
from kg.workbook.csvfiles import csv_files, zip_files
from kg.workbook.rows import missing_paths, read_tables
from kg.workbook.xlsx import EXCEL_CELL_LIMIT, Info, write_workbook

FORMATS = ("xlsx", "csv")

__all__ = ["EXCEL_CELL_LIMIT", "FORMATS", "QuestionnaireFile", "missing_paths", "questionnaire",
           "template"]


@dataclass
class QuestionnaireFile:
    """A written questionnaire: the bytes (an .xlsx, or a zip of CSV files) and what to tell."""

    data: bytes
    fmt: str
    rows: int = 0
    warnings: list[Problem] = field(default_factory=list)
    # csv: file name -> bytes, for writing a folder instead of the zip
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def suffix(self) -> str:
        return ".xlsx" if self.fmt == "xlsx" else ".zip"


def template(lang: str = "en") -> bytes:
    """The blank questionnaire workbook, instructions and notes in lang."""
    data, _ = write_workbook({}, Info(), lang, load_vocabularies())
    return data


def questionnaire(store: Store, iso3: str, *, base: str, lang: str = "en", fmt: str = "xlsx",
                  include_restricted: bool = False) -> QuestionnaireFile:
    """One country's current answers, from its graph, in the template's layout."""
    iris = DataIRIs(base)
    everything = store.graph_triples(iris.graph(iso3))
    if not everything:
        raise NotFound(Problem(Location("ISO3"), "workbook.cli.unknown_country", {"iso3": iso3}))
    hidden = len(restricted_nodes(everything))
    triples = everything if include_restricted else public_quads(everything)
    vocab = load_vocabularies()
    tables = read_tables(triples, iso3, iris, vocab)
    rows = sum(len(r) for r in tables.rows.values())
    warnings: list[Problem] = []
    if hidden and not include_restricted:
        warnings.append(Problem(Location(iso3), "workbook.cli.restricted_left_out",
                                {"count": hidden}, WARNING))
    warnings += tables.problems
    if fmt == "csv":
        files = csv_files(tables.rows, tables.notes)
        return QuestionnaireFile(zip_files(iso3, files), fmt, rows, warnings, files)
    info = _info(triples, iso3, iris, lang, tables.rows)
    info.restricted_left_out = 0 if include_restricted else hidden
    info.restricted_included = include_restricted and hidden > 0
    data, long_cells = write_workbook(tables.rows, info, lang, vocab, tables.notes)
    return QuestionnaireFile(data, fmt, rows, warnings + long_cells)


def _info(triples: list[ox.Triple], iso3: str, iris: DataIRIs, lang: str,
          rows: dict[str, list[dict[str, str | int]]]) -> Info:
    """Country name, coordinator and date of the last import, for the instructions."""
    labels: dict[str, dict[str, str]] = {}
    ended: list[tuple[str, str]] = []
    imports: set[str] = set()
    label, rdf_type = str(SKOS.prefLabel), str(RDF.type)
    for t in triples:
        p = t.predicate.value
        if p == label and isinstance(t.object, ox.Literal) and t.object.language:
            labels.setdefault(t.subject.value, {})[t.object.language] = t.object.value
        elif p == rdf_type and t.object.value == str(MKG.ImportActivity):
            imports.add(t.subject.value)
        elif p == str(PROV.endedAtTime):
            ended.append((t.subject.value, t.object.value))
    as_of = max((when for node, when in ended if node in imports), default=None)

    def name(iri: str) -> str | None:
        texts = labels.get(iri, {})
        return texts.get(lang) or next(iter(texts.values()), None)

    country_row = (rows.get("country") or [{}])[0]
    coordinator = country_row.get("coordinator")
    counts = {sheet: len(r) for sheet, r in rows.items()}
    return Info(iso3=iso3, country=name(iris.country(iso3)),
                coordinator=name(iris.entity(iso3, "actor", str(coordinator))) if coordinator else None,
                as_of=as_of, row_counts=counts)
