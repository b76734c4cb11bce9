"""Remote endpoint down, refusing, hanging or dying after a write: a clear error in time.

Short versions; benchmarks/faults.py runs the longer trials (a real server killed mid-write).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.config import Settings
from kg.errors import StoreError
from kg.store import open_store
from tests.conftest import free_port
from tests.factories import fault_endpoints

EX = "http://example.org/"
G = f"{EX}graph/A"
T = ox.Triple(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.Literal("o"))
LIMIT_S = 0.5  # the configured timeout in these tests
SLACK_S = 5.0  # what a loaded 2-core machine may add to it


def settings(base: str, *, gsp: bool = True) -> Settings:
    return Settings(endpoint=f"{base}/query", update_endpoint=f"{base}/update",
                    graph_store_endpoint=f"{base}/store" if gsp else None,
                    remote_read_timeout_s=LIMIT_S, remote_write_timeout_s=LIMIT_S)


def timed_error(operation: Callable[[], object]) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        operation()
    return str(caught.value), time.monotonic() - started


def test_defaults_are_ones_a_user_waits_for(monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.config import load_settings
    from kg.errors import ConfigError

    for name in ("MIGKG_REMOTE_READ_TIMEOUT", "MIGKG_REMOTE_WRITE_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    loaded = load_settings()
    assert (loaded.remote_read_timeout_s, loaded.remote_write_timeout_s) == (30.0, 120.0)
    monkeypatch.setenv("MIGKG_REMOTE_READ_TIMEOUT", "2.5")
    monkeypatch.setenv("MIGKG_REMOTE_WRITE_TIMEOUT", "7")
    loaded = load_settings()
    store = open_store(loaded.with_overrides(endpoint="http://127.0.0.1:9/query"))
    assert (store.read_timeout_s, store.write_timeout_s) == (2.5, 7.0)
    for bad in ("0", "-1", "soon", "inf"):
        monkeypatch.setenv("MIGKG_REMOTE_READ_TIMEOUT", bad)
        with pytest.raises(ConfigError, match="MIGKG_REMOTE_READ_TIMEOUT must be a positive"):
            load_settings()


@pytest.mark.parametrize("gsp", [True, False], ids=["graph-store", "sparql-update"])
def test_hanging_endpoint_fails_within_the_timeout(gsp: bool) -> None:
    for server in (fault_endpoints.black_hole, fault_endpoints.silent):
        with server() as endpoint:
            store = open_store(settings(endpoint.base, gsp=gsp))
            message, elapsed = timed_error(store.graphs)
            assert elapsed < LIMIT_S + SLACK_S
            assert message == (f"the SPARQL endpoint {endpoint.base}/query did not answer within"
                               f" {LIMIT_S:g} s; it may be overloaded or hung (the limit is"
                               " MIGKG_REMOTE_READ_TIMEOUT)")
            message, elapsed = timed_error(functools.partial(store.replace_graph, G, [T]))
            assert elapsed < LIMIT_S + SLACK_S
            assert f"received the request to replace the graph <{G}>" in message
            assert f"did not answer within {LIMIT_S:g} s" in message
            assert "the outcome is unknown" in message and "MIGKG_REMOTE_WRITE_TIMEOUT" in message


@pytest.mark.parametrize("gsp", [True, False], ids=["graph-store", "sparql-update"])
def test_server_dying_after_a_write_says_the_outcome_is_unknown(gsp: bool) -> None:
    with fault_endpoints.dying() as endpoint:
        store = open_store(settings(endpoint.base, gsp=gsp))
        message, _ = timed_error(lambda: store.replace_graph(G, [T]))
        # It did receive the whole write: only the answer is missing.
        assert endpoint.requests and str(T.object) in endpoint.requests[-1].decode()
        target = f"{endpoint.base}/store" if gsp else f"{endpoint.base}/update"
        assert message.startswith(f"the SPARQL endpoint {target} received the request to replace"
                                  f" the graph <{G}> but did not answer it (")
        assert "the outcome is unknown" in message and "cannot reach" not in message
        assert "importing the same files again, or deleting again, is safe" in message
        if gsp:  # deleting: one DELETE request (SPARQL-only asks first, and that read fails)
            message, _ = timed_error(lambda: store.delete_graph(G))
            assert f"delete the graph <{G}>" in message and "outcome is unknown" in message
        message, _ = timed_error(store.graphs)  # a read: nothing to be unsure about
        assert message.startswith(f"the SPARQL endpoint {endpoint.base}/query closed the"
                                  " connection without answering")


def test_refusing_endpoint_names_the_status() -> None:
    with fault_endpoints.status(503) as endpoint:
        store = open_store(settings(endpoint.base))
        message, elapsed = timed_error(store.graphs)
        assert message == (f"the SPARQL endpoint {endpoint.base}/query answered HTTP 503:"
                           " Service Unavailable")
        message, _ = timed_error(lambda: store.replace_graph(G, [T]))
        assert message.startswith(f"the SPARQL endpoint {endpoint.base}/store answered HTTP 503")
        assert elapsed < SLACK_S


def test_cli_exits_3_with_one_line_for_every_fault(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGKG_REMOTE_READ_TIMEOUT", str(LIMIT_S))
    down = f"http://127.0.0.1:{free_port()}"
    with fault_endpoints.black_hole() as hung, fault_endpoints.status(503) as refusing:
        for base, words in ((down, "cannot reach"), (hung.base, "did not answer within 0.5 s"),
                            (refusing.base, "answered HTTP 503")):
            started = time.monotonic()
            result = CliRunner().invoke(main, ["--endpoint", f"{base}/query", "countries"])
            assert time.monotonic() - started < LIMIT_S + SLACK_S
            assert result.exit_code == 3, result.output
            lines = result.stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith(f"migkg: the SPARQL endpoint {base}/"
                                                           if "cannot" not in words
                                                           else f"migkg: cannot reach the SPARQL"
                                                           f" endpoint {base}/")
            assert words in lines[0] and result.stdout == ""
