"""The use-case layer: the one door into kg for every shell (CLI, web app, API, SPARQL endpoint).

    from kg.service import Workspace
    with Workspace(settings) as ws:
        ws.run_query("actors", {"country": "XAA"}, "fr").rows
        data, media_type = ws.guide("XAA", "en", "html")

A Workspace owns the store (opened lazily, once), the limits and the default language.
Every query a shell asks for goes through it, so query time limits and row caps are
applied here, once, for every caller. Shells import this module, kg.errors, kg.config
and kg.i18n only; the types they need are re-exported below.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg import i18n
from kg.cache import Kept, rows_cost
from kg.config import Settings, load_settings
from kg.errors import Location, NotFound, ParameterError, Problem, StoreError
from kg.namespaces import ISO3
from kg.query.catalogue import Catalogue, Column, NamedQuery
from kg.query.execute import AdHocResult
from kg.query.params import Parameter
from kg.query.results import QueryResult

if TYPE_CHECKING:
    import pyoxigraph as ox

    from kg.guide.sections import Guide, GuideRows
    from kg.network.load import CountryNetwork
    from kg.pipeline import Checked, ImportReport
    from kg.store.backup import BackupReport
    from kg.store.base import Store
    from kg.uploads import Staged
    from kg.users import User, Users
    from kg.workbook import QuestionnaireFile

__all__ = [
    "AdHocResult", "Checked", "Column", "CountryData", "Guide", "ImportReport", "LANGUAGES",
    "ENTITY_FORMATS", "GRAPH_FORMATS", "SELECT_FORMATS", "check_iso3", "demo_paths",
    "render_network_summary", "serialize_rdf", "serialize_triples",
    "NETWORK_FORMATS", "NETWORK_KINDS", "NamedQuery", "Parameter", "QueryResult", "Workspace",
    "QuestionnaireFile", "WORKBOOK_FORMATS",
    "EXPORT_FORMATS", "GUIDE_FORMATS", "NETWORK_ASSETS", "network_asset",
    "CATALOG_FORMATS", "API_FORMATS", "API_RESERVED", "sparql_media_types", "sparql_media_type_for",
    "sparql_format_names", "sparql_serialize", "sparql_content_type", "api_records",
    "network_style_hashes",
    "Staged", "User", "Users", "UPLOAD_SUFFIXES",
]

LANGUAGES = i18n.LANGUAGES
log = logging.getLogger(__name__)
GUIDE_FORMATS = ("html", "md", "docx", "pdf")
SELECT_FORMATS = ("table", "csv", "tsv", "json")  # QueryResult.render
GRAPH_FORMATS = ("turtle", "ntriples")  # serialize_triples
NETWORK_KINDS = ("relations", "sources", "shared-sources", "stages", "partners")
NETWORK_FORMATS = ("html", "graphml", "gexf", "json", "csv", "svg", "png")
NETWORK_MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
}
NETWORK_METRICS = ("betweenness", "degree")
WORKBOOK_FORMATS = ("xlsx", "csv")
CATALOG_FORMATS = ("ttl", "jsonld")  # the DCAT-AP catalogue
API_FORMATS = ("json", "csv")  # /api/queries/<name>
API_RESERVED = ("format", "lang")  # query-string names the API keeps for itself
UPLOAD_SUFFIXES = (".zip", ".xlsx")  # kg.uploads.ACCEPTED
# What a Workspace keeps while the store does not change (settings.cache_mb in all, kg.cache):
# named-query answers in 2/3 of it, countries' data (read once for a guide page, then its
# network...) in the rest, each country counted at COUNTRY_COST bytes (a 46-actor
# country's rows, graphs and network view measured 0.4-0.6 MB with tracemalloc).
COUNTRY_COST = 600 * 1024
EXPORT_FORMATS = ("jsonld", "nq", "nt", "trig", "ttl")
NETWORK_ASSETS = ("vis-network.min.js", "vis-network.min.css", "network.js")
EXPORT_MEDIA_TYPES = {
    "ttl": "text/turtle; charset=utf-8",
    "trig": "application/trig; charset=utf-8",
    "nq": "application/n-quads",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
}


def __getattr__(name: str) -> Any:
    """Types defined in heavier modules, imported only when a shell asks for them."""
    if name in ("Checked", "ImportReport"):
        from kg import pipeline

        return getattr(pipeline, name)
    if name == "Guide":
        from kg.guide.sections import Guide

        return Guide
    if name == "QuestionnaireFile":
        from kg.workbook import QuestionnaireFile

        return QuestionnaireFile
    if name in ("User", "Users"):
        from kg import users

        return getattr(users, name)
    if name == "Staged":
        from kg.uploads import Staged

        return Staged
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class CountryData:
    """One read of a country, shared by its guide and its network (each part read once)."""

    workspace: Workspace
    iso3: str
    lang: str
    _concepts: list[dict] | None = field(default=None, repr=False)
    _guide: dict[bool, GuideRows] = field(default_factory=dict, repr=False)
    _network: CountryNetwork | None = field(default=None, repr=False)
    # The interactive view's data by (kind, metric): its layout is the costly part.
    _payloads: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def concepts(self) -> list[dict]:
        """The `concepts` rows (vocabulary labels and order) in the country's language."""
        if self._concepts is None:
            from kg.query.execute import rows

            self._concepts = rows(self.workspace.store, "concepts", {"lang": self.lang})
        return self._concepts

    def guide_rows(self, include_restricted: bool = False) -> GuideRows:
        """The rows of every guide query (NotFound for a country the store does not hold)."""
        if include_restricted not in self._guide:
            from kg.guide.build import guide_rows

            self._guide[include_restricted] = guide_rows(
                self.workspace.store, self.iso3, self.lang, include_restricted,
                concepts=self._concepts)
            self._concepts = self._guide[include_restricted].concepts
        return self._guide[include_restricted]

    @property
    def network(self) -> CountryNetwork:
        """The rows of the network queries and the graphs built from them (each built once)."""
        if self._network is None:
            from kg.network import load
            from kg.network.build import Vocabulary

            self._network = load.country(self.workspace.store, self.iso3, self.lang,
                                         vocab=Vocabulary.from_rows(self.concepts))
        return self._network


