"""Remote store only: errors naming the endpoint, union check, basic auth, one-request updates."""

from __future__ import annotations

import base64
import http.server
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import Settings
from kg.errors import StoreError
from kg.store import Store, open_store
from kg.store.embedded import EmbeddedStore
from kg.store.remote import RemoteStore, json_term
from tests.conftest import free_port, remote_settings, start_oxigraph, stop_process

pytestmark = pytest.mark.remote

EX = "http://example.org/"
G1 = f"{EX}graph/A"
T = ox.Triple(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.Literal("o"))


def test_open_store_picks_the_backend(settings_for: Callable[[str], Settings]) -> None:
    assert isinstance(open_store(settings_for("remote")), RemoteStore)
    assert isinstance(open_store(settings_for("embedded")), EmbeddedStore)


@pytest.mark.parametrize("with_gsp", [True, False])
def test_endpoint_down_is_a_clear_store_error(with_gsp: bool) -> None:
    base = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    store = open_store(remote_settings(base, "remote" if with_gsp else "remote-sparql"))
    operations = [
        lambda: store.select("SELECT * WHERE { ?s ?p ?o }"),
        lambda: store.ask("ASK { ?s ?p ?o }"),
        lambda: store.construct("CONSTRUCT WHERE { ?s ?p ?o }"),
        store.graphs,
        lambda: store.graph_triples(G1),
        lambda: store.replace_graph(G1, [T]),
        lambda: store.delete_graph(G1),
    ]
    for operation in operations:
        with pytest.raises(StoreError) as caught:
            operation()
        message = str(caught.value)
        assert message.startswith(f"cannot reach the SPARQL endpoint {base}/")
        assert "refused" in message.lower()


def test_wrong_endpoint_path_names_the_status(oxigraph_server: str) -> None:
    store = RemoteStore(f"{oxigraph_server}/nope")
    with pytest.raises(StoreError, match=rf"{oxigraph_server}/nope answered HTTP 404"):
        store.graphs()


def test_endpoint_without_union_default_graph(tmp_path: Path) -> None:
    """Refused when told the default graph is the union; named graph by graph otherwise."""
    process, base = start_oxigraph(tmp_path / "db", union=False)
    try:
        union = open_store(remote_settings(base, endpoint_dataset="union").with_overrides(base=EX))
        assert union.select("SELECT * WHERE { ?s ?p ?o }").rows == []  # nothing to check yet
        union.replace_graph(G1, [T])
        other = "http://elsewhere.example/graph"  # not under <base>graph/: not the store's
        union.replace_graph(other, [ox.Triple(T.subject, T.predicate, ox.Literal("other"))])
        with pytest.raises(StoreError, match="union-default-graph.*MIGKG_ENDPOINT_DATASET=named"):
            union.select("SELECT * WHERE { ?s ?p ?o }")
        assert union.graph_triples(G1) == [T]  # graph reads need no union
        for dataset in ("auto", "named"):
            store = open_store(remote_settings(base, endpoint_dataset=dataset).with_overrides(base=EX))
            assert store.select("SELECT ?o WHERE { ?s ?p ?o }").rows == [(T.object,)]
            assert store.select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows == [
                (ox.NamedNode(G1),)]
            assert store.ask(f"ASK {{ {T.subject} {T.predicate} {T.object} }}")
            assert store.construct("CONSTRUCT WHERE { ?s ?p ?o }") == [T]
            assert store.graphs() == [G1]
        store.delete_graph(G1)  # no graph of its own left: an empty dataset, not the engine's
        assert store.select("SELECT * WHERE { ?s ?p ?o }").rows == []
    finally:
        stop_process(process)


class _Proxy(http.server.BaseHTTPRequestHandler):
    """Forwards to the Oxigraph server, demanding basic auth and logging each request."""

    target = ""
    credentials = ""
    log: list[tuple[str, str, bytes]] = []

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.log.append((self.command, self.path, body))
        expected = "Basic " + base64.b64encode(self.credentials.encode()).decode()
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        request = urllib.request.Request(self.target + self.path, data=body or None,
                                         method=self.command)
        for name in ("Content-Type", "Accept"):
            if self.headers.get(name):
                request.add_header(name, self.headers[name])
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, data, ctype = response.status, response.read(), response.headers
        except urllib.error.HTTPError as exc:
            status, data, ctype = exc.code, exc.read(), exc.headers
        self.send_response(status)
        if ctype.get("Content-Type"):
            self.send_header("Content-Type", ctype["Content-Type"])
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _forward

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass


