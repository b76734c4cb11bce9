"""Fixtures shared by every test area.

Stores (see tests/store/ for the suite every backend passes):
- `oxigraph_server` (session): a real `oxigraph serve --union-default-graph` on a free
  local port; yields its base URL (query <base>/query, update <base>/update,
  Graph Store <base>/store). Started only by tests that ask for it.
- `virtuoso_server` (session): a real Virtuoso 7 (`virtuoso-t`) on free local ports with
  SPARQL Update granted; yields its base URL (<base>/sparql, <base>/sparql-graph-crud).
- `settings_for(kind)`: Settings for a fresh, empty store of one kind (STORE_KINDS).
- `store`: a fresh empty Store, once per kind in STORE_KINDS (remote kinds marked `remote`).

CLI: `migkg(store, *args, stdin=None, env=None)` runs the `migkg` command in-process on a
store (Settings, an embedded Store, or a folder) and returns click's Result.

Add new shared fixtures below in their own section; keep area-specific ones in
tests/<area>/conftest.py.
"""

from __future__ import annotations

import itertools
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kg.config import Settings
from kg.store import Store, open_store

# ---------------------------------------------------------------------------------------------
# Stores
# ---------------------------------------------------------------------------------------------

# embedded: pyoxigraph in memory + snapshot files; remote: oxigraph serve through SPARQL query,
# update and the Graph Store Protocol; remote-sparql: the same server with SPARQL only (the
# SPARQL Update path of replace_graph, as with an endpoint that has no Graph Store Protocol);
# virtuoso: Virtuoso 7 (Debian's virtuoso-opensource-7-bin), SPARQL + Graph Store Protocol,
# the backend naming the store's graphs in each query (its default graph holds system graphs).
STORE_KINDS = ("embedded", "remote", "remote-sparql", "virtuoso")
REMOTE_KINDS = ("remote", "remote-sparql", "virtuoso")
SERVER_START_TIMEOUT_S = 20.0
VIRTUOSO_START_TIMEOUT_S = 180.0  # creating a new database takes 10-40 s on 2 busy cores


def oxigraph_binary() -> str:
    """The `oxigraph` CLI of the dev extras (in the venv beside python), else from PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the `oxigraph` server binary is missing: pip install -e '.[dev]'")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_oxigraph(location: Path, *, union: bool = True, timeout_s: int | None = None
                   ) -> tuple[subprocess.Popen, str]:
    """Start `oxigraph serve` on a free port and wait until it answers; (process, base URL).
    timeout_s: the server's own query timeout (--timeout-s)."""
    port = free_port()
    args = [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union:
        args.append("--union-default-graph")
    if timeout_s is not None:
        args += ["--timeout-s", str(timeout_s)]
    log = open(location.parent / f"{location.name}.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(f"{base}/query", timeout=1):
                return process, base
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process(process)
                pytest.fail(f"oxigraph serve did not start: see {location}.log")
            time.sleep(0.05)


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real Oxigraph SPARQL server (union default graph), for the whole session."""
    process, base = start_oxigraph(tmp_path_factory.mktemp("oxigraph") / "db")
    try:
        yield base
    finally:
        stop_process(process)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 8
CheckpointInterval = 0
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = ., {dir}
DefaultIsolation = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 8
ServerThreads = 8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""


def start_virtuoso(folder: Path) -> tuple[subprocess.Popen, str]:
    """Start Virtuoso 7 on free 127.0.0.1 ports with a new database in folder, SPARQL Update
    granted to its anonymous SPARQL user; (process, base URL: <base>/sparql and
    <base>/sparql-graph-crud). Installed by `make sysdeps` (virtuoso-opensource-7-bin)."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not binary or not isql:
        pytest.fail("Virtuoso is missing: `make sysdeps` installs virtuoso-opensource-7-bin")
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port))
    log = open(folder / "stdout.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen([binary, "-c", str(ini), "+foreground"], cwd=folder,
                               stdout=log, stderr=subprocess.STDOUT)
    log.close()
    base = f"http://127.0.0.1:{http_port}"
    deadline = time.monotonic() + VIRTUOSO_START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=2):
                break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process(process)
                pytest.fail(f"Virtuoso did not start: see {folder}/virtuoso.log")
            time.sleep(0.2)
    granted = subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", "dba", "dba",
         'exec=GRANT SPARQL_UPDATE TO "SPARQL";'], capture_output=True, text=True, timeout=60)
    if granted.returncode != 0 or "Error" in granted.stdout + granted.stderr:
        stop_process(process)
        pytest.fail(f"could not grant SPARQL_UPDATE on Virtuoso: {granted.stdout}{granted.stderr}")
    return process, base


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real Virtuoso 7 server, for the whole session."""
    process, base = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield base
    finally:
        stop_process(process)


def virtuoso_settings(base: str, **changes: object) -> Settings:
    """Settings for a Virtuoso server: its default graph also holds Virtuoso's own system
    graphs, so the backend names the store's graphs (<base>graph/...) in each query."""
    return Settings(endpoint=f"{base}/sparql", update_endpoint=f"{base}/sparql",
                    graph_store_endpoint=f"{base}/sparql-graph-crud",
                    endpoint_dataset="named").with_overrides(**changes)