@dataclass(frozen=True)
class NetworkView:
    """A drawn or exported network: bytes, media type, country (None: every country), size."""

    data: bytes
    media_type: str
    iso3: str | None
    nodes: int
    edges: int


class Workspace:
    """The use cases over one store, with the configured limits and default language."""

    def __init__(self, settings: Settings | None = None, *, store: Store | None = None) -> None:
        self.settings = settings or load_settings()
        self.lang = self.settings.lang
        self._store = store
        self._owns_store = store is None
        self._opening = threading.Lock()
        self._public: Workspace | None = None
        budget = self.settings.cache_mb * 1024 * 1024
        # Countries read lately, by (iso3, lang), with the store fingerprint they were read at.
        self._countries = Kept(budget // 3)
        self._countries_lock = threading.Lock()
        # Named-query answers by (name, parameters, language, capped) with the store
        # fingerprint they were computed at: a dashboard page asked again while the data has
        # not changed costs no query. Stale entries are never returned.
        self._results = Kept(budget - budget // 3)
        self._results_lock = threading.Lock()
        self._seen: tuple[object, float] | None = None
        # The stamp of the deployment's write marker last seen (see _check_marker).
        self._marker: tuple[int, int] | None = None
        self._users: Users | None = None

    # -- the store --------------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The configured store, opened on first use (once, even across threads)."""
        if self._store is None:
            with self._opening:
                if self._store is None:
                    from kg.store import open_store

                    self._store = open_store(self.settings)
        return self._store

    @contextlib.contextmanager
    def _writer(self) -> Iterator[Store]:
        """The store to write with: the open one, or, when nothing was read yet (an import, a
        delete), one opened lazily that reads only the graphs it replaces (kg.store), so
        updating one country costs the same whatever else the store holds."""
        if self._store is not None:
            yield self._store
            return
        from kg.store import open_store

        with open_store(self.settings, lazy=True) as store:
            yield store

    def public(self) -> Workspace:
        """The same use cases over the public view of the store: every restricted contact
        point, and every link to one, left out (kg.store.public). What the public SPARQL
        endpoint and anonymous answers query; rebuilt when the store changes."""
        self._check_marker(self.store)
        if self._public is None:
            base = self.store  # opened first: `store` takes the same (non-reentrant) lock
            with self._opening:
                if self._public is None:
                    from kg.store.public import PublicView

                    self._public = Workspace(self.settings, store=PublicView(base))
        return self._public

    def close(self) -> None:
        """Close the store (and the public view's query workers) if this Workspace opened it."""
        if self._public is not None and self._owns_store:
            self._public.store.close()  # the view's own query workers; not the base store
            self._public = None
        if self._store is not None and self._owns_store:
            self._store.close()
            self._store = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ping(self) -> bool:
        """Whether the store answers a trivial query (readiness)."""
        try:
            self.store.ping()
        except StoreError as exc:
            log.error("the store does not answer: %s", exc)
            return False
        return True

    def _lang(self, lang: str | None) -> str:
        return i18n.check_lang(lang or self.lang, "lang")

    # -- named queries ----------------------------------------------------------------------------

    def catalogue(self) -> Catalogue:
        """Every named query (iterable, sorted by group then name; .get(name), .names())."""
        from kg.query.catalogue import catalogue

        return catalogue()

    def query(self, name: str) -> NamedQuery:
        """One named query; NotFound (404) for an unknown name."""
        return self.catalogue().get(name)

    def catalogue_data(self, lang: str | None = None) -> list[dict[str, Any]]:
        """The catalogue as plain JSON-able data.

        With lang, titles and descriptions are strings in that language (English as
        fallback); without, {en, fr} dicts. Parameters with a closed list of values
        (codes, languages, booleans) list them as `choices`.
        """
        def text(texts: Mapping[str, str]) -> str | dict[str, str]:
            if lang is None:
                return dict(texts)
            return texts.get(lang) or texts.get("en", "")

        out = []
        for q in self.catalogue():
            out.append({
                "name": q.name, "group": q.group, "title": text(q.title),
                "description": text(q.description),
                "parameters": [{"name": p.name, "type": p.type, "required": p.required,
                                "default": p.default, "description": text(p.description),
                                "choices": p.allowed()}
                               for p in q.parameters],
                "columns": [{"name": c.name, "list": c.is_list, "description": text(c.description)}
                            for c in q.columns],
            })
        return out

    def check_params(self, name: str, params: Mapping[str, str], lang: str | None = None
                     ) -> tuple[NamedQuery, dict[str, str]]:
        """The query and its parameters (lang filled in), checked: ParameterError (400) lists
        every problem at once. Nothing touches the store."""
        q = self.query(name)
        given = dict(params)
        if q.parameter("lang") is not None and not given.get("lang"):
            given["lang"] = self._lang(lang)
        q.terms(given)
        return q, given

    def run_query(self, name: str, params: Mapping[str, str] | None = None,
                  lang: str | None = None, *, capped: bool = True) -> QueryResult:
        """Run a named query with checked parameters, under the time limit; rows cut at the
        row cap when capped (result.truncated is then the cap)."""
        q, given = self.check_params(name, params or {}, lang)
        from kg.query.execute import run

        limits = self.settings.limits
        key = (name, tuple(sorted(given.items())), self._lang(lang), capped)
        fingerprint = self._fingerprint()
        cached = self._results.get(key, fingerprint)
        if cached is not None:
            return _copy(cached)
        result = run(self.store, q, given, timeout_s=limits.query_timeout_s,
                     max_rows=limits.query_max_rows if capped else None)
        self._results.put(key, fingerprint, result, rows_cost(result.rows))
        return _copy(result)

    def fingerprint(self) -> object:
        """What the kept answers are checked against: equal while the store has not changed."""
        return self._fingerprint()

    def cache_share(self) -> float:
        """How much of the memory budget of what is kept is used (0 to 1, the fuller of
        answers and countries; 1 when nothing may be kept)."""
        return max(kept.used / kept.budget if kept.budget else 1.0
                   for kept in (self._results, self._countries))

    def _fingerprint(self) -> object:
        """The store's fingerprint, asked again only after the store's interval (a remote
        store's costs a query), so the caches below see a change that soon after it."""
        store = self.store
        self._check_marker(store)
        now = time.monotonic()
        with self._results_lock:
            if self._seen is not None and now - self._seen[1] < store.fingerprint_interval_s:
                return self._seen[0]
        fingerprint = store.fingerprint()
        with self._results_lock:
            self._seen = (fingerprint, now)
        return fingerprint

    # -- ad-hoc SPARQL ----------------------------------------------------------------------------

    def sparql(self, text: str, *, where: str = "-", capped: bool = True) -> AdHocResult:
        """An ad-hoc read-only query: guard first (QueryRefused, 400), then the store under
        the time limit (QueryTimeout, 504: the query is stopped) and the row cap (the answer
        is cut, `truncated` says at how many rows or triples)."""
        from kg.query.execute import sparql

        return sparql(self.store, text, self.settings.limits, where, capped=capped)

    def check_sparql(self, text: str, *, where: str = "-") -> str:
        """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE) of a text the guard accepts."""
        from kg.query.guard import check_readonly

        return check_readonly(text, self.settings.limits, where)

    # -- the public SPARQL endpoint, the API and the catalogue --------------------------------

    def service_description(self, endpoint: str) -> bytes:
        """The SPARQL 1.1 Service Description (Turtle) of the public endpoint at `endpoint`:
        its limits, formats and the public graphs (call it on public())."""
        from kg.query.protocol import service_description

        return service_description(endpoint, self.store.graphs(), self.settings.limits)

    def openapi(self, lang: str | None = None, server: str = "/") -> dict[str, Any]:
        """The OpenAPI 3.1 description of the named-query API, one path per named query,
        generated from the catalogue (texts in lang)."""
        from kg.query.openapi import document

        return document(self.catalogue(), self._lang(lang), self.settings.limits, server)

    def example_queries(self, lang: str | None = None) -> list[dict[str, str]]:
        """The named queries as ready-to-run SPARQL examples: name, title (in lang) and the
        text with its parameters bound (lang; a country parameter to the first country in
        the store, an entity to that country's IRI, a year to this year; a query needing any
        other value it cannot guess, such as an actor's id, is left out)."""
        lang = self._lang(lang)
        codes = self.country_codes()
        first = codes[0] if codes else "XAA"
        out = []
        for q in self.catalogue():
            params: dict[str, str] = {}
            missing = False
            for p in q.parameters:
                if p.name == "lang":
                    params["lang"] = lang
                elif p.base == "iso3" and p.required:
                    params[p.name] = first
                elif p.base == "iri" and p.required:
                    params[p.name] = f"{self.settings.base}id/{first}"
                elif p.base == "year" and p.required:
                    params[p.name] = str(datetime.date.today().year)
                elif p.required and p.default is None:
                    missing = True
            if missing:
                continue
            out.append({"name": q.name, "title": q.title.get(lang) or q.title.get("en", ""),
                        "query": q.bind(params)})
        return out

    def catalog(self, fmt: str = "ttl") -> tuple[bytes, str]:
        """The DCAT-AP 3.0.1 catalogue of every country's data-source inventory (kg.catalog:
        one dcat:Dataset per existing source), as (bytes, media type) in Turtle or JSON-LD."""
        from kg import catalog

        fmt = _choice(fmt, CATALOG_FORMATS, "--format")
        return (catalog.serialize(catalog.triples(self.store, self.settings), fmt),
                catalog.MEDIA_TYPES[fmt])

    # -- countries ---------------------------------------------------------------------------------

    def countries(self, lang: str | None = None) -> QueryResult:
        """The country-summary rows: every country in the store with its counts."""
        return self.run_query("country-summary", {}, lang, capped=False)

    # -- writes seen at once by every process of a deployment --------------------------------

    def _marker_path(self) -> Path:
        return self.settings.state / ".store-changed"

    def _marker_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self._marker_path())
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def _forget(self) -> None:
        """Drop what this process keeps from earlier reads (answers, countries, the public
        copy's last check): the next read asks the store."""
        self._seen = None
        with self._countries_lock:
            self._countries.clear()
        public = self._public
        if public is not None:
            public._seen = None
            with public._countries_lock:
                public._countries.clear()
            expire = getattr(public._store, "expire", None)
            if expire is not None:
                expire()

    def _announce_write(self) -> None:
        """After a write: forget here, and replace the deployment's marker file (state
        folder) so the other processes sharing it (web workers) forget at their next read.
        A remote store's fingerprint is trusted for a while (its interval); the marker makes
        writes made through migkg show at once in every worker all the same."""
        self._forget()
        path = self._marker_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".store-changed.")
            os.close(fd)
            os.replace(tmp, path)  # a new inode each time: a stamp never repeats
        except OSError as exc:  # the write stands; other processes see it at the interval
            log.warning("cannot mark the store as changed in %s: %s", path.parent, exc)
        self._marker = self._marker_stamp()

    def _check_marker(self, store: Store) -> None:
        """Forget what was read if another process announced a write since (one stat; only
        for stores whose fingerprint is trusted for a while, i.e. remote ones)."""
        if store.fingerprint_interval_s <= 0:
            return
        stamp = self._marker_stamp()
        if stamp != self._marker:
            self._marker = stamp
            self._forget()

    def country_codes(self) -> list[str]:
        """ISO3 codes of every country in the store, sorted."""
        from kg.guide.build import countries

        return countries(self.store)

    def country(self, iso3: str, lang: str | None = None) -> CountryData:
        """A country's data, read once and shared by its guide and network.

        Kept for the next calls (the countries used last, settings.cache_mb) until the store
        changes, as Store.fingerprint() tells. ParameterError (400) for a malformed code;
        the parts raise NotFound (404) for a country the store does not hold.
        """
        key = (check_iso3(iso3), self._lang(lang))
        fingerprint = self._fingerprint()
        with self._countries_lock:
            data = self._countries.get(key, fingerprint)
            if data is None:
                data = CountryData(self, *key)
                self._countries.put(key, fingerprint, data, COUNTRY_COST)
        return data

    def delete(self, iso3: str) -> str:
        """Remove one country's graph; NotFound (404) if the store has none. Returns the
        (upper-cased) code deleted."""
        from kg.namespaces import DataIRIs

        code = check_iso3(iso3)
        with self._writer() as store:
            deleted = store.delete_graph(DataIRIs(self.settings.base).graph(code))
        self._announce_write()
        if not deleted:
            raise NotFound(Problem(Location("ISO3"), "export.unknown_country", {"iso3": code}))
        return code

    # -- guides -----------------------------------------------------------------------------------

    def guide_of(self, iso3: str, lang: str | None = None, *, include_restricted: bool = False,
                 png: bool = True) -> Guide:
        """The country's Guide (plain data, every section)."""
        from kg.guide.build import build_guide

        data = self.country(iso3, lang)
        rows = data.guide_rows(include_restricted)  # NotFound before the network is read
        return build_guide(self.store, data.iso3, data.lang,
                           include_restricted=include_restricted, png=png, data=rows,
                           net=data.network)

    def guide(self, iso3: str, lang: str | None = None, fmt: str = "html", *,
              include_restricted: bool = False) -> tuple[bytes, str]:
        """The country's guide as (bytes, media type) in html, md, docx or pdf."""
        from kg.guide.render import MEDIA_TYPES, render

        fmt = _choice(fmt, GUIDE_FORMATS, "format")
        guide = self.guide_of(iso3, lang, include_restricted=include_restricted,
                              png=fmt == "docx")
        return render(guide, fmt), MEDIA_TYPES[fmt]

    def render_guide(self, guide: Guide, fmt: str) -> tuple[bytes, str]:
        from kg.guide.render import MEDIA_TYPES, render

        fmt = _choice(fmt, GUIDE_FORMATS, "format")
        return render(guide, fmt), MEDIA_TYPES[fmt]

    def guide_diff(self, iso3: str, old_path: Path, new_path: Path | None = None,
                   lang: str | None = None) -> str:
        """What changed in a country's data between an export and the store (or another
        export), as text."""
        from kg.guide import diff

        code, lang = check_iso3(iso3), self._lang(lang)
        if new_path is not None:
            result = diff.diff(None, code, lang, self.settings, old_path=old_path,
                               new_path=new_path)
        else:
            result = diff.diff(self.store, code, lang, self.settings, old_path=old_path)
        return diff.text(result)

    # -- networks ---------------------------------------------------------------------------------

    def network_graph(self, iso3: str | None, kind: str = "relations", lang: str | None = None):
        """The networkx graph of one kind for a country (or every country for partners)."""
        from kg.network import load

        lang = self._lang(lang)
        kind = _choice(kind, NETWORK_KINDS, "--kind")
        if kind == "partners":
            return load.graph(self.store, kind, check_iso3(iso3) if iso3 else None, lang)
        if not iso3:
            raise ParameterError(Problem(Location("ISO3"), "network.iso3_required",
                                         {"kind": kind}))
        return self.country(iso3, lang).network.graph(kind)

    def network_view(self, iso3: str | None, kind: str = "relations", fmt: str = "html", *,
                     lang: str | None = None, metric: str = "betweenness") -> NetworkView:
        """network() with what was drawn: the code, node and edge counts."""
        from kg.network import export, load, metrics, render

        lang = self._lang(lang)
        fmt = _choice(fmt, NETWORK_FORMATS, "--format")
        metric = _choice(metric, NETWORK_METRICS, "--metric")
        g = self.network_graph(iso3, kind, lang)
        m = metrics.compute(g)
        if fmt == "html":
            vocab = load.vocabulary(self.store, lang)
            data = render.html(g, m, lang=lang, metric=metric, vocab=vocab).encode("utf-8")
        elif fmt in ("svg", "png"):
            data = render.figure(g, m, fmt=fmt, lang=lang, metric=metric)
        else:
            data = export.export(g, fmt, m, metric=metric)
        return NetworkView(data, NETWORK_MEDIA_TYPES[fmt], g.graph.get("country") or None,
                           g.number_of_nodes(), g.number_of_edges())

    def network_payload(self, iso3: str | None, kind: str = "relations", *,
                        lang: str | None = None, metric: str = "betweenness",
                        data: CountryData | None = None) -> dict[str, Any]:
        """What the interactive view draws, as plain JSON-able data (nodes with positions,
        colours, text tooltips and their IRI; edges; legends; filter choices): for a page of
        the shell's own that loads the vendored vis-network (network_asset) and the view's
        script. Escaping is the page's job (JSON in a page: |tojson). Give `data` (from
        country()) to share one read and one metrics run with network_summary(), and the
        payload itself while `data` is kept: then the payload is shared, not to be changed."""
        from kg.network import load, metrics, render

        lang = self._lang(lang)
        metric = _choice(metric, NETWORK_METRICS, "metric")
        if data is not None and kind != "partners":
            key = (_choice(kind, NETWORK_KINDS, "kind"), metric)
            if key not in data._payloads:
                net = data.network
                g = net.graph(kind)
                m = net.metrics if kind == "relations" else metrics.compute(g)
                data._payloads[key] = render.payload(g, m, lang=data.lang, metric=metric,
                                                     vocab=net.vocab)
            return data._payloads[key]
        g = self.network_graph(iso3, kind, lang)
        vocab = load.vocabulary(self.store, lang)
        return render.payload(g, metrics.compute(g), lang=lang, metric=metric, vocab=vocab)

    def network(self, iso3: str | None, kind: str = "relations", fmt: str = "html", *,
                lang: str | None = None, metric: str = "betweenness") -> tuple[bytes, str]:
        """A network as (bytes, media type): an offline HTML view, SVG/PNG figure, or a data
        file (GraphML, GEXF, node-link JSON, CSV edge list)."""
        view = self.network_view(iso3, kind, fmt, lang=lang, metric=metric)
        return view.data, view.media_type

    def network_summary(self, iso3: str, lang: str | None = None, *,
                        data: CountryData | None = None) -> dict[str, Any]:
        """A country's network metrics as plain data: rows (key, label, value, meaning) and
        actors (id, label, type, degree, weighted_degree, betweenness, community)."""
        from kg.network import metrics

        net = (data or self.country(iso3, lang)).network
        g, s, lang = net.relation_graph, net.source_graph, net.lang
        m = net.metrics
        rows = metrics.summary(g, s, net.vocab, lang, computed=m)
        return {
            "country": net.iso3, "lang": lang,
            "rows": [{"key": r.key, "label": r.label, "value": r.value, "meaning": r.meaning}
                     for r in rows],
            "actors": [{"id": n, "label": metrics.label(g, n), "type": g.nodes[n].get("type", ""),
                        "degree": m.degree.get(n, 0),
                        "weighted_degree": m.weighted_degree.get(n, 0.0),
                        "betweenness": m.betweenness.get(n, 0.0),
                        "community": m.community.get(n)}
                       for n in g.nodes if g.nodes[n].get("kind") == "actor"],
        }

    # -- import -----------------------------------------------------------------------------------

    def check(self, paths: Sequence[Path], *, strict: bool = False,
              progress: Callable[[str], None] | None = None) -> list[Checked]:
        """Read, map and validate questionnaires; ValidationError (422) or InputError (400)
        with every problem if any blocks. Nothing is written."""
        from kg import pipeline

        return pipeline.check_all([Path(p) for p in paths], self.settings, strict=strict,
                                  progress=progress)

    def write(self, checked: Sequence[Checked], *, user: str | None = None,
              progress: Callable[[str], None] | None = None) -> list[ImportReport]:
        """Replace each checked country's graph atomically and record the import."""
        from kg import pipeline

        try:
            with self._writer() as store:
                reports = pipeline.write(store, checked, self.settings, user=user,
                                         progress=progress)
        finally:
            self._announce_write()
        self._keep_history(checked, reports)
        return reports

    def _keep_history(self, checked: Sequence[Checked], reports: Sequence[ImportReport]) -> None:
        """Each written country as this import wrote it (kg.history), after the commit:
        a snapshot never names an import the store does not record."""
        from kg import history

        by_iso3 = {c.iso3: c for c in checked}
        for report in reports:
            c = by_iso3.get(report.iso3)
            if c is None or not report.written or not report.import_iri:
                continue
            try:
                history.save(self.settings.history, report.iso3, report.import_iri,
                             [*c.mapped.triples, *c.figures])
            except OSError as exc:  # the import stands; only its later comparison is lost
                log.warning("no history snapshot of %s: %s", report.import_iri, exc)

    def entity_facts(self, iri: str, lang: str | None = None) -> tuple[list[dict], str | None]:
        """What the graph says about an entity, both ways (the entity-facts query), with the
        precomputed figures' properties labelled from their queries' column descriptions;
        and a name for a figures node (None otherwise: the page names it from its labels)."""
        from kg.figures import label_facts

        lang = self._lang(lang)
        rows = self.run_query("entity-facts", {"entity": iri, "lang": lang}).rows
        return label_facts(rows, lang)

    def imports(self, iso3: str) -> list[dict[str, Any]]:
        """A country's imports from their records, latest first: id, times, user, tool
        version, files (name, checksum, rows), and whether a snapshot allows comparing it."""
        from kg import history

        code = check_iso3(iso3)
        rows = self.run_query("provenance", {"entity": f"{self.settings.base}id/{code}"}).rows
        kept = history.available(self.settings.history, code)
        out: dict[str, dict[str, Any]] = {}
        for r in rows:
            ident = history.import_id(r["import"])
            entry = out.setdefault(r["import"], {
                "id": ident, "iri": r["import"], "started_at": r["started_at"],
                "ended_at": r["ended_at"], "imported_by": r["imported_by"],
                "tool_version": r["tool_version"], "snapshot": ident in kept, "files": []})
            if r["file_name"] and not any(f["file_name"] == r["file_name"]
                                          for f in entry["files"]):
                entry["files"].append({k: r.get(k) for k in ("file_name", "sha256",
                                                             "row_count")})
        # The ids start with the start time to the microsecond (the records' times have seconds).
        return sorted(out.values(), key=lambda e: e["id"], reverse=True)

    def import_diff(self, iso3: str, old: str, new: str, lang: str | None = None
                    ) -> dict[str, Any]:
        """What changed in a country's guide between two of its imports (ids from imports()),
        as plain data: title, from_to, sections [{heading, items}], empty."""
        from kg import history
        from kg.guide import diff

        code, lang = check_iso3(iso3), self._lang(lang)
        paths, labels = [], []
        for where, ident in (("from", old), ("to", new)):
            path = history.path(self.settings.history, code, ident or "")
            if path is None or not path.is_file():
                raise NotFound(Problem(Location(where), "service.no_snapshot",
                                       {"iso3": code, "import": ident or ""}))
            paths.append(path)
            labels.append(i18n.t("service.import_label", lang,
                                       date=history.import_time(ident)))
        result = diff.diff(None, code, lang, self.settings, old_path=paths[0],
                           new_path=paths[1], labels=(labels[0], labels[1]))
        return diff.plain(result)

    def warm_up(self) -> None:
        """Load once what checking a questionnaire needs (shapes, pyshacl, vocabularies), so
        the first upload a web worker checks is as fast as the next ones."""
        from kg import pipeline

        pipeline.warm_up()

    # -- the web app's admin: users, audit log, uploads ----------------------------------------

    def users(self) -> Users:
        """The users who may log in (kg.users: file or MIGKG_USERS), re-read when changed."""
        if self._users is None:
            from kg.users import Users

            self._users = Users(self.settings)
        return self._users

    def audit(self, event: str, *, user: str | None, ip: str | None, outcome: str,
              **details: Any) -> dict[str, Any]:
        """Append one record to the audit log (JSON lines, atomic appends)."""
        from kg import audit

        return audit.record(self.settings.audit_path, event, user=user, ip=ip, outcome=outcome,
                            **details)

    def audit_records(self, limit: int = 500) -> list[dict[str, Any]]:
        """The latest audit records, newest first."""
        from kg import audit

        return audit.records(self.settings.audit_path, limit)

    def stage_upload(self, name: str, stream: Any, user: str) -> Staged:
        """Save an uploaded questionnaire (.zip or .xlsx) until it is confirmed or swept;
        InputError for another kind of file, TooLarge (413) past the upload limit."""
        from kg import uploads

        return uploads.stage(self.settings, name, stream, user)

    def staged_upload(self, token: str) -> Staged:
        from kg import uploads

        return uploads.staged(self.settings, token)

    def check_upload(self, token: str, sha256: str | None = None) -> list[Checked]:
        """check() of a staged upload; with sha256, first refuse (InputError) a file whose
        checksum is no longer that one. Nothing is written."""
        from kg import uploads

        item = (uploads.verify(self.settings, token, sha256) if sha256 is not None
                else uploads.staged(self.settings, token))
        return self.check([item.path])

    def discard_upload(self, token: str) -> None:
        from kg import uploads

        uploads.discard(self.settings, token)


    # -- questionnaire workbooks ---------------------------------------------------------------

    def template(self, lang: str | None = None) -> bytes:
        """The blank questionnaire workbook (.xlsx), instructions and notes in lang."""
        from kg import workbook

        return workbook.template(self._lang(lang))

    def questionnaire(self, iso3: str, lang: str | None = None, fmt: str = "xlsx", *,
                      include_restricted: bool = False) -> QuestionnaireFile:
        """A country's current answers, from its graph, in the questionnaire's layout:
        an .xlsx workbook or the CSV files (QuestionnaireFile: data, files, rows, warnings).
        NotFound (404) for a country the store does not hold."""
        from kg import workbook

        fmt = _choice(fmt, WORKBOOK_FORMATS, "--format")
        return workbook.questionnaire(self.store, check_iso3(iso3), base=self.settings.base,
                                      lang=self._lang(lang), fmt=fmt,
                                      include_restricted=include_restricted)

    # -- operations ---------------------------------------------------------------------------------

    def backup(self, folder: Path) -> BackupReport:
        """A backup of the whole store in folder (new or empty), with a sha256 manifest."""
        from kg.store.backup import backup

        return backup(self.store, folder, base=self.settings.base)

    def restore(self, folder: Path) -> BackupReport:
        """Replace the store's whole content with a checked backup (refused: store unchanged)."""
        from kg.store.backup import restore

        try:
            return restore(self.store, folder, base=self.settings.base)
        finally:
            self._announce_write()

    # -- export and entities ----------------------------------------------------------------------

    def export(self, fmt: str = "trig", *, iso3: str | None = None,
               include_restricted: bool = False) -> bytes:
        """The store (or one country's graph) serialised, sorted: same data, same bytes."""
        from kg.export import export

        fmt = _choice(fmt, EXPORT_FORMATS, "--format")
        return export(self.store, fmt, base=self.settings.base,
                      iso3=check_iso3(iso3) if iso3 is not None else None,
                      include_restricted=include_restricted)

    def entity_document(self, iri: str, fmt: str, *, include_restricted: bool = False
                        ) -> tuple[bytes, str]:
        """describe() serialised for content negotiation: (bytes, media type) in Turtle
        ("ttl"), N-Triples ("nt") or JSON-LD ("jsonld", compacted with an inline @context
        of the project's prefixes, never a remote one). NotFound (404) as describe()."""
        from kg.export import entity_document

        fmt = _choice(fmt, ENTITY_FORMATS, "format")
        triples = self.describe(iri, include_restricted=include_restricted)
        return entity_document(triples, fmt), EXPORT_MEDIA_TYPES[fmt]

    def describe(self, iri: str, *, include_restricted: bool = False) -> list[ox.Triple]:
        """Every triple whose subject is iri, sorted (NotFound when there is none; ParameterError
        for a malformed IRI); the links to restricted contact points, and those contact points
        themselves, left out unless include_restricted."""
        result = self.run_query("entity", {"entity": iri,
                                           "include_restricted": str(include_restricted).lower()},
                                capped=False)
        import pyoxigraph as ox

        if not result.terms:
            raise NotFound(Problem(Location(column="iri"), "service.unknown_entity", {"iri": iri}))
        subject = ox.NamedNode(iri)
        return [ox.Triple(subject, p, o) for p, o in result.terms]


