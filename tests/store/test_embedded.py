"""Embedded store only: persistence, several processes, crash safety, damaged files."""

from __future__ import annotations

import fcntl
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import Settings
from kg.errors import StoreError
from kg.store import embedded, open_store
from kg.store.embedded import EmbeddedStore

EX = "http://example.org/"
G0, G1, G2 = f"{EX}graph/control", f"{EX}graph/A", f"{EX}graph/B"
P = ox.NamedNode(f"{EX}p")
ROOT = Path(__file__).resolve().parents[2]


def triples(prefix: str, n: int) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(f"{EX}{prefix}{i}"), P, ox.Literal(f"{prefix} {i}"))
            for i in range(n)]


def run_python(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=True)


def fingerprint(ts: list[ox.Triple]) -> tuple[int, int]:
    """(count, order-independent hash) of a set of triples."""
    unique = set(ts)
    return len(unique), sum(hash(str(t)) for t in unique) & (2**64 - 1)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "store"


def test_persists_across_reopen(path: Path) -> None:
    settings = Settings(store_dir=path)
    with open_store(settings) as store:
        assert isinstance(store, EmbeddedStore)
        store.replace_graph(G1, triples("a", 3))
        store.replace_graph(G2, triples("b", 2))
        store.delete_graph(G2)
        before = sorted(map(str, store.quads()))
    with open_store(settings) as store:
        assert sorted(map(str, store.quads())) == before
        assert store.graphs() == [G1]
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["graphs"][G1]["triples"] == 3
    assert sorted(os.listdir(path / "graphs")) == [manifest["graphs"][G1]["file"]]


def test_missing_store_reads_as_empty_and_is_not_created(path: Path) -> None:
    store = EmbeddedStore(path)
    assert store.graphs() == []
    assert store.select("SELECT * WHERE { ?s ?p ?o }").rows == []
    assert store.delete_graph(G1) is False
    assert not path.exists()
    store.replace_graph(G1, triples("a", 1))  # the first write creates it
    assert (path / "manifest.json").is_file()


def test_another_process_sees_changes_without_reopening(path: Path) -> None:
    reader = EmbeddedStore(path)
    assert reader.graphs() == []
    writer = """
        import sys
        import pyoxigraph as ox
        from kg.store.embedded import EmbeddedStore
        store = EmbeddedStore(sys.argv[1])
        p = ox.NamedNode("http://example.org/p")
        store.replace_graph(sys.argv[2], [ox.Triple(ox.NamedNode("http://example.org/s"), p,
                                                    ox.Literal(sys.argv[3]))])
    """
    run_python(writer, str(path), G1, "first")
    assert reader.graphs() == [G1]
    assert reader.ask('ASK { ?s ?p "first" }')
    run_python(writer, str(path), G1, "second")
    assert not reader.ask('ASK { ?s ?p "first" }')
    assert reader.ask('ASK { ?s ?p "second" }')
    run_python("""
        import sys
        from kg.store.embedded import EmbeddedStore
        assert EmbeddedStore(sys.argv[1]).delete_graph(sys.argv[2])
    """, str(path), G1)
    assert reader.graphs() == []


def test_only_changed_graphs_are_reloaded(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = EmbeddedStore(path)
    for g in (G0, G1, G2):
        writer.replace_graph(g, triples(g[-1], 2))
    reader = EmbeddedStore(path)
    loaded: list[str] = []
    original = reader._load_graph
    monkeypatch.setattr(reader, "_load_graph",
                        lambda g, data: (loaded.append(g), original(g, data)))
    reader.graphs()
    assert loaded == []  # nothing changed: one stat, no reload
    writer.replace_graph(G1, triples("new", 4))
    assert len(reader.graph_triples(G1)) == 4
    assert loaded == [G1]


def test_two_writer_processes_lose_no_update(path: Path) -> None:
    EmbeddedStore(path).replace_graph(G0, triples("c", 1))
    loop = """
        import sys
        import pyoxigraph as ox
        from kg.store.embedded import EmbeddedStore
        store = EmbeddedStore(sys.argv[1])
        p = ox.NamedNode("http://example.org/p")
        for i in range(15):
            store.replace_graph(sys.argv[2], [ox.Triple(ox.NamedNode(f"http://example.org/{i}"),
                                                        p, ox.Literal(str(i)))])
    """
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(loop), str(path), g], cwd=ROOT)
             for g in (G1, G2)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    store = EmbeddedStore(path)
    assert store.graphs() == sorted([G0, G1, G2])
    assert store.ask(f'ASK {{ GRAPH <{G1}> {{ ?s ?p "14" }} GRAPH <{G2}> {{ ?t ?q "14" }} }}')
    snapshots = sorted(os.listdir(path / "graphs"))
    assert len(snapshots) == 3 and not any(n.startswith(".tmp-") for n in snapshots)


