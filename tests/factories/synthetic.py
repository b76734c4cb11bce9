"""Synthetic country graphs shaped like docs/data-model.md, for benchmarks and store tests.

`synthetic_country_triples("XAA")` gives ~10k triples for one country: actors with
contact points and stage participations, data sources, qualified relations,
challenges with corrective actions, recommendations, practices, process steps and
references, all with the IRIs and predicates the importer mints. The output is
deterministic for given arguments (seeded by the country code), so benchmarks
can be compared run to run.
"""

from __future__ import annotations

import random
import zlib

import pyoxigraph as ox

from kg.namespaces import (
    DCAT,
    DCTERMS,
    FOAF,
    MKG,
    ORG,
    PROV,
    RDF,
    SKOS,
    VCARD,
    XSD,
    DataIRIs,
    concept,
)

# Codes only need to look like the vocabularies' (data/vocabularies/); queries group by them.
DOMAINS = ("trends", "border", "crisis", "development", "labour", "diaspora")
STAGES = ("agenda", "formulation", "adoption", "implementation", "monitoring", "evaluation")
ACTOR_TYPES = ("government", "statistics", "io", "academia", "civil-society", "donor", "private")
SOURCE_KINDS = ("census", "survey", "register", "border-data", "admin", "study")
SOURCE_STATUS = ("existing", "potential")
PERIODICITY = ("annual", "monthly", "irregular", "decennial")
ACCESS = ("public", "restricted", "on-request")
RELATIONS = {
    "shares-data": "sharesDataWith", "coordinates": "coordinates", "supports": "supports",
    "funds": "funds", "member-of": "memberOf", "reports-to": "reportsTo",
}
CHALLENGE_CATEGORIES = ("coordination", "capacity", "quality", "access", "legal", "funding")
ACTION_STATUS = ("planned", "ongoing", "done")
REC_AREAS = ("cooperation", "training", "collection", "border-info", "crisis-info")
PRIORITY = ("high", "medium", "low")
ACTIVITIES = ("questionnaire", "workshop", "validation", "endorsement", "publication")

