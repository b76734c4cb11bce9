"""Fixtures of the guide tests: a canary HTTP server that counts the requests it gets."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest


@dataclass
class Canary:
    url: str
    paths: list[str] = field(default_factory=list)

    @property
    def hits(self) -> int:
        return len(self.paths)


@pytest.fixture
def canary() -> Iterator[Canary]:
    """A local HTTP server on 127.0.0.1; any request to it is recorded (there should be none)."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            seen.append(self.path)
            body = b"canary"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield Canary(f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# A fixed import time for golden files: the demo store's import records carry the time
# the test session ran, and a guide's dates come from them.
PINNED_TIME = "2025-01-15T09:30:00Z"


@pytest.fixture(scope="session")
def pinned_store(demo_store, tmp_path_factory: pytest.TempPathFactory):
    """The demo countries with their import times pinned (for golden files): same data else."""
    import pyoxigraph as ox

    from kg.config import Settings
    from kg.namespaces import PROV, XSD
    from kg.store import open_store

    times = {ox.NamedNode(str(PROV.startedAtTime)), ox.NamedNode(str(PROV.endedAtTime))}
    pinned = ox.Literal(PINNED_TIME, datatype=ox.NamedNode(str(XSD.dateTime)))
    store = open_store(Settings(store_dir=tmp_path_factory.mktemp("pinned-store")))
    for graph in demo_store.graphs():
        store.replace_graph(graph, [
            ox.Triple(t.subject, t.predicate, pinned) if t.predicate in times else t
            for t in demo_store.graph_triples(graph)])
    yield store
    store.close()
