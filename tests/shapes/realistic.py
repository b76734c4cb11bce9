"""A synthetic but realistic country graph, as the importer would write it (docs/data-model.md).

~50 actors, 40 data sources and ~150 other rows: the size the validation
timing target is about. Deterministic: the same arguments give the same triples.
"""

from __future__ import annotations

import random

import pyoxigraph as ox

BASE = "https://w3id.org/migkg/"
MKG = "https://w3id.org/migkg/ontology#"
VOC = "https://w3id.org/migkg/vocab/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ORG = "http://www.w3.org/ns/org#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"

DOMAINS = [
    "trends",
    "border_management",
    "crisis_migration",
    "migration_development",
    "labour_migration",
    "diaspora",
    "asylum_protection",
    "remittances",
]
STAGES = [
    "needs_identification",
    "formulation",
    "decision",
    "implementation",
    "monitoring_evaluation",
    "reformulation",
]
ACTOR_TYPES = [
    "ministry",
    "government_agency",
    "statistics_office",
    "international_organisation",
    "academia_research",
    "civil_society",
    "development_partner",
]
KINDS = [
    "census",
    "household_survey",
    "administrative_register",
    "border_crossing_records",
    "work_permits",
    "research_study",
    "database_portal",
]
RELATIONS = {
    "shares_data_with": "sharesDataWith",
    "coordinates": "coordinates",
    "supports": "supports",
    "funds": "funds",
    "member_of": "memberOf",
    "reports_to": "reportsTo",
}
CATEGORIES = [
    "understanding",
    "coordination",
    "data_sharing",
    "capacity_resources",
    "legal_framework",
]
AREAS = ["cooperation", "training_human_resources", "data_collection", "other"]
ACTIVITIES = [
    "expression_of_interest",
    "questionnaire",
    "desk_research",
    "national_workshop",
    "analysis_drafting",
    "endorsement",
    "publication",
]


