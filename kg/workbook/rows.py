"""A country's graph back into questionnaire rows: the inverse of kg/ingest/mapping.py.

Each template file's rows are the typed nodes minted under one IRI prefix
(<country>/<kind>/<id>, docs/data-model.md), and each column is a short path of
predicates from the row's node; the cell is then written back from the RDF
term by the column's template type (a concept -> its code, an entity -> its
id, a mailto: IRI -> the address...). Importing the rows again mints the same
triples: that is what tests/workbook checks on every demo country.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import WARNING, Location, Problem
from kg.namespaces import DCAT, DCTERMS, FOAF, MKG, ORG, PROV, RDF, SKOS, VCARD, DataIRIs
from kg.vocab import Vocabularies
from kg.workbook.layout import Column, Sheet, sheets

# A path step that is not a predicate: the country's profile node, <country>/profile.
PROFILE = "/profile"


@dataclass(frozen=True)
class FileRows:
    """Where a template file's rows are in a country graph."""

    kind: str | None  # the node kind in minted IRIs (<country>/<kind>/<id>); None: the country
    paths: dict[str, tuple[str, ...]]  # column -> predicates from the row node (() = the node)
    order: tuple[str, ...] = ()  # columns rows are sorted by (default: the key or the id)


def _p(*terms: object) -> tuple[str, ...]:
    return tuple(str(term) for term in terms)


_SOURCE = {"source": _p(DCTERMS.source)}

FILES: dict[str, FileRows] = {
    "country": FileRows(None, {
        "iso3": _p(DCTERMS.identifier), "name": _p(SKOS.prefLabel),
        "name_fr": _p(SKOS.prefLabel), "coordinator": _p(PROFILE, MKG.coordinator),
        "mp_status": _p(PROFILE, MKG.migrationProfileStatus),
        "mp_last_edition": _p(PROFILE, MKG.lastEdition), "notes": _p(SKOS.note),
        "foreword": _p(PROFILE, MKG.foreword), "foreword_fr": _p(PROFILE, MKG.foreword),
        "foreword_by": _p(PROFILE, MKG.forewordBy),
    }),
    "actors": FileRows("actor", {
        "id": (), "name": _p(SKOS.prefLabel), "name_fr": _p(SKOS.prefLabel),
        "acronym": _p(MKG.acronym), "type": _p(ORG.classification),
        "parent": _p(ORG.subOrganizationOf), "domains": _p(MKG.domain),
        "policy_stages": _p(MKG.participatesInStage), "role": _p(MKG.dataRole),
        "website": _p(FOAF.homepage), "email": _p(MKG.contactPoint, VCARD.hasEmail),
        "phone": _p(MKG.contactPoint, VCARD.hasTelephone),
        "contact_person": _p(MKG.contactPoint, VCARD.fn),
        "contact_visibility": _p(MKG.contactPoint, MKG.visibility),
        "wg_member": _p(MKG.workingGroupMember), **_SOURCE,
    }),
    "data_sources": FileRows("source", {
        "id": (), "title": _p(DCTERMS.title), "title_fr": _p(DCTERMS.title),
        "kind": _p(DCTERMS.type), "status": _p(MKG.sourceStatus),
        "producer": _p(DCTERMS.publisher), "users": _p(MKG.usedBy), "domains": _p(DCAT.theme),
        "periodicity": _p(DCTERMS.accrualPeriodicity), "latest_year": _p(MKG.latestYear),
        "access": _p(DCTERMS.accessRights), "url": _p(DCAT.landingPage),
        "notes": _p(SKOS.note), **_SOURCE,
    }),
    "relations": FileRows("relation", {
        "subject": _p(MKG.relationSubject), "relation": _p(MKG.relationType),
        "object": _p(MKG.relationObject), "note": _p(SKOS.note), **_SOURCE,
    }),
    "challenges": FileRows("challenge", {
        "id": (), "title": _p(DCTERMS.title), "title_fr": _p(DCTERMS.title),
        "description": _p(DCTERMS.description), "category": _p(MKG.challengeCategory),
        "affects": _p(MKG.affects), "domains": _p(MKG.domain),
        "corrective_action": _p(MKG.correctiveAction, DCTERMS.description),
        "action_status": _p(MKG.correctiveAction, MKG.actionStatus),
        "responsible": _p(MKG.correctiveAction, MKG.responsible), **_SOURCE,
    }),
    "recommendations": FileRows("recommendation", {
        "id": (), "text": _p(DCTERMS.description), "text_fr": _p(DCTERMS.description),
        "area": _p(MKG.recommendationArea), "addressed_to": _p(MKG.addressedTo),
        "addresses": _p(MKG.addresses), "priority": _p(MKG.priority), **_SOURCE,
    }),
    "practices": FileRows("practice", {
        "id": (), "title": _p(DCTERMS.title), "title_fr": _p(DCTERMS.title),
        "description": _p(DCTERMS.description), "actors": _p(MKG.involvedActor),
        "data_sources": _p(MKG.usedSource), "policy_stage": _p(MKG.stage),
        "year": _p(MKG.year), **_SOURCE,
    }),
    "process": FileRows("process", {
        "id": (), "activity": _p(MKG.activityType), "date": _p(DCTERMS.date),
        "participants": _p(PROV.wasAssociatedWith), "note": _p(SKOS.note), **_SOURCE,
    }, order=("date", "id")),
    "context": FileRows("context", {
        "id": (), "topic": _p(MKG.contextTopic), "title": _p(DCTERMS.title),
        "title_fr": _p(DCTERMS.title), "text": _p(DCTERMS.description),
        "text_fr": _p(DCTERMS.description), "year": _p(MKG.year),
        "status": _p(MKG.instrumentStatus), "responsible": _p(MKG.responsible),
        "domains": _p(MKG.domain), **_SOURCE,
    }),
    "references": FileRows("reference", {
        "id": (), "title": _p(DCTERMS.title), "publisher": _p(MKG.publisherName),
        "year": _p(MKG.year), "url": _p(FOAF.page),
    }),
}

