"""Every namespace the project uses, in one place (see docs/data-model.md)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

MKG = Namespace("https://w3id.org/migkg/ontology#")
VOC = Namespace("https://w3id.org/migkg/vocab/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SH = Namespace("http://www.w3.org/ns/shacl#")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")

ONTOLOGY_IRI = "https://w3id.org/migkg/ontology"
DEFAULT_BASE = "https://w3id.org/migkg/"

PREFIXES: dict[str, str] = {
    "mkg": str(MKG),
    "voc": str(VOC),
    "org": str(ORG),
    "dcat": str(DCAT),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "vcard": str(VCARD),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
}

__all__ = [
    "DCAT", "DCTERMS", "DEFAULT_BASE", "EU_COUNTRY", "FOAF", "MKG", "ONTOLOGY_IRI", "ORG",
    "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "SH", "SKOS", "VCARD", "VOC", "XSD",
    "concept", "scheme", "DataIRIs",
]


def scheme(name: str) -> str:
    """IRI of a concept scheme, e.g. scheme('domain')."""
    return f"{VOC}{name}"


def concept(scheme_name: str, code: str) -> str:
    """IRI of a concept: the scheme IRI, a slash, the template code."""
    return f"{VOC}{scheme_name}/{code}"


class DataIRIs:
    """Mints the stable data and graph IRIs under a deployment's base."""

    def __init__(self, base: str = DEFAULT_BASE):
        self.base = base if base.endswith("/") else base + "/"

    def country(self, iso3: str) -> str:
        return f"{self.base}id/{iso3}"

    def entity(self, iso3: str, kind: str, local_id: str) -> str:
        return f"{self.base}id/{iso3}/{kind}/{local_id}"

    def graph(self, iso3: str) -> str:
        return f"{self.base}graph/{iso3}"

    @property
    def vocabulary_graph(self) -> str:
        return f"{self.base}graph/vocabularies"

    def iso3_of_graph(self, graph_iri: str) -> str | None:
        prefix = f"{self.base}graph/"
        if graph_iri.startswith(prefix):
            tail = graph_iri[len(prefix):]
            if len(tail) == 3 and tail.isalpha() and tail.isupper():
                return tail
        return None
