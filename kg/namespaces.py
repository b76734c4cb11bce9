"""Every namespace the project uses, in one place (see docs/data-model.md).

Terms are plain strings (`str(MKG.country)`, `f"{VOC}domain"`), so importing this module
costs nothing: rdflib (a third of a second to import) is loaded only where an rdflib graph
is used (kg.validate, which wraps these namespaces with rdflib's own).
"""

from __future__ import annotations


class Namespace:
    """An IRI prefix: `NS.term` and `NS["term"]` give the term's full IRI as a str.

    Not a str subclass, so terms named like str methods (dcterms:title, dcterms:format)
    are terms too.
    """

    __slots__ = ("_base",)

    def __init__(self, base: str) -> None:
        self._base = base

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._base + name

    def __getitem__(self, name: str) -> str:
        return self._base + name

    def __str__(self) -> str:
        return self._base

    def __repr__(self) -> str:
        return f"Namespace({self._base!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Namespace) and other._base == self._base

    def __hash__(self) -> int:
        return hash(self._base)


DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
ORG = Namespace("http://www.w3.org/ns/org#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
PROV = Namespace("http://www.w3.org/ns/prov#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
MKG = Namespace("https://w3id.org/migkg/ontology#")
VOC = Namespace("https://w3id.org/migkg/vocab/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SH = Namespace("http://www.w3.org/ns/shacl#")
# Precomputed figures: one property per column of queries/compare/*-figures.rq (kg.figures).
FIG = Namespace("https://w3id.org/migkg/figure/")
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
    "DCAT", "DCTERMS", "DEFAULT_BASE", "EU_COUNTRY", "FIG", "FOAF", "MKG", "ONTOLOGY_IRI", "ORG",
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


class ISO3:
    """A country code as the graph uses it: three ASCII letters, upper case (an ISO 3166-1
    alpha-3 code, or a demo code XAA-XZZ). The one definition every layer checks against;
    codes themselves stay plain str."""

    # As a regular expression (e.g. an OpenAPI pattern); any case, upper-cased on use.
    PATTERN = "[A-Za-z]{3}"

    @staticmethod
    def valid(value: str, *, upper_only: bool = False) -> bool:
        """Whether value is three ASCII letters (upper case only, when upper_only)."""
        return (len(value) == 3 and value.isascii() and value.isalpha()
                and (value.isupper() or not upper_only))

    @classmethod
    def parse(cls, value: object, where: str = "ISO3") -> str:
        """The code upper-cased, or a ParameterError located at `where` saying what is accepted."""
        code = str(value or "").strip()
        if not cls.valid(code):
            from kg.errors import Location, ParameterError, Problem

            raise ParameterError(Problem(Location(where), "common.bad_iso3", {"value": value}))
        return code.upper()