ENTITY_FORMATS = ("ttl", "nt", "jsonld")


def freeze_loaded_objects() -> None:
    """Exempt what a long-running process has loaded so far (modules, the model and shapes,
    templates, kept answers) from Python's cyclic garbage collector: collect once, then
    gc.freeze(). A full collection walks every tracked object; in a process holding pyshacl
    and parsed data it took 10-20 ms and landed on whichever query was allocating its rows
    then (benchmarks/summary.py: a 3 ms query's p95 was 22 ms, 3.7 ms once frozen; under 20
    concurrent clients the web pages' p95 is queueing, unchanged). Frozen objects are freed when no
    longer referenced (the answers are plain rows, without cycles); only cycles among them
    would stay, hence the collection first."""
    import gc

    gc.collect()
    gc.freeze()


def _copy(result: QueryResult) -> QueryResult:
    """A cached answer handed out with rows of its own (callers may change them)."""
    import dataclasses

    return dataclasses.replace(result, rows=[dict(r) for r in result.rows])


def serialize_rdf(triples: Iterable[ox.Triple], fmt: str = "ttl") -> tuple[bytes, str]:
    """Triples (e.g. describe()) as Turtle, N-Triples or JSON-LD with the project's prefixes;
    (bytes, media type), for content negotiation."""
    import pyoxigraph as ox

    from kg.export import FORMATS
    from kg.namespaces import PREFIXES

    fmt = _choice(fmt, ENTITY_FORMATS, "format")
    rdf_format = FORMATS[fmt]
    items = list(triples)
    if rdf_format == ox.RdfFormat.N_TRIPLES:
        return ox.serialize(items, format=rdf_format), EXPORT_MEDIA_TYPES[fmt]
    return ox.serialize(items, format=rdf_format, prefixes=PREFIXES), EXPORT_MEDIA_TYPES[fmt]


