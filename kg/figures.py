"""Per-country figures (counts, completeness, guide status, coverage of the domains and the
policy stages, challenges by category), precomputed.

The dashboard, the comparison and the country-summary, completeness and
domains-across-countries queries need figures that, counted live over every country,
cost 0.5-1.5 s at 1M triples. They are computed instead when a country is imported, by
the catalogue's own live queries (queries/compare/country-figures.rq and
domain-figures.rq) run on that country's data and the model alone, and written into the
country's graph with its data, so they change atomically with it:

    <base>id/XAA/figures                 a mkg:CountryFigures ; mkg:figuresOf <base>id/XAA ;
                                         fig:actor_count 46 ; ... fig:status "published"
    <base>id/XAA/figures/domain/trends   a mkg:DomainFigures ; mkg:figuresOf <base>id/XAA ;
                                         mkg:figuresDomain voc:domain/trends ; fig:actor_count 9 ...

    <base>id/XAA/figures/stage/analysis a mkg:StageFigures ; mkg:figuresOf <base>id/XAA ;
                                         mkg:figuresStage voc:policy-stage/analysis ;
                                         fig:actor_count 7
    <base>id/XAA/figures/category/legal  a mkg:CategoryFigures ; mkg:figuresOf <base>id/XAA ;
                                         mkg:figuresCategory voc:challenge-category/legal ;
                                         fig:challenge_count 2 ; fig:with_action_count 1

One property per column of the live query (fig: + column name), so the definitions live
in one place: the .rq files (compare/country-figures, domain-figures, stage-figures and
category-figures).

The name keys find-by-name searches are precomputed the same way, one node per named
entity (actors, data sources, challenges, good practices, references), under the figures:

    <base>id/XAA/figures/name/actor/gis  mkg:figuresOf <base>id/XAA ;
                                         mkg:namesOf <base>id/XAA/actor/gis ;
                                         fig:name_key "|immigration service|service de l immigration|^gis^"

one literal per entity: every name (skos:prefLabel, dcterms:title, skos:altLabel, both
languages) in its searchable form (kg.names.key), sorted, each between `|`, then its acronyms
(kg.names.acronym_key) each between `^`. CONTAINS on that one literal tells a whole name
(`|text|`), a whole acronym (`^text^`), the start of a word (`|text` or ` text`) and any
other part apart, in one scan of one literal per entity (a second literal for the acronyms
cost as much again). mkg:figuresOf lets a one-country search start from the country;
mkg:namesOf names the entity (entity-facts leaves that link out of an entity's facts).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

import kg.names
from kg.namespaces import DCAT, DCTERMS, FIG, MKG, ORG, RDF, SKOS, DataIRIs, concept
from kg.vocab import load_model_triples

_A = ox.NamedNode(str(RDF.type))
_FIGURES_OF = ox.NamedNode(str(MKG.figuresOf))
_COUNTRY_FIGURES = ox.NamedNode(str(MKG.CountryFigures))


@dataclass(frozen=True)
class Breakdown:
    """Figures per concept of one scheme: one node per country and concept,
    <country>/figures/<key>/<code>, from the rows of `query` keyed by column `key`."""

    query: str
    key: str  # the column holding the concept's code, also the node's path segment
    scheme: str  # the vocabulary (kg.namespaces.concept)
    cls: ox.NamedNode
    link: ox.NamedNode  # node -> concept


BREAKDOWNS = (
    Breakdown("domain-figures", "domain", "domain",
              ox.NamedNode(str(MKG.DomainFigures)), ox.NamedNode(str(MKG.figuresDomain))),
    Breakdown("stage-figures", "stage", "policy-stage",
              ox.NamedNode(str(MKG.StageFigures)), ox.NamedNode(str(MKG.figuresStage))),
    Breakdown("category-figures", "category", "challenge-category",
              ox.NamedNode(str(MKG.CategoryFigures)), ox.NamedNode(str(MKG.figuresCategory))),
)
QUERIES = ("country-figures", *(b.query for b in BREAKDOWNS))
# The query computing each class of figures node, and the properties linking a per-concept
# node to its concept (label_facts).
_QUERY_OF_CLASS = {_COUNTRY_FIGURES.value: "country-figures",
                   **{b.cls.value: b.query for b in BREAKDOWNS}}
_LINKS = frozenset(b.link.value for b in BREAKDOWNS)
_VERSION = ox.NamedNode(str(MKG.figuresVersion))
_COUNTRY = ox.NamedNode(str(MKG.country))
_NAME_KEY = ox.NamedNode(f"{FIG}name_key")
_NAMES_OF = ox.NamedNode(str(MKG.namesOf))
_NAME_PROPERTIES = {ox.NamedNode(str(p)) for p in (SKOS.prefLabel, DCTERMS.title, SKOS.altLabel)}
_ACRONYM = ox.NamedNode(str(MKG.acronym))
# The kinds of entity find-by-name finds.
_NAMED_TYPES = {ox.NamedNode(str(t)) for t in (ORG.Organization, DCAT.Dataset, MKG.Challenge,
                                                MKG.GoodPractice, DCTERMS.BibliographicResource)}


def figures_iri(iris: DataIRIs, iso3: str) -> str:
    """The country's figures node; its per-concept nodes are under it
    (…/figures/domain/<code>, …/figures/stage/<code>, …/figures/category/<code>)."""
    return f"{iris.country(iso3)}/figures"


def is_figure(triple: ox.Triple, prefix: str) -> bool:
    """Whether a triple of a country graph is one of its figures (prefix: figures_iri)."""
    s = triple.subject
    return isinstance(s, ox.NamedNode) and (s.value == prefix or s.value.startswith(prefix + "/"))


@cache
def _model_ntriples() -> bytes:
    return ox.serialize(load_model_triples(), format=ox.RdfFormat.N_TRIPLES)


def compute(data: Sequence[ox.Triple], iso3: str, iris: DataIRIs) -> list[ox.Triple]:
    """The figures triples of one country, from its data triples (and the model) alone."""
    store = ox.Store()
    store.bulk_load(_model_ntriples(), format=ox.RdfFormat.N_TRIPLES)
    store.bulk_load(ox.serialize(data, format=ox.RdfFormat.N_TRIPLES),
                    format=ox.RdfFormat.N_TRIPLES)
    country = ox.NamedNode(iris.country(iso3))
    node = ox.NamedNode(figures_iri(iris, iso3))
    out: list[ox.Triple] = []
    for row, names in _rows(store, "country-figures", iso3):
        out += [ox.Triple(node, _A, _COUNTRY_FIGURES), ox.Triple(node, _FIGURES_OF, country)]
        out += _values(node, row, names)
    for b in BREAKDOWNS:
        for row, names in _rows(store, b.query, iso3):
            code = row[b.key].value
            sub = ox.NamedNode(f"{node.value}/{b.key}/{code}")
            out += [ox.Triple(sub, _A, b.cls), ox.Triple(sub, _FIGURES_OF, country),
                    ox.Triple(sub, b.link, ox.NamedNode(concept(b.scheme, code)))]
            out += _values(sub, row, names, b.key)
    return out + name_keys(data, node.value, country.value)


def name_keys(data: Sequence[ox.Triple], figures: str, country: str) -> list[ox.Triple]:
    """The name-key nodes of a country's named entities (see the module's docstring)."""
    typed: set[ox.NamedNode] = set()
    local: set[ox.NamedNode] = set()
    found: dict[ox.NamedNode, tuple[set[str], set[str]]] = {}
    for t in data:
        s = t.subject
        if not isinstance(s, ox.NamedNode):
            continue
        if t.predicate == _A and t.object in _NAMED_TYPES:
            typed.add(s)
        elif t.predicate == _COUNTRY and t.object.value == country:
            local.add(s)
        elif isinstance(t.object, ox.Literal):
            if t.predicate in _NAME_PROPERTIES:
                found.setdefault(s, (set(), set()))[0].add(kg.names.key(t.object.value))
            elif t.predicate == _ACRONYM:
                found.setdefault(s, (set(), set()))[1].add(kg.names.acronym_key(t.object.value))
    out: list[ox.Triple] = []
    prefix = country + "/"
    for entity in sorted(typed & local & set(found), key=lambda n: n.value):
        if not entity.value.startswith(prefix):
            continue
        node = ox.NamedNode(f"{figures}/name/{entity.value.removeprefix(prefix)}")
        keys, acronyms = (sorted(k for k in ks if k) for ks in found[entity])
        if not keys and not acronyms:
            continue
        text = "|" + "|".join(keys) + "|" + ("^" + "^".join(acronyms) + "^" if acronyms else "")
        out += [ox.Triple(node, _FIGURES_OF, ox.NamedNode(country)),
                ox.Triple(node, _NAMES_OF, entity),
                ox.Triple(node, _NAME_KEY, ox.Literal(text))]
    return out


def label_facts(facts: list[dict], lang: str) -> tuple[list[dict], str | None]:
    """An entity-facts answer about a figures node, readable: each fig:<column> property
    labelled with its column's description in lang (English when absent), read from the .rq
    file that computes it, so the definitions stay in one place; and the node's name, its
    class label and, for a per-concept node, the concept's (None for another node)."""
    from kg.query.catalogue import named_query

    cls = next((f for f in facts if f["direction"] == "out" and f["property"] == _A.value
                and f["value"] in _QUERY_OF_CLASS), None)
    if cls is None:
        return facts, None
    labels = {f"{FIG}{c.name}": (c.description.get(lang) or c.description.get("en") or c.name
                                 ).rstrip(".")
              for c in named_query(_QUERY_OF_CLASS[cls["value"]]).columns}
    concept_label = next((f["value_label"] for f in facts
                          if f["direction"] == "out" and f["property"] in _LINKS), None)
    name = " · ".join(x for x in (cls["value_label"], concept_label) if x) or None
    return [dict(f, property_label=labels[f["property"]]) if f["property"] in labels else f
            for f in facts], name


