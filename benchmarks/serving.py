"""Starting and stopping a `migkg serve` for the benchmarks that load it over HTTP
(webapp.py, sparql.py, load.py): one place for the port, the production settings and the
wait until it answers."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """What `serve --production` requires (a secret key, one user), throw-away, and no rate
    limit (the benchmarks are the only client); settings already given are kept."""
    from werkzeug.security import generate_password_hash

    env = dict(os.environ if base is None else base)
    env.setdefault("MIGKG_SECRET_KEY", secrets.token_hex(32))
    env.setdefault("MIGKG_USERS", json.dumps({"users": {"bench": {
        "role": "admin", "countries": [],
        "password": generate_password_hash(secrets.token_hex(16))}}}))
    env["MIGKG_RATE_LIMITS"] = "off"
    return env


def start_migkg(store: Path, threads: int, *, workers: int = 0, ready: str = "/",
                timeout_s: float = 120.0) -> tuple[subprocess.Popen, str]:
    """`migkg serve` (waitress, threads) on a free 127.0.0.1 port, or with workers > 0
    `migkg serve --production` (gunicorn, production_env()); returns once `ready` answers."""
    port = free_port()
    migkg = Path(sys.executable).with_name("migkg")
    command = [str(migkg), "--store", str(store), "serve", "--host", "127.0.0.1", "--port",
               str(port), "--threads", str(threads)]
    env = dict(os.environ)
    if workers:
        command += ["--production", "--workers", str(workers)]
        env = production_env(env)
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + ready, timeout=30):
                return process, base
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    raise SystemExit("migkg serve did not start")


def stop(process: subprocess.Popen, timeout_s: float = 60.0) -> None:
    """SIGTERM (in-flight requests finish), SIGKILL if it takes longer than timeout_s."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tree(pid: int) -> list[int]:
    """pid and its descendants (a gunicorn arbiter's workers, their query pools)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(process: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by the server and its live descendants."""
    total = 0
    for pid in _tree(process.pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def wait_idle(process: subprocess.Popen, *, below: float = 0.05, timeout_s: float = 300.0
              ) -> float:
    """Wait until the server uses less than `below` of a core over one second (its start-up
    work done: loading, warming its answers); the seconds waited."""
    started = time.monotonic()
    last = cpu_seconds(process)
    while time.monotonic() - started < timeout_s:
        time.sleep(1.0)
        now = cpu_seconds(process)
        if now - last < below:
            break
        last = now
    return time.monotonic() - started


def rss_mib(process: subprocess.Popen) -> float:
    """Resident memory of the server and its live descendants, in MiB (shared pages counted
    in each process: an upper bound)."""
    total = 0
    for pid in _tree(process.pid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024
