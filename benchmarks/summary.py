"""`make benchmarks`: one table of the figures that matter, each beside its target and the raw
engine doing the same work in the same run (issue 19). Under 10 minutes on 2 cores; the time
of each section and the load average after it go to stderr.

    python benchmarks/summary.py [--countries 10,100,200] [--runs 10] [--keep DIR]

Rows (path, figure, target, ratio to the raw engine):
- import: N synthetic countries of ~10.7k triples (the typical country x 3.3,
  tests/factories/questionnaires.py) by one `migkg import` into a fresh store, for each N:
  wall, CPU (the command and its check workers), peak RSS (largest process, and command +
  workers summed), time per country; raw = pyoxigraph loading the resulting snapshots;
- update: re-importing one changed country into each of those stores, end to end;
- queries over ~1M triples (benchmarks/queries.py's store: 100 clones of XAA x 4):
  country-summary (the home page), completeness and domains-across-countries (every
  country), the slowest per-country named query and how many miss 25 ms, and the
  catalogue's overhead (Workspace.run_query under the time limit, as the shells run it,
  a query worker's CPU included); raw = the same bound text on the same pyoxigraph store;
  a query under 20 ms is timed 3 x runs times, one over 100 ms max(3, runs / 3) times;
- cross-country queries at 200 countries, on the store of the 200-country import (its
  figures precomputed by the import; 200 clones of XAA x 2 when the import rows are not
  run): the home page's country-summary and the comparison page's queries (completeness,
  domains-across-countries, read from precomputed figures; challenges- and
  stages-across-countries, counted live, have no target in issue 19);
- upload: a typical country (~2.9k triples, zipped) posted to /admin/upload, its report
  page's server-side p50/p95 (benchmarks/upload.py, 10 countries in the store), beside the
  check alone (Workspace.check) on the same file, which is most of it;
- start-up: `migkg --help` and `migkg query actors -p country=XAA` on the demo store,
  raw = `python -c "import pyoxigraph"` and the same query run by a bare pyoxigraph script.
The machine may be shared: the load average is printed before and after, times are wall
unless they say CPU, and ratios are measured side by side in one run. Exit 1 on a miss.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

bench_import = importlib.import_module("benchmarks.import")
from benchmarks import queries as bench_queries  # noqa: E402
from tests.factories.questionnaires import iso3_codes, write_country  # noqa: E402

ROWS: list[tuple[str, str, str, str, str]] = []
MISSED: list[str] = []


def row(path: str, figure: str, target: str = "", ratio: str = "", ok: bool | None = None
        ) -> None:
    verdict = "" if ok is None else ("ok" if ok else "MISSED")
    if ok is False:
        MISSED.append(path)
    ROWS.append((path, figure, target, ratio, verdict))
    print(f"  {path}: {figure} {target} {ratio} {verdict}", file=sys.stderr)


def secs(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.1f} s"


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def run_measured(args: list[str]) -> dict[str, float]:
    """A migkg command: wall, CPU of it and its workers, largest RSS, summed tree RSS."""
    wall, code, err, largest, summed, cpu = bench_import.run_cli_sampled(args)
    if code:
        raise SystemExit(f"migkg {' '.join(args[:2])} failed ({code}):\n{err[-2000:]}")
    return {"wall": wall, "cpu": cpu, "rss": largest, "tree": summed}


def raw_load(store: Path) -> float:
    """pyoxigraph alone loading the store's snapshot files (what the import writes)."""
    code = ("import pyoxigraph as ox, pathlib, sys, time\n"
            "t = time.perf_counter(); s = ox.Store()\n"
            "for f in sorted(pathlib.Path(sys.argv[1]).glob('graphs/*.ttl')):\n"
            "    s.bulk_load(f.read_bytes(), format=ox.RdfFormat.TURTLE)\n"
            "print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True,
                         text=True, check=True)
    return float(out.stdout)


# -- import and update ------------------------------------------------------------------------


