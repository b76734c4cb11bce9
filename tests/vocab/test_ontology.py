"""The ontology: every own term declared, bilingual, aligned; one version number."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.namespaces import DCAT, DCTERMS, MKG, ONTOLOGY_IRI, ORG, OWL, PROV, RDF, RDFS, SKOS
from kg.resources import data_root, ontology_dir, vocabularies_dir

TERM_TYPES = {str(OWL.Class), str(OWL.ObjectProperty), str(OWL.DatatypeProperty),
              str(OWL.AnnotationProperty)}


def _triples(path: Path) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE)]


@pytest.fixture(scope="module")
def ontology() -> dict[str, dict[str, list[ox.NamedNode | ox.Literal]]]:
    """subject -> predicate -> objects, for ontology/migkg.ttl."""
    table: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in _triples(ontology_dir() / "migkg.ttl"):
        table[t.subject.value][t.predicate.value].append(t.object)
    return table


def _declared(ontology: dict) -> set[str]:
    return {s for s, props in ontology.items()
            if s.startswith(str(MKG)) and {o.value for o in props[str(RDF.type)]} & TERM_TYPES}


def _used_terms(text: str) -> set[str]:
    return {str(MKG) + local for local in re.findall(r"\bmkg:(\w+)", text)}


def test_version_matches_the_package(ontology: dict) -> None:
    head = ontology[ONTOLOGY_IRI]
    assert [o.value for o in head[str(RDF.type)]] == [str(OWL.Ontology)]
    assert [o.value for o in head[str(OWL.versionIRI)]] == [f"{ONTOLOGY_IRI}/{kg.__version__}"]
    assert [o.value for o in head[str(OWL.versionInfo)]] == [kg.__version__]
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert sorted(o.language for o in head[str(predicate)]) == ["en", "fr"]
    assert head[str(DCTERMS.license)]


def test_every_own_term_has_one_label_and_definition_per_language(ontology: dict) -> None:
    own = [s for s in ontology if s.startswith(str(MKG))]
    assert len(own) >= 55
    for iri in own:
        props = ontology[iri]
        assert {o.value for o in props[str(RDF.type)]} & TERM_TYPES, f"{iri} has no OWL type"
        for predicate in (RDFS.label, SKOS.definition):
            languages = sorted(o.language for o in props[str(predicate)]
                               if isinstance(o, ox.Literal))
            assert languages == ["en", "fr"], (iri, predicate, languages)
        assert [o.value for o in props[str(RDFS.isDefinedBy)]] == [ONTOLOGY_IRI]


def test_every_mkg_term_of_the_data_model_is_declared(ontology: dict) -> None:
    used = _used_terms((data_root() / "docs" / "data-model.md").read_text("utf-8"))
    used.discard(str(MKG))  # the bare prefix in the namespace table
    assert len(used) > 50
    missing = sorted(used - _declared(ontology))
    assert not missing, f"used in docs/data-model.md but not in ontology/migkg.ttl: {missing}"


def test_every_mkg_term_used_by_vocabularies_shapes_queries_and_code_is_declared(
        ontology: dict) -> None:
    root = data_root()
    used: set[str] = set()
    for folder, pattern in ((vocabularies_dir(), "*.ttl"), (root / "shapes", "*.ttl"),
                            (root / "queries", "**/*.rq")):
        for path in folder.glob(pattern):
            used |= _used_terms(path.read_text("utf-8"))
    for path in (root / "kg").rglob("*.py"):
        used |= {str(MKG) + local
                 for local in re.findall(r"\bMKG\.([A-Za-z]\w*)", path.read_text("utf-8"))}
    used.discard(str(MKG))
    missing = sorted(used - _declared(ontology))
    assert not missing, f"used but not declared in ontology/migkg.ttl: {missing}"


def test_classes_and_properties_are_typed_as_the_data_model_uses_them(ontology: dict) -> None:
    def types(local: str) -> set[str]:
        return {o.value for o in ontology[str(MKG[local])][str(RDF.type)]}

    for local in ("Country", "CountryProfile", "Challenge", "CorrectiveAction", "Recommendation",
                  "GoodPractice", "StageParticipation", "ActorRelation", "ProcessStep",
                  "ImportActivity", "Guide"):
        assert types(local) == {str(OWL.Class)}, local
    for local in ("lastEdition", "acronym", "dataRole", "workingGroupMember", "latestYear",
                  "year", "publisherName", "importedBy", "toolVersion", "tripleCount",
                  "fileName", "sha256", "rowCount"):
        assert types(local) == {str(OWL.DatatypeProperty)}, local
    for local in ("directProperty", "listOrder"):
        assert types(local) == {str(OWL.AnnotationProperty)}, local


def test_alignments_to_reused_vocabularies(ontology: dict) -> None:
    def values(local: str, predicate) -> set[str]:
        return {o.value for o in ontology[str(MKG[local])][str(predicate)]}

    assert str(DCTERMS.Location) in values("Country", RDFS.subClassOf)
    assert str(PROV.Activity) in values("ProcessStep", RDFS.subClassOf)
    assert str(PROV.Activity) in values("ImportActivity", RDFS.subClassOf)
    assert str(SKOS.altLabel) in values("acronym", RDFS.subPropertyOf)
    assert str(ORG.memberOf) in values("memberOf", RDFS.subPropertyOf)
    assert str(ORG.reportsTo) in values("reportsTo", RDFS.subPropertyOf)
    for local in ("sharesDataWith", "coordinates", "supports", "funds"):
        assert str(ORG.linkedTo) in values(local, RDFS.subPropertyOf)
    for local in ("sharesDataWith", "coordinates", "supports", "funds", "memberOf", "reportsTo"):
        assert values(local, RDFS.domain) == values(local, RDFS.range) == {str(ORG.Organization)}
    assert str(DCAT.theme) in values("domain", SKOS.closeMatch)
    assert values("qualifiedRelation", RDFS.range) == {str(MKG.ActorRelation)}
    assert str(PROV.qualifiedInfluence) in values("qualifiedRelation", SKOS.closeMatch)


def test_external_alignment_targets_are_not_in_our_namespace(ontology: dict) -> None:
    """Alignments point outside; own terms are referenced only if declared."""
    declared = _declared(ontology)
    for props in ontology.values():
        for predicate in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
                          SKOS.closeMatch):
            for o in props[str(predicate)]:
                if o.value.startswith(str(MKG)):
                    assert o.value in declared, o.value


def test_ontology_parses_with_rdflib_too() -> None:
    """rdflib is the interchange layer (pyshacl input): it must read the ontology as well."""
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=(ontology_dir() / "migkg.ttl").read_bytes(), format="turtle")
    assert (rdflib.URIRef(ONTOLOGY_IRI), rdflib.RDF.type, rdflib.OWL.Ontology) in graph