Cell = str | int
Term = ox.NamedNode | ox.Literal | ox.BlankNode


def missing_paths() -> list[str]:
    """'file.column' of every template column this module cannot read back (must be none)."""
    out = []
    for sheet in sheets():
        spec = FILES.get(sheet.name)
        out += [f"{sheet.name}.{c.name}" for c in sheet.columns
                if spec is None or c.name not in spec.paths]
    return out


@dataclass
class Tables:
    """A country's questionnaire: rows of cells per sheet, and what could not be written."""

    rows: dict[str, list[dict[str, Cell]]]
    problems: list[Problem] = field(default_factory=list)
    # sheet -> names of the columns the template does not define (the graph's column notes),
    # written after the template's columns so that re-importing keeps them
    notes: dict[str, list[str]] = field(default_factory=dict)


class _Graph:
    """A country graph indexed by subject and predicate."""

    def __init__(self, triples: list[ox.Triple]):
        self.out: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            if isinstance(t.subject, ox.NamedNode):
                self.out[t.subject.value][t.predicate.value].append(t.object)

    def objects(self, node: str, path: tuple[str, ...]) -> list[Term]:
        nodes: list[Term] = [ox.NamedNode(node)]
        for step in path:
            if step == PROFILE:
                nodes = [ox.NamedNode(n.value + PROFILE) for n in nodes]
                continue
            nodes = [o for n in nodes if isinstance(n, ox.NamedNode)
                     for o in self.out.get(n.value, {}).get(step, [])]
        return nodes

    def minted(self, prefix: str) -> list[str]:
        """Nodes <prefix><local> (no further '/') that have a type: the rows of one file."""
        rdf_type = str(RDF.type)
        return [s for s, props in self.out.items() if s.startswith(prefix)
                and "/" not in s[len(prefix):] and rdf_type in props]