def section_import(work: Path, sizes: list[int]) -> None:
    big = bench_import.scaled(3.3)
    codes = iso3_codes(max(sizes))
    folders = [write_country(work / "q" / c, c, **big) for c in codes]
    per_country: dict[int, float] = {}
    for n in sizes:
        store = work / f"store-{n}"
        m = run_measured(["--store", str(store), "import",
                          *map(str, folders[:n])])
        raw = raw_load(store)
        per_country[n] = m["wall"] / n
        manifest = json.loads((store / "manifest.json").read_text())
        triples = sum(e["triples"] for g, e in manifest["graphs"].items() if "/graph/X" in g)
        target = {100: 30.0, 200: 60.0}.get(n)
        row(f"import {n} countries ({triples / 1e6:.2f}M triples), wall",
            f"{secs(m['wall'])} (CPU {secs(m['cpu'])})", f"< {target:g} s" if target else "",
            f"{m['wall'] / raw:.1f}x pyoxigraph load ({secs(raw)})",
            (m["wall"] < target) if target else None)
        rss_ok = m["tree"] < 1 << 30 if n >= 200 else None
        row(f"import {n} countries, peak RSS", f"{mib(m['rss'])} largest, {mib(m['tree'])} "
            "summed", "< 1 GiB" if n >= 200 else "", "", rss_ok)
    first, last = per_country[min(sizes)], per_country[max(sizes)]
    row("import, time per country " + " / ".join(f"{n}: {secs(per_country[n])}" for n in sizes),
        f"{last / first:.2f}x from {min(sizes)} to {max(sizes)}", "flat (< 1.3x)", "",
        last / first < 1.3)
    # Update one country: the first one, with one more actor, in each store.
    changed = write_country(work / "changed" / codes[0], codes[0],
                            **{**big, "actors": big["actors"] + 1})
    for n in sizes:
        m = run_measured(["--store", str(work / f"store-{n}"), "import",
                          str(changed)])
        row(f"update 1 country in a store of {n}", secs(m["wall"]), "< 2 s", "",
            m["wall"] < 2)


# -- queries ------------------------------------------------------------------------------------


CROSS = {"country-summary": 0.050, "completeness": 0.100, "domains-across-countries": 0.100}
# The comparison page's other queries: no target in issue 19, reported beside domains' (they
# count live, from the countries' data).
COMPARE = ("challenges-across-countries", "stages-across-countries")


def cross_target(query: str, cpu_ms: float) -> tuple[str, bool | None]:
    """(target, met) of a cross-country query's row."""
    if query not in CROSS:
        return "none in issue 19", None
    return f"< {CROSS[query] * 1000:g} ms", cpu_ms < CROSS[query] * 1000


# A query faster than FAST_S is timed 3 x runs times (a few ms each: its median steadies; and
# its p95 is not the slowest run, as it is over 10 runs); one slower than SLOW_S
# max(3, runs // 3) times (its median holds, and it costs most of the time). FAST_S covers
# the per-country queries (target 25 ms): the slowest, ~20 ms, was timed 10 times and its
# "p95" was its one cold or collected run, twice the others.
FAST_S, SLOW_S = 0.03, 0.1


def _workers_cpu(store) -> dict[int, float]:
    """CPU seconds so far of each live query worker of the store (kg.store.limited): the
    named queries that run in the pool spend their CPU there, not in this process."""
    out = {}
    for pid in store.query_workers():
        try:  # nanoseconds on a CPU, first field (finer than /proc/PID/stat's clock ticks)
            out[pid] = int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            pass
    return out


