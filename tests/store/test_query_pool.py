"""The pool of query worker processes behind time-limited ad-hoc queries (kg.store.limited):
reused between queries, replaced when killed at the limit or when the store changes, safe
with concurrent threads, and never left behind (close, parent killed, gunicorn workers)."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import Limits, Settings
from kg.errors import QueryTimeout
from kg.service import Workspace
from kg.store.limited import MAX_WORKERS
from tests.conftest import free_port

GRAPH = "https://w3id.org/migkg/graph/XAA"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?t . ?b a ?t . ?c a ?t . ?d a ?t . ?e a ?t }"
ROOT = Path(__file__).resolve().parents[2]


def _triples(n: int) -> list[ox.Triple]:
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return [ox.Triple(ox.NamedNode(f"http://example.org/n{i}"), rdf_type,
                      ox.NamedNode("http://example.org/T")) for i in range(n)]


def children(pid: int | None = None) -> set[int]:
    """Live (not zombie) child processes of pid (default: this process)."""
    pid = pid or os.getpid()
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(p) for p in text)
    return {p for p in found if alive(p)}


def alive(pid: int) -> bool:
    """Whether pid runs (a zombie, ended but not yet reaped, does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_gone(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = {p for p in pids if alive(p)}
        if not left:
            return left
        time.sleep(0.05)
    return {p for p in pids if alive(p)}


@pytest.fixture
def ws(tmp_path):
    settings = Settings(store_dir=tmp_path / "store",
                        limits=Limits(query_timeout_s=1.0, query_max_rows=50))
    before = children()
    with Workspace(settings) as workspace:
        workspace.store.replace_graph(GRAPH, _triples(300))
        yield workspace
    assert children() - before == set(), "query workers left behind after close"


pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="query workers need fork")


def test_workers_are_reused_between_queries(ws):
    store = ws.store
    for _ in range(5):
        assert ws.sparql(COUNT).select.rows == [{"n": 300}]
    assert store._pool.forks == 1
    assert len(store.query_workers()) == 1
    assert store.query_workers()[0] in children()


def test_named_queries_over_every_country_run_in_the_pool(ws):
    """One country's named query (or one declaring it reads only the model, or the countries'
    precomputed figures: `# reads:`) runs in the thread; any other over every country grows
    with the store, so it runs where the time limit can stop it."""
    store = ws.store
    ws.run_query("actors", {"country": "XAA"})
    ws.run_query("vocab-schemes")
    ws.run_query("country-summary")
    ws.run_query("completeness")
    ws.run_query("challenges-across-countries")
    ws.run_query("stages-across-countries")
    assert store._pool.forks == 0
    ws.run_query("partners-by-country")
    assert store._pool.forks == 1
    ws.run_query("completeness", {"country": "XAA"})
    assert store._pool.forks == 1
    ws.run_query("find-by-name", {"name": "office"})
    assert store._pool.forks == 1 and len(store.query_workers()) == 1


def test_a_write_replaces_the_workers(ws):
    store = ws.store
    assert ws.sparql(COUNT).select.rows == [{"n": 300}]
    (old,) = store.query_workers()
    store.replace_graph(GRAPH, _triples(7))
    assert ws.sparql(COUNT).select.rows == [{"n": 7}]
    assert old not in store.query_workers() and not alive(old)
    # A named query (in the thread) that sees the reload first retires the idle workers too.
    (current,) = store.query_workers()
    store.replace_graph(GRAPH, _triples(9))
    assert ws.run_query("ontology-terms", capped=False) is not None
    assert store.query_workers() == [] and not alive(current)
    assert ws.sparql(COUNT).select.rows == [{"n": 9}]


def test_a_worker_killed_at_the_limit_is_replaced(ws):
    store = ws.store
    ws.sparql(COUNT)
    (first,) = store.query_workers()
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        ws.sparql(RUNAWAY)
    assert time.monotonic() - started < 2.0
    assert store.query_workers() == [] and not alive(first)
    assert ws.sparql(COUNT).select.rows == [{"n": 300}]
    assert len(store.query_workers()) == 1


def test_a_restore_replaces_the_workers(ws, tmp_path):
    ws.sparql(COUNT)
    ws.backup(tmp_path / "backup")
    ws.store.replace_graph(GRAPH, _triples(3))
    assert ws.sparql(COUNT).select.rows == [{"n": 3}]
    (before,) = ws.store.query_workers()
    ws.restore(tmp_path / "backup")
    assert ws.sparql(COUNT).select.rows == [{"n": 300}]
    assert not alive(before)


def test_public_view_workers_follow_its_copy_and_close_with_the_workspace(ws):
    public = ws.public()
    assert public.sparql(COUNT).select.rows == [{"n": 300}]
    (old,) = public.store.query_workers()
    ws.store.replace_graph(GRAPH, _triples(4))
    assert public.sparql(COUNT).select.rows == [{"n": 4}]
    assert not alive(old) and len(public.store.query_workers()) == 1
    # The fixture checks that closing the workspace leaves no worker behind.


def test_concurrent_queries_and_writes(ws):
    """Threads querying while another writes: every answer is one committed state, no more
    than MAX_WORKERS workers run, and a runaway in one thread does not stop the others."""
    store = ws.store
    sizes = [300, 5, 40, 300]
    answers: list[int] = []
    errors: list[BaseException] = []
    peak = [0]

    def reader() -> None:
        try:
            for _ in range(8):
                answers.append(ws.sparql(COUNT).select.rows[0]["n"])
                peak[0] = max(peak[0], len(store.query_workers()))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def runaway() -> None:
        try:
            ws.sparql(RUNAWAY)
        except QueryTimeout:
            pass
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(6)]
    threads.append(threading.Thread(target=runaway))
    for t in threads:
        t.start()
    for n in sizes:
        store.replace_graph(GRAPH, _triples(n))
        time.sleep(0.05)
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(answers) == 48 and set(answers) <= set(sizes)
    assert peak[0] <= MAX_WORKERS
    assert ws.sparql(COUNT).select.rows == [{"n": sizes[-1]}]
    workers = set(store.query_workers())
    assert workers <= children() and len(workers) <= MAX_WORKERS


