"""Store benchmark: the embedded store and `oxigraph serve` on ~1M synthetic triples.

    python benchmarks/store.py [--countries 100] [--actors 165] [--runs 20] [--no-remote]

Measures, for 100 countries x ~10k triples (tests/factories/synthetic.py):
- embedded: time to write every country's snapshot, open + first query in a fresh process,
  its peak RSS, the per-query reload check, reloading one changed country, and query times;
- oxigraph serve (started here, --union-default-graph): load through the Graph Store
  Protocol, one country through SPARQL Update, query times through RemoteStore, server RSS.
Query times are p50 / p95 over --runs runs (a different country each run where it applies).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.namespaces import DataIRIs  # noqa: E402
from kg.store import Store  # noqa: E402
from kg.store.embedded import EmbeddedStore  # noqa: E402
from kg.store.remote import RemoteStore  # noqa: E402
from tests.factories.synthetic import synthetic_country_triples, synthetic_iso3  # noqa: E402

IRIS = DataIRIs()
PREFIXES = """PREFIX mkg: <https://w3id.org/migkg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
"""
# One country's 2-hop join: actor -> source it publishes -> actors using it.
TWO_HOP = PREFIXES + """SELECT ?a ?b (COUNT(?s) AS ?shared_count) WHERE {
  ?a mkg:country <%s> .
  ?s dcterms:publisher ?a ; mkg:usedBy ?b .
  FILTER(?a != ?b)
} GROUP BY ?a ?b"""
ACTORS = PREFIXES + """SELECT ?a ?name ?email WHERE {
  ?a a org:Organization ; mkg:country <%s> ; skos:prefLabel ?name .
  FILTER(LANG(?name) = "en")
  OPTIONAL { ?a mkg:contactPoint/vcard:hasEmail ?email }
}"""
# Every actor of every country.
GROUP_BY = PREFIXES + """SELECT ?country ?type (COUNT(?a) AS ?actor_count) WHERE {
  ?a a org:Organization ; mkg:country ?country ; org:classification ?type .
} GROUP BY ?country ?type"""
FIRST = PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?s mkg:country ?c }"


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{ms(statistics.median(ordered))} / {ms(p95)}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def query_rows(store: Store, codes: list[str], runs: int, seed: int = 1) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    picks = [IRIS.country(rng.choice(codes)) for _ in range(runs)]
    return [
        ("one country's actors with labels and e-mails",
         percentiles([timed(lambda c=c: store.select(ACTORS % c)) for c in picks])),
        ("one country's 2-hop join (actors sharing sources)",
         percentiles([timed(lambda c=c: store.select(TWO_HOP % c)) for c in picks])),
        ("GROUP BY over every actor of every country",
         percentiles([timed(lambda: store.select(GROUP_BY)) for _ in range(runs)])),
    ]


def child(path: str, codes: list[str], runs: int) -> None:
    """In a fresh process: open, first query, queries, reload-on-change; JSON on stdout."""
    started = time.perf_counter()
    store = EmbeddedStore(path)
    opened = time.perf_counter() - started
    first = timed(lambda: store.select(FIRST))
    rows = query_rows(store, codes, runs)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    check = statistics.median(timed(store._refresh) for _ in range(1000))
    writer = EmbeddedStore(path)  # another writer, as another process would be
    iso3 = codes[0]
    writer.replace_graph(IRIS.graph(iso3), synthetic_country_triples(iso3, seed=2))
    reload_one = timed(lambda: store.select(FIRST))
    print(json.dumps({"open": opened, "first": first, "rows": rows, "rss": rss,
                      "check": check, "reload_one": reload_one}))


def start_server(location: Path, timeout_s: int | None = None) -> tuple[subprocess.Popen, str]:
    """`oxigraph serve` on a free port (with its own query timeout when timeout_s is given)."""
    binary = Path(sys.executable).with_name("oxigraph")
    port_probe = __import__("socket").socket()
    port_probe.bind(("127.0.0.1", 0))
    port = port_probe.getsockname()[1]
    port_probe.close()
    process = subprocess.Popen(
        [str(binary if binary.exists() else shutil.which("oxigraph")), "serve", "--location",
         str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph",
         *(["--timeout-s", str(timeout_s)] if timeout_s else [])],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            with urllib.request.urlopen(f"{base}/query", timeout=1):
                return process, base
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("oxigraph serve did not start")


def peak_rss_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    print(f"\n{title}")
    print(f"{'-' * width}  {'-' * 20}")
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--countries", type=int, default=100)
    parser.add_argument("--actors", type=int, default=165)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-remote", action="store_true", help="skip oxigraph serve")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    codes = synthetic_iso3(args.countries)
    if args.child:
        child(args.child, codes, args.runs)
        return

    started = time.perf_counter()
    data = {c: synthetic_country_triples(c, args.actors) for c in codes}
    generated = time.perf_counter() - started
    total = sum(len(ts) for ts in data.values())
    work = Path(tempfile.mkdtemp(prefix="migkg-bench-"))
    try:
        path = work / "store"
        store = EmbeddedStore(path)
        write = timed(lambda: [store.replace_graph(IRIS.graph(c), ts) for c, ts in data.items()])
        size = sum(f.stat().st_size for f in (path / "graphs").iterdir())
        out = subprocess.run([sys.executable, __file__, "--child", str(path),
                              "--countries", str(args.countries), "--runs", str(args.runs)],
                             check=True, capture_output=True, text=True)
        res = json.loads(out.stdout)
        rows = [
            ("data", f"{args.countries} countries, {total:,} triples "
                     f"(generated in {generated:.1f} s)"),
            ("write every snapshot (replace_graph x countries)", ms(write)),
            ("snapshot files on disk (Turtle)", mib(size)),
            ("open in a fresh process", ms(res["open"])),
            ("first query after open", ms(res["first"])),
            ("open + first query", ms(res["open"] + res["first"])),
            ("peak RSS of that process", mib(res["rss"])),
            ("change check before each operation (stat)", f"{res['check'] * 1e6:.0f} µs"),
            ("next query after another process replaced 1 country", ms(res["reload_one"])),
            *[(f"{k} (p50 / p95)", v) for k, v in res["rows"]],
        ]
        print_table("Embedded store (pyoxigraph in memory + Turtle snapshots)", rows)

        if not args.no_remote:
            process, base = start_server(work / "oxigraph")
            try:
                remote = RemoteStore(f"{base}/query", update_endpoint=f"{base}/update",
                                     graph_store_endpoint=f"{base}/store")
                load = timed(lambda: [remote.replace_graph(IRIS.graph(c), ts)
                                      for c, ts in data.items()])
                sparql_only = RemoteStore(f"{base}/query", update_endpoint=f"{base}/update")
                one = data[codes[0]]
                update = statistics.median(
                    timed(lambda: sparql_only.replace_graph(IRIS.graph(codes[0]), one))
                    for _ in range(5))
                first = timed(lambda: remote.select(FIRST))
                rows = [
                    ("load every country (Graph Store PUT x countries)", ms(load)),
                    ("replace one country by SPARQL Update (p50 of 5)", ms(update)),
                    ("first query", ms(first)),
                    *[(f"{k} (p50 / p95)", v) for k, v in query_rows(remote, codes, args.runs)],
                    ("peak RSS of the server", mib(peak_rss_of(process.pid))),
                ]
                print_table("oxigraph serve (RocksDB) through RemoteStore (SPARQLWrapper)", rows)
            finally:
                process.terminate()
                process.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n(machine: {os.cpu_count()} CPUs; Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
