"""A query that declares what it reads (`# reads: model` or `# reads: figures`, see
queries/README.md) runs in the thread, not in a time-limited query worker
(NamedQuery.confined): the declaration must be true. Each such query answers exactly the same
on the demo countries and on a store holding only what it declares it reads."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from kg import figures
from kg.config import Settings
from kg.namespaces import DataIRIs
from kg.query import catalogue, run
from kg.query.catalogue import READS
from kg.store import Store, open_store
from tests.conftest import DEMO_COUNTRIES

IRIS = DataIRIs()
DECLARED = [q for q in catalogue() if q.reads is not None]


RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _figures(graph: str, triple: ox.Triple) -> bool:
    """Whether a triple of a country graph is its country node or one of its figures."""
    iso3 = graph.rsplit("/", 1)[1]
    subject = triple.subject.value if isinstance(triple.subject, ox.NamedNode) else ""
    country, prefix = IRIS.country(iso3), figures.figures_iri(IRIS, iso3)
    # The country node, its figures node and its per-domain, per-stage and per-category
    # figures nodes; not the name keys under the figures (one per named entity: they grow
    # with the country's data).
    return subject in (country, prefix) or subject.startswith(
        tuple(f"{prefix}/{b.key}/" for b in figures.BREAKDOWNS))


def _uses(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Which terms the data use, and nothing else: one triple per property and one per class
    used, each about a subject of its own."""
    used = {(t.predicate, t.object if t.predicate == RDF_TYPE else None): t for t in triples}
    return [ox.Triple(ox.NamedNode(f"urn:x-test:use:{i}"), t.predicate, t.object)
            for i, t in enumerate(used.values())]


@pytest.fixture(scope="module", params=sorted(READS))
def only(request, demo_store: Store, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[str, Store]]:
    """(reads, a store holding only what a query declaring `reads` may read): the model, and
    which of its terms the data use (`model`), or the model, the country nodes and their
    figures (`figures`)."""
    reads = request.param
    store = open_store(Settings(store_dir=tmp_path_factory.mktemp(f"only-{reads}")))
    data: list[ox.Triple] = []
    for graph in demo_store.graphs():
        triples = demo_store.graph_triples(graph)
        if graph == IRIS.vocabulary_graph:
            store.replace_graph(graph, triples)
        elif reads == "figures":
            store.replace_graph(graph, [t for t in triples if _figures(graph, t)])
        else:
            data += triples
    if data:
        store.replace_graph("urn:x-test:uses", _uses(data))
    yield reads, store
    store.close()


def cases(q) -> list[dict[str, str]]:
    declared = {p.name for p in q.parameters}
    out: list[dict[str, str]] = []
    for lang in ("en", "fr") if "lang" in declared else (None,):
        for country in (None, "XAA") if "country" in declared else (None,):
            params = {"scheme": "domain"} if "scheme" in declared else {}
            if lang:
                params["lang"] = lang
            if country:
                params["country"] = country
            out.append(params)
    return out


def test_the_queries_over_every_country_that_run_in_the_thread_declare_it() -> None:
    assert {q.name for q in DECLARED} >= {
        "country-summary", "completeness", "domains-across-countries",
        "stages-across-countries", "challenges-across-countries", "vocab-schemes"}
    assert all(q.confined() for q in DECLARED)
    # Any other query over every country runs under the time limit, in a query worker.
    assert not catalogue().get("partners-by-country").confined()
    assert not catalogue().get("stage-figures").confined()
    assert not catalogue().get("find-by-name").confined({"name": "office"})


def test_a_declared_query_answers_the_same_on_what_it_declares(only, demo_store: Store
                                                                ) -> None:
    reads, store = only
    checked = 0
    for q in DECLARED:
        if q.reads != reads:
            continue
        for params in cases(q):
            expected = run(demo_store, q, params)
            assert expected.rows, f"{q.name} {params}: no rows to compare"
            got = run(store, q, params)
            assert (got.columns, got.rows) == (expected.columns, expected.rows), \
                f"{q.name} declares `reads: {q.reads}` but reads more ({params})"
            checked += 1
    assert checked


def test_what_is_kept_is_not_everything(only, demo_store: Store) -> None:
    """The stripped store really lacks the countries' data: a query reading it differs."""
    _, store = only
    for iso3 in DEMO_COUNTRIES:
        expected = run(demo_store, "actors", {"country": iso3})
        assert expected.rows and run(store, "actors", {"country": iso3}).rows == []
    summary = run(demo_store, "country-figures", {})
    assert summary.rows != run(store, "country-figures", {}).rows
