"""Web explorer benchmark: concurrent clients on a mix of pages over 100 synthetic countries.

    python benchmarks/webapp.py [--countries 100] [--copies 1] [--clients 20] [--seconds 60]
                                [--threads 8] [--keep DIR]

Data: benchmarks/queries.py's synthetic store (the demo country XAA cloned into
--countries countries, QAA, QAB...; --copies copies of every entity each).
Server: `migkg serve` (waitress, --threads threads) on a free 127.0.0.1 port, its own
process, as a user runs it. Clients: --clients threads, each looping for --seconds over a
fixed mix of pages (home, a country, an actor, a country's network, the comparison), on
random countries and actors. Only 127.0.0.1 is contacted; the loop is bounded in time.

Reported per page: requests, 5xx count, server-side p50/p95 (the app's own Server-Timing
header: time from request in to response out, queueing in waitress excluded) and client
p95 (what a user waits, queueing included), then requests/s over the run.
Then the country page's overhead: its server-side p50/p95 with one client (answers kept),
and in this process with nothing kept (cache_mb=0), against the sum of the named queries it
runs, timed raw (the same bound query text on the store, rows consumed) on the same data.
Before the clients start, the script waits until the server is idle: in production each
worker warms its answers first (webapp/warm.py), and the run measures the steady state.
Targets: zero 5xx; server-side p95 < 300 ms per page. Exit code 1 if one is missed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.queries import build_store, percentile  # noqa: E402
from benchmarks.serving import cpu_seconds, rss_mib, start_migkg, stop, wait_idle  # noqa: E402

P95_TARGET_MS = 300.0
PAGES = ("home", "country", "actor", "network", "compare")
# Actor ids of the template country (XAA); clones keep them with a -k suffix.
ACTORS = ("ncm", "nsi", "moi", "bpd", "iohm", "mfa", "ncrs", "cmps")


def url_for(page: str, codes: list[str], rng: random.Random) -> str:
    iso3 = rng.choice(codes)
    return {
        "home": "/",
        "country": f"/id/{iso3}",
        "actor": f"/id/{iso3}/actor/{rng.choice(ACTORS)}-1",
        "network": f"/id/{iso3}/network",
        "compare": "/compare",
    }[page]


def fetch(base: str, path: str) -> tuple[int, float, float]:
    """(status, server-side ms from Server-Timing, client ms)."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=60) as response:
            response.read()
            status, timing = response.status, response.headers.get("Server-Timing", "")
    except urllib.error.HTTPError as exc:
        exc.read()
        status, timing = exc.code, exc.headers.get("Server-Timing", "")
    client = (time.perf_counter() - started) * 1000
    server = float(timing.split("dur=")[1]) if "dur=" in timing else float("nan")
    return status, server, client


def load(base: str, codes: list[str], clients: int, seconds: float
         ) -> tuple[dict[str, list[tuple[int, float, float]]], float]:
    results: dict[str, list[tuple[int, float, float]]] = {p: [] for p in PAGES}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        i = seed
        while time.monotonic() < stop:
            page = PAGES[i % len(PAGES)]
            i += 1
            answer = fetch(base, url_for(page, codes, rng))
            with lock:
                results[page].append(answer)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - started


