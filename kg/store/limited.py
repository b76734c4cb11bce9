"""Time-limited queries on an in-memory pyoxigraph store, for the stores that hold one
(kg.store.embedded, kg.store.public): a pool of query worker processes.

pyoxigraph cannot interrupt a query running in a thread (no timeout API, the GIL is
released, signals wait), so a query under a time limit runs in a worker process forked
from the process that holds the loaded store. The store's pages are shared copy-on-write:
the worker sees exactly the data the parent held when it forked, at no copying cost. Past
the limit the worker is killed (SIGKILL): the query really stops, its memory is freed, and
the next query runs in another worker.

Workers live on between queries, so the fork (tens to hundreds of milliseconds with ~1M
triples in memory on a loaded machine) is paid once, not per query; a query costs a pipe
round trip and the (de)serialisation of its answer. A worker is replaced when it was killed
at the limit or died, and when the store changed: the store tells the pool its version
(`retire(version)` on a reload; `run(version=...)`), and workers of an older version are
killed as soon as they are idle. New workers are forked on demand, at most `max_workers`
per pool, each under the store's fork lock (RWLock.write: no thread of the process is then
inside that pyoxigraph store, so the worker inherits no lock held mid-operation).

Protocol (one pipe each way): the parent writes `form (1 byte), max_rows (int32, -1 = no
cap), seconds left (double), text length (uint32), text`; the worker answers `kind (1 byte), length (uint64),
payload`: S (SPARQL TSV, at most max_rows + 1 rows), A (true/false), C (N-Triples), E (JSON
{key, params}). pyoxigraph writes them and parses them back into the same terms.

What keeps workers from outliving their use:
- each closes every inherited descriptor but its two pipe ends (no client socket or
  listening socket of the server stays open in it), so when the parent process dies, even
  by SIGKILL (a gunicorn worker past its timeout), the request pipe reads EOF and the idle
  worker exits;
- each sets an alarm (SIGALRM, default action: the kernel ends the process) of the time
  limit + ALARM_GRACE_S around every query, so a runaway query ends even if its parent died;
- signal dispositions are reset to the defaults (Ctrl-C, SIGTERM end a worker);
- `close()` (Store.close, Workspace.close) and, as a last resort, process exit kill and reap
  every worker.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import selectors
import signal
import struct
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.errors import Location, Problem, QueryTimeout
from kg.store.base import ASK, SELECT, SelectResult

# Workers running queries at once per pool; more queries wait (their wait counts in their
# time limit). Idle workers are kept (up to this number) for the next queries.
MAX_WORKERS = 4
# A worker ends itself this long after its query's time limit, should its parent be gone.
ALARM_GRACE_S = 2.0
_CHUNK = 1 << 20
_REQUEST = struct.Struct("!cidI")
_ANSWER = struct.Struct("!cQ")
_FORMS = {SELECT: b"S", ASK: b"A"}
_FORM_NAMES = {b"S": SELECT, b"A": ASK, b"C": "CONSTRUCT"}
# Signals a server may handle in Python (gunicorn, werkzeug): a worker takes the defaults.
_RESET_SIGNALS = tuple(getattr(signal, name) for name in (
    "SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGABRT",
    "SIGALRM", "SIGCHLD") if hasattr(signal, name))


class RWLock:
    """Many concurrent queries or one in-memory reload (threads of one process)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            # Waiting writers go first so a stream of queries cannot starve a reload.
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


def forking_works() -> bool:
    return hasattr(os, "fork")


def timeout(seconds: float) -> QueryTimeout:
    """The error of a query stopped at its time limit (exit 2, HTTP 504)."""
    return QueryTimeout(Problem(Location(), "store.timeout", {"seconds": f"{seconds:g}"}))


