"""Questionnaire tables -> RDF triples, following docs/data-model.md.

Besides the triples, the mapping remembers where every minted node and every
(node, predicate) came from, so a SHACL result can be reported against the
file, row and column a person can fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox

from kg.errors import InputError, Location, Problem
from kg.ingest.model import Questionnaire, Row, Table
from kg.namespaces import (
    DCAT,
    DCTERMS,
    EU_COUNTRY,
    FOAF,
    MKG,
    ORG,
    PROV,
    RDF,
    SKOS,
    VCARD,
    XSD,
    DataIRIs,
)
from kg.vocab import Vocabularies, load_vocabularies


def _n(iri: object) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


A = _n(RDF.type)
_XSD_INTEGER = _n(XSD.integer)
_XSD_BOOLEAN = _n(XSD.boolean)
_DATE_TYPES = {10: _n(XSD.date), 7: _n(XSD.gYearMonth), 4: _n(XSD.gYear)}

# ISO 3166-1 user-assigned alpha-3 ranges: never linked to the EU authority table.
_USER_ASSIGNED = re.compile(r"^(AA[A-Z]|Q[M-Z][A-Z]|X[A-Z]{2}|ZZ[A-Z])$")

# Which predicate of which node each column becomes, so SHACL results about a
# missing or wrong value can be traced back to a column. (table, predicate) -> column
PATH_COLUMNS: dict[str, dict[str, str]] = {
    "country": {
        str(SKOS.prefLabel): "name",
        str(DCTERMS.identifier): "iso3",
        str(MKG.coordinator): "coordinator",
        str(MKG.migrationProfileStatus): "mp_status",
        str(MKG.lastEdition): "mp_last_edition",
        str(MKG.foreword): "foreword",
        str(MKG.forewordBy): "foreword_by",
    },
    "actors": {
        str(SKOS.prefLabel): "name",
        str(MKG.acronym): "acronym",
        str(ORG.classification): "type",
        str(ORG.subOrganizationOf): "parent",
        str(MKG.domain): "domains",
        str(MKG.participatesInStage): "policy_stages",
        str(MKG.stage): "policy_stages",
        str(MKG.participant): "id",
        str(MKG.dataRole): "role",
        str(FOAF.homepage): "website",
        str(VCARD.hasEmail): "email",
        str(VCARD.hasTelephone): "phone",
        str(VCARD.fn): "contact_person",
        str(MKG.visibility): "contact_visibility",
        str(MKG.contactPoint): "email",
        str(MKG.workingGroupMember): "wg_member",
        str(DCTERMS.source): "source",
    },
    "data_sources": {
        str(DCTERMS.title): "title",
        str(DCTERMS.type): "kind",
        str(MKG.sourceStatus): "status",
        str(DCTERMS.publisher): "producer",
        str(MKG.usedBy): "users",
        str(DCAT.theme): "domains",
        str(DCTERMS.accrualPeriodicity): "periodicity",
        str(MKG.latestYear): "latest_year",
        str(DCTERMS.accessRights): "access",
        str(DCAT.landingPage): "url",
        str(DCTERMS.source): "source",
    },
    "relations": {
        str(MKG.relationSubject): "subject",
        str(MKG.relationType): "relation",
        str(MKG.relationObject): "object",
        str(DCTERMS.source): "source",
    },
    "challenges": {
        str(DCTERMS.title): "title",
        str(DCTERMS.description): "description",
        str(MKG.challengeCategory): "category",
        str(MKG.affects): "affects",
        str(MKG.domain): "domains",
        str(MKG.correctiveAction): "corrective_action",
        str(MKG.actionStatus): "action_status",
        str(MKG.responsible): "responsible",
        str(DCTERMS.source): "source",
    },
    "recommendations": {
        str(DCTERMS.description): "text",
        str(MKG.recommendationArea): "area",
        str(MKG.addressedTo): "addressed_to",
        str(MKG.addresses): "addresses",
        str(MKG.priority): "priority",
        str(DCTERMS.source): "source",
    },
    "practices": {
        str(DCTERMS.title): "title",
        str(DCTERMS.description): "description",
        str(MKG.involvedActor): "actors",
        str(MKG.usedSource): "data_sources",
        str(MKG.stage): "policy_stage",
        str(MKG.year): "year",
        str(DCTERMS.source): "source",
    },
    "process": {
        str(MKG.activityType): "activity",
        str(DCTERMS.date): "date",
        str(PROV.wasAssociatedWith): "participants",
        str(DCTERMS.source): "source",
    },
    "context": {
        str(DCTERMS.title): "title",
        str(DCTERMS.description): "text",
        str(MKG.contextTopic): "topic",
        str(MKG.year): "year",
        str(MKG.instrumentStatus): "status",
        str(MKG.responsible): "responsible",
        str(MKG.domain): "domains",
        str(DCTERMS.source): "source",
    },
    "references": {
        str(DCTERMS.title): "title",
        str(MKG.publisherName): "publisher",
        str(MKG.year): "year",
        str(FOAF.page): "url",
    },
}


# Where one row mints several nodes, a predicate may mean another column on the
# secondary node: (node kind in the IRI, predicate) -> column.
NODE_KIND_COLUMNS: dict[tuple[str, str], str] = {
    ("action", str(DCTERMS.description)): "corrective_action",
    ("process", str(SKOS.note)): "note",
    ("relation", str(SKOS.note)): "note",
}


@dataclass(frozen=True)
class RowOrigin:
    """A questionnaire row and the IRIs minted from it (kept in the import record)."""

    file: str  # the input file as error lines and the import record name it
    row: int  # as a spreadsheet shows it (header = 1)
    iris: tuple[str, ...]


@dataclass
class Mapped:
    """The country's data triples and the way back from nodes to rows."""

    iso3: str
    triples: list[ox.Triple]
    node_rows: dict[str, tuple[Table, Row]] = field(default_factory=dict)
    id_prefix: str = ""  # "<base>id/<ISO3>/": what precedes the node kind in minted IRIs
    origins: list[RowOrigin] = field(default_factory=list)  # every minted IRI's file and row

    def locate(self, focus: str, path: str | None) -> Location:
        """The file, row and column a SHACL result about (focus, path) comes from."""
        origin = self.node_rows.get(focus)
        if origin is None:
            return Location()
        table, row = origin
        kind = focus.removeprefix(self.id_prefix).split("/", 1)[0]
        column = NODE_KIND_COLUMNS.get((kind, path or "")) or PATH_COLUMNS.get(
            table.name, {}).get(path or "", "")
        return Location(table.source, row.number, column)