def test_threads_never_see_a_half_replaced_graph(path: Path) -> None:
    store = EmbeddedStore(path)
    other = EmbeddedStore(path)  # writes from "another process": the reader reloads
    small, big = triples("s", 10), triples("b", 3000)
    store.replace_graph(G1, small)
    seen: set[int] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                n = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]
                seen.add(int(n.value))
        except BaseException as exc:  # reported below
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    for i in range(10):
        (other if i % 2 else store).replace_graph(G1, big if i % 2 == 0 else small)
    stop.set()
    for t in readers:
        t.join()
    assert not errors
    assert seen <= {10, 3000}


def big_versions() -> list[list[ox.Triple]]:
    """Two large versions of one graph (300k and 250k triples), quick to build in a child."""
    out = []
    for x, n in (("a", 300_000), ("b", 250_000)):
        text = "".join(f'<{EX}{x}{i}> <{P.value}> "{x} {i}" .\n' for i in range(n)).encode()
        out.append([t if isinstance(t, ox.Triple) else t.triple
                    for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)])
    return out


KILLED_WRITER = """
    import sys
    from kg.store.embedded import EmbeddedStore
    from tests.store.test_embedded import big_versions
    path, graph = sys.argv[1:]
    data = big_versions()
    store = EmbeddedStore(path)
    print("ready", flush=True)
    i = 0
    while True:  # alternate between the two versions until killed
        store.replace_graph(graph, data[i % 2])
        i += 1
"""


@pytest.mark.slow
def test_sigkill_during_replace_leaves_old_or_new_graph(path: Path) -> None:
    """SIGKILL a writer at random moments of 250-300k-triple replacements: never a mix."""
    a, b = big_versions()
    expected = {fingerprint(a): "a", fingerprint(b): "b"}
    store = EmbeddedStore(path)
    store.replace_graph(G0, triples("c", 5))
    started = time.perf_counter()
    store.replace_graph(G1, a)
    one_write = time.perf_counter() - started
    rng = random.Random(1234)
    outcomes = []
    for _ in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(KILLED_WRITER), str(path), G1],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, 2 * one_write))  # anywhere in the first two writes
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        reopened = EmbeddedStore(path)  # tolerant of whatever the kill left behind
        got = fingerprint(reopened.graph_triples(G1))
        assert got in expected, f"graph G1 is neither old nor new: {got[0]} triples"
        outcomes.append(expected[got])
        assert len(reopened.graph_triples(G0)) == 5
        manifest = json.loads((path / "manifest.json").read_text())
        assert manifest["graphs"][G1]["triples"] == got[0]
        reopened.close()
    # The next write sweeps every temp file and unreferenced snapshot the kills left.
    store.replace_graph(G0, triples("c", 6))
    manifest = json.loads((path / "manifest.json").read_text())
    assert sorted(os.listdir(path / "graphs")) == sorted(e["file"]
                                                         for e in manifest["graphs"].values())
    assert not [n for n in os.listdir(path) if n.startswith(".tmp-")]


def test_leftover_temp_files_are_ignored_then_swept(path: Path) -> None:
    store = EmbeddedStore(path)
    store.replace_graph(G1, triples("a", 2))
    (path / ".tmp-manifest.json.999.1").write_text('{"half a manif')
    (path / "graphs" / ".tmp-deadbeef-7.ttl.999.1").write_text("<http://x> <http://x> ")
    orphan = path / "graphs" / embedded.snapshot_name(G2, 99)
    orphan.write_bytes(ox.serialize(triples("orphan", 1), format=ox.RdfFormat.TURTLE))
    reopened = EmbeddedStore(path)
    assert reopened.graphs() == [G1]
    assert not reopened.ask('ASK { ?s ?p "orphan 0" }')
    reopened.replace_graph(G2, triples("b", 1))
    names = os.listdir(path / "graphs")
    assert orphan.name not in names and not any(n.startswith(".tmp-") for n in names)
    assert not (path / ".tmp-manifest.json.999.1").exists()


