"""SPARQL endpoint benchmark: concurrent clients sending the named queries' SPARQL to /sparql,
side by side with the same mix sent straight to `oxigraph serve` on the same data.

    python benchmarks/sparql.py [--countries 100] [--copies 4] [--clients 20] [--seconds 60]
                                [--threads 20] [--keep DIR] [--only ours|oxigraph]

Data: benchmarks/queries.py's synthetic store (the demo country XAA cloned into --countries
countries, QAA, QAB..., --copies copies of every entity each: ~1M triples at 100 x 4).
`oxigraph serve` (RocksDB, --union-default-graph) gets the public export of the same store
(`migkg export --format nq`, what /sparql answers over: restricted contact points left out),
loaded with `oxigraph load` before it starts.

The mix: every named query of the catalogue that a client could send as ad-hoc SPARQL (the
read-only guard accepts it), bound with parameters of a country that rotates (the queries'
`country`, an actor's IRI for `entity`, benchmarks/queries.py's example values for the rest),
48 bound texts per query at most, drawn at random (fixed seed) by each client.

Both servers run at once (one idles while the other is loaded): --rounds turns each
(4 by default, --seconds split between them), so a change in a shared machine's load weighs
on both alike. Ours: `migkg serve` (waitress, --threads threads) in its own process, /sparql by POST
(`query=` form), Accept SPARQL JSON: guard, public view, time limit (each ad-hoc query runs
in a worker process, kg.store.limited), row cap, pyoxigraph's serialiser. Theirs: a POST of
the same form to `oxigraph serve`'s /query, same Accept. Each server is warmed up (every
text once), then --clients threads loop for --seconds; only 127.0.0.1 is contacted.

Then, on ours, the time limit: a runaway query (a star join on rdf:type's objects) must be
answered 504 within the limit + 1 s (MIGKG_QUERY_TIMEOUT_S, 10 s by default), and the next
query (a count of organisations) within 1 s.

Reported per server: requests, 5xx, other errors, client-side p50/p95/p99 (ms, what a user
waits, queueing included) and requests/s; for ours, the server-side p95 from Server-Timing
too. Targets: zero 5xx on both; our p95 <= 1.5 x oxigraph serve's; the limit as above.
Exit code 1 if one is missed.
"""

from __future__ import annotations

import argparse
import json
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

from benchmarks.queries import EXAMPLES, IRIS, build_store, percentile  # noqa: E402
from benchmarks.serving import start_migkg, stop  # noqa: E402
from benchmarks.store import start_server as start_oxigraph  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.errors import UserError  # noqa: E402
from kg.service import Workspace  # noqa: E402

P95_RATIO_TARGET = 1.5
# A runaway: a star join on one shared object (rdf:type's objects) over the whole store.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?t . ?b a ?t . ?c a ?t . ?d a ?t . ?e a ?t }"
SMALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/org#Organization> }"
LIMIT_GRACE_S = 1.0
NEXT_TARGET_MS = 1000.0
TEXTS_PER_QUERY = 48
ACCEPT = "application/sparql-results+json"


def mix(ws: Workspace, codes: list[str], only: list[str] | None = None
        ) -> tuple[list[tuple[str, str]], list[str]]:
    """[(query name, bound SPARQL text)] and the names the guard refuses as ad-hoc SPARQL."""
    texts: list[tuple[str, str]] = []
    refused: list[str] = []
    for q in ws.catalogue():
        if only and q.name not in only:
            continue
        declared = {p.name: p for p in q.parameters}
        variants = []
        for i in range(min(TEXTS_PER_QUERY, len(codes))):
            code = codes[(i * 7) % len(codes)]
            params: dict[str, str] = {}
            for name, p in declared.items():
                if name == "country":
                    params[name] = code
                elif name == "entity":
                    params[name] = f"{IRIS.country(code)}/actor/{EXAMPLES['actor']}"
                elif name in EXAMPLES and (p.required or name == "name"):
                    params[name] = EXAMPLES[name]
            variants.append(q.bind(params))
            if "country" not in declared and "entity" not in declared:
                break  # the same text for every country
        try:
            ws.check_sparql(variants[0], where=q.name)
        except UserError:
            refused.append(q.name)
            continue
        texts.extend((q.name, text) for text in variants)
    return texts, refused


