"""The remote store: any SPARQL 1.1 endpoint (Oxigraph server, Fuseki, Virtuoso, GraphDB...).

Queries go through SPARQLWrapper (POST, URL-encoded), answers come back as SPARQL JSON
results (SELECT, ASK) or Turtle/N-Triples (CONSTRUCT) and are turned into pyoxigraph
terms, so callers see the same types as with the embedded store.

Writes: with a Graph Store Protocol endpoint, replace_graph is one HTTP PUT of N-Triples
(atomic on Oxigraph 0.5: a failed or cut-off upload leaves the old graph). Without one, it
is one SPARQL Update request, `DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> {...} }`,
built from pyoxigraph's N-Triples rendering of each term (never from pasted strings).

The endpoint must answer queries over the union of its named graphs by default
(`oxigraph serve --union-default-graph`; Fuseki `tdb2:unionDefaultGraph true`; Virtuoso,
GraphDB and QLever do so out of the box). The first query checks it and refuses to run
against an endpoint that does not, rather than answer with silently empty results.
"""

from __future__ import annotations

import ast
import base64
import http.client
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import (
    ASK,
    BASIC,
    CONSTRUCT,
    INSERT,
    JSON,
    N3,
    POST,
    POSTDIRECTLY,
    SELECT,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from kg import __version__
from kg.errors import Location, Problem, QueryTimeout, StoreError
from kg.store.base import ASK as ASK_FORM
from kg.store.base import SELECT as SELECT_FORM
from kg.store.base import SelectResult, Store

READ_TIMEOUT_S = 300
WRITE_TIMEOUT_S = 900
_STATUS = {QueryBadFormed: 400, Unauthorized: 401, EndPointNotFound: 404, URITooLong: 414,
           EndPointInternalError: 500}
_NT = "application/n-triples"
_AGENT = f"migkg/{__version__}"
# One named-graph triple, and whether the default graph holds it too.
_UNION_PROBE = ("SELECT ?found WHERE { { SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1 }"
                " BIND(EXISTS { ?s ?p ?o } AS ?found) }")

_FINGERPRINT = ("SELECT ?g (COUNT(*) AS ?n) (MAX(?t) AS ?last) WHERE { GRAPH ?g { ?s ?p ?o }"
                " BIND(IF(?p = <http://www.w3.org/ns/prov#endedAtTime>, STR(?o), \"\") AS ?t) }"
                " GROUP BY ?g")


def json_term(binding: dict[str, Any]) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """A SPARQL 1.1 JSON results term as a pyoxigraph term."""
    kind, value = binding.get("type"), binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        try:
            return ox.BlankNode(value)
        except ValueError:  # e.g. Virtuoso's "nodeID://b1": keep identity, make a legal label
            return ox.BlankNode("b" + value.encode().hex())
    if kind in ("literal", "typed-literal"):  # typed-literal: pre-1.1 JSON (old Virtuoso)
        if binding.get("xml:lang"):
            return ox.Literal(value, language=binding["xml:lang"])
        if binding.get("datatype"):
            return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
        return ox.Literal(value)
    raise ValueError(f"unsupported term type {kind!r}")


def update_replace(graph: str, triples: list[ox.Triple]) -> str:
    """One SPARQL Update request replacing a graph; str(term) is N-Triples, valid in SPARQL."""
    node = str(ox.NamedNode(graph))
    body = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
    return f"DROP SILENT GRAPH {node} ;\nINSERT DATA {{ GRAPH {node} {{\n{body}\n}} }}"


def _response_text(exc: SPARQLWrapperException) -> str:
    """The server's own words from a SPARQLWrapper error (it keeps them only in the message)."""
    message = str(exc)
    if "Response:\n" in message:
        raw = message.split("Response:\n", 1)[1]
        try:
            value = ast.literal_eval(raw)
            return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))
        except (ValueError, SyntaxError):
            return raw
    return exc.msg


def _timed_out(exc: BaseException) -> bool:
    """Whether a transport error is the HTTP request timing out (socket timeout)."""
    reason = getattr(exc, "reason", None)
    return isinstance(exc, TimeoutError) or isinstance(reason, TimeoutError) or (
        "timed out" in str(reason or exc))


