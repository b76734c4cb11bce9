"""The SKOS vocabularies: completeness against the template, order, bilinguality, the loader API."""

from __future__ import annotations

import tomllib
from collections import defaultdict

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection

from kg.namespaces import MKG, RDF, SKOS, VOC, concept, scheme
from kg.resources import vocabularies_dir
from kg.vocab import load_model_triples, load_vocabularies

# The oracle: every coded column's codes, copied from ../shared/questionnaire-template.md
# (version 1.1), in the template's order.
TEMPLATE_CODES: dict[str, list[str]] = {
    "domain": [
        "trends", "border_management", "crisis_migration", "migration_development",
        "labour_migration", "diaspora", "asylum_protection", "trafficking_smuggling",
        "return_reintegration", "remittances",
    ],
    "policy-stage": [
        "needs_identification", "formulation", "decision", "implementation",
        "monitoring_evaluation", "reformulation",
    ],
    "actor-type": [
        "ministry", "government_agency", "statistics_office", "local_authority", "parliament",
        "international_organisation", "regional_organisation", "development_partner",
        "academia_research", "civil_society", "private_sector", "diaspora_organisation",
    ],
    "source-kind": [
        "census", "household_survey", "migration_survey", "labour_force_survey",
        "administrative_register", "border_crossing_records", "visa_residence_permits",
        "work_permits", "asylum_refugee_records", "civil_registration", "consular_registration",
        "remittance_statistics", "research_study", "database_portal", "other",
    ],
    "source-status": ["existing", "potential"],
    "periodicity": [
        "one_off", "continuous", "monthly", "quarterly", "annual", "multi_year", "decennial",
        "irregular",
    ],
    "access": ["public", "on_request", "restricted", "unknown"],
    "relation-type": [
        "shares_data_with", "coordinates", "supports", "funds", "member_of", "reports_to",
    ],
    "challenge-category": [
        "understanding", "dissemination", "ownership", "update_capacity", "data_use",
        "coordination", "data_collection", "data_sharing", "capacity_resources",
        "legal_framework", "quality_comparability",
    ],
    "action-status": ["proposed", "in_progress", "implemented", "effective"],
    "recommendation-area": [
        "cooperation", "training_human_resources", "data_collection",
        "border_management_information", "crisis_migration_information", "other",
    ],
    "priority": ["high", "medium", "low"],
    "process-activity": [
        "expression_of_interest", "questionnaire", "desk_research", "national_workshop",
        "analysis_drafting", "endorsement", "publication",
    ],
    "mp-status": ["none", "in_preparation", "published", "endorsed"],
    "contact-visibility": ["public", "restricted"],
    # 1.1: context.csv
    "context-topic": [
        "background", "migration_situation", "policy", "law", "strategy", "agreement",
        "institutional_framework",
    ],
    "instrument-status": ["draft", "adopted", "in_force", "under_revision", "expired"],
}

DIRECT_PROPERTIES = {
    "shares_data_with": "sharesDataWith", "coordinates": "coordinates", "supports": "supports",
    "funds": "funds", "member_of": "memberOf", "reports_to": "reportsTo",
}

FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"