def test_damaged_snapshot_is_a_clear_error(path: Path) -> None:
    EmbeddedStore(path).replace_graph(G1, triples("a", 2))
    manifest = json.loads((path / "manifest.json").read_text())
    snapshot = path / "graphs" / manifest["graphs"][G1]["file"]
    snapshot.write_bytes(snapshot.read_bytes().replace(b"a 1", b"a 9"))
    with pytest.raises(StoreError, match="damaged.*sha256"):
        EmbeddedStore(path)


def test_damaged_manifest_is_a_clear_error(path: Path) -> None:
    EmbeddedStore(path).replace_graph(G1, triples("a", 2))
    (path / "manifest.json").write_text("{not json")
    with pytest.raises(StoreError, match=r"damaged: manifest\.json"):
        EmbeddedStore(path)


def test_unreadable_or_unwritable_store_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StoreError, match="cannot read the store"):
        EmbeddedStore(tmp_path / "file" / "store")
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "graphs").write_text("a file where the snapshots should go")
    store = EmbeddedStore(tmp_path / "store")
    with pytest.raises(StoreError, match="cannot write"):
        store.replace_graph(G1, triples("a", 1))


def test_a_held_writer_lock_times_out_clearly(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = EmbeddedStore(path)
    store.replace_graph(G1, triples("a", 1))
    monkeypatch.setattr(embedded, "LOCK_TIMEOUT_S", 0.2)
    fd = os.open(path / "lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match="locked by another writer"):
            store.replace_graph(G1, triples("b", 1))
    finally:
        os.close(fd)
    assert store.graph_triples(G1) == triples("a", 1)


def test_messages_follow_the_language(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError, match="impossible de lire"):
        EmbeddedStore(tmp_path / "file" / "store", lang="fr")


def test_closed_store_refuses_work(path: Path) -> None:
    store = EmbeddedStore(path)
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.graphs()


def test_missing_snapshot_is_a_clear_error(path: Path) -> None:
    EmbeddedStore(path).replace_graph(G1, triples("a", 2))
    manifest = json.loads((path / "manifest.json").read_text())
    (path / "graphs" / manifest["graphs"][G1]["file"]).unlink()
    with pytest.raises(StoreError, match=r"damaged: graphs/.*\.ttl: No such file"):
        EmbeddedStore(path)


def test_lazy_store_reads_only_the_snapshot_asked_for(path: Path) -> None:
    """A writer (an import) opens lazily: one graph's cost, whatever else the store holds."""
    EmbeddedStore(path).replace_graphs([(G1, triples("a", 3)), (G2, triples("b", 2))])
    manifest = json.loads((path / "manifest.json").read_text())
    other = path / "graphs" / manifest["graphs"][G2]["file"]
    other.write_bytes(b"damaged")  # never read unless the whole store is loaded
    lazy = EmbeddedStore(path, lazy=True)
    assert lazy.graphs() == [G1, G2]
    assert set(lazy.graph_triples(G1)) == set(triples("a", 3))
    assert lazy.graph_triples(G0) == []
    lazy.replace_graph(G1, triples("c", 1))
    assert set(lazy.graph_triples(G1)) == set(triples("c", 1))
    with pytest.raises(StoreError, match="damaged.*sha256"):  # the first query loads all
        lazy.select("SELECT * WHERE { ?s ?p ?o }")
    (path / "manifest.json").write_text("{not json")
    with pytest.raises(StoreError, match=r"damaged: manifest\.json"):
        EmbeddedStore(path, lazy=True)


def test_replace_graphs_is_one_commit(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = EmbeddedStore(path)
    store.replace_graph(G0, triples("c", 1))
    generation = json.loads((path / "manifest.json").read_text())["generation"]

    def pairs():
        yield G1, triples("a", 2)
        yield G2, triples("b", 2)
        raise OSError(28, "No space left on device")  # fails before the commit

    with pytest.raises(StoreError, match="cannot write"):
        store.replace_graphs(pairs())
    assert store.graphs() == [G0]
    assert len(os.listdir(path / "graphs")) == 1  # the two snapshots written were removed
    store.replace_graphs([(G1, triples("a", 2)), (G2, triples("b", 2)), (G0, [])])
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["generation"] == generation + 1
    assert store.graphs() == [G1, G2]