def test_a_worker_holds_no_descriptor_of_its_parent(ws):
    """Only its two pipe ends (and stdin/out/err): no socket of a server stays open in it."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        ws.sparql(COUNT)
        (worker,) = ws.store.query_workers()
        fds = {int(fd) for fd in os.listdir(f"/proc/{worker}/fd")}
        assert fds - {0, 1, 2} and len(fds - {0, 1, 2}) == 2, fds
        targets = [os.readlink(f"/proc/{worker}/fd/{fd}") for fd in fds - {0, 1, 2}]
        assert all(t.startswith("pipe:") for t in targets), targets


PARENT = textwrap.dedent("""
    import sys, threading, time
    import pyoxigraph as ox
    from kg.config import Limits, Settings
    from kg.service import Workspace
    ws = Workspace(Settings(store_dir=sys.argv[1], limits=Limits(query_timeout_s=1.5)))
    t = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    ws.store.replace_graph("https://w3id.org/migkg/graph/XAA", [
        ox.Triple(ox.NamedNode(f"http://example.org/n{i}"), t, ox.NamedNode("http://example.org/T"))
        for i in range(300)])
    threading.Thread(target=ws.sparql, args=(sys.argv[2],), daemon=True).start()
    while len(ws.store.query_workers()) < 1:
        time.sleep(0.01)
    ws.sparql("ASK { ?s ?p ?o }")  # a second worker, idle after this
    print(*ws.store.query_workers(), flush=True)
    time.sleep(60)
""")


def test_workers_end_when_their_parent_is_killed(tmp_path):
    """SIGKILL of the parent (a gunicorn worker past its timeout): the idle worker sees EOF
    and exits; the busy one ends at its own alarm (limit + grace), not never."""
    process = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path / "store"), RUNAWAY],
                               stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready, "the parent did not start its workers"
        pids = {int(p) for p in process.stdout.readline().split()}
        assert len(pids) == 2 and all(alive(p) for p in pids)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
    killed = time.monotonic()
    assert _wait_gone(pids, 6.0) == set()
    assert time.monotonic() - killed < 1.5 + 2.0 + 1.0


APP = textwrap.dedent("""
    import json, os, urllib.parse
    from kg.config import Limits, Settings
    from kg.errors import QueryTimeout
    from kg.service import Workspace

    ws = None

    def app(environ, start_response):
        global ws
        if ws is None:
            ws = Workspace(Settings(store_dir=os.environ["POOL_STORE"],
                                    limits=Limits(query_timeout_s=1.0)))
        query = urllib.parse.parse_qs(environ["QUERY_STRING"])["query"][0]
        try:
            answer = ws.sparql(query)
            body = {"n": answer.select.rows[0]["n"], "pid": os.getpid(),
                    "workers": ws.store.query_workers()}
            status = "200 OK"
        except QueryTimeout:
            body, status = {"pid": os.getpid()}, "504 Gateway Timeout"
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]
""")


def test_under_gunicorn_prefork_workers(tmp_path):
    """gunicorn gthread workers (as `migkg serve --production`): each worker's pool answers
    concurrent requests, a runaway is stopped with 504 and the next answers; after SIGTERM
    no process of the server is left."""
    store = tmp_path / "store"
    with Workspace(Settings(store_dir=store)) as ws:
        ws.store.replace_graph(GRAPH, _triples(300))
    (tmp_path / "pool_app.py").write_text(APP)
    port = free_port()
    env = {**os.environ, "POOL_STORE": str(store),
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread",
         "--threads", "4", "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5",
         "pool_app:app"], env=env, cwd=tmp_path, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/?query="

    def get(query: str) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(base + urllib.parse.quote(query), timeout=20) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(COUNT)
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        results: list[tuple[int, dict]] = []
        threads = [threading.Thread(target=lambda q=q: results.append(get(q)))
                   for q in [COUNT] * 12 + [RUNAWAY] * 2]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(s for s, _ in results) == [200] * 12 + [504] * 2
        assert {b["n"] for s, b in results if s == 200} == {300}
        assert get(COUNT)[0] == 200
        descendants = set()
        for worker in children(server.pid):
            descendants |= {worker} | children(worker)
        assert len(descendants) > 2  # gunicorn's workers and their query workers
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert _wait_gone(descendants, 5.0) == set()