class _Reader:
    def __init__(self, triples: list[ox.Triple], iso3: str, iris: DataIRIs, vocab: Vocabularies):
        self.graph, self.iso3, self.vocab = _Graph(triples), iso3, vocab
        self.country = iris.country(iso3)
        self.problems: list[Problem] = []
        self.notes: dict[str, set[str]] = {}

    def prefix(self, file: str) -> str:
        kind = FILES[file].kind
        return f"{self.country}/{kind}/"

    def nodes(self, sheet: Sheet) -> list[str]:
        spec = FILES[sheet.name]
        if spec.kind is None:
            return [self.country] if self.country in self.graph.out else []
        return self.graph.minted(self.prefix(sheet.name))

    def column_notes(self, node: str) -> dict[str, str]:
        """The row's unknown columns, kept as mkg:ColumnNote nodes: column name -> text."""
        out: dict[str, str] = {}
        for note in self.graph.out.get(node, {}).get(str(MKG.columnNote), []):
            props = self.graph.out.get(note.value, {}) if isinstance(note, ox.NamedNode) else {}
            names = [t.value for t in props.get(str(MKG.columnName), [])
                     if isinstance(t, ox.Literal)]
            values = [t.value for t in props.get(str(RDF.value), []) if isinstance(t, ox.Literal)]
            if len(names) == 1 and len(values) == 1:
                out[names[0]] = values[0]
        return out

    def table(self, sheet: Sheet) -> list[dict[str, Cell]]:
        spec = FILES[sheet.name]
        found = [(node, {c.name: self.cell(sheet.name, node, c, spec.paths[c.name]) for c in sheet.columns})
                 for node in self.nodes(sheet)]
        template = set(sheet.names)
        for node, values in found:
            for name, text in self.column_notes(node).items():
                if name not in template:  # (never a template column: those are read above)
                    values[name] = text
                    self.notes.setdefault(sheet.name, set()).add(name)
        order = spec.order or sheet.key or ("id",)
        found.sort(key=lambda item: tuple(str(item[1].get(c) or "") for c in order) + (item[0],))
        rows = []
        for number, (node, values) in enumerate(found, start=2):
            row: dict[str, Cell] = {name: v for name, v in values.items() if name not in template}
            for column in sheet.columns:
                value = values[column.name]
                if isinstance(value, _Several):
                    self._warn(sheet.name, number, column.name, "workbook.cli.several_values",
                               kept=value.kept, other=", ".join(value.other))
                    value = value.kept
                if isinstance(value, _Unreadable):
                    self._warn(sheet.name, number, column.name, "workbook.cli.not_exported",
                               value=f"{value.term} ({node})")
                    continue
                if value is not None:
                    row[column.name] = value
            rows.append(row)
        return rows

    def _warn(self, sheet: str, row: int, column: str, key: str, **params: object) -> None:
        self.problems.append(Problem(Location(sheet, row, column), key, params, WARNING))

    # -- cells ----------------------------------------------------------------------------
    def local_id(self, file: str, iri: str) -> str | None:
        """The row id of an entity IRI of that file (<country>/<kind>/<id>), else None."""
        prefix = self.prefix(file)
        tail = iri[len(prefix):]
        return tail if iri.startswith(prefix) and tail and "/" not in tail else None

    def cell(self, sheet: str, node: str, column: Column, path: tuple[str, ...]):
        if not path:  # the id column: the row node's own IRI
            return self.local_id(sheet, node)
        terms = self.graph.objects(node, path)
        values: list[Cell] = []
        for term in terms:
            value = self.value(column, term)
            if value is None:
                if not (column.kind.startswith("text@") and isinstance(term, ox.Literal)):
                    return _Unreadable(str(term))
                continue  # the label in the other language: the other column's
            values.append(value)
        values = list(dict.fromkeys(values))
        if not values:
            return None
        if column.is_list:
            return "; ".join(str(v) for v in self._list_order(column, values))
        if len(values) > 1:
            ordered = sorted(values, key=str)
            return _Several(ordered[0], [str(v) for v in ordered[1:]])
        return values[0]

    def _list_order(self, column: Column, values: list[Cell]) -> list[Cell]:
        if column.kind == "codes":
            order = {code: i for i, code in enumerate(self.vocab.codes(column.scheme or ""))}
            return sorted(values, key=lambda v: (order.get(str(v), len(order)), str(v)))
        return sorted(values, key=str)

    def value(self, column: Column, term: Term) -> Cell | None:
        """The cell text (or year) an RDF term comes from, None if the column cannot hold it."""
        kind = column.kind
        if isinstance(term, ox.Literal):
            lang = term.language
            if kind == "text@en" or kind == "text@fr":
                return term.value if lang == kind[-2:] else None
            if lang:
                return None
            if kind == "year":
                return int(term.value) if term.value.lstrip("-").isdigit() else None
            if kind == "bool":
                return {"true": "yes", "false": "no", "1": "yes", "0": "no"}.get(term.value)
            if kind in ("text", "date", "iso3"):
                return term.value
            return None
        if not isinstance(term, ox.NamedNode):
            return None
        iri = term.value
        if kind in ("code", "codes"):
            found = self.vocab.code_of(iri)
            return found[1] if found and found[0] == column.scheme else None
        if kind in ("ref", "refs"):
            for target in column.targets:
                if target in FILES:
                    local = self.local_id(target, iri)
                    if local is not None:
                        return local
            return None
        if kind == "url":
            return iri
        if kind == "email":
            return iri.removeprefix("mailto:") if iri.startswith("mailto:") else None
        return None


@dataclass(frozen=True)
class _Several:
    kept: Cell
    other: list[str]


@dataclass(frozen=True)
class _Unreadable:
    term: str


def read_tables(triples: list[ox.Triple], iso3: str, iris: DataIRIs,
                vocab: Vocabularies) -> Tables:
    """The questionnaire rows of one country graph (import records are ignored)."""
    reader = _Reader(triples, iso3, iris, vocab)
    rows = {}
    for sheet in sheets():
        if sheet.name not in FILES:
            continue  # a file the graph cannot be read back into yet: missing_paths() says so
        rows[sheet.name] = reader.table(sheet)
    return Tables(rows, reader.problems, {k: sorted(v) for k, v in reader.notes.items()})
