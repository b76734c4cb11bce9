"""Time-limited queries on an in-memory pyoxigraph store, for the stores that hold one
(kg.store.embedded, kg.store.public).

pyoxigraph cannot interrupt a query running in a thread, so a query under a time limit runs
in a child process forked for it: the store's pages are shared copy-on-write, so the child
sees exactly the data the parent holds, at no copying cost. Past the limit the child is
killed (SIGKILL): the query really stops, its memory is freed, and the next query runs
normally. The child sends back at most max_rows + 1 rows as SPARQL TSV (N-Triples for
CONSTRUCT/DESCRIBE), which pyoxigraph parses back into the same terms.

Forking is safe because the caller forks while holding its readers-writer lock for writing
(RWLock.write): no thread of the process is inside pyoxigraph at that moment, so the child
inherits no lock held mid-operation, and it touches nothing else before os._exit.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager as ContextManager
from typing import Any

import pyoxigraph as ox

from kg.errors import Location, Problem, QueryTimeout
from kg.store.base import ASK, SELECT, SelectResult

# Children running at once per store; more wait (their wait counts in their time limit).
MAX_CHILDREN = 4
_CHUNK = 1 << 20


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
    """The query failed in the child: a store message key (store.<key>) and its parameters."""

    def __init__(self, key: str, params: dict[str, Any]):
        super().__init__(key)
        self.key, self.params = key, params


class QueryChildren:
    """Runs queries in forked children, at most MAX_CHILDREN at once."""

    def __init__(self, max_children: int = MAX_CHILDREN) -> None:
        self._slots = threading.BoundedSemaphore(max_children)

    def run(self, store: ox.Store, sparql: str, form: str, *, timeout_s: float,
            max_rows: int | None, fork_lock: ContextManager[Any]
            ) -> SelectResult | bool | list[ox.Triple]:
        """The answer as the Store interface returns it; QueryTimeout past timeout_s,
        ChildQueryError when the query fails."""
        deadline = time.monotonic() + timeout_s
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise timeout(timeout_s)
        try:
            kind, payload = _in_child(store, sparql, form, max_rows, deadline, timeout_s,
                                      fork_lock)
        finally:
            self._slots.release()
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


def _in_child(store: ox.Store, sparql: str, form: str, max_rows: int | None, deadline: float,
              timeout_s: float, fork_lock: ContextManager[Any]) -> tuple[bytes, bytes]:
    """Fork, run the query in the child, read its answer until EOF or the deadline."""
    read_fd, write_fd = os.pipe()
    with fork_lock:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_fd)
            _child_query(store, sparql, form, max_rows, write_fd)
    os.close(write_fd)
    chunks: list[bytes] = []
    finished = False
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(read_fd, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    break
                chunk = os.read(read_fd, _CHUNK)
                if not chunk:
                    finished = True
                    break
                chunks.append(chunk)
    finally:
        os.close(read_fd)
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if not finished:
        raise timeout(timeout_s)
    data = b"".join(chunks)
    if not data or os.waitstatus_to_exitcode(status) != 0:
        raise ChildQueryError("query_failed",
                              {"reason": f"query process ended with status {status}"})
    return data[:1], data[1:]
def _child_query(store: ox.Store, sparql: str, form: str, max_rows: int | None,
                 fd: int) -> None:
    """In a forked child: run the query, write `kind + payload` to fd, and exit.

    Kinds: S (SPARQL TSV results), A (true/false), C (N-Triples), E (JSON {key, params}).
    Terms print as N-Triples (str()), escapes included, so TSV cells never hold a raw TAB
    or newline. os._exit: the child never runs the parent's cleanup or flushes its buffers.
    """
    code = 0
    try:
        try:
            result = store.query(sparql, use_default_graph_as_union=True)
            expected = {SELECT: ox.QuerySolutions, ASK: ox.QueryBoolean}.get(form, ox.QueryTriples)
            if not isinstance(result, expected):
                out = b"E" + json.dumps({"key": "wrong_form", "params": {"expected": form}}).encode()
            elif form == ASK:
                out = b"A" + (b"true" if bool(result) else b"false")
            elif form == SELECT:
                lines = ["\t".join(f"?{v.value}" for v in result.variables)]
                for i, solution in enumerate(result):
                    if max_rows is not None and i > max_rows:
                        break
                    lines.append("\t".join("" if t is None else str(t) for t in solution))
                out = b"S" + ("\n".join(lines) + "\n").encode("utf-8")
            else:
                lines = []
                for i, t in enumerate(result):
                    if max_rows is not None and i > max_rows:
                        break
                    lines.append(f"{t.subject} {t.predicate} {t.object} .\n")
                out = b"C" + "".join(lines).encode("utf-8")
        except SyntaxError as exc:
            out = b"E" + json.dumps({"key": "bad_query", "params": {"reason": str(exc)}}).encode()
        except (OSError, ValueError, RuntimeError) as exc:
            out = b"E" + json.dumps({"key": "query_failed",
                                    "params": {"reason": str(exc)}}).encode()
        view = memoryview(out)
        while view:
            view = view[os.write(fd, view):]
    except BaseException:  # noqa: BLE001 - nothing may escape a forked child
        code = 1
    finally:
        os._exit(code)
