"""What a country guide says, as plain data: dataclasses built from named-query rows.

Nothing here touches the store or formats output: `guide_from_rows` takes the
rows of the queries in queries/guide/ (lists of dicts, as `kg.query.run().rows`
gives them) and returns a `Guide`, so guides can be made from hand-built rows in
tests. Every list is sorted (by name, accents and case folded) so the same rows
in any order give the same guide.

Data texts are `Text`: the value in the guide's language, or in the other one
with `lang` naming it, so every format can mark the fallback.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

Row = Mapping[str, "str | int | float | None"]

# The guide's layout follows the seed (../shared/seed, slides 7-11): these are layout
# decisions, not vocabulary data; codes not listed here follow, ordered by label. Orders that
# are vocabulary data (policy stages, priorities, process activities, recommendation areas)
# come from the vocabularies' mkg:listOrder, through the concept rows' `position`.
SEED_DOMAINS = ("trends", "border_management", "crisis_migration", "migration_development")
GOVERNMENT_TYPES = (
    "ministry", "government_agency", "statistics_office", "local_authority", "parliament",
)
OTHER_TYPES = (
    "international_organisation", "regional_organisation", "development_partner",
    "academia_research", "civil_society", "private_sector", "diaspora_organisation",
)
# The five areas the seed names; "other" is shown only when it has recommendations.
SEED_AREAS = (
    "cooperation", "training_human_resources", "data_collection",
    "border_management_information", "crisis_migration_information",
)
RESOLVED_STATUSES = ("implemented", "effective")
STATUSES = ("draft", "endorsed", "published")
# Position of a code its vocabulary does not order: after every ordered one.
LAST = 10_000
# A list section with fewer items than this is reported as thin in "what we don't know yet".
THIN_BELOW = 2


# ---------------------------------------------------------------------------------------------
# Small values
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Text:
    """A data text; `lang` is set only when the value is in another language than the guide's."""

    value: str
    lang: str = ""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Concept:
    """A vocabulary concept: its code and its label in the guide's language."""

    scheme: str
    code: str
    label: Text


@dataclass(frozen=True)
class Named:
    """A link to another entity of the guide (an actor, a source, a challenge...)."""

    iri: str
    name: Text


@dataclass(frozen=True)
class Contact:
    person: str = ""
    email: str = ""
    phone: str = ""
    restricted: bool = False

    @property
    def empty(self) -> bool:
        return not (self.person or self.email or self.phone)


@dataclass(frozen=True)
class Actor:
    iri: str
    name: Text
    type: Concept
    acronym: str = ""
    parent: Named | None = None
    domains: tuple[Concept, ...] = ()
    stages: tuple[Concept, ...] = ()
    role: str = ""
    website: str = ""
    wg_member: bool = False
    contacts: tuple[Contact, ...] = ()

    @property
    def government(self) -> bool:
        return self.type.code in GOVERNMENT_TYPES

    @property
    def ref(self) -> Named:
        return Named(self.iri, self.name)


@dataclass(frozen=True)
class Source:
    iri: str
    title: Text
    kind: Concept
    status: Concept
    producers: tuple[Named, ...] = ()
    users: tuple[Named, ...] = ()
    domains: tuple[Concept, ...] = ()
    periodicity: Concept | None = None
    latest_year: int | None = None
    access: Concept | None = None
    url: str = ""
    notes: str = ""

    @property
    def existing(self) -> bool:
        return self.status.code == "existing"


@dataclass(frozen=True)
class Practice:
    iri: str
    title: Text
    description: str = ""
    actors: tuple[Named, ...] = ()
    sources: tuple[Named, ...] = ()
    stage: Concept | None = None
    year: int | None = None


@dataclass(frozen=True)
class Challenge:
    iri: str
    title: Text
    category: Concept
    description: str = ""
    affects: tuple[Named, ...] = ()
    domains: tuple[Concept, ...] = ()
    action: str = ""
    action_status: Concept | None = None
    responsible: tuple[Named, ...] = ()

    @property
    def has_action(self) -> bool:
        return bool(self.action or self.action_status or self.responsible)

    @property
    def resolved(self) -> bool:
        return self.action_status is not None and self.action_status.code in RESOLVED_STATUSES


@dataclass(frozen=True)
class Recommendation:
    iri: str
    text: Text
    area: Concept
    priority: Concept | None = None
    addressed_to: tuple[Named, ...] = ()
    addresses: tuple[Named, ...] = ()