def country_queries_raw(store_dir: Path, iso3: str, runs: int
                        ) -> tuple[float, int, list[float]]:
    """Sum of the raw times (median of runs) of the named queries the country page runs,
    recorded by rendering the page once in this process; and the page's own times in this
    process with nothing kept (cache_mb=0: every query run, every template rendered)."""
    from kg.config import Settings
    from kg.query import catalogue
    from kg.store import open_store
    from webapp import create_app

    app = create_app(Settings(store_dir=store_dir, cache_mb=0))
    ws = app.extensions["migkg_workspace"]
    asked: list[tuple[str, dict]] = []
    run_query = ws.run_query

    def recording(name, params=None, lang=None, **kw):
        q, given = ws.check_params(name, params or {}, lang)
        asked.append((name, given))
        return run_query(name, params, lang, **kw)

    ws.run_query = recording
    with app.test_client() as c:
        assert c.get(f"/id/{iso3}").status_code == 200
        ws.run_query = run_query
        cold = []
        for _ in range(runs):
            started = time.perf_counter()
            assert c.get(f"/id/{iso3}").status_code == 200
            cold.append((time.perf_counter() - started) * 1000)
    with open_store(Settings(store_dir=store_dir)) as store:
        total = 0.0
        for name, params in asked:
            text = catalogue().get(name).bind(params)
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                rows = store.select(text).rows
                for row in rows:
                    for term in row:
                        _ = None if term is None else term.value
                samples.append((time.perf_counter() - started) * 1000)
            total += statistics.median(samples)
    return total, len(asked), cold


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--countries", type=int, default=100)
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--production", type=int, default=0, metavar="WORKERS",
                        help="serve with `migkg serve --production` and this many workers")
    parser.add_argument("--keep", type=Path, help="keep the synthetic store in DIR (reused)")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="migkg-webapp-bench-"))
    try:
        print(f"building {args.countries} synthetic countries x {args.copies} ...", file=sys.stderr)
        codes = build_store(work, args.countries, args.copies)
        store_dir = work / "store"
        process, base = start_migkg(store_dir, args.threads, workers=args.production)
        try:
            for page in PAGES:  # open every kind of page once (imports, templates)
                fetch(base, url_for(page, codes, random.Random(0)))
            # Steady state: what the server does after it starts (loading the store, warming
            # its answers in production) is over before the clients come.
            settled = wait_idle(process)
            cpu_before = cpu_seconds(process)
            results, elapsed = load(base, codes, args.clients, args.seconds)
            server_cpu = cpu_seconds(process) - cpu_before
            memory = rss_mib(process)
            single = [fetch(base, f"/id/{random.Random(i).choice(codes)}") for i in range(30)]
        finally:
            stop(process, 30)
        raw_ms, query_count, cold = country_queries_raw(store_dir, codes[0], 15)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    failed = False
    total = sum(len(r) for r in results.values())
    print(f"\nWeb explorer: {args.countries} countries x {args.copies}, {args.clients} clients, "
          f"{elapsed:.0f} s, " + (f"gunicorn {args.production} workers x {args.threads} threads\n"
                                 if args.production else f"waitress {args.threads} threads\n"))
    print(f"{'page':10} {'requests':>8} {'5xx':>5} {'server p50':>11} {'server p95':>11} "
          f"{'client p95':>11}  target")
    for page in PAGES:
        rows = results[page]
        errors = sum(1 for s, _, _ in rows if s >= 500)
        server = [s for _, s, _ in rows if s == s]
        client = [c for _, _, c in rows]
        p95 = percentile(server, 95) if server else float("inf")
        ok = errors == 0 and p95 < P95_TARGET_MS
        failed |= not ok
        print(f"{page:10} {len(rows):8d} {errors:5d} {percentile(server, 50):9.0f}ms "
              f"{p95:9.0f}ms {percentile(client, 95):9.0f}ms  "
              f"{'ok' if ok else 'MISSED'} (0 5xx, p95 < {P95_TARGET_MS:.0f} ms)")
    print(f"\nthroughput: {total / elapsed:.1f} requests/s; server CPU {server_cpu * 1000 / total:.1f} ms "
          f"per request; the server was busy {settled:.0f} s after it started (warming); "
          f"its resident memory after the run {memory:.0f} MiB (every process)")
    one = [s for _, s, _ in single]
    p50, p95 = percentile(one, 50), percentile(one, 95)
    c50, c95 = percentile(cold, 50), percentile(cold, 95)
    print(f"\ncountry page, one client: server p50 {p50:.0f} ms, p95 {p95:.0f} ms (answers kept); "
          f"with nothing kept (cache_mb=0, in this process) p50 {c50:.0f} ms, p95 {c95:.0f} ms;\n"
          f"its {query_count} named queries raw: {raw_ms:.0f} ms in all; ratio to them: kept "
          f"p95 {p95 / raw_ms:.2f}, nothing kept p50 {c50 / raw_ms:.2f}, p95 {c95 / raw_ms:.2f} "
          f"(templates, conversion and the use-case layer on top of the queries)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
