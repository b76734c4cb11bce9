"""Per-country figures (counts, completeness, guide status, domain coverage), precomputed.

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

One property per column of the live query (fig: + column name), so the definitions live
in one place: the .rq files. A test compares the stored figures with the live queries
over whole stores. The vocabulary graph records which definitions (model + queries) the
stored figures were computed with (mkg:figuresVersion); when that changes, the next
import recomputes every country's figures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache

import pyoxigraph as ox

from kg.namespaces import FIG, MKG, RDF, DataIRIs, concept
from kg.vocab import load_model_triples

QUERIES = ("country-figures", "domain-figures")
_A = ox.NamedNode(str(RDF.type))
_FIGURES_OF = ox.NamedNode(str(MKG.figuresOf))
_FIGURES_DOMAIN = ox.NamedNode(str(MKG.figuresDomain))
_COUNTRY_FIGURES = ox.NamedNode(str(MKG.CountryFigures))
_DOMAIN_FIGURES = ox.NamedNode(str(MKG.DomainFigures))
_VERSION = ox.NamedNode(str(MKG.figuresVersion))


def figures_iri(iris: DataIRIs, iso3: str) -> str:
    """The country's figures node; its domain nodes are under it (…/figures/domain/<code>)."""
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
    for row, names in _rows(store, "domain-figures", iso3):
        code = row["domain"].value
        dnode = ox.NamedNode(f"{node.value}/domain/{code}")
        out += [ox.Triple(dnode, _A, _DOMAIN_FIGURES), ox.Triple(dnode, _FIGURES_OF, country),
                ox.Triple(dnode, _FIGURES_DOMAIN, ox.NamedNode(concept("domain", code)))]
        out += _values(dnode, row, names)
    return out


def _rows(store: ox.Store, name: str, iso3: str) -> list[tuple[ox.QuerySolution, list[str]]]:
    from kg.query.catalogue import named_query

    solutions = store.query(named_query(name).bind({"country": iso3}))
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    return [(row, names) for row in solutions]  # type: ignore[union-attr]


def _values(node: ox.NamedNode, row: ox.QuerySolution, names: list[str]) -> list[ox.Triple]:
    """One fig:<column> triple per bound column but the keys (country, domain)."""
    return [ox.Triple(node, ox.NamedNode(f"{FIG}{name}"), row[name])
            for name in names if name not in ("country", "domain") and row[name] is not None]


def warm_up() -> None:
    """Parse the figure queries and serialise the model once (before forking workers)."""
    _model_ntriples()
    version()


@cache
def version() -> str:
    """What the stored figures depend on: the model and the two queries' text."""
    from kg.query.catalogue import named_query

    digest = hashlib.sha256(_model_ntriples())
    for name in QUERIES:
        digest.update(named_query(name).text.encode())
    return digest.hexdigest()[:16]


def version_triple(iris: DataIRIs) -> ox.Triple:
    """Recorded in the vocabulary graph: the definitions the stored figures follow."""
    return ox.Triple(ox.NamedNode(iris.vocabulary_graph), _VERSION, ox.Literal(version()))