def _vocabulary_triples() -> list[ox.Triple]:
    triples = []
    for path in sorted(vocabularies_dir().glob("*.ttl")):
        triples.extend(ox.Triple(q.subject, q.predicate, q.object)
                       for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    return triples


def test_one_file_per_scheme_named_as_in_the_data_model() -> None:
    files = {p.stem for p in vocabularies_dir().glob("*.ttl")}
    assert files == set(TEMPLATE_CODES)
    assert load_vocabularies().schemes() == sorted(TEMPLATE_CODES)


@pytest.mark.parametrize("scheme_name", sorted(TEMPLATE_CODES))
def test_codes_are_exactly_the_template_codes_in_its_order(scheme_name: str) -> None:
    assert load_vocabularies().codes(scheme_name) == TEMPLATE_CODES[scheme_name]


def test_every_coded_column_of_the_template_names_an_existing_scheme() -> None:
    template = tomllib.loads(
        (vocabularies_dir().parents[1] / "kg" / "ingest" / "template.toml").read_text("utf-8"))
    named = {
        column["type"].split(":", 1)[1]
        for table in template["files"].values()
        for column in table["columns"].values()
        if column["type"].startswith(("code:", "codes:"))
    }
    assert named, "template.toml has no coded column"
    vocabularies = load_vocabularies()
    for name in named:
        assert name in vocabularies.schemes(), name
    # Every scheme serves at least one column.
    assert named == set(TEMPLATE_CODES)


def test_every_concept_and_scheme_is_bilingual() -> None:
    texts: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    concepts, schemes = set(), set()
    for t in _vocabulary_triples():
        if t.predicate.value == str(RDF.type) and t.object.value == str(SKOS.Concept):
            concepts.add(t.subject.value)
        if t.predicate.value == str(RDF.type) and t.object.value == str(SKOS.ConceptScheme):
            schemes.add(t.subject.value)
        if isinstance(t.object, ox.Literal) and t.object.language:
            texts[(t.subject.value, t.predicate.value, t.object.language)].append(t.object.value)
    assert len(concepts) == sum(len(codes) for codes in TEMPLATE_CODES.values())
    for iri in concepts | schemes:
        for predicate in (SKOS.prefLabel, SKOS.definition):
            for lang in ("en", "fr"):
                found = texts[(iri, str(predicate), lang)]
                assert len(found) == 1, (iri, predicate, lang, found)
                assert found[0].strip() == found[0] and found[0], (iri, predicate, lang)
    languages = {lang for (_, _, lang) in texts}
    assert languages == {"en", "fr"}


def test_concepts_follow_the_iri_and_skos_conventions() -> None:
    triples = _vocabulary_triples()
    by_subject: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        by_subject[t.subject.value][t.predicate.value].append(t.object.value)
    for name, codes in TEMPLATE_CODES.items():
        props = by_subject[scheme(name)]
        assert str(SKOS.ConceptScheme) in props[str(RDF.type)]
        for position, code in enumerate(codes, start=1):
            iri = concept(name, code)
            assert iri == f"{VOC}{name}/{code}"
            c = by_subject[iri]
            assert c[str(SKOS.notation)] == [code]
            assert c[str(SKOS.inScheme)] == [scheme(name)]
            broader = c[str(SKOS.broader)]
            if broader:  # a sub-concept: its broader one is in the scheme and names it back
                assert len(broader) == 1 and broader[0].startswith(f"{VOC}{name}/")
                assert iri in by_subject[broader[0]][str(SKOS.narrower)]
                assert not c[str(SKOS.topConceptOf)] and iri not in props[str(SKOS.hasTopConcept)]
            else:
                assert c[str(SKOS.topConceptOf)] == [scheme(name)]
                assert iri in props[str(SKOS.hasTopConcept)]
            assert c[str(MKG.listOrder)] == [str(position)]


def test_domains_are_the_seeds_four_with_their_sub_domains() -> None:
    """Issue 15: the guide's four seed domains are the top concepts; the other six are
    sub-domains of one of them (skos:broader), documented in both languages."""
    by_subject: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for t in _vocabulary_triples():
        by_subject[t.subject.value][t.predicate.value].append(t.object.value)
    tops = sorted(by_subject[scheme("domain")][str(SKOS.hasTopConcept)])
    assert tops == sorted(concept("domain", c) for c in (
        "trends", "border_management", "crisis_migration", "migration_development"))
    expected = {"diaspora": "migration_development", "remittances": "migration_development",
                "labour_migration": "migration_development",
                "return_reintegration": "migration_development",
                "trafficking_smuggling": "border_management",
                "asylum_protection": "crisis_migration"}
    for code, top in expected.items():
        c = by_subject[concept("domain", code)]
        assert c[str(SKOS.broader)] == [concept("domain", top)], code
    definitions = " ".join(by_subject[scheme("domain")][str(SKOS.definition)])
    assert "sub-domain" in definitions and "sous-domaine" in definitions


def test_policy_stages_form_the_seed_cycle() -> None:
    v = load_vocabularies()
    expected = TEMPLATE_CODES["policy-stage"]
    assert v.codes("policy-stage") == expected
    cycle = f"{VOC}policy-stage/cycle"
    triples = _vocabulary_triples()
    assert ox.Triple(ox.NamedNode(cycle), ox.NamedNode(str(RDF.type)),
                     ox.NamedNode(str(SKOS.OrderedCollection))) in triples
    graph = rdflib.Graph()
    graph.parse(data=(vocabularies_dir() / "policy-stage.ttl").read_bytes(), format="turtle")
    head = graph.value(rdflib.URIRef(cycle), rdflib.URIRef(SKOS.memberList))
    members = [str(m) for m in Collection(graph, head)]
    assert members == [concept("policy-stage", code) for code in expected]
    french = [v.label(concept("policy-stage", code), "fr") for code in expected]
    assert french == ["Identification des besoins", "Elaboration", "Décision", "Mise en œuvre",
                      "Suivi (et évaluation)", "Reformulation"]


def test_domain_labels_follow_the_seed() -> None:
    v = load_vocabularies()
    assert [v.label(concept("domain", c), "fr") for c in TEMPLATE_CODES["domain"][:4]] == [
        "Tendances migratoires", "Gestion des frontières", "Migration en situations de crise",
        "Migration et développement"]


def test_relation_types_name_their_direct_property() -> None:
    v = load_vocabularies()
    for code, local in DIRECT_PROPERTIES.items():
        assert v.direct_property(code) == str(MKG[local])
    with pytest.raises(KeyError):
        v.direct_property("likes")


def test_context_topics_name_the_class_of_their_rows() -> None:
    v = load_vocabularies()
    instruments = {"policy", "law", "strategy", "agreement"}
    for code in v.codes("context-topic"):
        expected = "PolicyInstrument" if code in instruments else "ContextFact"
        assert v.row_class(code) == str(MKG[expected]), code
    with pytest.raises(KeyError):
        v.row_class("weather")


def test_alignments_to_eu_authorities() -> None:
    close = {(t.subject.value, t.object.value) for t in _vocabulary_triples()
             if t.predicate.value == str(SKOS.closeMatch)}
    assert (concept("periodicity", "annual"), FREQUENCY + "ANNUAL") in close
    assert (concept("periodicity", "monthly"), FREQUENCY + "MONTHLY") in close
    assert (concept("periodicity", "decennial"), FREQUENCY + "DECENNIAL") in close
    assert (concept("access", "public"), ACCESS_RIGHT + "PUBLIC") in close
    assert (concept("access", "on_request"), ACCESS_RIGHT + "RESTRICTED") in close
    assert (concept("access", "restricted"), ACCESS_RIGHT + "NON_PUBLIC") in close


def test_loader_api() -> None:
    v = load_vocabularies()
    assert load_vocabularies() is v  # cached
    iri = v.concept("domain", "border_management")
    assert iri == concept("domain", "border_management")
    assert v.code_of(iri) == ("domain", "border_management")
    assert v.code_of(str(MKG.Country)) is None
    assert v.code_of("https://example.org/nothing") is None
    assert v.label(iri, "en") == "Border management"
    assert v.label(iri, "fr") == "Gestion des frontières"
    assert v.label(iri, "de") == "Border management"  # unknown language: a fallback, not an error
    assert "border" in v.definition(iri, "en").lower()
    assert "frontières" in v.definition(iri, "fr")
    assert v.label(scheme("domain"), "fr") == "Domaines migratoires"
    assert v.label(str(MKG.Challenge), "fr") == "Défi"  # ontology terms too
    assert v.has_code("priority", "high") and not v.has_code("priority", "urgent")
    with pytest.raises(KeyError):
        v.concept("domain", "weather")
    with pytest.raises(KeyError):
        v.concept("nope", "trends")
    with pytest.raises(KeyError):
        v.codes("nope")


def test_model_triples_are_the_ontology_and_every_vocabulary_and_stable() -> None:
    triples = load_model_triples()
    subjects = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    assert "https://w3id.org/migkg/ontology" in subjects
    assert str(MKG.ActorRelation) in subjects
    for name in TEMPLATE_CODES:
        assert scheme(name) in subjects
    assert len(set(triples)) == len(triples)
    # No blank node: the cycle's RDF list nodes are skolem IRIs named by file and position,
    # so the vocabulary graph reads back identical from any store.
    assert not [t for t in triples
                if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)]
    genids = sorted({t.subject.value for t in triples if "/.well-known/genid/" in t.subject.value})
    assert genids == sorted(f"{VOC}.well-known/genid/policy-stage-{i}"
                            for i in range(len(TEMPLATE_CODES["policy-stage"])))
    assert load_model_triples() == triples


def test_vocabularies_parse_with_rdflib_too() -> None:
    """rdflib is the interchange layer (pyshacl input): it must read the same files."""
    for path in sorted(vocabularies_dir().glob("*.ttl")):
        graph = rdflib.Graph()
        graph.parse(data=path.read_bytes(), format="turtle")
        assert len(graph) > 10, path


def test_the_cycle_reads_in_order_with_sparql_over_the_model_graph() -> None:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                 for t in load_model_triples())
    rows = store.query("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?notation (COUNT(?mid) AS ?position) WHERE {
          <https://w3id.org/migkg/vocab/policy-stage/cycle> skos:memberList ?list .
          ?list rdf:rest* ?mid . ?mid rdf:rest* ?node . ?node rdf:first ?stage .
          ?stage skos:notation ?notation .
        } GROUP BY ?notation ORDER BY ?position""")
    assert [row["notation"].value for row in rows] == TEMPLATE_CODES["policy-stage"]