class ChildQueryError(Exception):
    """The query failed in the worker: a store message key (store.<key>) and its parameters."""

    def __init__(self, key: str, params: dict[str, Any]):
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(eq=False)
class _Worker:
    pid: int
    requests: int  # the parent's end of the request pipe (write)
    answers: int  # the parent's end of the answer pipe (read)
    version: int  # the store's version (data) the worker was forked with
    queries: int = 0


class _Stopped(Exception):
    """The worker did not answer by the deadline (it is killed)."""


class _Broken(Exception):
    """The worker died or sent something malformed (it is killed)."""


class QueryPool:
    """Query worker processes forked from the loaded store, reused between queries."""

    def __init__(self, max_workers: int = MAX_WORKERS) -> None:
        self.max_workers = max_workers
        self._slots = threading.BoundedSemaphore(max_workers)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._live: dict[int, _Worker] = {}  # pid -> worker, idle or busy
        self._version: int | None = None
        self._closed = False
        self.forks = 0  # workers forked so far (tests, benchmarks)
        # Workers never outlive the process that forked them, even without close().
        self._finalizer = weakref.finalize(self, _kill_all, self._live, os.getpid())

    # -- the pool -----------------------------------------------------------------------------

    def pids(self) -> list[int]:
        """Process ids of the live workers (idle or busy)."""
        with self._lock:
            return sorted(self._live)

    def retire(self, version: int) -> None:
        """The store is now at `version`: idle workers of another version are killed at once,
        busy ones when their query ends."""
        with self._lock:
            self._version = version
            stale = [w for w in self._idle if w.version != version]
            self._idle = [w for w in self._idle if w.version == version]
            self._forget(stale)
        for worker in stale:
            _kill(worker)

    def close(self) -> None:
        """Kill and reap every worker; the pool forks no more."""
        with self._lock:
            self._closed = True
            self._idle = []
        self._finalizer()

    def _take(self, store: ox.Store, version: int, fork_lock: ContextManager[Any]
              ) -> _Worker:
        """An idle worker of this version, or a new one forked under fork_lock."""
        stale = []
        with self._lock:
            if self._closed:
                raise ChildQueryError("closed", {})
            if self._version is None or version > self._version:
                self._version = version
            found = None
            while self._idle:
                worker = self._idle.pop()
                if worker.version == version:
                    found = worker
                    break
                stale.append(worker)
            self._forget(stale)
        for worker in stale:
            _kill(worker)
        return found if found is not None else self._fork(store, version, fork_lock)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed and worker.version == self._version and \
                    worker.pid in self._live:
                self._idle.append(worker)
                return
        self._discard(worker)

    def _fork(self, store: ox.Store, version: int, fork_lock: ContextManager[Any]
              ) -> _Worker:
        req_r, req_w = os.pipe()
        ans_r, ans_w = os.pipe()
        try:
            with fork_lock:
                pid = os.fork()
                if pid == 0:  # the worker: never returns
                    _worker_main(store, req_r, ans_w)
        except BaseException:
            for fd in (req_r, req_w, ans_r, ans_w):
                os.close(fd)
            raise
        os.close(req_r)
        os.close(ans_w)
        worker = _Worker(pid, req_w, ans_r, version)
        with self._lock:
            self._live[pid] = worker
            self.forks += 1
            closed = self._closed
        if closed:  # closed while forking: do not leave it behind
            self._discard(worker)
            raise ChildQueryError("closed", {})
        return worker

    def _forget(self, workers: list[_Worker]) -> None:
        """Stale idle workers leave the live ones at once (lock held), before they are killed
        outside the lock: a worker forked meanwhile never makes more than max_workers."""
        for worker in workers:
            self._live.pop(worker.pid, None)

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker (idle, stale, stopped or broken) and reap it."""
        with self._lock:
            known = self._live.pop(worker.pid, None) is not None
        if known:
            _kill(worker)

    # -- queries ------------------------------------------------------------------------------

    def run(self, store: ox.Store, sparql: str, form: str, *, timeout_s: float,
            max_rows: int | None, fork_lock: ContextManager[Any], version: int = 0
            ) -> SelectResult | bool | list[ox.Triple]:
        """The answer as the Store interface returns it; QueryTimeout past timeout_s,
        ChildQueryError when the query fails. `store` is forked under fork_lock when no idle
        worker holds `version` (the store's data as of now; versions only grow)."""
        deadline = time.monotonic() + timeout_s
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise timeout(timeout_s)
        try:
            worker = self._take(store, version, fork_lock)
            try:
                kind, payload = _ask(worker, sparql, form, max_rows, deadline, timeout_s)
            except _Stopped:
                self._discard(worker)
                raise timeout(timeout_s) from None
            except _Broken as exc:
                self._discard(worker)
                raise ChildQueryError("query_failed", {"reason": str(exc)}) from None
            except BaseException:
                self._discard(worker)
                raise
            self._give_back(worker)
        finally:
            self._slots.release()
        return _decode(kind, payload)


def _decode(kind: bytes, payload: bytes) -> SelectResult | bool | list[ox.Triple]:
    if kind == b"E":
        error = json.loads(payload)
        raise ChildQueryError(error["key"], error["params"])
    try:
        if kind == b"A":
            return payload == b"true"
        if kind == b"C":
            return list(ox.parse(payload, format=ox.RdfFormat.N_TRIPLES))
        solutions = ox.parse_query_results(payload, format=ox.QueryResultsFormat.TSV)
        return SelectResult([v.value for v in solutions.variables],
                            [tuple(solution) for solution in solutions])
    except (SyntaxError, ValueError) as exc:
        raise ChildQueryError("query_failed", {"reason": str(exc)}) from None


def _ask(worker: _Worker, sparql: str, form: str, max_rows: int | None, deadline: float,
         timeout_s: float) -> tuple[bytes, bytes]:
    """Send one query to the worker and read its answer until the deadline."""
    text = sparql.encode("utf-8")
    request = _REQUEST.pack(_FORMS.get(form, b"C"), -1 if max_rows is None else max_rows,
                            max(0.0, deadline - time.monotonic()), len(text)) + text
    try:
        # An idle worker waits on this pipe, so the write does not block for long.
        _write_all(worker.requests, request)
    except OSError as exc:
        raise _Broken(f"query process gone ({exc.strerror})") from None
    worker.queries += 1
    buffer = bytearray()
    need = _ANSWER.size
    kind = b""
    with selectors.DefaultSelector() as sel:
        sel.register(worker.answers, selectors.EVENT_READ)
        while True:
            while len(buffer) < need:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise _Stopped()
                try:
                    chunk = os.read(worker.answers, max(_CHUNK, need - len(buffer)))
                except OSError as exc:
                    raise _Broken(f"query process gone ({exc.strerror})") from None
                if not chunk:
                    raise _Broken(f"query process {worker.pid} ended")
                buffer += chunk
            if kind:
                if len(buffer) != need:
                    raise _Broken("query process sent more than its answer")
                return kind, bytes(buffer[_ANSWER.size:])
            kind, length = _ANSWER.unpack_from(buffer)
            if kind not in (b"S", b"A", b"C", b"E"):
                raise _Broken("query process sent a malformed answer")
            need = _ANSWER.size + length


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _kill(worker: _Worker) -> None:
    for fd in (worker.requests, worker.answers):
        with contextlib.suppress(OSError):
            os.close(fd)
    with contextlib.suppress(ProcessLookupError):
        os.kill(worker.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(worker.pid, 0)


def _kill_all(live: dict[int, _Worker], owner: int) -> None:
    """Every worker of a pool killed and reaped (only in the process that forked them)."""
    if os.getpid() != owner:
        return
    while live:
        _, worker = live.popitem()
        _kill(worker)


# -- the worker process ------------------------------------------------------------------------


def _worker_main(store: ox.Store, requests: int, answers: int) -> None:
    """In a forked worker: answer queries from `requests` on `answers` until EOF; never
    returns (os._exit: no cleanup of the parent's objects, no flushed buffers)."""
    code = 0
    try:
        gc.disable()  # no collection walking (and copying) the parent's objects
        for sig in _RESET_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        keep = sorted({0, 1, 2, requests, answers})
        start = 0
        for fd in keep:
            if fd > start:
                os.closerange(start, fd)
            start = fd + 1
        os.closerange(start, max(start + 1, _max_fd()))
        while True:
            header = _read_exactly(requests, _REQUEST.size)
            if header is None:
                break  # the parent closed the pipe, or is gone
            form, max_rows, seconds, length = _REQUEST.unpack(header)
            text = _read_exactly(requests, length)
            if text is None:
                break
            out = _answer(store, text.decode("utf-8"), _FORM_NAMES[form],
                          None if max_rows < 0 else max_rows, seconds + ALARM_GRACE_S)
            _write_all(answers, _ANSWER.pack(out[:1], len(out) - 1) + out[1:])
    except BaseException:  # noqa: BLE001 - nothing may escape a forked worker
        code = 1
    finally:
        os._exit(code)


def _max_fd() -> int:
    try:
        return min(os.sysconf("SC_OPEN_MAX"), 1 << 20)
    except (ValueError, OSError):
        return 1 << 16


def _read_exactly(fd: int, n: int) -> bytes | None:
    data = bytearray()
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


class _Enough(Exception):
    """Raised through pyoxigraph's serialiser once the row cap is reached."""


class _Capped:
    """A binary file-like for pyoxigraph's serialisers keeping at most `lines` lines (None:
    all); past them its write() stops the serialisation (the rest is never computed)."""

    def __init__(self, lines: int | None) -> None:
        self.parts: list[bytes] = []
        self.left = lines
        self.full = False

    def write(self, data: bytes) -> int:
        data = bytes(data)
        if self.left is not None:
            count = data.count(b"\n")
            if count >= self.left:
                end = -1
                for _ in range(self.left):
                    end = data.index(b"\n", end + 1)
                self.parts.append(data[:end + 1])
                self.left, self.full = 0, True
                raise _Enough()
            self.left -= count
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        pass

    def serialize(self, result: ox.QuerySolutions | ox.QueryTriples, fmt: Any) -> bytes:
        try:
            result.serialize(self, format=fmt)
        except Exception:
            if not self.full:
                raise
        return b"".join(self.parts)


def _answer(store: ox.Store, sparql: str, form: str, max_rows: int | None,
            alarm_s: float) -> bytes:
    """`kind + payload` for one query, serialised by pyoxigraph (SPARQL TSV, N-Triples: one
    row or triple per line, escapes included), cut after max_rows + 1 rows. The alarm ends
    the process if it runs past the parent's deadline with no parent left to kill it."""
    try:
        signal.setitimer(signal.ITIMER_REAL, alarm_s)
        try:
            result = store.query(sparql, use_default_graph_as_union=True)
            expected = {SELECT: ox.QuerySolutions, ASK: ox.QueryBoolean}.get(form, ox.QueryTriples)
            if not isinstance(result, expected):
                return b"E" + json.dumps({"key": "wrong_form",
                                          "params": {"expected": form}}).encode()
            if form == ASK:
                return b"A" + (b"true" if bool(result) else b"false")
            if form == SELECT:  # a header line, then the rows
                lines = None if max_rows is None else max_rows + 2
                return b"S" + _Capped(lines).serialize(result, ox.QueryResultsFormat.TSV)
            lines = None if max_rows is None else max_rows + 1
            return b"C" + _Capped(lines).serialize(result, ox.RdfFormat.N_TRIPLES)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except SyntaxError as exc:
        return b"E" + json.dumps({"key": "bad_query", "params": {"reason": str(exc)}}).encode()
    except (OSError, ValueError, RuntimeError) as exc:
        return b"E" + json.dumps({"key": "query_failed", "params": {"reason": str(exc)}}).encode()