def measure(store, raw, codes: list[str], runs: int, only: set[str] | None = None
            ) -> list[dict]:
    """Every named query and scope: the catalogue (Workspace.run_query under the time limit,
    what every shell calls: in the thread, or in a query worker for a query over every
    country that does not declare `# reads:`) and raw (same text, pyoxigraph), taking turns
    going first; wall p95 and CPU p50 (CPU time is what a loaded machine distorts least; a
    query worker's CPU counts with the catalogue's). How many runs: FAST_S, SLOW_S."""
    from kg.config import Settings
    from kg.query import catalogue
    from kg.service import Workspace, freeze_loaded_objects

    ws = Workspace(Settings(), store=store)
    # As `migkg serve` does once loaded: the earlier sections' leftovers (pyshacl, parsed
    # data) out of the collector, whose full passes otherwise land on a query now and then.
    freeze_loaded_objects()

    def catalogue_run(name: str, params: dict[str, str]) -> None:
        ws._results.clear()  # a real query each run, not the Workspace's answer cache
        ws.run_query(name, params)

    out = []
    for q in catalogue():
        if only is not None and q.name not in only:
            continue
        for scope, params_for in bench_queries.cases(q, codes):
            started = time.perf_counter()
            catalogue_run(q.name, params_for(0))
            raw(q.bind(params_for(0)))
            warm_up = time.perf_counter() - started
            n = (3 * runs if warm_up < 2 * FAST_S else runs if warm_up < 2 * SLOW_S
                 else max(3, runs // 3))
            times: dict[str, list[float]] = {"wall": [], "cpu": [], "raw_wall": [], "raw_cpu": []}

            def timed(kind: str, fn, *args, times=times) -> None:
                workers = _workers_cpu(store)
                w, c = time.perf_counter(), time.process_time()
                fn(*args)
                times[kind + "wall"].append(time.perf_counter() - w)
                cpu = time.process_time() - c
                after = _workers_cpu(store)
                times[kind + "cpu"].append(
                    cpu + sum(t - workers.get(pid, 0.0) for pid, t in after.items()))

            for i in range(n):
                params = params_for(i + 1)
                text = q.bind(params)
                if i % 2:  # each run reads another country: the first finds it out of cache
                    timed("raw_", raw, text)
                timed("", catalogue_run, q.name, params)
                if not i % 2:
                    timed("raw_", raw, text)
            ms = {k: sorted(v) for k, v in times.items()}
            out.append({"query": q.name, "scope": scope, "runs": n,
                        "p95": 1000 * bench_queries.percentile(ms["wall"], 95),
                        "raw_p95": 1000 * bench_queries.percentile(ms["raw_wall"], 95),
                        "cpu": 1000 * statistics.median(ms["cpu"]),
                        "raw_cpu": 1000 * statistics.median(ms["raw_cpu"])})
            print(f"  {q.name} ({scope}): CPU p50 {out[-1]['cpu']:.1f} ms, CPU p95 "
                  f"{1000 * bench_queries.percentile(ms['cpu'], 95):.1f} ms, wall p95 "
                  f"{out[-1]['p95']:.1f} ms ({n} runs)", file=sys.stderr)
    ws.close()
    return out


def section_queries(work: Path, runs: int) -> None:
    from kg.store.embedded import EmbeddedStore

    codes = bench_queries.build_store(work / "queries", 100, 4)
    store = EmbeddedStore(work / "queries" / "store")
    rows = measure(store, bench_queries.raw_embedded(store), codes, runs)
    store.close()

    def figure(r: dict) -> str:
        return f"CPU p50 {r['cpu']:.1f} ms, wall p95 {r['p95']:.0f} ms"

    def ratio(r: dict) -> str:
        return f"{r['cpu'] / max(r['raw_cpu'], 1e-3):.2f}x raw (raw CPU {r['raw_cpu']:.1f} ms)"

    for r in rows:
        if (r["query"] in CROSS or r["query"] in COMPARE) and r["scope"] == "all":
            target, ok = cross_target(r["query"], r["cpu"])
            row(f"query {r['query']} (all 100 countries, 1M triples)", figure(r), target,
                ratio(r), ok)
    per_country = sorted((r for r in rows if r["scope"] == "country"), key=lambda r: -r["cpu"])
    worst = per_country[0]
    row(f"per-country named queries ({len(per_country)}), slowest", f"{worst['query']}: "
        + figure(worst), "< 25 ms", ratio(worst), worst["cpu"] < 25)
    slow = [f"{r['query']} {r['cpu']:.0f}" for r in per_country if r["cpu"] >= 25]
    row("  per-country queries at 25 ms CPU or more", "; ".join(slow) or "none")
    row("  next slowest", "; ".join(f"{r['query']} {r['cpu']:.0f}"
                                     for r in per_country[len(slow):len(slow) + 5]))
    measurable = [r for r in rows if r["raw_cpu"] >= 1.0]
    r = max(measurable, key=lambda r: r["cpu"] / r["raw_cpu"])
    row("catalogue overhead (CPU), worst query of 1 ms or more", f"{r['query']} ({r['scope']})",
        "<= 1.3x", ratio(r), r["cpu"] / r["raw_cpu"] <= 1.3)


def section_cross(work: Path, runs: int, imported: Path | None = None, countries: int = 200,
                  copies: int = 2) -> None:
    """The home page's and the comparison page's cross-country queries at 200 countries: on
    the store the import rows wrote (200 synthetic countries, figures computed by the
    import) when there is one, else on 200 clones of XAA x 2 (~1M triples)."""
    from kg.store.embedded import EmbeddedStore

    if imported is not None:
        folder, codes = imported, iso3_codes(countries)
    else:
        folder = work / f"cross-{countries}" / "store"
        codes = bench_queries.build_store(folder.parent, countries, copies)
    store = EmbeddedStore(folder)
    triples = int(store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value)
    rows = measure(store, bench_queries.raw_embedded(store), codes, runs,
                   only={*CROSS, *COMPARE})
    store.close()
    for r in rows:
        if r["scope"] != "all":
            continue
        target, ok = cross_target(r["query"], r["cpu"])
        row(f"query {r['query']} ({countries} countries, {triples / 1e6:.2f}M triples)",
            f"CPU p50 {r['cpu']:.1f} ms, wall p95 {r['p95']:.0f} ms", target,
            f"{r['cpu'] / max(r['raw_cpu'], 1e-3):.2f}x raw (raw CPU {r['raw_cpu']:.1f} ms)", ok)


# -- start-up --------------------------------------------------------------------------------


CPU_TIMES: dict[tuple[str, ...], float] = {}


def _median_wall(args: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Median wall time of a command; its median CPU time (user + system) in CPU_TIMES (on a
    loaded machine the wall time waits for a core, the CPU time much less)."""
    samples, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       env=env)
        samples.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    CPU_TIMES[tuple(args)] = statistics.median(cpu)
    return statistics.median(samples)


def _wall_cpu(args: list[str], runs: int) -> tuple[float, str]:
    wall = _median_wall(args, runs)
    return wall, f"{secs(wall)} (CPU {secs(CPU_TIMES[tuple(args)])})"


def section_startup(work: Path, runs: int) -> None:
    exe = bench_import.migkg()
    store = work / "demo-store"
    subprocess.run([exe, "--store", str(store), "demo"], check=True, capture_output=True)
    bare, bare_text = _wall_cpu([sys.executable, "-c", "import pyoxigraph"], runs)
    helped, text = _wall_cpu([exe, "--help"], runs)
    row("migkg --help", text, "< 150 ms", f"{helped / bare:.1f}x import pyoxigraph "
        f"({bare_text})", helped < 0.150)
    query, query_text = _wall_cpu(
        [exe, "--store", str(store), "query", "actors", "-p", "country=XAA"], runs)
    from kg.query import catalogue

    text = catalogue().get("actors").bind({"country": "XAA", "lang": "en"})
    raw_code = ("import pyoxigraph as ox, pathlib, sys\ns = ox.Store()\n"
                "for f in sorted(pathlib.Path(sys.argv[1]).glob('graphs/*.ttl')):\n"
                "    s.load(f.read_bytes(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("
                "'urn:g:' + f.name))\n"
                "rows = [[str(v) for v in r] for r in s.query(sys.argv[2], "
                "use_default_graph_as_union=True)]")
    raw, raw_text = _wall_cpu([sys.executable, "-c", raw_code, str(store), text], runs)
    row("migkg query actors -p country=XAA (demo store)", query_text, "< 300 ms",
        f"{query / raw:.1f}x bare pyoxigraph script ({raw_text})", query < 0.300)


def section_upload(runs: int) -> None:
    upload = importlib.import_module("benchmarks.upload")
    m = upload.measure(10, runs)
    report, check = m["report"], m["check"]
    p50, p95 = statistics.median(report), upload.percentile(report, 0.95)
    row(f"upload {m['triples']} triples -> report (server-side p50 / p95)",
        f"{p50:.0f} / {p95:.0f} ms", "p95 < 1 s",
        f"the check alone: {statistics.median(check):.0f} ms p50", p95 < upload.TARGET_MS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--countries", default="10,100,200",
                        help="store sizes for the import and update rows")
    parser.add_argument("--runs", type=int, default=10, help="runs per query and start-up")
    parser.add_argument("--only", default="import,queries,cross,startup,upload")
    parser.add_argument("--keep", type=Path, help="work folder to keep and reuse")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="migkg-bench-summary-"))
    work.mkdir(parents=True, exist_ok=True)
    before, started = load(), time.perf_counter()
    only = set(args.only.split(","))
    sizes = [int(n) for n in args.countries.split(",")]
    took: list[str] = []

    def section(name: str, fn, *fn_args) -> None:
        if name in only:
            t = time.perf_counter()
            fn(*fn_args)
            took.append(f"{name} {secs(time.perf_counter() - t)}")
            print(f"  ({name}: {took[-1].split(' ', 1)[1]}, load average {load()})",
                  file=sys.stderr)

    try:
        section("startup", section_startup, work, args.runs)
        if "import" in only:
            for old in work.glob("store-*"):
                shutil.rmtree(old)
        section("import", section_import, work, sizes)
        section("queries", section_queries, work, args.runs)
        # The cross-country rows reuse the store of the 200-country import when it was built.
        imported = work / "store-200" if "import" in only and 200 in sizes else None
        section("cross", section_cross, work, args.runs, imported)
        section("upload", section_upload, args.runs)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    widths = [max(len(r[i]) for r in [("path", "figure", "target", "ratio to raw engine", ""),
                                       *ROWS]) for i in range(5)]
    print()
    for r in [("path", "figure", "target", "ratio to raw engine", ""), *ROWS]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    print(f"\n({os.cpu_count()} CPUs; load average {before} before, {load()} after; "
          f"{secs(time.perf_counter() - started)} in all: {', '.join(took)})")
    if MISSED:
        print(f"{len(MISSED)} target(s) missed.")
    return 1 if MISSED else 0


if __name__ == "__main__":
    sys.exit(main())
