"""The embedded store: an in-memory pyoxigraph Store persisted as one snapshot file per graph.

Layout of `store_dir`:

    manifest.json        {"graphs": {iri: {"file", "triples", "bytes", "sha256"}}, "generation"}
    graphs/<sha1(iri)>-<generation>.ttl   one Turtle snapshot per named graph, never rewritten
    lock                 fcntl.flock target that serialises writers across processes

A write serialises the new graph to a fresh, uniquely named snapshot (temp file, fsync,
rename, fsync of the folder), then commits by replacing manifest.json the same way. The
manifest rename is the only commit point, so a writer killed at any moment leaves either
the old manifest (old graph, complete) or the new one (new graph, complete); snapshot and
temp files no manifest names are ignored by readers and swept by the next writer.

Readers load every snapshot at open. Before each operation they stat manifest.json
(inode, mtime_ns, size: writers make mtime strictly increase) and reload only the graphs
whose snapshot file changed, so several processes (web workers, the CLI) share one store.
Why in memory: pyoxigraph's on-disk RocksDB store is 5-8x slower on scans and joins.

Time limits (run_query): a query under a time limit runs in a worker process of a pool
forked from the loaded store, killed at the limit (kg.store.limited). The store refreshes
first and gives the pool its version (bumped by every reload), so a worker always answers
over the latest snapshots: workers forked before a reload are retired. Named queries
confined to one country or entity, or reading only the model or the precomputed figures
(trusted=True, NamedQuery.confined) run in the thread: benchmarks/queries.py shows each
far under the limit at 1M triples.

A writer that does not query (an import) opens the store with `lazy=True`: only the
manifest is read; `graph_triples` parses just the snapshot asked for, and everything is
loaded on the first query. Updating one country then costs the same in a store of 10 or
200 countries. `replace_graphs` writes several graphs under one lock and one manifest
commit: all of them change, or none.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store.base import SelectResult, Store
from kg.store.limited import ChildQueryError, QueryPool, RWLock, forking_works

MANIFEST = "manifest.json"
GRAPHS = "graphs"
LOCK = "lock"
TMP_PREFIX = ".tmp-"
FORMAT = "migkg-embedded-store"
VERSION = 1
# Turtle: as fast to load as N-Triples here and ~40 % smaller on disk (benchmarks/store.py).
SNAPSHOT_FORMAT = ox.RdfFormat.TURTLE
SNAPSHOT_EXT = ".ttl"
LOCK_TIMEOUT_S = 120.0
_READ_RETRIES = 20
# Errors that mean "no room on that disk" (EFBIG: past a file size limit, e.g. RLIMIT_FSIZE).
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})

Term = ox.NamedNode | ox.Literal | ox.BlankNode


def _serialize(triples: Iterable[ox.Triple]) -> tuple[bytes, int] | None:
    """A graph's snapshot bytes and triple count; None for no triples (the graph is absent)."""
    unique = list(dict.fromkeys(triples))
    return (ox.serialize(unique, format=SNAPSHOT_FORMAT), len(unique)) if unique else None


def snapshot_name(graph: str, generation: int) -> str:
    """File name of a graph's snapshot: unique per commit, so a committed file never changes."""
    return f"{hashlib.sha1(graph.encode()).hexdigest()}-{generation}{SNAPSHOT_EXT}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomically(target: Path, data: bytes, mtime_ns: int | None = None,
                      sync_dir: bool = True) -> None:
    """Write data to target so that target is either absent/old or complete, even on SIGKILL.

    A failed write (disk full...) removes its temp file at once: left behind, it would hold
    the very space the next attempt needs. Temp files of killed writers are swept by _sweep.
    With sync_dir False the caller fsyncs the folder once after several files.
    """
    tmp = target.parent / f"{TMP_PREFIX}{target.name}.{os.getpid()}.{time.monotonic_ns()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            if mtime_ns is not None:
                os.utime(fd, ns=(mtime_ns, mtime_ns))
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync_dir:
        _fsync_dir(target.parent)