class RemoteStore(Store):
    """A Store over a SPARQL 1.1 Protocol endpoint (plus Update and, optionally, Graph Store)."""

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        graph_store_endpoint: str | None = None,
        user: str | None = None,
        password: str | None = None,
        lang: str = "en",
        query_timeout_s: float | None = None,
        timeout_param: str | None = None,
    ) -> None:
        """query_timeout_s: the time limit of every query (HTTP timeout, and the server's
        own when timeout_param names it: `NAME` in seconds or `NAME:ms` in milliseconds,
        e.g. Fuseki `timeout`, Virtuoso `timeout:ms`); None: READ_TIMEOUT_S, no limit."""
        self.endpoint = endpoint
        self.query_timeout_s = query_timeout_s
        name, _, unit = (timeout_param or "").partition(":")
        self._timeout_param = (name, unit == "ms") if name else None
        self.update_endpoint = update_endpoint or endpoint
        self.graph_store_endpoint = graph_store_endpoint
        self.user, self._password = user, password
        self.lang = lang
        self._union_checked = False
        self._lock = threading.Lock()

    # -- errors ----------------------------------------------------------------------------------

    def _error(self, key: str, endpoint: str, **params: object) -> StoreError:
        return StoreError(key=f"store.{key}", lang=self.lang, endpoint=endpoint, **params)

    def _http_error(self, endpoint: str, status: int, text: str) -> StoreError:
        text = " ".join(text.split())[:500] or http.client.responses.get(status, "")
        if status in (401, 403):
            return self._error("remote_auth", endpoint, status=status)
        if status == 400:
            return self._error("remote_bad_query", endpoint, reason=text)
        return self._error("remote_http", endpoint, status=status, reason=text)

    def _transport_error(self, endpoint: str, exc: BaseException) -> StoreError:
        if isinstance(exc, urllib.error.HTTPError):
            try:
                text = exc.read().decode("utf-8", "replace")
            except OSError:
                text = str(exc.reason)
            return self._http_error(endpoint, exc.code, text)
        if isinstance(exc, SPARQLWrapperException):
            return self._http_error(endpoint, _STATUS.get(type(exc), 500), _response_text(exc))
        reason = getattr(exc, "reason", None) or exc
        return self._error("remote_unreachable", endpoint, reason=str(reason))

    # -- SPARQL protocol ---------------------------------------------------------------------------

    def _sparql(self, text: str, form: str, timeout_s: float | None = None) -> tuple[bytes, str]:
        """Send a query (form SELECT/ASK/CONSTRUCT) or an update (INSERT); body and media type.

        With timeout_s, the query is a time-limited one: the HTTP request gives up after it
        (QueryTimeout) and the server is asked to stop too (timeout_param)."""
        is_update = form == INSERT
        wrapper = SPARQLWrapper(self.endpoint, updateEndpoint=self.update_endpoint, agent=_AGENT)
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)  # no format=/output= parameters: plain content negotiation
        wrapper.setTimeout(WRITE_TIMEOUT_S if is_update else (timeout_s or READ_TIMEOUT_S))
        if timeout_s and self._timeout_param and not is_update:
            name, in_ms = self._timeout_param
            wrapper.addParameter(name, str(int(timeout_s * 1000)) if in_ms else f"{timeout_s:g}")
        if is_update:
            wrapper.setRequestMethod(POSTDIRECTLY)  # raw body: no URL-encoding of big updates
        wrapper.setReturnFormat(N3 if form == CONSTRUCT else JSON)
        if self.user:
            wrapper.setHTTPAuth(BASIC)
            wrapper.setCredentials(self.user, self._password or "")
        # The operation, not SPARQLWrapper's regex guess, decides query vs update: a text
        # given to select() can never reach the update endpoint. (Also spares a regex scan
        # of megabyte-sized INSERT DATA requests.)
        wrapper.queryString = text
        wrapper.queryType = form
        endpoint = self.update_endpoint if is_update else self.endpoint
        try:
            result = wrapper.query()
            response = result.response
            return response.read(), response.headers.get_content_type()
        except (SPARQLWrapperException, urllib.error.URLError, http.client.HTTPException,
                OSError, ValueError) as exc:
            if timeout_s and _timed_out(exc):
                raise QueryTimeout(Problem(Location(), "store.timeout",
                                           {"seconds": f"{timeout_s:g}"})) from None
            raise self._transport_error(endpoint, exc) from None

    def _json(self, text: str, form: str, timeout_s: float | None = None) -> dict[str, Any]:
        self._check_union()
        data, _ = self._sparql(text, form, timeout_s or self.query_timeout_s)
        try:
            return json.loads(data)
        except ValueError as exc:
            raise self._error("remote_bad_answer", self.endpoint, reason=str(exc)) from None

    def _check_union(self) -> None:
        """Refuse an endpoint whose default graph is not the union of the named graphs."""
        if self._union_checked:
            return
        with self._lock:
            if self._union_checked:
                return
            data, _ = self._sparql(_UNION_PROBE, SELECT)
            try:
                rows = json.loads(data)["results"]["bindings"]
            except (ValueError, KeyError, TypeError) as exc:
                raise self._error("remote_bad_answer", self.endpoint, reason=str(exc)) from None
            if not rows:
                return  # no named graph holds anything yet: ask again next time
            if rows[0].get("found", {}).get("value") not in ("true", "1"):
                raise self._error("remote_no_union", self.endpoint)
            self._union_checked = True

    def run_query(self, sparql: str, form: str, *, timeout_s: float | None = None,
                  max_rows: int | None = None, trusted: bool = False
                  ) -> SelectResult | bool | list[ox.Triple]:
        if form == SELECT_FORM:
            answer = self.select(sparql, timeout_s)
            if max_rows is not None:
                answer.rows = answer.rows[: max_rows + 1]
            return answer
        if form == ASK_FORM:
            return self.ask(sparql, timeout_s)
        triples = self.construct(sparql, timeout_s)
        return triples if max_rows is None else triples[: max_rows + 1]

    def select(self, sparql: str, timeout_s: float | None = None) -> SelectResult:
        answer = self._json(sparql, SELECT, timeout_s)
        try:
            variables = list(answer["head"]["vars"])
            rows = [
                tuple(json_term(b[v]) if v in b else None for v in variables)
                for b in answer["results"]["bindings"]
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise self._error("remote_bad_answer", self.endpoint, reason=repr(exc)) from None
        return SelectResult(variables, rows)

    def ask(self, sparql: str, timeout_s: float | None = None) -> bool:
        answer = self._json(sparql, ASK, timeout_s)
        if not isinstance(answer.get("boolean"), bool):
            raise self._error("remote_bad_answer", self.endpoint, reason="no boolean in the answer")
        return answer["boolean"]

    def _triples(self, data: bytes, media_type: str, endpoint: str) -> list[ox.Triple]:
        fmt = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.TURTLE
        try:
            return [q.triple if isinstance(q, ox.Quad) else q for q in ox.parse(data, format=fmt)]
        except (SyntaxError, ValueError) as exc:
            raise self._error("remote_bad_answer", endpoint, reason=str(exc)) from None

    def construct(self, sparql: str, timeout_s: float | None = None) -> list[ox.Triple]:
        self._check_union()
        data, media_type = self._sparql(sparql, CONSTRUCT, timeout_s or self.query_timeout_s)
        return self._triples(data, media_type, self.endpoint)

    # -- Graph Store Protocol ----------------------------------------------------------------------

    def _gsp(self, method: str, graph: str, body: bytes | None = None) -> tuple[int, bytes, str]:
        """One Graph Store Protocol request; (status, body, media type), 404 returned not raised."""
        assert self.graph_store_endpoint
        sep = "&" if "?" in self.graph_store_endpoint else "?"
        url = f"{self.graph_store_endpoint}{sep}graph={urllib.parse.quote(graph, safe='')}"
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("User-Agent", _AGENT)
        if body is not None:
            request.add_header("Content-Type", _NT)
        if method == "GET":
            request.add_header("Accept", _NT)
        if self.user:
            token = base64.b64encode(f"{self.user}:{self._password or ''}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        timeout = READ_TIMEOUT_S if method == "GET" else WRITE_TIMEOUT_S
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read(), response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                exc.close()
                return 404, b"", ""
            raise self._transport_error(self.graph_store_endpoint, exc) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            raise self._transport_error(self.graph_store_endpoint, exc) from None

    # -- the Store interface -----------------------------------------------------------------------

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Atomically replace one graph (no triples = delete it)."""
        node = ox.NamedNode(graph)
        unique = list(dict.fromkeys(triples))
        if not unique:
            self.delete_graph(graph)
        elif self.graph_store_endpoint:
            self._gsp("PUT", node.value, ox.serialize(unique, format=ox.RdfFormat.N_TRIPLES))
        else:
            self._sparql(update_replace(node.value, unique), INSERT)

    def delete_graph(self, graph: str) -> bool:
        node = ox.NamedNode(graph)
        if self.graph_store_endpoint:
            status, _, _ = self._gsp("DELETE", node.value)
            return status != 404
        existed = self._ask_graph(node)
        if existed:
            self._sparql(f"DROP SILENT GRAPH {node}", INSERT)
        return existed

    def _ask_graph(self, node: ox.NamedNode) -> bool:
        data, _ = self._sparql(f"ASK {{ GRAPH {node} {{ ?s ?p ?o }} }}", ASK)
        try:
            return bool(json.loads(data)["boolean"])
        except (ValueError, KeyError, TypeError) as exc:
            raise self._error("remote_bad_answer", self.endpoint, reason=repr(exc)) from None

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        node = ox.NamedNode(graph)
        if self.graph_store_endpoint:
            status, data, media_type = self._gsp("GET", node.value)
            if status == 404:
                return []
            return self._triples(data, media_type or _NT, self.graph_store_endpoint)
        data, media_type = self._sparql(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}", CONSTRUCT)
        return self._triples(data, media_type, self.endpoint)

    def graphs(self) -> list[str]:
        data, _ = self._sparql("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", SELECT)
        try:
            rows = json.loads(data)["results"]["bindings"]
            return sorted({r["g"]["value"] for r in rows if r.get("g", {}).get("type") == "uri"})
        except (ValueError, KeyError, TypeError) as exc:
            raise self._error("remote_bad_answer", self.endpoint, reason=repr(exc)) from None

    fingerprint_interval_s = 2.0

    def fingerprint(self) -> object:
        """Every graph with its size and latest import (prov:endedAtTime), in one query (a
        scan: ~0.1 s per million triples on oxigraph serve). An edit made directly on the
        endpoint that keeps a graph's size and adds no import record is not seen."""
        data, _ = self._sparql(_FINGERPRINT, SELECT)
        try:
            rows = json.loads(data)["results"]["bindings"]
            return tuple(sorted((r["g"]["value"], r["n"]["value"], r.get("last", {}).get("value", ""))
                                for r in rows))
        except (ValueError, KeyError, TypeError) as exc:
            raise self._error("remote_bad_answer", self.endpoint, reason=repr(exc)) from None

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"