@dataclass(frozen=True)
class ProcessStep:
    iri: str
    activity: Concept
    date: str = ""
    participants: tuple[Named, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Reference:
    iri: str
    title: str
    publisher: str = ""
    year: int | None = None
    url: str = ""
    cited_by: tuple[Named, ...] = ()


@dataclass(frozen=True)
class InputFile:
    name: str
    sha256: str
    rows: int | None = None


@dataclass(frozen=True)
class ImportRecord:
    """A distinct import: its files, when it first ran and, when the same files were
    imported again unchanged, how many times and when last (`count`, `last_ended`)."""

    iri: str
    started: str
    ended: str
    files: tuple[InputFile, ...] = ()
    count: int = 1
    last_ended: str = ""


@dataclass(frozen=True)
class ContextEntry:
    """A row of context.csv: a context fact or a policy instrument (policy, law, ...)."""

    iri: str
    topic: Concept
    title: Text
    text: Text = Text("")
    instrument: bool = False
    year: int | None = None
    status: Concept | None = None
    responsible: tuple[Named, ...] = ()
    domains: tuple[Concept, ...] = ()
    references: tuple[Named, ...] = ()


@dataclass(frozen=True)
class Gap:
    """One kind of thing the guide does not know yet: a key (guide.gap.<key>) and its items."""

    key: str
    items: tuple[Text, ...] = ()


# ---------------------------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActorGroup:
    """Actors under one heading: a domain (None = other domains), an actor type or a stage."""

    concept: Concept | None
    actors: tuple[Actor, ...]


@dataclass(frozen=True)
class Holder:
    """A government entity under a seed domain, with the data sources of that domain it holds."""

    actor: Actor
    sources: tuple[Named, ...] = ()


@dataclass(frozen=True)
class DomainSection:
    """Section 1.2 for one seed domain (sub-domains rolled up into it): the government
    entities producing or holding its data sources, the other government entities working
    on it, the challenges that concern it and the recommendations that address those."""

    concept: Concept
    holders: tuple[Holder, ...] = ()
    others: tuple[Actor, ...] = ()
    challenges: tuple[Challenge, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    existing_sources: int = 0  # data sources of the domain (sub-domains rolled up)
    potential_sources: int = 0
    sources: tuple[str, ...] = ()  # IRIs of those data sources


@dataclass(frozen=True)
class GlossaryEntry:
    scheme: str
    concept: Concept
    definition: Text


@dataclass(frozen=True)
class AreaGroup:
    area: Concept
    recommendations: tuple[Recommendation, ...]


@dataclass(frozen=True)
class NetworkPart:
    """The network figure (SVG for HTML/PDF, PNG for DOCX) and its findings (kg.network)."""

    svg: bytes = b""
    png: bytes = b""
    findings: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class KeyFigures:
    actors: int
    government_actors: int
    other_actors: int
    sources: int
    existing_sources: int
    potential_sources: int
    seed_domains_with_source: int
    stages_with_actor: int
    stage_count: int
    wg_members: int
    practices: int
    challenges: int
    challenges_with_action: int
    challenges_resolved: int
    recommendations: int
    references: int


@dataclass(frozen=True)
class Guide:
    """A country's guide on the use of migration data, in one language."""

    iso3: str
    lang: str
    country: Text
    status: str  # draft | endorsed | published
    data_date: str = ""  # ISO date of the latest import: the guide's date (no "now")
    status_date: str = ""  # date of the endorsement or publication step
    include_restricted: bool = False
    coordinator: Actor | None = None
    mp_status: Concept | None = None
    mp_last_edition: int | None = None
    actors: tuple[Actor, ...] = ()
    sources: tuple[Source, ...] = ()
    domain_groups: tuple[ActorGroup, ...] = ()
    other_groups: tuple[ActorGroup, ...] = ()
    stage_groups: tuple[ActorGroup, ...] = ()
    working_group: tuple[Actor, ...] = ()
    process: tuple[ProcessStep, ...] = ()
    practices: tuple[Practice, ...] = ()
    challenges: tuple[Challenge, ...] = ()
    areas: tuple[AreaGroup, ...] = ()
    references: tuple[Reference, ...] = ()
    imports: tuple[ImportRecord, ...] = ()
    network: NetworkPart | None = None
    gaps: tuple[Gap, ...] = ()
    foreword: Text = Text("")
    foreword_by: Actor | None = None
    endorsement: ProcessStep | None = None  # the step that makes the guide endorsed
    publication: ProcessStep | None = None  # the step that makes it published
    context: tuple[ContextEntry, ...] = ()
    domain_sections: tuple[DomainSection, ...] = ()
    other_government: tuple[Actor, ...] = ()  # government entities of no seed domain
    latest_data_year: int | None = None  # the latest year of data among the sources
    glossary: tuple[GlossaryEntry, ...] = ()
    top_priority: Concept | None = None  # the highest priority given to a recommendation

    @property
    def context_facts(self) -> tuple[ContextEntry, ...]:
        return tuple(c for c in self.context if not c.instrument)

    @property
    def instruments(self) -> tuple[ContextEntry, ...]:
        return tuple(c for c in self.context if c.instrument)

    @property
    def existing_sources(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.existing)

    @property
    def potential_sources(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if not s.existing)

    @property
    def recommendations(self) -> tuple[Recommendation, ...]:
        return tuple(r for group in self.areas for r in group.recommendations)

    @property
    def figures(self) -> KeyFigures:
        government = sum(1 for a in self.actors if a.government)
        covered = {d.code for s in self.existing_sources for d in s.domains}
        return KeyFigures(
            actors=len(self.actors),
            government_actors=government,
            other_actors=len(self.actors) - government,
            sources=len(self.sources),
            existing_sources=len(self.existing_sources),
            potential_sources=len(self.potential_sources),
            seed_domains_with_source=sum(1 for d in self.domain_sections if d.existing_sources)
            if self.domain_sections else sum(1 for d in SEED_DOMAINS if d in covered),
            stages_with_actor=sum(1 for g in self.stage_groups if g.actors),
            stage_count=len(self.stage_groups),
            wg_members=len(self.working_group),
            practices=len(self.practices),
            challenges=len(self.challenges),
            challenges_with_action=sum(1 for c in self.challenges if c.has_action),
            challenges_resolved=sum(1 for c in self.challenges if c.resolved),
            recommendations=len(self.recommendations),
            references=len(self.references),
        )


# ---------------------------------------------------------------------------------------------
# Cells and sorting
# ---------------------------------------------------------------------------------------------

def sort_key(text: str | Text) -> tuple[str, str]:
    """Accent- and case-insensitive order (French names sort where a reader looks for them)."""
    value = str(text)
    folded = unicodedata.normalize("NFKD", value)
    base = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return base, value


def cell(row: Row, key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value)


def integer(row: Row, key: str) -> int | None:
    value = row.get(key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def boolean(row: Row, key: str) -> bool:
    return cell(row, key).strip().lower() in ("true", "1", "yes")


def split(value: object) -> list[str]:
    """A multi-valued cell ('a; b') as a list, sorted and without duplicates."""
    if value is None or value == "":
        return []
    return sorted({part.strip() for part in str(value).split(";") if part.strip()})


def text(row: Row, key: str, lang: str) -> Text:
    """The text in column key; marked with its language tag (key_lang) when not lang."""
    tag = cell(row, f"{key}_lang").split("-")[0].lower()
    return Text(cell(row, key), tag if tag and tag != lang else "")


def plain_email(value: str) -> str:
    return value[len("mailto:"):] if value.lower().startswith("mailto:") else value


# ---------------------------------------------------------------------------------------------
# Vocabulary and directory of names
# ---------------------------------------------------------------------------------------------

@dataclass
class Vocab:
    """Concept labels in the guide's language (fallback marked) and positions, by (scheme, code)."""

    lang: str
    labels: dict[tuple[str, str], Text] = field(default_factory=dict)
    positions: dict[tuple[str, str], int] = field(default_factory=dict)
    definitions: dict[tuple[str, str], Text] = field(default_factory=dict)
    broader: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[Row], lang: str) -> Vocab:
        vocab = cls(lang)
        for row in rows:
            key = (cell(row, "scheme"), cell(row, "code"))
            if not all(key):
                continue
            label = text(row, "label", lang)
            vocab.labels[key] = label if label.value else Text(key[1])
            position = integer(row, "position")
            if position is not None:
                vocab.positions[key] = position
            definition = text(row, "definition", lang)
            if definition.value:
                vocab.definitions[key] = definition
            if cell(row, "broader") and cell(row, "broader") != key[1]:
                vocab.broader[key] = cell(row, "broader")
        return vocab

    def top(self, scheme: str, code: str) -> str:
        """The code's topmost broader concept in its scheme (itself when it has none): a
        sub-domain rolls up into its seed domain."""
        seen = {code}
        while (scheme, code) in self.broader and self.broader[(scheme, code)] not in seen:
            code = self.broader[(scheme, code)]
            seen.add(code)
        return code

    def seed_domains(self, concepts: Iterable[Concept]) -> set[str]:
        """The seed domains the given domain concepts are, or roll up into."""
        return {top for c in concepts if (top := self.top("domain", c.code)) in SEED_DOMAINS}

    def concept(self, scheme: str, code: str) -> Concept:
        return Concept(scheme, code, self.labels.get((scheme, code), Text(code)))

    def maybe(self, scheme: str, code: str) -> Concept | None:
        return self.concept(scheme, code) if code else None

    def concepts(self, scheme: str, codes: Iterable[str], order: Sequence[str] = ()) -> tuple:
        return tuple(self.ordered(scheme, [self.concept(scheme, c) for c in codes], order))

    def position(self, scheme: str, code: str) -> int:
        """The code's place in its vocabulary (mkg:listOrder); LAST when it has none."""
        return self.positions.get((scheme, code), LAST)

    def ordered(self, scheme: str, concepts: Iterable[Concept], order: Sequence[str] = ()):
        """Concepts in the layout order, then by vocabulary position, then by label."""
        def key(c: Concept) -> tuple:
            first = order.index(c.code) if c.code in order else len(order)
            return first, self.position(scheme, c.code), sort_key(c.label)
        return sorted(concepts, key=key)

    def codes(self, scheme: str) -> list[str]:
        return [code for (s, code) in self.labels if s == scheme]


class Directory:
    """Names of the country's entities by IRI, to show the links queries return as IRIs."""

    def __init__(self) -> None:
        self.names: dict[str, Text] = {}

    def add(self, iri: str, name: Text) -> None:
        if iri and name.value:
            self.names.setdefault(iri, name)

    def named(self, iris: Iterable[str]) -> tuple[Named, ...]:
        """Links to the given IRIs (unknown IRIs keep the IRI as name), sorted by name."""
        out = [Named(i, self.names.get(i, Text(i))) for i in dict.fromkeys(iris) if i]
        return tuple(sorted(out, key=lambda n: (sort_key(n.name), n.iri)))

    def one(self, iri: str) -> Named | None:
        return self.named([iri])[0] if iri else None


# ---------------------------------------------------------------------------------------------
# Rows -> sections
# ---------------------------------------------------------------------------------------------

@dataclass
class GuideRows:
    """The rows of every query a guide is made of (queries/guide/*.rq), by role."""

    country: list[Row]
    concepts: list[Row]
    actors: list[Row] = field(default_factory=list)
    contacts: list[Row] = field(default_factory=list)
    sources: list[Row] = field(default_factory=list)
    practices: list[Row] = field(default_factory=list)
    challenges: list[Row] = field(default_factory=list)
    recommendations: list[Row] = field(default_factory=list)
    process: list[Row] = field(default_factory=list)
    context: list[Row] = field(default_factory=list)
    relations: list[Row] = field(default_factory=list)
    references: list[Row] = field(default_factory=list)
    provenance: list[Row] = field(default_factory=list)


def _contacts(rows: Iterable[Row], include_restricted: bool) -> dict[str, list[Contact]]:
    by_actor: dict[str, list[Contact]] = {}
    for row in rows:
        restricted = cell(row, "visibility") == "restricted"
        if restricted and not include_restricted:
            continue  # a second lock: the query already leaves them out
        contact = Contact(cell(row, "contact_person"), plain_email(cell(row, "email")),
                          cell(row, "phone"), restricted)
        if not contact.empty:
            by_actor.setdefault(cell(row, "actor"), []).append(contact)
    return by_actor


def _actors(rows: GuideRows, vocab: Vocab, lang: str, include_restricted: bool,
            directory: Directory) -> list[Actor]:
    contacts = _contacts(rows.contacts, include_restricted)
    for row in rows.actors:
        directory.add(cell(row, "actor"), text(row, "name", lang))
    actors = []
    for row in rows.actors:
        iri = cell(row, "actor")
        actors.append(Actor(
            iri=iri,
            name=text(row, "name", lang),
            type=vocab.concept("actor-type", cell(row, "type")),
            acronym=cell(row, "acronym"),
            parent=directory.one(cell(row, "parent")),
            domains=vocab.concepts("domain", split(row.get("domains")), SEED_DOMAINS),
            stages=vocab.concepts("policy-stage", split(row.get("stages"))),
            role=cell(row, "role"),
            website=cell(row, "website"),
            wg_member=boolean(row, "wg_member"),
            contacts=tuple(sorted(contacts.get(iri, []),
                                  key=lambda c: (c.person, c.email, c.phone))),
        ))
    return sorted(actors, key=lambda a: (sort_key(a.name), a.iri))


def _by_name(items: Iterable, attr: str) -> list:
    return sorted(items, key=lambda x: (sort_key(getattr(x, attr)), x.iri))


def _domain_groups(actors: Sequence[Actor], vocab: Vocab) -> tuple[ActorGroup, ...]:
    """Government entities under each seed domain they work on (sub-domains rolled up),
    the rest under None."""
    government = [a for a in actors if a.government]
    groups = [
        ActorGroup(vocab.concept("domain", code),
                   tuple(a for a in government if code in vocab.seed_domains(a.domains)))
        for code in SEED_DOMAINS
    ]
    other = tuple(a for a in government if not vocab.seed_domains(a.domains))
    groups.append(ActorGroup(None, other))
    return tuple(groups)


def _domain_sections(actors: Sequence[Actor], sources: Sequence[Source],
                     challenges: Sequence[Challenge], areas: Sequence[AreaGroup], vocab: Vocab
                     ) -> tuple[tuple[DomainSection, ...], tuple[Actor, ...]]:
    """Per seed domain: the government entities producing or holding a data source of it
    (a source's domains rolled up), then the other government entities working on it; the
    challenges whose domains roll up into it and the recommendations addressing those.
    Second: the government entities found under no seed domain."""
    government = [a for a in actors if a.government]
    recommendations = [r for group in areas for r in group.recommendations]
    placed: set[str] = set()
    sections = []
    for code in SEED_DOMAINS:
        held: dict[str, list[Named]] = {}
        for s in sources:
            if code in vocab.seed_domains(s.domains):
                for p in s.producers:
                    held.setdefault(p.iri, []).append(Named(s.iri, s.title))
        holders = tuple(Holder(a, tuple(held[a.iri])) for a in government if a.iri in held)
        others = tuple(a for a in government
                       if a.iri not in held and code in vocab.seed_domains(a.domains))
        placed |= {h.actor.iri for h in holders} | {a.iri for a in others}
        concerned = tuple(c for c in challenges if code in vocab.seed_domains(c.domains))
        iris = {c.iri for c in concerned}
        recs = tuple(r for r in recommendations if iris & {n.iri for n in r.addresses})
        of_domain = [s for s in sources if code in vocab.seed_domains(s.domains)]
        sections.append(DomainSection(
            vocab.concept("domain", code), holders, others, concerned, recs,
            sum(1 for s in of_domain if s.existing), sum(1 for s in of_domain if not s.existing),
            tuple(s.iri for s in of_domain)))
    return tuple(sections), tuple(a for a in government if a.iri not in placed)


def _context(rows: Iterable[Row], vocab: Vocab, lang: str, names: Directory
             ) -> list[ContextEntry]:
    entries = [ContextEntry(
        iri=cell(row, "entry"),
        topic=vocab.concept("context-topic", cell(row, "topic")),
        title=text(row, "title", lang),
        text=text(row, "text", lang),
        instrument=boolean(row, "instrument"),
        year=integer(row, "year"),
        status=vocab.maybe("instrument-status", cell(row, "status")),
        responsible=names.named(split(row.get("responsible"))),
        domains=vocab.concepts("domain", split(row.get("domains")), SEED_DOMAINS),
        references=names.named(split(row.get("references"))),
    ) for row in rows]

    def key(e: ContextEntry) -> tuple:
        # Topic in the vocabulary's order; instruments newest first, facts by title.
        year = -(e.year or 0) if e.instrument else 0
        return vocab.position("context-topic", e.topic.code), year, sort_key(e.title), e.iri
    return sorted(entries, key=key)


def _type_groups(actors: Sequence[Actor], vocab: Vocab) -> tuple[ActorGroup, ...]:
    others = [a for a in actors if not a.government]
    types = vocab.ordered("actor-type", {a.type for a in others}, OTHER_TYPES)
    return tuple(ActorGroup(t, tuple(a for a in others if a.type == t)) for t in types)


def _stage_groups(actors: Sequence[Actor], vocab: Vocab) -> tuple[ActorGroup, ...]:
    codes = vocab.codes("policy-stage")
    stages = vocab.ordered("policy-stage", [vocab.concept("policy-stage", c) for c in codes])
    return tuple(
        ActorGroup(s, tuple(a for a in actors if s.code in {x.code for x in a.stages}))
        for s in stages
    )


def _sources(rows: Iterable[Row], vocab: Vocab, lang: str, actors: Directory) -> list[Source]:
    return _by_name((Source(
        iri=cell(row, "source"),
        title=text(row, "title", lang),
        kind=vocab.concept("source-kind", cell(row, "kind")),
        status=vocab.concept("source-status", cell(row, "status")),
        producers=actors.named(split(row.get("producers"))),
        users=actors.named(split(row.get("users"))),
        domains=vocab.concepts("domain", split(row.get("domains")), SEED_DOMAINS),
        periodicity=vocab.maybe("periodicity", cell(row, "periodicity")),
        latest_year=integer(row, "latest_year"),
        access=vocab.maybe("access", cell(row, "access")),
        url=cell(row, "url"),
        notes=cell(row, "notes"),
    ) for row in rows), "title")


def _practices(rows: Iterable[Row], vocab: Vocab, lang: str, names: Directory) -> list[Practice]:
    items = [Practice(
        iri=cell(row, "practice"),
        title=text(row, "title", lang),
        description=cell(row, "description"),
        actors=names.named(split(row.get("actors"))),
        sources=names.named(split(row.get("sources"))),
        stage=vocab.maybe("policy-stage", cell(row, "stage")),
        year=integer(row, "year"),
    ) for row in rows]

    def key(p: Practice) -> tuple:
        stage = vocab.position("policy-stage", p.stage.code) if p.stage else LAST
        return stage, sort_key(p.title), p.iri
    return sorted(items, key=key)


def _challenges(rows: Iterable[Row], vocab: Vocab, lang: str, names: Directory
                ) -> list[Challenge]:
    return _by_name((Challenge(
        iri=cell(row, "challenge"),
        title=text(row, "title", lang),
        category=vocab.concept("challenge-category", cell(row, "category")),
        description=cell(row, "description"),
        affects=names.named(split(row.get("affects"))),
        domains=vocab.concepts("domain", split(row.get("domains")), SEED_DOMAINS),
        action=cell(row, "action"),
        action_status=vocab.maybe("action-status", cell(row, "action_status")),
        responsible=names.named(split(row.get("responsible"))),
    ) for row in rows), "title")


def _areas(rows: Iterable[Row], vocab: Vocab, lang: str, names: Directory
           ) -> tuple[AreaGroup, ...]:
    recs = [Recommendation(
        iri=cell(row, "recommendation"),
        text=text(row, "text", lang),
        area=vocab.concept("recommendation-area", cell(row, "area")),
        priority=vocab.maybe("priority", cell(row, "priority")),
        addressed_to=names.named(split(row.get("addressed_to"))),
        addresses=names.named(split(row.get("addresses"))),
    ) for row in rows]
    codes = list(SEED_AREAS) + sorted({r.area.code for r in recs} - set(SEED_AREAS))
    areas = vocab.ordered("recommendation-area",
                          [vocab.concept("recommendation-area", c) for c in codes])

    def key(r: Recommendation) -> tuple:
        rank = vocab.position("priority", r.priority.code) if r.priority else LAST
        return rank, sort_key(r.text), r.iri
    return tuple(
        AreaGroup(a, tuple(sorted((r for r in recs if r.area.code == a.code), key=key)))
        for a in areas
    )


def _process(rows: Iterable[Row], vocab: Vocab, names: Directory) -> list[ProcessStep]:
    steps = [ProcessStep(
        iri=cell(row, "step"),
        activity=vocab.concept("process-activity", cell(row, "activity")),
        date=cell(row, "date"),
        participants=names.named(split(row.get("participants"))),
        note=cell(row, "note"),
    ) for row in rows]

    # Dated steps by date; an undated step goes where the template's activity order puts it:
    # after every dated step of an earlier activity (so an undated drafting, endorsement or
    # publication is not sorted after a dated later step).
    def position(s: ProcessStep) -> int:
        return vocab.position("process-activity", s.activity.code)

    def when(s: ProcessStep) -> str:
        if s.date:
            return s.date
        return max((d.date for d in steps if d.date and position(d) <= position(s)),
                   default="")
    return sorted(steps, key=lambda s: (when(s), position(s), not s.date, s.iri))


def _references(rows: Iterable[Row], names: Directory) -> list[Reference]:
    refs = [Reference(
        iri=cell(row, "reference"),
        title=cell(row, "title"),
        publisher=cell(row, "publisher"),
        year=integer(row, "year"),
        url=cell(row, "url"),
        cited_by=names.named(split(row.get("cited_by"))),
    ) for row in rows]
    return sorted(refs, key=lambda r: (sort_key(r.title), r.iri))


def _imports(rows: Iterable[Row]) -> list[ImportRecord]:
    by_iri: dict[str, dict] = {}
    for row in rows:
        iri = cell(row, "import")
        record = by_iri.setdefault(iri, {"started": cell(row, "started"),
                                         "ended": cell(row, "ended"), "files": []})
        if cell(row, "file_name"):
            record["files"].append(InputFile(cell(row, "file_name"), cell(row, "sha256"),
                                             integer(row, "row_count")))
    records = sorted((ImportRecord(iri, r["started"], r["ended"],
                                   tuple(sorted(set(r["files"]),
                                                key=lambda f: (f.name, f.sha256))))
                      for iri, r in by_iri.items()), key=lambda r: (r.started, r.ended, r.iri))
    # An import of the same files as the one before it changed nothing: counted, not listed.
    distinct: list[ImportRecord] = []
    for r in records:
        last = distinct[-1] if distinct else None
        if last is not None and r.files and \
                {(f.name, f.sha256) for f in r.files} == {(f.name, f.sha256) for f in last.files}:
            distinct[-1] = replace(last, count=last.count + 1, last_ended=r.ended or r.started)
        else:
            distinct.append(r)
    return distinct


def _gaps(guide: Guide, vocab: Vocab) -> tuple[Gap, ...]:
    """Everything empty, thin or missing, in the order of the guide's sections."""
    gaps: list[Gap] = []

    def items(key: str, texts: Iterable[Text]) -> None:
        found = tuple(texts)
        if found:
            gaps.append(Gap(key, found))

    def count(name: str, n: int) -> None:
        if n == 0:
            gaps.append(Gap(f"no_{name}"))
        elif n < THIN_BELOW:
            gaps.append(Gap(f"thin_{name}"))

    if not guide.foreword.value:
        gaps.append(Gap("no_foreword"))
    if not guide.context:
        gaps.append(Gap("no_context"))
    else:
        if not guide.context_facts:
            gaps.append(Gap("no_context_facts"))
        if not guide.instruments:
            gaps.append(Gap("no_policy_framework"))
    count("sources", len(guide.sources))
    if guide.sources and not guide.potential_sources:
        gaps.append(Gap("no_potential_sources"))
    # Domains: the seed's four, and every other one the country's data mentions; a
    # sub-domain's source covers its seed domain too.
    mentioned = {d.code for x in (*guide.actors, *guide.sources, *guide.challenges)
                 for d in x.domains}
    covered = {d.code for s in guide.existing_sources for d in s.domains}
    covered |= vocab.seed_domains(d for s in guide.existing_sources for d in s.domains)
    items("domain_no_existing_source", (c.label for c in vocab.concepts(
        "domain", (mentioned | set(SEED_DOMAINS)) - covered, SEED_DOMAINS)))
    items("source_no_producer", (s.title for s in guide.existing_sources if not s.producers))
    items("domain_no_government", (d.concept.label for d in guide.domain_sections
                                   if not d.holders and not d.others))
    items("actor_no_domain", (a.name for a in guide.actors if not a.domains))
    items("no_public_contact", (a.name for a in guide.actors
                                if a.government and not a.contacts))
    items("stage_no_actor", (g.concept.label for g in guide.stage_groups
                             if g.concept is not None and not g.actors))
    items("actor_no_stage", (a.name for a in guide.actors if not a.stages))
    if guide.mp_status is None:
        gaps.append(Gap("no_mp_status"))
    if guide.coordinator is None:
        gaps.append(Gap("no_coordinator"))
    if not guide.working_group:
        gaps.append(Gap("no_working_group"))
    if not guide.process:
        gaps.append(Gap("no_process"))
    count("practices", len(guide.practices))
    count("challenges", len(guide.challenges))
    items("challenge_no_action", (c.title for c in guide.challenges if not c.has_action))
    count("recommendations", len(guide.recommendations))
    items("area_no_recommendation", (g.area.label for g in guide.areas
                                     if g.area.code in SEED_AREAS and not g.recommendations))
    items("recommendation_no_addressee", (r.text for r in guide.recommendations
                                          if not r.addressed_to))
    findings = guide.network.findings if guide.network else {}
    if guide.network is not None and not findings.get("relation_count"):
        gaps.append(Gap("no_relations"))
    if not guide.references:
        gaps.append(Gap("no_references"))
    return tuple(gaps)


# The schemes the glossary explains, in this order (their codes as the guide uses them).
GLOSSARY_SCHEMES = (
    "domain", "actor-type", "source-status", "source-kind", "periodicity", "access",
    "policy-stage", "context-topic", "instrument-status", "process-activity", "mp-status",
    "challenge-category", "action-status", "recommendation-area", "priority", "relation-type",
)


def _glossary(guide: Guide, rows: GuideRows, vocab: Vocab) -> tuple[GlossaryEntry, ...]:
    """The SKOS definition of every code the guide uses, by scheme in GLOSSARY_SCHEMES order."""
    used: set[tuple[str, str]] = set()

    def add(*concepts: Concept | None) -> None:
        used.update((c.scheme, c.code) for c in concepts if c is not None)

    for a in guide.actors:
        add(a.type, *a.domains, *a.stages)
    for s in guide.sources:
        add(s.kind, s.status, s.periodicity, s.access, *s.domains)
    for p in guide.practices:
        add(p.stage)
    for c in guide.challenges:
        add(c.category, c.action_status, *c.domains)
    for area in guide.areas:
        if area.area.code in SEED_AREAS or area.recommendations:
            add(area.area)
        for r in area.recommendations:
            add(r.priority)
    for step in guide.process:
        add(step.activity)
    for e in guide.context:
        add(e.topic, e.status, *e.domains)
    for group in guide.stage_groups:
        add(group.concept)
    add(guide.mp_status, *(vocab.concept("domain", d) for d in SEED_DOMAINS))
    for row in rows.relations:
        if cell(row, "type"):
            used.add(("relation-type", cell(row, "type")))
    entries = []
    for scheme in GLOSSARY_SCHEMES:
        codes = [code for (s, code) in used if s == scheme and (s, code) in vocab.definitions]
        for c in vocab.ordered(scheme, [vocab.concept(scheme, code) for code in codes]):
            entries.append(GlossaryEntry(scheme, c, vocab.definitions[(scheme, c.code)]))
    return tuple(entries)


def _relation_name(row: Row, vocab: Vocab, names: Directory) -> Text:
    """'A – shares data with – B', marked with the first fallback language of its parts."""
    parts = [names.one(cell(row, "subject")), vocab.concept("relation-type", cell(row, "type")),
             names.one(cell(row, "object"))]
    texts = [p.name if isinstance(p, Named) else p.label for p in parts if p is not None]
    return Text(" – ".join(t.value for t in texts), next((t.lang for t in texts if t.lang), ""))


def guide_from_rows(iso3: str, lang: str, rows: GuideRows, *, include_restricted: bool = False,
                    network: NetworkPart | None = None) -> Guide:
    """Assemble a guide from query rows (see queries/guide/ for each query's columns)."""
    vocab = Vocab.from_rows(rows.concepts, lang)
    country = rows.country[0] if rows.country else {}
    names = Directory()
    actors = _actors(rows, vocab, lang, include_restricted, names)
    by_iri = {a.iri: a for a in actors}
    for row in rows.sources:
        names.add(cell(row, "source"), text(row, "title", lang))
    for row in rows.challenges:
        names.add(cell(row, "challenge"), text(row, "title", lang))
    for row in rows.practices:
        names.add(cell(row, "practice"), text(row, "title", lang))
    for row in rows.recommendations:
        names.add(cell(row, "recommendation"), text(row, "text", lang))
    for row in rows.process:
        names.add(cell(row, "step"), vocab.concept("process-activity", cell(row, "activity")).label)
    for row in rows.context:
        names.add(cell(row, "entry"), text(row, "title", lang))
    for row in rows.references:
        names.add(cell(row, "reference"), Text(cell(row, "title")))
    for row in rows.relations:
        names.add(cell(row, "relation"), _relation_name(row, vocab, names))
    status = cell(country, "status")
    status = status if status in STATUSES else "draft"
    imports = _imports(rows.provenance)
    latest = max((r.last_ended or r.ended or r.started for r in imports), default="")
    coordinator = by_iri.get(cell(country, "coordinator"))
    sources = tuple(_sources(rows.sources, vocab, lang, names))
    challenges = tuple(_challenges(rows.challenges, vocab, lang, names))
    areas = _areas(rows.recommendations, vocab, lang, names)
    process = tuple(_process(rows.process, vocab, names))
    endorsed_on, published_on = cell(country, "endorsed_on"), cell(country, "published_on")
    endorsement = next((p for p in process if p.activity.code == "endorsement"
                        and coordinator is not None and p.date == endorsed_on
                        and coordinator.iri in {n.iri for n in p.participants}), None) \
        if status in ("endorsed", "published") else None
    publication = next((p for p in process if p.activity.code == "publication"
                        and p.date == published_on), None) if status == "published" else None
    sections, other_government = _domain_sections(actors, sources, challenges, areas, vocab)
    guide = Guide(
        iso3=iso3,
        lang=lang,
        country=text(country, "name", lang) if cell(country, "name") else Text(iso3),
        status=status,
        data_date=latest[:10],
        status_date=published_on if status == "published"
        else endorsed_on if status == "endorsed" else "",
        include_restricted=include_restricted,
        coordinator=coordinator,
        mp_status=vocab.maybe("mp-status", cell(country, "mp_status")),
        mp_last_edition=integer(country, "mp_last_edition"),
        actors=tuple(actors),
        sources=sources,
        domain_groups=_domain_groups(actors, vocab),
        other_groups=_type_groups(actors, vocab),
        stage_groups=_stage_groups(actors, vocab),
        working_group=tuple(a for a in actors if a.wg_member),
        process=process,
        practices=tuple(_practices(rows.practices, vocab, lang, names)),
        challenges=challenges,
        areas=areas,
        references=tuple(_references(rows.references, names)),
        imports=tuple(imports),
        network=network,
        foreword=text(country, "foreword", lang),
        foreword_by=by_iri.get(cell(country, "foreword_by")),
        endorsement=endorsement,
        publication=publication,
        context=tuple(_context(rows.context, vocab, lang, names)),
        domain_sections=sections,
        other_government=other_government,
        latest_data_year=max((s.latest_year for s in sources if s.latest_year), default=None),
    )
    priorities = [r.priority for r in guide.recommendations if r.priority is not None]
    guide = replace(guide, glossary=_glossary(guide, rows, vocab),
                    top_priority=min(priorities, default=None,
                                     key=lambda p: (vocab.position("priority", p.code), p.code)))
    return replace(guide, gaps=_gaps(guide, vocab))