@dataclass
class Proxy:
    base: str
    log: list[tuple[str, str, bytes]]  # (method, path, body) of every request


@pytest.fixture
def proxy(oxigraph_server: str, settings_for: Callable[[str], Settings]) -> Iterator[Proxy]:
    """An authenticating, logging proxy in front of the (wiped) test server."""
    settings_for("remote")  # wipes the server
    log: list[tuple[str, str, bytes]] = []
    handler = type("Proxy", (_Proxy,), {"target": oxigraph_server, "credentials": "ana:s3cr:t é",
                                        "log": log})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Proxy(f"http://127.0.0.1:{server.server_address[1]}", log)
    finally:
        server.shutdown()
        server.server_close()


def authenticated(proxy: Proxy, kind: str, password: str = "s3cr:t é") -> Store:
    return open_store(remote_settings(proxy.base, kind, endpoint_user="ana",
                                      endpoint_password=password))


@pytest.mark.parametrize("kind", ["remote", "remote-sparql"])
def test_basic_auth(proxy: Proxy, kind: str) -> None:
    good = authenticated(proxy, kind)
    good.replace_graph(G1, [T])
    assert good.graphs() == [G1]
    assert good.graph_triples(G1) == [T]
    assert good.select("SELECT ?o WHERE { ?s ?p ?o }").rows == [(T.object,)]
    assert good.delete_graph(G1)
    bad = authenticated(proxy, kind, password="nope")
    with pytest.raises(StoreError, match="refused the credentials.*HTTP 401"):
        bad.graphs()
    with pytest.raises(StoreError, match="refused the credentials"):
        bad.replace_graph(G1, [T])


def test_replace_without_graph_store_is_one_update_request(proxy: Proxy) -> None:
    store = authenticated(proxy, "remote-sparql")
    proxy.log.clear()
    hostile = ox.Triple(T.subject, T.predicate, ox.Literal('} } ; DROP ALL ; "'))
    store.replace_graph(G1, [T, hostile])
    assert [(method, path) for method, path, _ in proxy.log] == [("POST", "/update?")]
    body = proxy.log[0][2].decode()
    assert body.startswith(f"DROP SILENT GRAPH <{G1}> ;\nINSERT DATA {{ GRAPH <{G1}> {{")
    assert len(store.graph_triples(G1)) == 2


def test_replace_with_graph_store_is_one_put(proxy: Proxy) -> None:
    store = authenticated(proxy, "remote")
    proxy.log.clear()
    store.replace_graph(G1, [T])
    assert [(m, p) for m, p, _ in proxy.log] == [
        ("PUT", "/store?graph=http%3A%2F%2Fexample.org%2Fgraph%2FA")]
    assert proxy.log[0][2] == ox.serialize([T], format=ox.RdfFormat.N_TRIPLES)


def test_json_results_terms() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert json_term({"type": "uri", "value": f"{EX}x"}) == ox.NamedNode(f"{EX}x")
    assert json_term({"type": "literal", "value": "a"}) == ox.Literal("a")
    assert json_term({"type": "literal", "value": "a", "xml:lang": "fr"}) == ox.Literal(
        "a", language="fr")
    assert json_term({"type": "typed-literal", "value": "1", "datatype": f"{xsd}integer"}) == (
        ox.Literal("1", datatype=ox.NamedNode(f"{xsd}integer")))
    assert json_term({"type": "bnode", "value": "b0"}) == ox.BlankNode("b0")
    odd = json_term({"type": "bnode", "value": "nodeID://b1"})  # Virtuoso-style label
    assert isinstance(odd, ox.BlankNode)
    assert odd == json_term({"type": "bnode", "value": "nodeID://b1"})
    with pytest.raises(ValueError):
        json_term({"type": "triple", "value": {}})