def post(url: str, text: str) -> tuple[int, float, float]:
    """(status, client ms, server ms from Server-Timing or NaN)."""
    data = urllib.parse.urlencode({"query": text}).encode()
    request = urllib.request.Request(url, data=data, headers={
        "Accept": ACCEPT, "Content-Type": "application/x-www-form-urlencoded"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status, timing = response.status, response.headers.get("Server-Timing", "")
    except urllib.error.HTTPError as exc:
        exc.read()
        status, timing = exc.code, exc.headers.get("Server-Timing", "")
    except OSError:
        status, timing = 0, ""
    client = (time.perf_counter() - started) * 1000
    server = float(timing.split("dur=")[1]) if "dur=" in timing else float("nan")
    return status, client, server


def warm_up(url: str, texts: list[tuple[str, str]]) -> dict[str, int]:
    """Every distinct query once; {name: status} of those not answered 200."""
    bad: dict[str, int] = {}
    seen: set[str] = set()
    for name, text in texts:
        if name in seen:
            continue
        seen.add(name)
        status, _, _ = post(url, text)
        if status != 200:
            bad[name] = status
    return bad


def load(url: str, texts: list[tuple[str, str]], clients: int, seconds: float
         ) -> tuple[list[tuple[str, int, float, float]], float]:
    results: list[tuple[str, int, float, float]] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        mine = []
        while time.monotonic() < stop:
            name, text = texts[rng.randrange(len(texts))]
            status, client_ms, server_ms = post(url, text)
            mine.append((name, status, client_ms, server_ms))
        with lock:
            results.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - started


def summary(results: list[tuple[str, int, float, float]], elapsed: float) -> dict:
    times = [r[2] for r in results if r[1] == 200]
    server = [r[3] for r in results if r[1] == 200 and r[3] == r[3]]
    return {
        "requests": len(results),
        "5xx": sum(1 for r in results if r[1] >= 500),
        "other_errors": sum(1 for r in results if r[1] != 200 and r[1] < 500),
        "p50": percentile(times, 50) if times else float("nan"),
        "p95": percentile(times, 95) if times else float("nan"),
        "p99": percentile(times, 99) if times else float("nan"),
        "server_p95": percentile(server, 95) if server else float("nan"),
        "rps": len(results) / elapsed if elapsed else 0.0,
        "statuses": sorted({r[1] for r in results}),
    }


def per_query(results: list[tuple[str, int, float, float]]) -> dict[str, float]:
    by: dict[str, list[float]] = {}
    for name, status, ms, _ in results:
        if status == 200:
            by.setdefault(name, []).append(ms)
    return {n: percentile(v, 95) for n, v in by.items()}


def run(servers: dict[str, str], texts, args) -> dict[str, dict]:
    """Warm every server up, then --rounds rounds: in each, --clients clients on each server
    in turn for --seconds / --rounds, so a change of the machine's load (shared machines)
    weighs on both alike."""
    results: dict[str, list] = {name: [] for name in servers}
    elapsed: dict[str, float] = {name: 0.0 for name in servers}
    bad: dict[str, dict[str, int]] = {}
    for name, url in servers.items():
        print(f"{name}: warming up ({len({n for n, _ in texts})} queries)...", file=sys.stderr)
        bad[name] = warm_up(url, texts)
        if bad[name]:
            print(f"{name}: not 200 on warm-up: {bad[name]}", file=sys.stderr)
    share = args.seconds / args.rounds
    for i in range(args.rounds):
        for name, url in servers.items():
            print(f"round {i + 1}/{args.rounds}, {name}: {args.clients} clients for {share:g} s",
                  file=sys.stderr)
            got, took = load(url, texts, args.clients, share)
            results[name] += got
            elapsed[name] += took
    out = {}
    for name in servers:
        out[name] = summary(results[name], elapsed[name])
        out[name]["per_query_p95"] = per_query(results[name])
        out[name]["per_query_5xx"] = errors_by_query(results[name])
        out[name]["warm_up_errors"] = bad[name]
    return out


def errors_by_query(results: list[tuple[str, int, float, float]]) -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = {}
    for name, status, _, _ in results:
        if status >= 500 or status == 0:
            out.setdefault(name, {}).setdefault(status, 0)
            out[name][status] += 1
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--countries", type=int, default=100)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0, help="per server")
    parser.add_argument("--rounds", type=int, default=4,
                        help="the seconds split into this many turns per server")
    parser.add_argument("--threads", type=int, default=20, help="waitress threads of migkg serve")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the synthetic store here")
    parser.add_argument("--only", choices=["ours", "oxigraph"], help="run one side only")
    parser.add_argument("--queries", nargs="*", help="only these named queries")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="migkg-bench-sparql-"))
    figures: dict[str, dict] = {}
    try:
        print("building the synthetic store...", file=sys.stderr)
        codes = build_store(work, args.countries, args.copies)
        settings = Settings(store_dir=work / "store")
        with Workspace(settings) as ws:
            texts, refused = mix(ws, codes, args.queries)
            triples = sum(len(ws.store.graph_triples(g)) for g in ws.store.graphs())
            public = work / "public.nq"
            if args.only != "ours" and not public.exists():
                public.write_bytes(ws.export("nq"))
        print(f"{triples} triples, {len(texts)} query texts from "
              f"{len({n for n, _ in texts})} named queries; refused by the guard: "
              f"{', '.join(refused) or 'none'}", file=sys.stderr)

        processes: list[subprocess.Popen] = []
        servers: dict[str, str] = {}
        try:
            if args.only != "oxigraph":
                process, base = start_migkg(work / "store", args.threads, ready="/healthz",
                                             timeout_s=180)
                processes.append(process)
                servers["migkg /sparql"] = f"{base}/sparql"
            if args.only != "ours":
                location = work / "oxigraph"
                if not (work / "oxigraph.loaded").exists():
                    shutil.rmtree(location, ignore_errors=True)
                    binary = Path(sys.executable).with_name("oxigraph")
                    subprocess.run([str(binary if binary.exists() else shutil.which("oxigraph")),
                                    "load", "--location", str(location), "--file", str(public)],
                                   check=True, stdout=subprocess.DEVNULL)
                    (work / "oxigraph.loaded").write_text("1")
                process, base = start_oxigraph(location)
                processes.append(process)
                servers["oxigraph serve"] = f"{base}/query"
            figures.update(run(servers, texts, args))
            if "migkg /sparql" in servers:
                url = servers["migkg /sparql"]
                status, ms, _ = post(url, RUNAWAY)
                next_status, next_ms, _ = post(url, SMALL)
                figures["limit"] = {"status": status, "ms": ms, "next_status": next_status,
                                    "next_ms": next_ms, "limit_s": settings.limits.query_timeout_s}
        finally:
            for process in processes:
                stop(process, 20)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    limit = figures.pop("limit", None)
    print(f"\n{args.clients} clients, {args.seconds:g} s each, {triples} triples, "
          f"{len({n for n, _ in texts})} named queries as ad-hoc SPARQL (POST, SPARQL JSON)\n")
    print(f"{'server':<16} {'requests':>8} {'5xx':>4} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'req/s':>7}")
    for name, f in figures.items():
        print(f"{name:<16} {f['requests']:>8} {f['5xx']:>4} {f['other_errors']:>6} "
              f"{f['p50']:>8.1f} {f['p95']:>8.1f} {f['p99']:>8.1f} {f['rps']:>7.1f}")
    failures = sum(1 for f in figures.values() if f["5xx"])
    ours, theirs = figures.get("migkg /sparql"), figures.get("oxigraph serve")
    if ours:
        print(f"\nmigkg /sparql server-side p95 (Server-Timing): {ours['server_p95']:.1f} ms")
    if ours and theirs:
        ratio = ours["p95"] / theirs["p95"]
        verdict = "ok" if ratio <= P95_RATIO_TARGET else "MISSED"
        print(f"p95 ratio migkg/oxigraph: {ratio:.2f} (target <= {P95_RATIO_TARGET}) {verdict}")
        failures += ratio > P95_RATIO_TARGET
        slow = sorted(ours["per_query_p95"].items(), key=lambda kv: -kv[1])[:8]
        print("\nslowest queries at p95 (ms): migkg / oxigraph")
        for name, ms in slow:
            print(f"  {name:<32} {ms:>8.1f} / {theirs['per_query_p95'].get(name, float('nan')):>8.1f}")
    for name, f in figures.items():
        if f["per_query_5xx"]:
            print(f"\n{name}, 5xx by query (status: count): {f['per_query_5xx']}")
    if limit:
        ok = (limit["status"] == 504 and limit["ms"] <= (limit["limit_s"] + LIMIT_GRACE_S) * 1000
              and limit["next_status"] == 200 and limit["next_ms"] <= NEXT_TARGET_MS)
        print(f"\nrunaway query: {limit['status']} after {limit['ms'] / 1000:.2f} s (limit "
              f"{limit['limit_s']:g} s, target <= limit + {LIMIT_GRACE_S:g} s); next query "
              f"{limit['next_status']} in {limit['next_ms']:.0f} ms (target <= "
              f"{NEXT_TARGET_MS:.0f} ms) {'ok' if ok else 'MISSED'}")
        failures += not ok
        figures["limit"] = limit
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