def country_triples(
    iso3: str = "XAA", actors: int = 50, sources: int = 40, seed: int = 1
) -> list[ox.Triple]:
    """Triples of one country: actors with contacts and stages, sources, relations, etc."""
    rnd = random.Random(seed)
    out: list[ox.Triple] = []
    country = ox.NamedNode(f"{BASE}id/{iso3}")

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    def ent(kind: str, local: str) -> ox.NamedNode:
        return n(f"{BASE}id/{iso3}/{kind}/{local}")

    def code(scheme: str, c: str) -> ox.NamedNode:
        return n(f"{VOC}{scheme}/{c}")

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(s, n(p), o))

    def text(value: str, lang: str | None = None) -> ox.Literal:
        return ox.Literal(value, language=lang) if lang else ox.Literal(value)

    def integer(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=n(f"{XSD}integer"))

    refs = [ent("reference", f"ref-{i}") for i in range(10)]

    def cite(s: ox.NamedNode) -> None:
        add(s, f"{MKG}country", country)
        for r in rnd.sample(refs, rnd.randint(0, 2)):
            add(s, f"{DCT}source", r)

    add(country, RDF_TYPE, n(f"{MKG}Country"))
    add(country, f"{DCT}identifier", text(iso3))
    add(country, f"{SKOS}prefLabel", text("Testland", "en"))
    add(country, f"{SKOS}prefLabel", text("Testlande", "fr"))
    profile = n(f"{country.value}/profile")
    add(profile, RDF_TYPE, n(f"{MKG}CountryProfile"))
    add(profile, f"{MKG}country", country)
    add(profile, f"{MKG}coordinator", ent("actor", "a0"))
    add(profile, f"{MKG}migrationProfileStatus", code("mp-status", "published"))
    add(profile, f"{MKG}lastEdition", integer(2019))

    actor_nodes = [ent("actor", f"a{i}") for i in range(actors)]
    for i, a in enumerate(actor_nodes):
        add(a, RDF_TYPE, n(f"{ORG}Organization"))
        cite(a)
        add(a, f"{SKOS}prefLabel", text(f"Actor {i}", "en"))
        if i % 2:
            add(a, f"{SKOS}prefLabel", text(f"Acteur {i}", "fr"))
        add(a, f"{MKG}acronym", text(f"A{i}"))
        add(a, f"{ORG}classification", code("actor-type", rnd.choice(ACTOR_TYPES)))
        if i >= 10 and i % 3 == 0:  # directorates of the first ten actors
            add(a, f"{ORG}subOrganizationOf", actor_nodes[rnd.randrange(10)])
        for d in rnd.sample(DOMAINS, rnd.randint(1, 3)):
            add(a, f"{MKG}domain", code("domain", d))
        for st in rnd.sample(STAGES, rnd.randint(0, 3)):
            add(a, f"{MKG}participatesInStage", code("policy-stage", st))
            part = ent("participation", f"a{i}--{st}")
            add(part, RDF_TYPE, n(f"{MKG}StageParticipation"))
            add(part, f"{MKG}participant", a)
            add(part, f"{MKG}stage", code("policy-stage", st))
            add(part, f"{MKG}country", country)
        add(a, f"{MKG}dataRole", text("Collects and publishes data."))
        add(a, f"{FOAF}homepage", n(f"https://actor{i}.example.org/"))
        cp = ent("contact", f"a{i}")
        add(cp, RDF_TYPE, n(f"{VCARD}Kind"))
        add(a, f"{MKG}contactPoint", cp)
        add(cp, f"{VCARD}hasEmail", n(f"mailto:info@actor{i}.example.org"))
        add(cp, f"{VCARD}hasTelephone", text("+221 33 000 00 00"))
        add(cp, f"{VCARD}fn", text("Head of statistics"))
        add(
            cp, f"{MKG}visibility", code("contact-visibility", rnd.choice(["public", "restricted"]))
        )
        add(
            a,
            f"{MKG}workingGroupMember",
            ox.Literal("true" if i % 4 == 0 else "false", datatype=n(f"{XSD}boolean")),
        )

    source_nodes = [ent("source", f"s{i}") for i in range(sources)]
    for i, s in enumerate(source_nodes):
        add(s, RDF_TYPE, n(f"{DCAT}Dataset"))
        cite(s)
        add(s, f"{DCT}title", text(f"Source {i}", "en"))
        add(s, f"{DCT}type", code("source-kind", rnd.choice(KINDS)))
        add(s, f"{MKG}sourceStatus", code("source-status", "existing" if i % 4 else "potential"))
        for a in rnd.sample(actor_nodes, rnd.randint(1, 2)):
            add(s, f"{DCT}publisher", a)
        for a in rnd.sample(actor_nodes, rnd.randint(0, 3)):
            add(s, f"{MKG}usedBy", a)
        for d in rnd.sample(DOMAINS, rnd.randint(1, 2)):
            add(s, f"{DCAT}theme", code("domain", d))
        add(s, f"{DCT}accrualPeriodicity", code("periodicity", "annual"))
        add(s, f"{MKG}latestYear", integer(rnd.randint(2005, 2024)))
        add(s, f"{DCT}accessRights", code("access", "public"))
        add(s, f"{DCAT}landingPage", n(f"https://data.example.org/s{i}"))
        add(s, f"{SKOS}note", text("Published yearly."))

    seen = set()
    while len(seen) < 60:
        sa, oa = rnd.sample(range(actors), 2)
        rel = rnd.choice(list(RELATIONS))
        if (sa, rel, oa) in seen:
            continue
        seen.add((sa, rel, oa))
        s_node, o_node = actor_nodes[sa], actor_nodes[oa]
        add(s_node, f"{MKG}{RELATIONS[rel]}", o_node)
        r = ent("relation", f"a{sa}--{rel}--a{oa}")
        add(r, RDF_TYPE, n(f"{MKG}ActorRelation"))
        cite(r)
        add(r, f"{MKG}relationSubject", s_node)
        add(r, f"{MKG}relationType", code("relation-type", rel))
        add(r, f"{MKG}relationObject", o_node)
        add(s_node, f"{MKG}qualifiedRelation", r)
        add(r, f"{SKOS}note", text("Memorandum of understanding."))

    challenge_nodes = [ent("challenge", f"c{i}") for i in range(30)]
    for i, c in enumerate(challenge_nodes):
        add(c, RDF_TYPE, n(f"{MKG}Challenge"))
        cite(c)
        add(c, f"{DCT}title", text(f"Challenge {i}", "en"))
        add(c, f"{DCT}title", text(f"Problème {i}", "fr"))
        add(c, f"{DCT}description", text("Data are not shared."))
        add(c, f"{MKG}challengeCategory", code("challenge-category", rnd.choice(CATEGORIES)))
        add(c, f"{MKG}affects", rnd.choice(actor_nodes + source_nodes))
        add(c, f"{MKG}domain", code("domain", rnd.choice(DOMAINS)))
        if i % 5:
            act = ent("action", f"c{i}")
            add(act, RDF_TYPE, n(f"{MKG}CorrectiveAction"))
            add(c, f"{MKG}correctiveAction", act)
            add(act, f"{MKG}country", country)
            add(act, f"{DCT}description", text("A data sharing agreement."))
            add(act, f"{MKG}actionStatus", code("action-status", "in_progress"))
            add(act, f"{MKG}responsible", rnd.choice(actor_nodes))

    for i in range(25):
        r = ent("recommendation", f"r{i}")
        add(r, RDF_TYPE, n(f"{MKG}Recommendation"))
        cite(r)
        add(r, f"{DCT}description", text(f"Recommendation {i}", "en"))
        add(r, f"{MKG}recommendationArea", code("recommendation-area", rnd.choice(AREAS)))
        for a in rnd.sample(actor_nodes, rnd.randint(1, 3)):
            add(r, f"{MKG}addressedTo", a)
        add(r, f"{MKG}addresses", rnd.choice(challenge_nodes))
        add(r, f"{MKG}priority", code("priority", "high"))

    for i in range(15):
        p = ent("practice", f"p{i}")
        add(p, RDF_TYPE, n(f"{MKG}GoodPractice"))
        cite(p)
        add(p, f"{DCT}title", text(f"Practice {i}", "en"))
        add(p, f"{DCT}description", text("The profile informed the strategy."))
        add(p, f"{MKG}involvedActor", rnd.choice(actor_nodes))
        add(p, f"{MKG}usedSource", rnd.choice(source_nodes))
        add(p, f"{MKG}stage", code("policy-stage", rnd.choice(STAGES)))
        add(p, f"{MKG}year", integer(2015 + i % 8))

    for i, activity in enumerate(ACTIVITIES):
        s = ent("process", f"step{i}")
        add(s, RDF_TYPE, n(f"{MKG}ProcessStep"))
        add(s, RDF_TYPE, n(f"{PROV}Activity"))
        cite(s)
        add(s, f"{MKG}activityType", code("process-activity", activity))
        add(s, f"{DCT}date", ox.Literal(f"2020-0{i + 1}", datatype=n(f"{XSD}gYearMonth")))
        add(s, f"{PROV}wasAssociatedWith", actor_nodes[0])
        add(s, f"{SKOS}note", text("Held in the capital."))

    for i, r in enumerate(refs):
        add(r, RDF_TYPE, n(f"{DCT}BibliographicResource"))
        add(r, f"{MKG}country", country)
        add(r, f"{DCT}title", text(f"Report {i}"))
        add(r, f"{MKG}publisherName", text("National Statistics Office"))
        add(r, f"{MKG}year", integer(2010 + i))
        add(r, f"{FOAF}page", n(f"https://reports.example.org/{i}.pdf"))
    return list(dict.fromkeys(out))