def _rows(store: ox.Store, name: str, iso3: str) -> list[tuple[ox.QuerySolution, list[str]]]:
    from kg.query.catalogue import named_query

    solutions = store.query(named_query(name).bind({"country": iso3}))
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    return [(row, names) for row in solutions]  # type: ignore[union-attr]


def _values(node: ox.NamedNode, row: ox.QuerySolution, names: list[str], key: str = ""
            ) -> list[ox.Triple]:
    """One fig:<column> triple per bound column but the keys (country, the concept's)."""
    return [ox.Triple(node, ox.NamedNode(f"{FIG}{name}"), row[name])
            for name in names if name not in ("country", key) and row[name] is not None]


def warm_up() -> None:
    """Parse the figure queries and serialise the model once (before forking workers)."""
    _model_ntriples()
    version()


@cache
def version() -> str:
    """What the stored figures depend on: the model, the two queries' text and the name keys'
    normal form (kg/names.py)."""
    from pathlib import Path

    from kg.query.catalogue import named_query

    digest = hashlib.sha256(_model_ntriples())
    digest.update(Path(kg.names.__file__).read_bytes())
    for name in QUERIES:
        digest.update(named_query(name).text.encode())
    return digest.hexdigest()[:16]


def version_triple(iris: DataIRIs) -> ox.Triple:
    """Recorded in the vocabulary graph: the definitions the stored figures follow."""
    return ox.Triple(ox.NamedNode(iris.vocabulary_graph), _VERSION, ox.Literal(version()))