_RDF_TYPE = ox.NamedNode(str(RDF.type))


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def synthetic_country_triples(
    iso3: str,
    n_actors: int = 165,
    *,
    base: str = "https://w3id.org/migkg/",
    sources_per_actor: float = 0.8,
    relations_per_actor: float = 1.33,
    challenges_per_actor: float = 0.27,
    seed: int | None = None,
) -> list[ox.Triple]:
    """About 61 * n_actors triples (~10k at the default 165 actors) for one country graph."""
    rng = random.Random(zlib.crc32(iso3.encode()) if seed is None else seed)
    iris = DataIRIs(base)
    country = _n(iris.country(iso3))
    out: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(s, _n(str(p)), o))

    def lit(value: object, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
        if lang:
            return ox.Literal(str(value), language=lang)
        return ox.Literal(str(value), datatype=_n(str(datatype or XSD.string)))

    def ent(kind: str, local: str) -> ox.NamedNode:
        return _n(iris.entity(iso3, kind, local))

    def voc(scheme: str, code: str) -> ox.NamedNode:
        return _n(concept(scheme, code))

    n_sources = max(1, round(n_actors * sources_per_actor))
    n_relations = max(1, round(n_actors * relations_per_actor))
    n_challenges = max(1, round(n_actors * challenges_per_actor))
    n_recs = max(1, n_actors // 5)
    n_practices = max(1, n_actors // 15)
    n_refs = max(1, n_actors // 5)
    refs = [ent("reference", f"R{i}") for i in range(n_refs)]
    actors = [ent("actor", f"A{i}") for i in range(n_actors)]

    # Country and profile.
    out.append(ox.Triple(country, _RDF_TYPE, _n(str(MKG.Country))))
    add(country, DCTERMS.identifier, lit(iso3))
    add(country, SKOS.prefLabel, lit(f"Country {iso3}", lang="en"))
    add(country, SKOS.prefLabel, lit(f"Pays {iso3}", lang="fr"))
    profile = _n(f"{iris.country(iso3)}/profile")
    out.append(ox.Triple(profile, _RDF_TYPE, _n(str(MKG.CountryProfile))))
    add(profile, MKG.country, country)
    add(profile, MKG.coordinator, actors[0])
    add(profile, MKG.migrationProfileStatus, voc("mp-status", "draft"))
    add(profile, MKG.lastEdition, lit(2020, XSD.integer))

    for i, actor in enumerate(actors):
        out.append(ox.Triple(actor, _RDF_TYPE, _n(str(ORG.Organization))))
        add(actor, SKOS.prefLabel, lit(f"Actor {i} of {iso3}", lang="en"))
        add(actor, SKOS.prefLabel, lit(f"Acteur {i} de {iso3}", lang="fr"))
        add(actor, MKG.acronym, lit(f"A{i}"))
        add(actor, ORG.classification, voc("actor-type", rng.choice(ACTOR_TYPES)))
        add(actor, MKG.country, country)
        if i and rng.random() < 0.3:
            add(actor, ORG.subOrganizationOf, actors[rng.randrange(i)])
        for d in rng.sample(DOMAINS, 2):
            add(actor, MKG.domain, voc("domain", d))
        for st in rng.sample(STAGES, 2):
            stage = voc("policy-stage", st)
            add(actor, MKG.participatesInStage, stage)
            part = ent("participation", f"A{i}--{st}")
            out.append(ox.Triple(part, _RDF_TYPE, _n(str(MKG.StageParticipation))))
            add(part, MKG.participant, actor)
            add(part, MKG.stage, stage)
            add(part, MKG.country, country)
        add(actor, MKG.dataRole, lit(f"Produces and uses data set {rng.randrange(1000)}"))
        add(actor, FOAF.homepage, _n(f"https://example.org/{iso3.lower()}/a{i}"))
        contact = ent("contact", f"A{i}")
        add(actor, MKG.contactPoint, contact)
        out.append(ox.Triple(contact, _RDF_TYPE, _n(str(VCARD.Kind))))
        add(contact, VCARD.hasEmail, _n(f"mailto:a{i}@example.org"))
        add(contact, VCARD.hasTelephone, lit(f"+000 {rng.randrange(10**7):07d}"))
        add(contact, VCARD.fn, lit(f"Person {i}"))
        add(contact, MKG.visibility,
            voc("contact-visibility", "restricted" if rng.random() < 0.2 else "public"))
        add(actor, MKG.workingGroupMember, lit("true" if rng.random() < 0.3 else "false",
                                               XSD.boolean))
        add(actor, DCTERMS.source, rng.choice(refs))

    for i in range(n_sources):
        src = ent("source", f"S{i}")
        out.append(ox.Triple(src, _RDF_TYPE, _n(str(DCAT.Dataset))))
        add(src, DCTERMS.title, lit(f"Source {i} of {iso3}", lang="en"))
        add(src, DCTERMS.title, lit(f"Source {i} de {iso3}", lang="fr"))
        add(src, DCTERMS.type, voc("source-kind", rng.choice(SOURCE_KINDS)))
        add(src, MKG.sourceStatus, voc("source-status", rng.choice(SOURCE_STATUS)))
        add(src, DCTERMS.publisher, rng.choice(actors))
        for user in rng.sample(actors, min(2, n_actors)):
            add(src, MKG.usedBy, user)
        for d in rng.sample(DOMAINS, 2):
            add(src, DCAT.theme, voc("domain", d))
        add(src, DCTERMS.accrualPeriodicity, voc("periodicity", rng.choice(PERIODICITY)))
        add(src, MKG.latestYear, lit(rng.randrange(2000, 2025), XSD.integer))
        add(src, DCTERMS.accessRights, voc("access", rng.choice(ACCESS)))
        add(src, DCAT.landingPage, _n(f"https://example.org/{iso3.lower()}/s{i}"))
        add(src, SKOS.note, lit(f"Note about source {i}"))
        add(src, MKG.country, country)
        add(src, DCTERMS.source, rng.choice(refs))

    seen: set[tuple[int, str, int]] = set()
    for _ in range(n_relations):
        a, b = rng.sample(range(n_actors), 2) if n_actors > 1 else (0, 0)
        code = rng.choice(tuple(RELATIONS))
        if (a, code, b) in seen:
            continue
        seen.add((a, code, b))
        add(actors[a], MKG[RELATIONS[code]], actors[b])
        rel = ent("relation", f"A{a}--{code}--A{b}")
        out.append(ox.Triple(rel, _RDF_TYPE, _n(str(MKG.ActorRelation))))
        add(rel, MKG.relationSubject, actors[a])
        add(rel, MKG.relationType, voc("relation-type", code))
        add(rel, MKG.relationObject, actors[b])
        add(rel, SKOS.note, lit(f"Relation {a}-{b}"))
        add(rel, DCTERMS.source, rng.choice(refs))
        add(rel, MKG.country, country)
        add(actors[a], MKG.qualifiedRelation, rel)

    challenges = []
    for i in range(n_challenges):
        ch = ent("challenge", f"C{i}")
        challenges.append(ch)
        out.append(ox.Triple(ch, _RDF_TYPE, _n(str(MKG.Challenge))))
        add(ch, DCTERMS.title, lit(f"Challenge {i}", lang="en"))
        add(ch, DCTERMS.title, lit(f"Défi {i}", lang="fr"))
        add(ch, DCTERMS.description, lit(f"What goes wrong, case {i}"))
        add(ch, MKG.challengeCategory, voc("challenge-category", rng.choice(CHALLENGE_CATEGORIES)))
        add(ch, MKG.affects, rng.choice(actors))
        add(ch, MKG.domain, voc("domain", rng.choice(DOMAINS)))
        add(ch, MKG.country, country)
        add(ch, DCTERMS.source, rng.choice(refs))
        if rng.random() < 0.7:
            action = ent("action", f"C{i}")
            add(ch, MKG.correctiveAction, action)
            out.append(ox.Triple(action, _RDF_TYPE, _n(str(MKG.CorrectiveAction))))
            add(action, DCTERMS.description, lit(f"What fixed it, case {i}"))
            add(action, MKG.actionStatus, voc("action-status", rng.choice(ACTION_STATUS)))
            add(action, MKG.responsible, rng.choice(actors))
            add(action, MKG.country, country)

    for i in range(n_recs):
        rec = ent("recommendation", f"R{i}")
        out.append(ox.Triple(rec, _RDF_TYPE, _n(str(MKG.Recommendation))))
        add(rec, DCTERMS.description, lit(f"Recommendation {i}", lang="en"))
        add(rec, DCTERMS.description, lit(f"Recommandation {i}", lang="fr"))
        add(rec, MKG.recommendationArea, voc("recommendation-area", rng.choice(REC_AREAS)))
        add(rec, MKG.addressedTo, rng.choice(actors))
        add(rec, MKG.addresses, rng.choice(challenges))
        add(rec, MKG.priority, voc("priority", rng.choice(PRIORITY)))
        add(rec, MKG.country, country)
        add(rec, DCTERMS.source, rng.choice(refs))

    for i in range(n_practices):
        pr = ent("practice", f"P{i}")
        out.append(ox.Triple(pr, _RDF_TYPE, _n(str(MKG.GoodPractice))))
        add(pr, DCTERMS.title, lit(f"Practice {i}", lang="en"))
        add(pr, DCTERMS.description, lit(f"How practice {i} works"))
        for a in rng.sample(actors, min(2, n_actors)):
            add(pr, MKG.involvedActor, a)
        add(pr, MKG.usedSource, ent("source", f"S{rng.randrange(n_sources)}"))
        add(pr, MKG.stage, voc("policy-stage", rng.choice(STAGES)))
        add(pr, MKG.year, lit(rng.randrange(2005, 2025), XSD.integer))
        add(pr, MKG.country, country)

    for i, activity in enumerate(ACTIVITIES):
        step = ent("process", f"P{i}")
        out.append(ox.Triple(step, _RDF_TYPE, _n(str(MKG.ProcessStep))))
        add(step, MKG.activityType, voc("process-activity", activity))
        add(step, DCTERMS.date, lit(f"2023-0{i + 1}-15", XSD.date))
        add(step, PROV.wasAssociatedWith, actors[0])
        add(step, SKOS.note, lit(f"Step {activity}"))
        add(step, MKG.country, country)

    for i, ref in enumerate(refs):
        out.append(ox.Triple(ref, _RDF_TYPE, _n(str(DCTERMS.BibliographicResource))))
        add(ref, DCTERMS.title, lit(f"Report {i}"))
        add(ref, MKG.publisherName, lit(f"Publisher {i % 7}"))
        add(ref, MKG.year, lit(rng.randrange(2000, 2025), XSD.integer))
        add(ref, FOAF.page, _n(f"https://example.org/{iso3.lower()}/r{i}"))
        add(ref, MKG.country, country)
    return out


def synthetic_iso3(n: int) -> list[str]:
    """n demo country codes from the user-assigned range XAA..XZZ (then QMA..)."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    codes = [f"X{a}{b}" for a in letters for b in letters]
    codes += [f"Q{a}{b}" for a in letters[12:] for b in letters]
    if n > len(codes):
        raise ValueError(f"at most {len(codes)} synthetic countries")
    return codes[:n]