class _Mapper:
    def __init__(self, q: Questionnaire, iris: DataIRIs, vocab: Vocabularies):
        self.q, self.iris, self.vocab = q, iris, vocab
        self.iso3 = q.iso3
        self.country = _n(iris.country(self.iso3))
        self.triples: list[ox.Triple] = []
        self.node_rows: dict[str, tuple[Table, Row]] = {}
        self.problems: list[Problem] = []
        self._actor_ids = self._ids("actors")
        self._source_ids = self._ids("data_sources")
        self._row_node: dict[tuple[str, int], ox.NamedNode] = {}  # the row's (first) node

    # -- helpers ---------------------------------------------------------------
    def _ids(self, table: str) -> set[str]:
        t = self.q.table(table)
        return {str(r.values["id"]) for r in t.rows if "id" in r.values} if t else set()

    def node(self, kind: str, local: str) -> ox.NamedNode:
        return _n(self.iris.entity(self.iso3, kind, local))

    def add(self, s: ox.NamedNode, p: object, o: ox.NamedNode | ox.Literal) -> None:
        self.triples.append(ox.Triple(s, _n(p), o))

    def mint(self, s: ox.NamedNode, cls: object, table: Table, row: Row) -> ox.NamedNode:
        self.node_rows[s.value] = (table, row)
        self._row_node.setdefault((table.name, row.number), s)
        self.add(s, RDF.type, _n(cls))
        return s

    def concept(self, scheme: str, code: str) -> ox.NamedNode:
        return _n(self.vocab.concept(scheme, code))

    def text(self, s: ox.NamedNode, p: object, row: Row, column: str, lang: str | None = None):
        value = row.values.get(column)
        if value is not None:
            self.add(s, p, ox.Literal(str(value), language=lang) if lang else ox.Literal(str(value)))

    def integer(self, s: ox.NamedNode, p: object, row: Row, column: str) -> None:
        value = row.values.get(column)
        if value is not None:
            self.add(s, p, ox.Literal(str(int(value)), datatype=_XSD_INTEGER))

    def iri(self, s: ox.NamedNode, p: object, row: Row, column: str, prefix: str = "") -> None:
        value = row.values.get(column)
        if value is not None:
            self.add(s, p, _n(prefix + str(value)))

    def codes(self, s: ox.NamedNode, p: object, row: Row, column: str, scheme: str) -> None:
        value = row.values.get(column)
        for code in _as_list(value):
            self.add(s, p, self.concept(scheme, code))

    def refs(self, s: ox.NamedNode, p: object, row: Row, column: str, kind: str) -> None:
        for local in _as_list(row.values.get(column)):
            self.add(s, p, self.node(kind, local))

    def common(self, s: ox.NamedNode, row: Row) -> None:
        self.add(s, MKG.country, self.country)
        self.refs(s, DCTERMS.source, row, "source", "reference")

    def label_pair(self, s: ox.NamedNode, p: object, row: Row, en: str, fr: str) -> None:
        self.text(s, p, row, en, "en")
        self.text(s, p, row, fr, "fr")

    def rows(self, name: str):
        table = self.q.table(name)
        if table is not None:
            for row in table.rows:
                yield table, row

    # -- files -----------------------------------------------------------------
    def country_file(self) -> None:
        table = self.q.tables["country"]
        row = table.rows[0]
        c = self.mint(self.country, MKG.Country, table, row)
        self.add(c, DCTERMS.identifier, ox.Literal(self.iso3))
        if not _USER_ASSIGNED.match(self.iso3):
            self.add(c, SKOS.exactMatch, _n(f"{EU_COUNTRY}{self.iso3}"))
        self.label_pair(c, SKOS.prefLabel, row, "name", "name_fr")
        self.text(c, SKOS.note, row, "notes")
        profile = self.mint(_n(f"{self.country.value}/profile"), MKG.CountryProfile, table, row)
        self.add(profile, MKG.country, self.country)
        self.refs(profile, MKG.coordinator, row, "coordinator", "actor")
        self.codes(profile, MKG.migrationProfileStatus, row, "mp_status", "mp-status")
        self.integer(profile, MKG.lastEdition, row, "mp_last_edition")
        self.label_pair(profile, MKG.foreword, row, "foreword", "foreword_fr")
        self.refs(profile, MKG.forewordBy, row, "foreword_by", "actor")

    def actors(self) -> None:
        for table, row in self.rows("actors"):
            local = str(row.values["id"])
            a = self.mint(self.node("actor", local), ORG.Organization, table, row)
            self.common(a, row)
            self.label_pair(a, SKOS.prefLabel, row, "name", "name_fr")
            self.text(a, MKG.acronym, row, "acronym")
            self.codes(a, ORG.classification, row, "type", "actor-type")
            self.refs(a, ORG.subOrganizationOf, row, "parent", "actor")
            self.codes(a, MKG.domain, row, "domains", "domain")
            for stage in _as_list(row.values.get("policy_stages")):
                concept = self.concept("policy-stage", stage)
                self.add(a, MKG.participatesInStage, concept)
                part = self.mint(
                    self.node("participation", f"{local}--{stage}"), MKG.StageParticipation,
                    table, row,
                )
                self.add(part, MKG.participant, a)
                self.add(part, MKG.stage, concept)
                self.add(part, MKG.country, self.country)
            self.text(a, MKG.dataRole, row, "role")
            self.iri(a, FOAF.homepage, row, "website")
            if "wg_member" in row.values:
                flag = "true" if row.values["wg_member"] else "false"
                self.add(a, MKG.workingGroupMember, ox.Literal(flag, datatype=_XSD_BOOLEAN))
            contact_columns = ("email", "phone", "contact_person", "contact_visibility")
            if any(c in row.values for c in contact_columns):
                cp = self.mint(self.node("contact", local), VCARD.Kind, table, row)
                self.add(a, MKG.contactPoint, cp)
                self.iri(cp, VCARD.hasEmail, row, "email", "mailto:")
                self.text(cp, VCARD.hasTelephone, row, "phone")
                self.text(cp, VCARD.fn, row, "contact_person")
                visibility = str(row.values.get("contact_visibility", "public"))
                self.add(cp, MKG.visibility, self.concept("contact-visibility", visibility))

    def data_sources(self) -> None:
        for table, row in self.rows("data_sources"):
            d = self.mint(self.node("source", str(row.values["id"])), DCAT.Dataset, table, row)
            self.common(d, row)
            self.label_pair(d, DCTERMS.title, row, "title", "title_fr")
            self.codes(d, DCTERMS.type, row, "kind", "source-kind")
            self.codes(d, MKG.sourceStatus, row, "status", "source-status")
            self.refs(d, DCTERMS.publisher, row, "producer", "actor")
            self.refs(d, MKG.usedBy, row, "users", "actor")
            self.codes(d, DCAT.theme, row, "domains", "domain")
            self.codes(d, DCTERMS.accrualPeriodicity, row, "periodicity", "periodicity")
            self.integer(d, MKG.latestYear, row, "latest_year")
            self.codes(d, DCTERMS.accessRights, row, "access", "access")
            self.iri(d, DCAT.landingPage, row, "url")
            self.text(d, SKOS.note, row, "notes")

    def relations(self) -> None:
        for table, row in self.rows("relations"):
            subject, code, obj = (str(row.values[c]) for c in ("subject", "relation", "object"))
            s, o = self.node("actor", subject), self.node("actor", obj)
            self.add(s, self.vocab.direct_property(code), o)
            rel = self.mint(
                self.node("relation", f"{subject}--{code}--{obj}"), MKG.ActorRelation, table, row
            )
            self.common(rel, row)
            self.add(rel, MKG.relationSubject, s)
            self.add(rel, MKG.relationType, self.concept("relation-type", code))
            self.add(rel, MKG.relationObject, o)
            self.add(s, MKG.qualifiedRelation, rel)
            self.text(rel, SKOS.note, row, "note")

    def challenges(self) -> None:
        for table, row in self.rows("challenges"):
            local = str(row.values["id"])
            c = self.mint(self.node("challenge", local), MKG.Challenge, table, row)
            self.common(c, row)
            self.label_pair(c, DCTERMS.title, row, "title", "title_fr")
            self.text(c, DCTERMS.description, row, "description")
            self.codes(c, MKG.challengeCategory, row, "category", "challenge-category")
            for target in _as_list(row.values.get("affects")):
                self.add(c, MKG.affects, self._actor_or_source(target, table, row))
            self.codes(c, MKG.domain, row, "domains", "domain")
            if any(k in row.values for k in ("corrective_action", "action_status", "responsible")):
                act = self.mint(self.node("action", local), MKG.CorrectiveAction, table, row)
                self.add(c, MKG.correctiveAction, act)
                self.add(act, MKG.country, self.country)
                self.text(act, DCTERMS.description, row, "corrective_action")
                self.codes(act, MKG.actionStatus, row, "action_status", "action-status")
                self.refs(act, MKG.responsible, row, "responsible", "actor")

    def _actor_or_source(self, local: str, table: Table, row: Row) -> ox.NamedNode:
        in_actors, in_sources = local in self._actor_ids, local in self._source_ids
        if in_actors and in_sources:
            self.problems.append(Problem(
                Location(table.source, row.number, "affects"), "mapping.ambiguous_affects",
                {"id": local},
            ))
        # An unknown id stays an actor IRI with no type: SHACL then reports it.
        return self.node("source" if in_sources and not in_actors else "actor", local)

    def recommendations(self) -> None:
        for table, row in self.rows("recommendations"):
            r = self.mint(
                self.node("recommendation", str(row.values["id"])), MKG.Recommendation, table, row
            )
            self.common(r, row)
            self.label_pair(r, DCTERMS.description, row, "text", "text_fr")
            self.codes(r, MKG.recommendationArea, row, "area", "recommendation-area")
            self.refs(r, MKG.addressedTo, row, "addressed_to", "actor")
            self.refs(r, MKG.addresses, row, "addresses", "challenge")
            self.codes(r, MKG.priority, row, "priority", "priority")

    def practices(self) -> None:
        for table, row in self.rows("practices"):
            p = self.mint(self.node("practice", str(row.values["id"])), MKG.GoodPractice, table, row)
            self.common(p, row)
            self.label_pair(p, DCTERMS.title, row, "title", "title_fr")
            self.text(p, DCTERMS.description, row, "description")
            self.refs(p, MKG.involvedActor, row, "actors", "actor")
            self.refs(p, MKG.usedSource, row, "data_sources", "source")
            self.codes(p, MKG.stage, row, "policy_stage", "policy-stage")
            self.integer(p, MKG.year, row, "year")

    def process(self) -> None:
        for table, row in self.rows("process"):
            s = self.mint(self.node("process", str(row.values["id"])), MKG.ProcessStep, table, row)
            self.add(s, RDF.type, _n(PROV.Activity))
            self.common(s, row)
            self.codes(s, MKG.activityType, row, "activity", "process-activity")
            date = row.values.get("date")
            if date is not None:
                self.add(s, DCTERMS.date, ox.Literal(str(date), datatype=_DATE_TYPES[len(str(date))]))
            self.refs(s, PROV.wasAssociatedWith, row, "participants", "actor")
            self.text(s, SKOS.note, row, "note")

    def context(self) -> None:
        for table, row in self.rows("context"):
            topic = str(row.values["topic"])
            c = self.mint(self.node("context", str(row.values["id"])),
                          self.vocab.row_class(topic), table, row)
            self.common(c, row)
            self.add(c, MKG.contextTopic, self.concept("context-topic", topic))
            self.label_pair(c, DCTERMS.title, row, "title", "title_fr")
            self.label_pair(c, DCTERMS.description, row, "text", "text_fr")
            self.integer(c, MKG.year, row, "year")
            self.codes(c, MKG.instrumentStatus, row, "status", "instrument-status")
            self.refs(c, MKG.responsible, row, "responsible", "actor")
            self.codes(c, MKG.domain, row, "domains", "domain")

    def column_notes(self) -> None:
        """Unknown columns, kept as the warning says: each non-empty cell a mkg:ColumnNote on
        the row's node (<node>/column/<name>), with the column's name and the cell verbatim."""
        for name, table in self.q.tables.items():
            for row in table.rows:
                node = self._row_node.get((name, row.number))
                if node is None:
                    continue
                for column, text in row.extras.items():
                    note = self.mint(_n(f"{node.value}/column/{quote(column, safe='')}"),
                                     MKG.ColumnNote, table, row)
                    self.add(node, MKG.columnNote, note)
                    self.add(note, MKG.columnName, ox.Literal(column))
                    self.add(note, RDF.value, ox.Literal(text))

    def references(self) -> None:
        for table, row in self.rows("references"):
            r = self.mint(
                self.node("reference", str(row.values["id"])), DCTERMS.BibliographicResource,
                table, row,
            )
            self.add(r, MKG.country, self.country)
            self.text(r, DCTERMS.title, row, "title")
            self.text(r, MKG.publisherName, row, "publisher")
            self.integer(r, MKG.year, row, "year")
            self.iri(r, FOAF.page, row, "url")


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def map_questionnaire(
    q: Questionnaire, iris: DataIRIs, vocab: Vocabularies | None = None
) -> Mapped:
    """Map a checked questionnaire to the country's data triples (import record excluded)."""
    m = _Mapper(q, iris, vocab or load_vocabularies())
    for step in (m.country_file, m.actors, m.data_sources, m.relations, m.challenges,
                 m.recommendations, m.practices, m.process, m.context, m.references,
                 m.column_notes):
        step()
    if m.problems:
        raise InputError(m.problems)
    # Duplicate triples (e.g. a code listed twice) are one fact.
    unique = list(dict.fromkeys(m.triples))
    by_row: dict[tuple[str, int], list[str]] = {}
    for iri, (table, row) in m.node_rows.items():
        by_row.setdefault((table.source, row.number), []).append(iri)
    origins = [RowOrigin(file, number, tuple(iris)) for (file, number), iris in by_row.items()]
    return Mapped(m.iso3, unique, m.node_rows, iris.country(m.iso3) + "/", origins)