# -- the SPARQL 1.1 Protocol endpoint (kg.query.protocol) ------------------------------------------

def sparql_media_types(form: str) -> list[str]:
    """The media types an answer of this query form can be sent in, the default first."""
    from kg.query.protocol import media_types

    return media_types(form)


def sparql_media_type_for(name: str, form: str) -> str | None:
    """The media type a `format=` value (json, xml, csv, tsv, ttl, nt, jsonld, rdf, or a media
    type) means for this form; None when it names nothing this form can be sent in."""
    from kg.query.protocol import media_type_for

    return media_type_for(name, form)


def sparql_format_names(form: str) -> list[str]:
    from kg.query.protocol import format_names

    return format_names(form)


def sparql_serialize(answer: AdHocResult, media_type: str) -> bytes:
    """An ad-hoc answer in one of sparql_media_types(answer.form) (pyoxigraph's serialisers);
    a capped SPARQL JSON answer has a top-level `truncated` member."""
    from kg.query.protocol import serialize

    return serialize(answer, media_type)


def sparql_content_type(media_type: str) -> str:
    from kg.query.protocol import content_type

    return content_type(media_type)


def api_records(query: NamedQuery, result: QueryResult) -> list[dict[str, Any]]:
    """A named query's rows as plain objects for JSON: list columns as arrays of strings
    (empty when unbound), other cells as the plain values (str, int or None)."""
    from kg.query.results import SEPARATOR

    lists = query.list_columns
    out = []
    for row in result.rows:
        record: dict[str, Any] = {}
        for column in result.columns:
            value = row[column]
            if column in lists:
                record[column] = [] if value is None else [v for v in str(value).split(SEPARATOR)
                                                           if v]
            else:
                record[column] = value
        out.append(record)
    return out