class EmbeddedStore(Store):
    """pyoxigraph in memory, persisted per graph under `path` (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str], *, lang: str = "en", lazy: bool = False
                 ) -> None:
        self.path = Path(path)
        self.lang = lang
        self._manifest_path = self.path / MANIFEST
        self._graphs_dir = self.path / GRAPHS
        self._store = ox.Store()
        self._rw = RWLock()
        self._reload = threading.Lock()  # one thread reloads; the others wait for it
        self._writing = threading.Lock()  # serialises this process's writers (flock is per-fd)
        self._loaded: dict[str, dict[str, Any]] = {}  # graph IRI -> manifest entry in memory
        self._signature: tuple[int, int, int] | None = None
        self._closed = False
        self._pool = QueryPool()
        self._version = 0  # bumped by every reload of the in-memory store (the pool's workers)
        self._fingerprint: tuple[int, tuple] | None = None  # (version, fingerprint) last built
        self._lazy = lazy  # True until the first query loads every graph
        if lazy:
            self._read_manifest()  # a damaged manifest is still an error at open
        else:
            self._refresh(force=True)

    # -- errors -------------------------------------------------------------------------------

    def _error(self, key: str, **params: object) -> StoreError:
        return StoreError(key=f"store.{key}", lang=self.lang, path=str(self.path), **params)

    # -- reading the manifest and snapshots ---------------------------------------------------

    def _read_manifest(self) -> tuple[dict[str, Any], tuple[int, int, int] | None]:
        """The committed manifest and its stat signature; an empty one if none is committed."""
        try:
            with open(self._manifest_path, "rb") as fh:
                st = os.fstat(fh.fileno())
                raw = fh.read()
        except FileNotFoundError:
            return {"graphs": {}, "generation": 0}, None
        except OSError as exc:
            raise self._error("unreadable", reason=exc.strerror or str(exc)) from None
        try:
            manifest = json.loads(raw)
            if manifest.get("format") != FORMAT or not isinstance(manifest.get("graphs"), dict):
                raise ValueError("not a migkg store manifest")
            if manifest.get("version", 0) > VERSION:
                raise ValueError(f"manifest version {manifest['version']} is newer than {VERSION}")
        except (ValueError, AttributeError) as exc:
            raise self._error("corrupt", file=MANIFEST, reason=str(exc)) from None
        return manifest, (st.st_ino, st.st_mtime_ns, st.st_size)

    def _read_snapshot(self, entry: dict[str, Any]) -> bytes:
        """A snapshot's bytes, checked against the manifest (FileNotFoundError if swept)."""
        with open(self._graphs_dir / entry["file"], "rb") as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise self._error("corrupt", file=f"{GRAPHS}/{entry['file']}",
                              reason="sha256 does not match the manifest")
        return data

    def _signature_now(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self._manifest_path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._error("unreadable", reason=exc.strerror or str(exc)) from None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _read_committed(
        self, pick: Callable[[dict[str, dict[str, Any]]], list[str]],
    ) -> tuple[dict[str, Any], tuple[int, int, int] | None, dict[str, bytes]]:
        """The committed manifest, its signature and the snapshot bytes of the graphs `pick`
        chooses from its entries, all of one commit (retried if a writer sweeps a file)."""
        for _ in range(_READ_RETRIES):
            manifest, signature = self._read_manifest()
            wanted: dict[str, dict[str, Any]] = manifest["graphs"]
            try:
                return manifest, signature, {g: self._read_snapshot(wanted[g]) for g in pick(wanted)}
            except FileNotFoundError as exc:
                if self._signature_now() == signature:
                    # The manifest did not move on: the file is really gone.
                    raise self._error("corrupt", file=f"{GRAPHS}/{Path(exc.filename).name}",
                                      reason=exc.strerror) from None
                # A writer committed and swept the file between our manifest read and
                # the file read: read the newer manifest.
            except OSError as exc:
                raise self._error("unreadable", reason=exc.strerror or str(exc)) from None
        raise self._error("unstable")

    def _refresh(self, force: bool = False) -> None:
        """Reload the graphs another process changed since the last look (one stat if none)."""
        if self._closed:
            raise self._error("closed")
        if not force and not self._lazy and self._signature_now() == self._signature:
            return
        with self._reload:
            force = force or self._lazy
            self._lazy = False
            signature = self._signature_now()
            if not force and signature == self._signature:
                return  # another thread reloaded while this one waited
            # Read everything first: queries are only held up for the in-memory swap.
            manifest, signature, fresh = self._read_committed(
                lambda wanted: [g for g, e in wanted.items() if self._loaded.get(g) != e])
            wanted = manifest["graphs"]
            removed = [g for g in self._loaded if g not in wanted]
            with self._rw.write():
                for g in removed:
                    self._store.remove_graph(ox.NamedNode(g))
                    del self._loaded[g]
                for g, data in fresh.items():
                    self._load_graph(g, data)
                    self._loaded[g] = wanted[g]
                self._version += 1
                version = self._version
            self._signature = signature
        self._pool.retire(version)  # workers forked from the old data go

    def snapshot(self) -> tuple[dict[str, dict[str, Any]], dict[str, bytes]]:
        """Every graph as committed at one moment: (manifest entries, snapshot bytes by graph).

        Takes no lock, so writers (imports) and readers go on meanwhile; the bytes are
        checked against the manifest's sha256, so none is torn.
        """
        if self._closed:
            raise self._error("closed")
        manifest, _, data = self._read_committed(list)
        return manifest["graphs"], data

    def _load_graph(self, graph: str, data: bytes) -> None:
        """Put one graph's snapshot in memory in place of its old content (write lock held)."""
        node = ox.NamedNode(graph)
        if graph in self._loaded:
            self._store.remove_graph(node)
        # lenient skips IRI re-validation: the file is our own, checked by sha256.
        self._store.load(data, format=SNAPSHOT_FORMAT, to_graph=node, lenient=True)

    # -- queries ----------------------------------------------------------------------------------

    def _run(self, sparql: str, form: type, expected: str) -> Any:
        """Run a query over the union of graphs and materialise its answer under the read lock."""
        self._refresh()
        with self._rw.read():
            try:
                result = self._store.query(sparql, use_default_graph_as_union=True)
                if not isinstance(result, form):
                    raise self._error("wrong_form", expected=expected)
                if isinstance(result, ox.QuerySolutions):
                    variables = [v.value for v in result.variables]
                    return SelectResult(variables, [tuple(solution) for solution in result])
                if isinstance(result, ox.QueryBoolean):
                    return bool(result)
                return list(result)
            except SyntaxError as exc:
                raise self._error("bad_query", reason=str(exc)) from None
            except (OSError, ValueError, RuntimeError) as exc:
                raise self._error("query_failed", reason=str(exc)) from None

    def select(self, sparql: str) -> SelectResult:
        return self._run(sparql, ox.QuerySolutions, "SELECT")

    def run_query(self, sparql: str, form: str, *, timeout_s: float | None = None,
                  max_rows: int | None = None, trusted: bool = False
                  ) -> SelectResult | bool | list[ox.Triple]:
        """Under a time limit, the query runs in a worker process of the pool (see the module
        docstring); trusted text (a named query) runs in the thread."""
        if timeout_s is None or trusted or not forking_works():
            return super().run_query(sparql, form, max_rows=max_rows)
        self._refresh()
        try:
            return self._pool.run(self._store, sparql, form, timeout_s=timeout_s,
                                  max_rows=max_rows, fork_lock=self._rw.write(),
                                  version=self._version)
        except ChildQueryError as exc:
            raise self._error(exc.key, **exc.params) from None

    def ask(self, sparql: str) -> bool:
        return self._run(sparql, ox.QueryBoolean, "ASK")

    def construct(self, sparql: str) -> list[ox.Triple]:
        return self._run(sparql, ox.QueryTriples, "CONSTRUCT/DESCRIBE")

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        if self._lazy:
            return self._snapshot_triples(graph)
        self._refresh()
        node = ox.NamedNode(graph)
        with self._rw.read():
            return [q.triple for q in self._store.quads_for_pattern(None, None, None, node)]

    def _snapshot_triples(self, graph: str) -> list[ox.Triple]:
        """One graph read from its snapshot alone (lazy mode: nothing is loaded in memory)."""
        if self._closed:
            raise self._error("closed")
        for _ in range(_READ_RETRIES):
            manifest, signature = self._read_manifest()
            entry = manifest["graphs"].get(graph)
            if entry is None:
                return []
            try:
                data = self._read_snapshot(entry)
            except FileNotFoundError as exc:
                if self._signature_now() == signature:
                    raise self._error("corrupt", file=f"{GRAPHS}/{Path(exc.filename).name}",
                                      reason=exc.strerror) from None
                continue  # swept by a writer that committed meanwhile: read the new manifest
            except OSError as exc:
                raise self._error("unreadable", reason=exc.strerror or str(exc)) from None
            return [q.triple for q in ox.parse(data, format=SNAPSHOT_FORMAT, lenient=True)]
        raise self._error("unstable")

    def graphs(self) -> list[str]:
        if self._lazy:
            return sorted(self._read_manifest()[0]["graphs"])
        self._refresh()
        with self._rw.read():
            return sorted(self._loaded)

    def fingerprint(self) -> object:
        """The committed manifest now loaded in memory (one stat when nothing changed); built
        once per reload: a dashboard page asks it for each of its queries."""
        self._refresh()
        with self._rw.read():
            kept = self._fingerprint
            if kept is None or kept[0] != self._version:
                kept = (self._version,
                        tuple(sorted((g, e["sha256"]) for g, e in self._loaded.items())))
                self._fingerprint = kept
            return kept[1]

    def quads(self) -> Iterator[ox.Quad]:
        # One consistent view: every graph as of the same manifest.
        self._refresh()
        with self._rw.read():
            out = [q for g in sorted(self._loaded)
                   for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(g))]
        return iter(out)

    # -- writes -----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _writer_lock(self) -> Iterator[None]:
        """Exclusive across processes (flock) and across this process's threads."""
        with self._writing:
            # An OSError here (read-only or full disk) reaches the caller's _write_error.
            self._graphs_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                deadline = time.monotonic() + LOCK_TIMEOUT_S
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except OSError as exc:
                        if exc.errno not in (errno.EAGAIN, errno.EACCES):
                            raise
                        if time.monotonic() > deadline:
                            raise self._error("locked", seconds=int(LOCK_TIMEOUT_S)) from None
                        time.sleep(0.05)
                yield
            finally:
                os.close(fd)  # closing the descriptor releases the flock

    def _commit(self, changes: Iterable[tuple[str, tuple[bytes, int] | None]], *,
                whole: bool = False) -> dict[str, bool]:
        """Write each changed graph's snapshot as the pairs come (None: drop the graph), then
        commit them all with one manifest: every graph changes, or none.

        With whole, the committed store holds exactly `changes`'s graphs (a restore). Returns,
        per changed graph, whether it existed before. Must hold the writer lock.
        """
        manifest, _ = self._read_manifest()
        before: dict[str, dict[str, Any]] = manifest["graphs"]
        graphs = {} if whole else dict(before)
        # First give back the space of what killed or failed writers left (temp files,
        # snapshots never committed): on a full disk it is what this write needs.
        self._sweep(manifest)
        generation = int(manifest.get("generation", 0)) + 1
        existed: dict[str, bool] = {}
        written: list[str] = []
        try:
            for graph, change in changes:
                existed.setdefault(graph, graph in before)
                if change is None:
                    graphs.pop(graph, None)
                    continue
                data, count = change
                name = snapshot_name(graph, generation)
                # One fsync of the folder for all snapshots, below, not one per file.
                _write_atomically(self._graphs_dir / name, data, sync_dir=False)
                written.append(name)
                graphs[graph] = {"file": name, "triples": count, "bytes": len(data),
                                 "sha256": hashlib.sha256(data).hexdigest()}
            if not whole and not written and graphs == before:
                return existed  # e.g. deleting a graph that is not there: nothing to commit
            if written:
                _fsync_dir(self._graphs_dir)  # every snapshot durable before the commit
            new = {"format": FORMAT, "version": VERSION, "generation": generation,
                   "graphs": dict(sorted(graphs.items()))}
            # Readers detect commits by (inode, mtime_ns, size): make mtime strictly increase
            # so two commits within one clock tick, on a reused inode, still differ.
            old = self._signature_now()
            mtime = max(time.time_ns(), (old[1] + 1_000_000) if old else 0)
            payload = json.dumps(new, indent=1, ensure_ascii=False).encode() + b"\n"
            _write_atomically(self._manifest_path, payload, mtime_ns=mtime)  # the commit point
        except BaseException:
            # Not committed (unless only the folder's fsync failed): drop the new snapshots.
            if self._read_manifest()[0].get("generation") != generation:
                for name in written:
                    with contextlib.suppress(OSError):
                        os.unlink(self._graphs_dir / name)
            raise
        self._sweep(new)
        return existed

    def _write_error(self, exc: OSError, graph: str | None) -> StoreError:
        """A failed write as a StoreError naming the store: a full disk gets its own advice.

        graph: the one graph written, or None for a whole-store write (a restore)."""
        reason = exc.strerror or str(exc)
        if exc.errno in _NO_SPACE:
            if graph is None:
                return self._error("disk_full_store", reason=reason)
            return self._error("disk_full", reason=reason, graph=graph)
        return self._error("unwritable", reason=reason)

    def _sweep(self, manifest: dict[str, Any]) -> None:
        """Remove snapshots no manifest names and temp files left by killed writers."""
        keep = {e["file"] for e in manifest["graphs"].values()}
        for folder in (self._graphs_dir, self.path):
            try:
                names = os.listdir(folder)
            except FileNotFoundError:
                continue
            for name in names:
                stale = name.startswith(TMP_PREFIX) or (
                    folder == self._graphs_dir and name.endswith(SNAPSHOT_EXT) and name not in keep)
                if stale:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(folder / name)

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Atomically replace one graph (no triples = delete it); commits on disk."""
        node = ox.NamedNode(graph)
        change = _serialize(triples)
        if change is None:
            self.delete_graph(graph)
            return
        self._write([(node.value, change)], node.value)
        # No in-memory update here: the next read sees the new manifest and loads the graph,
        # so a process that only writes (an import) never pays for loading what it wrote.

    def replace_graphs(self, graphs: Iterable[tuple[str, Iterable[ox.Triple]]]) -> None:
        """Replace several graphs in one commit: each snapshot is written as the pairs come
        (so only one graph's triples are in memory at a time), the manifest once at the end."""
        if self._closed:
            raise self._error("closed")
        names: list[str] = []

        def changes() -> Iterator[tuple[str, tuple[bytes, int] | None]]:
            for graph, triples in graphs:
                names.append(ox.NamedNode(graph).value)
                yield names[-1], _serialize(triples)

        try:
            with self._writer_lock():
                self._commit(changes())
        except OSError as exc:
            # One graph (a one-country import) is named, as replace_graph names it.
            raise self._write_error(exc, names[0] if len(names) == 1 else None) from None

    def delete_graph(self, graph: str) -> bool:
        node = ox.NamedNode(graph)
        if not self._manifest_path.exists():
            if self._closed:
                raise self._error("closed")
            return False  # nothing was ever written: do not create the folder for nothing
        return self._write([(node.value, None)], node.value)[node.value]

    def replace_all(self, graphs: Mapping[str, Iterable[ox.Triple]]) -> None:
        """Make the store hold exactly these graphs, in one commit (a restore)."""
        changes = {ox.NamedNode(g).value: _serialize(ts) for g, ts in graphs.items()}
        self._write([(g, c) for g, c in changes.items() if c is not None], None, whole=True)

    def _write(self, changes: Iterable[tuple[str, tuple[bytes, int] | None]], graph: str | None,
               *, whole: bool = False) -> dict[str, bool]:
        if self._closed:
            raise self._error("closed")
        try:
            with self._writer_lock():
                return self._commit(changes, whole=whole)
        except OSError as exc:
            raise self._write_error(exc, graph) from None

    def query_workers(self) -> list[int]:
        """Process ids of the live query workers (kg.store.limited)."""
        return self._pool.pids()

    def close(self) -> None:
        self._pool.close()
        if not self._closed:
            with self._rw.write():
                self._closed = True
                self._store = ox.Store()
                self._loaded = {}

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.path)!r})"

