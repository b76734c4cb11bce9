"""Load benchmark (issue 22): `migkg serve --production` under 20 clients on a mix of pages,
API and /sparql, with and without a rolling import, then the scaling of 1/2/4 workers over
`oxigraph serve`. A report, not a timed test.

    flock /work/notes/bench.lock nice -n 5 .venv/bin/python benchmarks/load.py \
        [--countries 100] [--clients 20] [--seconds 60] [--workers 2] [--threads 4]
        [--roll 5] [--scaling 1,2,4] [--scaling-seconds 30] [--only embedded,rolling,scaling]
        [--keep DIR]

Data: benchmarks/queries.py's synthetic store (the demo country cloned into --countries
countries, ~1M triples at 100). Rolling import: every --roll seconds one `migkg import` of
the last country, alternating two synthetic questionnaires (tests/factories), while a
reader checks that the country's actor count is always one of the two (never a half-
replaced country). Reported per route: requests, 5xx, p50/p95 (client side, queueing
included), then requests/s and the peak RSS (VmHWM) of each gunicorn worker.
Only 127.0.0.1 is contacted; every run is bounded in time. Exit 1 on any 5xx or a torn read.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.queries import build_store, percentile  # noqa: E402
from benchmarks.serving import free_port, production_env, stop  # noqa: E402
from benchmarks.webapp import ACTORS  # noqa: E402
from tests.factories.questionnaires import write_country  # noqa: E402

SPARQL = ("SELECT ?actor ?name WHERE { ?actor a <http://www.w3.org/ns/org#Organization> ; "
          "<http://www.w3.org/2004/02/skos/core#prefLabel> ?name } LIMIT 20")
ROUTES = ("home", "country", "actor", "network", "compare", "api-country", "api-all", "sparql")


def url_for(route: str, codes: list[str], rng: random.Random) -> str:
    iso3 = rng.choice(codes)
    return {
        "home": "/",
        "country": f"/id/{iso3}",
        "actor": f"/id/{iso3}/actor/{rng.choice(ACTORS)}-1",
        "network": f"/id/{iso3}/network",
        "compare": "/compare",
        "api-country": f"/api/queries/actors?country={iso3}",
        "api-all": "/api/queries/country-summary",
        "sparql": "/sparql?query=" + urllib.parse.quote(SPARQL),
    }[route]


def fetch(base: str, path: str, accept: str = "text/html") -> tuple[int, float, bytes]:
    started = time.perf_counter()
    request = urllib.request.Request(base + path, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body, status = response.read(), response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        body, status = b"", 599  # no answer at all counts as a server error
    return status, (time.perf_counter() - started) * 1000, body


def start(command_env: dict[str, str], store_args: list[str], workers: int, threads: int
          ) -> tuple[subprocess.Popen, str]:
    port = free_port()
    migkg = Path(sys.executable).with_name("migkg")
    command = [str(migkg), *store_args, "serve", "--production", "--workers", str(workers),
               "--threads", str(threads), "--host", "127.0.0.1", "--port", str(port),
               "--access-log", os.devnull]
    log = open(Path(tempfile.gettempdir()) / f"migkg-load-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(command, env=command_env, stdout=subprocess.DEVNULL, stderr=log)
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status, _, _ = fetch(base, "/readyz", "application/json")
        if status == 200:
            # every worker has opened the store: warm each kind of route a few times
            for i in range(3 * workers):
                for route in ROUTES:
                    fetch(base, url_for(route, ["QAA"], random.Random(i)))
            return process, base
        if process.poll() is not None:
            break
        time.sleep(0.5)
    process.kill()
    raise SystemExit(f"the server did not start: see {log.name}")


def worker_peaks(arbiter: int) -> list[int]:
    """VmHWM (peak RSS, MiB) of each child process of the gunicorn arbiter."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(arbiter) and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]) // 1024)
    return sorted(peaks)


def run_load(base: str, codes: list[str], clients: int, seconds: float
             ) -> tuple[dict[str, list[tuple[int, float]]], float]:
    results: dict[str, list[tuple[int, float]]] = {r: [] for r in ROUTES}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        i = seed
        while time.monotonic() < deadline:
            route = ROUTES[i % len(ROUTES)]
            i += 1
            accept = "application/sparql-results+json" if route == "sparql" else (
                "application/json" if route.startswith("api") else "text/html")
            status, ms, _ = fetch(base, url_for(route, codes, rng), accept)
            with lock:
                results[route].append((status, ms))

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - started