def network_asset(name: str) -> tuple[str, str]:
    """A file of the interactive network view, as (text, media type): the vendored
    vis-network (vis-network.min.js, vis-network.min.css; version and licence in
    kg/network/vendor/vis-network/README.md) or the view's script (network.js)."""
    from kg.network import render

    if name == "network.js":
        return render.view_script(), "text/javascript; charset=utf-8"
    if name not in NETWORK_ASSETS:
        raise NotFound(Problem(Location(column="asset"), "service.unknown_asset", {"name": name}))
    media = "text/css" if name.endswith(".css") else "text/javascript"
    return render.vis_asset(name), f"{media}; charset=utf-8"


def network_style_hashes() -> tuple[str, ...]:
    """CSP hashes ('sha256-...') of the <style> elements the vendored vis-network injects:
    what a page drawing a network adds to its style-src (no 'unsafe-inline')."""
    from kg.network import render

    return render.vis_style_hashes()


def serialize_triples(triples: Iterable[ox.Triple], fmt: str = "turtle") -> bytes:
    """Triples (a CONSTRUCT or DESCRIBE answer) as Turtle or N-Triples."""
    import pyoxigraph as ox

    fmt = _choice(fmt, GRAPH_FORMATS, "--format")
    rdf_format = ox.RdfFormat.N_TRIPLES if fmt == "ntriples" else ox.RdfFormat.TURTLE
    return ox.serialize(list(triples), format=rdf_format)


