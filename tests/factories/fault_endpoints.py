"""Misbehaving SPARQL endpoints on 127.0.0.1, for the fault tests and benchmarks/faults.py.

Each is a context manager yielding the endpoint's base URL and stopping itself on exit:
- `black_hole()`: listens but never accepts; the kernel completes the TCP handshake and
  queues the request, and nothing ever answers (a hung server);
- `silent()`: accepts and reads each request, then never answers;
- `dying()`: reads each whole request (headers and body), then closes the connection
  without a word, as a server killed after receiving a write would; `.requests` keeps the
  raw requests it received;
- `status(code)`: answers every request with that HTTP status (503: a refusing server).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

_READ_LIMIT_S = 30.0  # a test server never waits longer than this for a client


@dataclass
class Endpoint:
    base: str
    requests: list[bytes] = field(default_factory=list)


def _listener(backlog: int = 16) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(backlog)
    return sock


def _read_request(conn: socket.socket) -> bytes:
    """One HTTP request, whole: headers, then Content-Length bytes of body."""
    conn.settimeout(_READ_LIMIT_S)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


@contextlib.contextmanager
def _serving(handle) -> Iterator[Endpoint]:
    """Accept connections in a thread and pass each to handle(conn, endpoint)."""
    sock = _listener()
    endpoint = Endpoint(f"http://127.0.0.1:{sock.getsockname()[1]}")
    stop = threading.Event()
    held: list[socket.socket] = []

    def loop() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except (TimeoutError, OSError):
                continue
            held.append(conn)
            threading.Thread(target=_guarded, args=(handle, conn, endpoint), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        stop.set()
        thread.join()
        sock.close()
        for conn in held:
            with contextlib.suppress(OSError):
                conn.close()


def _guarded(handle, conn: socket.socket, endpoint: Endpoint) -> None:
    with contextlib.suppress(OSError):
        handle(conn, endpoint)


@contextlib.contextmanager
def black_hole() -> Iterator[Endpoint]:
    sock = _listener()
    try:
        yield Endpoint(f"http://127.0.0.1:{sock.getsockname()[1]}")
    finally:
        sock.close()


@contextlib.contextmanager
def silent() -> Iterator[Endpoint]:
    def handle(conn: socket.socket, endpoint: Endpoint) -> None:
        endpoint.requests.append(_read_request(conn))
        # Keep the connection open and say nothing; _serving closes it at the end.

    with _serving(handle) as endpoint:
        yield endpoint


@contextlib.contextmanager
def dying() -> Iterator[Endpoint]:
    def handle(conn: socket.socket, endpoint: Endpoint) -> None:
        endpoint.requests.append(_read_request(conn))
        conn.close()

    with _serving(handle) as endpoint:
        yield endpoint


@contextlib.contextmanager
def status(code: int, reason: str = "Service Unavailable") -> Iterator[Endpoint]:
    def handle(conn: socket.socket, endpoint: Endpoint) -> None:
        endpoint.requests.append(_read_request(conn))
        body = reason.encode()
        conn.sendall(b"HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                     b"Connection: close\r\n\r\n%s" % (code, reason.encode(), len(body), body))
        conn.close()

    with _serving(handle) as endpoint:
        yield endpoint