def wipe_remote(base: str) -> None:
    """Empty the test server (DROP ALL) between tests."""
    request = urllib.request.Request(
        f"{base}/update", data=b"DROP ALL", method="POST",
        headers={"Content-Type": "application/sparql-update"})
    with urllib.request.urlopen(request, timeout=30):
        pass


def remote_settings(base: str, kind: str = "remote", **changes: object) -> Settings:
    """Settings for an Oxigraph server (Graph Store Protocol too unless kind is remote-sparql)."""
    return Settings(
        endpoint=f"{base}/query",
        update_endpoint=f"{base}/update",
        graph_store_endpoint=f"{base}/store" if kind == "remote" else None,
    ).with_overrides(**changes)


@pytest.fixture
def settings_for(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], Settings]:
    """settings_for(kind) -> Settings of a fresh, empty store of that kind (see STORE_KINDS).

    Embedded: a new folder under tmp_path per call. Remote: the session's Oxigraph server,
    wiped at each call (reuse the returned Settings to reopen the same store).
    """
    counter = itertools.count()

    def make(kind: str) -> Settings:
        if kind == "embedded":
            return Settings(store_dir=tmp_path / f"store-{next(counter)}")
        if kind == "virtuoso":
            settings = virtuoso_settings(request.getfixturevalue("virtuoso_server"))
            with open_store(settings) as server:
                server.replace_all({})  # drops the store's graphs, never Virtuoso's own
            return settings
        if kind in REMOTE_KINDS:
            base = request.getfixturevalue("oxigraph_server")
            wipe_remote(base)
            return remote_settings(base, kind)
        raise ValueError(f"unknown store kind {kind!r}; one of {STORE_KINDS}")

    return make


def _kind_marks(kind: str) -> list[pytest.MarkDecorator]:
    marks = [pytest.mark.remote] if kind in REMOTE_KINDS else []
    return marks + ([pytest.mark.virtuoso] if kind == "virtuoso" else [])


@pytest.fixture(params=[pytest.param(kind, marks=_kind_marks(kind)) for kind in STORE_KINDS])
def store(
    request: pytest.FixtureRequest, settings_for: Callable[[str], Settings],
) -> Iterator[Store]:
    """A fresh, empty Store of each kind in turn; `request.param` names the kind."""
    with open_store(settings_for(request.param)) as opened:
        yield opened


# ---------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------

def run_migkg(store: Settings | Store | Path | str, *args: str, stdin: str | bytes | None = None,
              env: dict[str, str] | None = None, catch_exceptions: bool = True):
    """Run `migkg --store STORE ARGS...` in-process; click's Result (exit_code, stdout, stderr)."""
    from click.testing import CliRunner

    from kg.cli import main

    if isinstance(store, Settings):
        folder = store.store_dir
    else:
        folder = getattr(store, "path", store)
    return CliRunner().invoke(main, ["--store", str(folder), *args], input=stdin, env=env,
                              catch_exceptions=catch_exceptions)


@pytest.fixture(scope="session")
def migkg() -> Callable[..., object]:
    """The one CLI runner: migkg(store, *args, stdin=None, env=None) (see run_migkg)."""
    return run_migkg


# ---------------------------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------------------------

DEMO_COUNTRIES = ("XAA", "XAB", "XAC")


def load_demo(store: Store, settings: Settings) -> None:
    """Import the shipped demo countries through the real pipeline."""
    from kg.pipeline import import_paths
    from kg.resources import demo_countries_dir

    paths = sorted(p for p in demo_countries_dir().iterdir() if p.is_dir())
    import_paths(store, paths, settings, user="tests")


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(store_dir=tmp_path_factory.mktemp("demo-store"))


@pytest.fixture(scope="session")
def demo_store(demo_settings: Settings) -> Iterator[Store]:
    """An embedded store holding the three demo countries (read-only: don't write to it)."""
    store = open_store(demo_settings)
    load_demo(store, demo_settings)
    yield store
    store.close()


@pytest.fixture(scope="session")
def remote_demo_settings(demo_store: Store, tmp_path_factory: pytest.TempPathFactory
                         ) -> Iterator[Settings]:
    """Settings of an `oxigraph serve` of its own (never wiped) holding demo_store's graphs,
    byte for byte (import records too), so both backends answer over identical data."""
    process, base = start_oxigraph(tmp_path_factory.mktemp("oxigraph-demo") / "db")
    try:
        settings = remote_settings(base, "remote")
        with open_store(settings) as store:
            for graph in demo_store.graphs():
                store.replace_graph(graph, demo_store.graph_triples(graph))
        yield settings
    finally:
        stop_process(process)


@pytest.fixture(scope="session")
def remote_demo_store(remote_demo_settings: Settings) -> Iterator[Store]:
    """The demo countries in a real `oxigraph serve` (see remote_demo_settings)."""
    store = open_store(remote_demo_settings)
    yield store
    store.close()