def demo_paths() -> list[Path]:
    """The folders of the fictional demo countries shipped with the package."""
    from kg.resources import demo_countries_dir

    return sorted(p for p in demo_countries_dir().iterdir() if p.is_dir())


def check_iso3(value: str | None, where: str = "ISO3") -> str:
    """The upper-cased ISO3 code, or ParameterError (400) naming what is accepted."""
    return ISO3.parse(value, where)


def _choice(value: str, allowed: Iterable[str], where: str) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ParameterError(Problem(Location(column=where), "service.bad_choice",
                                     {"value": value, "allowed": ", ".join(allowed)}))
    return value


def render_network_summary(summary: Mapping[str, Any], fmt: str = "table") -> bytes:
    """network_summary() data as a terminal table, CSV (formula cells neutralised) or JSON."""
    rows = summary["rows"]
    lang = summary["lang"]
    if fmt == "json":
        return (json.dumps(summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def text(value: object) -> str:
        return "; ".join(value) if isinstance(value, list) else str(value)

    if fmt == "csv":
        import csv
        import io

        from kg.query.results import safe_cell

        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow([i18n.t(f"network.summary.{c}", lang)
                         for c in ("key", "label", "value", "meaning")])
        for r in rows:
            writer.writerow([safe_cell(v) for v in (r["key"], r["label"], text(r["value"]),
                                                    r["meaning"])])
        return buf.getvalue().encode("utf-8")
    width = max(len(r["label"]) for r in rows) + 2
    lines, previous = [], ""
    for r in rows:
        lines.append(f"{r['label'].ljust(width)}{text(r['value'])}")
        if r["meaning"] != previous:  # per-stage / per-domain rows share one meaning
            lines.append(f"{'':4}{r['meaning']}")
        previous = r["meaning"]
    return ("\n".join(lines) + "\n").encode("utf-8")