def report(title: str, results: dict[str, list[tuple[int, float]]], elapsed: float,
           peaks: list[int] | None) -> tuple[int, float]:
    total = sum(len(r) for r in results.values())
    errors = sum(1 for rows in results.values() for s, _ in rows if s >= 500)
    print(f"\n{title}")
    print("| route | requests | 5xx | p50 ms | p95 ms |\n|---|---|---|---|---|")
    for route in ROUTES:
        rows = results[route]
        ms = [m for _, m in rows] or [float("nan")]
        print(f"| {route} | {len(rows)} | {sum(1 for s, _ in rows if s >= 500)} | "
              f"{percentile(ms, 50):.0f} | {percentile(ms, 95):.0f} |")
    rate = total / elapsed
    print(f"total {total} requests in {elapsed:.0f} s: {rate:.1f} requests/s, {errors} 5xx"
          + (f"; peak RSS per worker (MiB): {peaks}" if peaks is not None else ""))
    return errors, rate


class RollingImport(threading.Thread):
    """`migkg import` of one country every `every` seconds (two questionnaires in turn); a
    reader checks the country's actor count is always one of theirs."""

    def __init__(self, base: str, store: Path, work: Path, iso3: str, every: float) -> None:
        super().__init__(daemon=True)
        self.base, self.store, self.iso3, self.every = base, store, iso3, every
        self.dirs = [write_country(work / f"roll-{k}", iso3, actors=40 + 20 * k, seed=k)
                     for k in (0, 1)]
        self.initial = self.count()
        self.expected = [self.actors_of(d, work / f"roll-store-{k}")
                         for k, d in enumerate(self.dirs)]
        self.stopping = threading.Event()
        self.imports: list[tuple[int, float]] = []
        self.reads: list[int] = []

    def count(self) -> int:
        status, _, body = fetch(self.base, f"/api/queries/actors?country={self.iso3}",
                                "application/json")
        if status != 200:
            return -status
        return len(json.loads(body)["results"]["bindings"])

    def actors_of(self, folder: Path, scratch: Path) -> int:
        migkg = str(Path(sys.executable).with_name("migkg"))
        subprocess.run([migkg, "--store", str(scratch), "import", str(folder)], check=True,
                       capture_output=True)
        done = subprocess.run([migkg, "--store", str(scratch), "query", "actors", "-p",
                               f"country={self.iso3}", "--format", "json"], check=True,
                              capture_output=True, text=True)
        rows = json.loads(done.stdout)
        return len(rows["results"]["bindings"] if isinstance(rows, dict) else rows)

    def run(self) -> None:
        migkg = Path(sys.executable).with_name("migkg")
        reader = threading.Thread(target=self.read, daemon=True)
        reader.start()
        k = 0
        while not self.stopping.is_set():
            started = time.monotonic()
            done = subprocess.run([str(migkg), "--store", str(self.store), "import",
                                   str(self.dirs[k % 2])], capture_output=True)
            self.imports.append((done.returncode, time.monotonic() - started))
            k += 1
            self.stopping.wait(max(0.0, self.every - (time.monotonic() - started)))
        reader.join()

    def read(self) -> None:
        while not self.stopping.is_set():
            self.reads.append(self.count())
            time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--countries", type=int, default=100)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--roll", type=float, default=5.0)
    parser.add_argument("--scaling", default="1,2,4")
    parser.add_argument("--scaling-seconds", type=float, default=30.0)
    parser.add_argument("--only", default="embedded,rolling,scaling")
    parser.add_argument("--keep", type=Path, help="keep the synthetic store in DIR (reused)")
    args = parser.parse_args()
    only = set(args.only.split(","))
    env = production_env({**os.environ, "MIGKG_CONFIG": ""})
    work = args.keep or Path(tempfile.mkdtemp(prefix="migkg-load-"))
    failed = False
    try:
        print(f"building {args.countries} synthetic countries ...", file=sys.stderr)
        codes = build_store(work, args.countries, 1)
        store = work / "store"
        print(f"\n{args.countries} countries, {args.clients} clients, routes {', '.join(ROUTES)}")
        for rolling in (False, True):
            if ("rolling" if rolling else "embedded") not in only:
                continue
            process, base = start(env, ["--store", str(store)], args.workers, args.threads)
            roller = None
            try:
                if rolling:
                    roller = RollingImport(base, store, work, codes[-1], args.roll)
                    roller.start()
                results, elapsed = run_load(base, codes, args.clients, args.seconds)
                if roller:
                    roller.stopping.set()
                    roller.join()
                peaks = worker_peaks(process.pid)
            finally:
                stop(process)
            errors, _ = report(
                f"migkg serve --production, embedded store, {args.workers} workers x "
                f"{args.threads} threads, {args.seconds:.0f} s"
                + (f", `migkg import` of {codes[-1]} every {args.roll:g} s" if rolling else ""),
                results, elapsed, peaks)
            failed |= errors > 0
            if roller:
                ok = sum(1 for rc, _ in roller.imports if rc == 0)
                took = [t for _, t in roller.imports]
                seen = sorted(set(roller.reads))
                expected = {roller.initial, *roller.expected}
                torn = [c for c in seen if c not in expected]
                print(f"rolling import: {ok}/{len(roller.imports)} imports ok "
                      f"({min(took):.1f}-{max(took):.1f} s each); {len(roller.reads)} reads of "
                      f"the country's actors saw counts {seen}"
                      + (f"; UNEXPECTED {torn}" if torn else " (never a half-replaced country)"))
                failed |= bool(torn) or ok != len(roller.imports)
        if "scaling" in only:
            failed |= scaling(work, codes, args, env)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def scaling(work: Path, codes: list[str], args, env: dict[str, str]) -> bool:
    """The same mix against the app over `oxigraph serve` with 1, 2, 4 workers."""
    from kg.config import Settings
    from kg.store import open_store

    oxigraph = Path(sys.executable).with_name("oxigraph")
    location = work / "oxigraph"
    shutil.rmtree(location, ignore_errors=True)
    port = free_port()
    server = subprocess.Popen([str(oxigraph), "serve", "--location", str(location), "--bind",
                               f"127.0.0.1:{port}", "--union-default-graph"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    failed = False
    try:
        deadline = time.monotonic() + 60
        while fetch(base, "/query?query=ASK%7B%7D", "application/json")[0] != 200:
            if time.monotonic() > deadline:
                raise SystemExit("oxigraph serve did not start")
            time.sleep(0.2)
        remote = Settings(endpoint=f"{base}/query", update_endpoint=f"{base}/update",
                          graph_store_endpoint=f"{base}/store", endpoint_dataset="union",
                          remote_write_timeout_s=600)
        started = time.monotonic()
        with open_store(Settings(store_dir=work / "store")) as local, open_store(remote) as dst:
            for graph in local.graphs():
                dst.replace_graph(graph, local.graph_triples(graph))
        print(f"\nscaling over oxigraph serve (loaded in {time.monotonic() - started:.0f} s), "
              f"{args.clients} clients, {args.scaling_seconds:.0f} s each")
        remote_args = ["--endpoint", remote.endpoint, "--update-endpoint", remote.update_endpoint,
                       "--graph-store", remote.graph_store_endpoint]
        renv = {**env, "MIGKG_ENDPOINT_DATASET": "union"}
        rates = {}
        for workers in [int(w) for w in args.scaling.split(",")]:
            process, app = start(renv, remote_args, workers, args.threads)
            try:
                results, elapsed = run_load(app, codes, args.clients, args.scaling_seconds)
                peaks = worker_peaks(process.pid)
            finally:
                stop(process)
            errors, rates[workers] = report(f"{workers} worker(s) x {args.threads} threads over "
                                            "oxigraph serve", results, elapsed, peaks)
            failed |= errors > 0
        one = rates.get(1) or next(iter(rates.values()))
        print("\n| workers | requests/s | vs 1 worker |\n|---|---|---|")
        for workers, rate in rates.items():
            print(f"| {workers} | {rate:.1f} | x{rate / one:.2f} |")
    finally:
        stop(server)
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
