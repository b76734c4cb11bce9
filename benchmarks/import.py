"""Import benchmark (issue 9): a report of measured figures, not a timed test.

    .venv/bin/python benchmarks/import.py [--runs 5] [--countries 100] [--scale 3.3]
                                          [--only 1,2,3,4,5] [--no-pyrudof]

Synthetic questionnaires come from tests/factories/questionnaires.py (deterministic, valid).
Sections and targets:
  1. a typical country (50 actors, 40 sources, ~150 other rows) imported by the CLI,
     wall time with interpreter start (median of --runs)                        < 3 s
     plus `migkg --help` start-up, the heaviest imports (python -X importtime),
     and the share of each step measured in a fresh process (read + cell checks,
     mapping, SHACL, store write), rows/s;
  2. SHACL of one such country (kg.validate.validate on its mapped triples)      < 0.5 s
     and, if pyrudof is installed, the same with pyrudof plus a comparison of its
     results with pyshacl's on every tests/shapes fixture;
  3. --countries synthetic countries of ~10k triples each (every count of the typical
     country times --scale) imported by ONE `migkg import` command                < 60 s
     at a peak RSS                                                              < 2 GiB;
  4. opening that store and answering a first query in a new process            < 5 s;
  5. the time to refuse each broken or hostile file kind (kg.ingest.read_questionnaire).
Exit code 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.factories.questionnaires import iso3_codes, write_country  # noqa: E402

TYPICAL = {"actors": 50, "sources": 40, "relations": 60, "challenges": 30,
           "recommendations": 30, "practices": 10, "process": 7, "references": 13}
FIRST_QUERY = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX mkg: <https://w3id.org/migkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?actor ?name WHERE {
  ?actor a org:Organization ; mkg:country <%s> ; skos:prefLabel ?name .
  FILTER(LANG(?name) = "en")
} ORDER BY ?actor"""
# Section 4, verbatim as a user would type it (with the store folder and country filled in).
OPEN_AND_QUERY = """
import json, time
t0 = time.perf_counter()
from pathlib import Path
from kg.config import Settings
from kg.store import open_store
t1 = time.perf_counter()
store = open_store(Settings(store_dir=Path(%r)))
t2 = time.perf_counter()
rows = store.select(%r).rows
t3 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "open": t2 - t1, "query": t3 - t2, "rows": len(rows)}))
"""


# -- helpers --------------------------------------------------------------------------------------


def scaled(factor: float) -> dict[str, int]:
    """Every row count of the typical country times factor (7 process steps: one per kind)."""
    sizes = {k: max(1, round(v * factor)) for k, v in TYPICAL.items()}
    sizes["process"] = TYPICAL["process"]
    return sizes


def migkg() -> str:
    exe = Path(sys.executable).with_name("migkg")
    return str(exe) if exe.exists() else (shutil.which("migkg") or "migkg")


def secs(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def median_of(runs: int, fn: Callable[[], float]) -> tuple[float, list[float]]:
    samples = [fn() for _ in range(runs)]
    return statistics.median(samples), samples


class Table:
    """Rows of (measure, value, target, verdict), printed with plain str formatting."""

    def __init__(self, title: str):
        self.title, self.rows = title, []
        self.missed = False

    def add(self, measure: str, value: str, target: str = "", ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("ok" if ok else "MISSED")
        self.missed |= ok is False
        self.rows.append((measure, value, target, verdict))

    def print(self) -> None:
        widths = [max(len(r[i]) for r in [("measure", "value", "target", ""), *self.rows])
                  for i in range(4)]
        print(f"\n{self.title}")
        print("  ".join("-" * w for w in widths))
        for row in self.rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        sys.stdout.flush()


def run_cli(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str, int]:
    """Run migkg (wall time, exit code, stderr, peak RSS of its largest process)."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([migkg(), *args], stdout=subprocess.DEVNULL, stderr=err,
                                env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return wall, proc.returncode, text, usage.ru_maxrss * 1024


def tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants, summed (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    stat = fh.read()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * page
        except OSError:
            continue
    return total


def run_cli_sampled(args: list[str]) -> tuple[float, int, str, int, int, float]:
    """run_cli, also sampling the summed RSS of the command and its workers every 0.1 s;
    last, the CPU seconds of the command and the workers it waited for."""
    peak = [0]
    done = threading.Event()
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([migkg(), *args], stdout=subprocess.DEVNULL, stderr=err)

        def sample() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return (wall, proc.returncode, text, usage.ru_maxrss * 1024, peak[0],
            usage.ru_utime + usage.ru_stime)


def heaviest_imports(statement: str, top: int = 6) -> tuple[float, list[tuple[str, float]]]:
    """Total import time of a statement and its top packages by their modules' own time
    (python -X importtime "self" column summed per top-level package: no double counting)."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", statement],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    totals: dict[str, float] = {}
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if m:
            name = m.group(2).split(".")[0]
            totals[name] = totals.get(name, 0.0) + int(m.group(1)) / 1e6
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])
    return sum(totals.values()), ranked[:top]


# -- child process: the steps of one import, cold then warm ---------------------------------


def child_steps(folder: str, store_dir: str, runs: int) -> None:
    """In a fresh process: each step of an import, first run (cold) and warm median; JSON."""
    t0 = time.perf_counter()
    from kg import pipeline
    from kg.config import Settings
    from kg.ingest import read_questionnaire
    from kg.ingest.mapping import map_questionnaire
    from kg.namespaces import DataIRIs
    from kg.store.embedded import EmbeddedStore
    from kg.validate import validate

    imports = time.perf_counter() - t0
    settings = Settings(store_dir=Path(store_dir))
    iris = DataIRIs(settings.base)
    samples: list[dict[str, float]] = []
    rows = triples = 0
    for i in range(runs + 1):
        times = {}
        t = time.perf_counter()
        q = read_questionnaire(Path(folder), settings)
        times["read"] = time.perf_counter() - t
        t = time.perf_counter()
        mapped = map_questionnaire(q, iris)
        times["map"] = time.perf_counter() - t
        t = time.perf_counter()
        results = validate(mapped.triples)
        times["shacl"] = time.perf_counter() - t
        assert not [r for r in results if r.is_error], results[:3]
        checked = pipeline.Checked(q, mapped, [])
        store = EmbeddedStore(Path(store_dir) / f"run{i}")  # a fresh store, as a first import
        t = time.perf_counter()
        pipeline.write(store, [checked], settings, user="bench")
        times["write"] = time.perf_counter() - t
        store.close()
        samples.append(times)
        rows = sum(f.rows for f in q.files)
        triples = len(mapped.triples)
    warm = {k: statistics.median(s[k] for s in samples[1:]) for k in samples[0]}
    print(json.dumps({"imports": imports, "cold": samples[0], "warm": warm, "rows": rows,
                      "triples": triples}))


def child_shacl(folders: list[str], runs: int, rudof: bool) -> None:
    """In a fresh process: validate() of each folder's triples, cold and warm; pyrudof too."""
    from kg.config import Settings
    from kg.ingest import read_questionnaire
    from kg.ingest.mapping import map_questionnaire
    from kg.namespaces import DataIRIs
    from kg.validate import validate

    settings = Settings()
    out = []
    for folder in folders:
        mapped = map_questionnaire(read_questionnaire(Path(folder), settings),
                                   DataIRIs(settings.base))
        t = time.perf_counter()
        reference = validate(mapped.triples)
        cold = time.perf_counter() - t
        warm, _ = median_of(runs, lambda m=mapped: _timed(lambda: validate(m.triples)))
        entry = {"triples": len(mapped.triples), "cold": cold, "warm": warm,
                 "results": len(reference)}
        if rudof:
            from benchmarks.rudof import RudofValidator, as_results

            t = time.perf_counter()
            engine = RudofValidator()
            found = engine.validate(mapped.triples)
            entry["rudof_cold"] = time.perf_counter() - t
            entry["rudof_warm"], _ = median_of(
                runs, lambda m=mapped, e=engine: _timed(lambda: e.validate(m.triples)))
            entry["rudof_same"] = found == as_results(reference)
        out.append(entry)
    print(json.dumps(out))


def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def child_main(argv: list[str]) -> None:
    kind, rest = argv[0], argv[1:]
    if kind == "steps":
        child_steps(rest[0], rest[1], int(rest[2]))
    elif kind == "shacl":
        child_shacl(rest[2:], int(rest[0]), rest[1] == "1")


def run_child(*args: str) -> object:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                         text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"child {args[0]} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- sections -------------------------------------------------------------------------------------


def section_typical(work: Path, runs: int) -> Table:
    folder = write_country(work / "typical" / "XAA", "XAA", **TYPICAL)
    table = Table(f"1. Typical country imported by the CLI ({runs} runs, medians)")

    startup, _ = median_of(runs, lambda: run_cli(["--help"])[0])
    walls = []
    for i in range(runs):
        wall, code, err, _ = run_cli(["--store", str(work / "typical" / f"store{i}"), "import",
                                      str(folder)])
        if code:
            raise SystemExit(f"migkg import failed ({code}):\n{err}")
        walls.append(wall)
    wall = statistics.median(walls)
    steps = run_child("steps", str(folder), str(work / "typical" / "steps"), str(runs))
    rows, triples = steps["rows"], steps["triples"]
    cold, warm = steps["cold"], steps["warm"]
    total_cold, total_warm = sum(cold.values()), sum(warm.values())

    other = rows - TYPICAL["actors"] - TYPICAL["sources"]
    table.add("data", f"{TYPICAL['actors']} actors, {TYPICAL['sources']} sources, {other} other "
                      f"rows -> {triples:,} triples")
    table.add("migkg import, wall incl. interpreter start", secs(wall), "< 3 s", wall < 3)
    table.add("  rows/s (CLI wall)", f"{rows / wall:,.0f}")
    table.add("migkg --help (bare start-up)", secs(startup))
    table.add("  import cost beyond start-up", secs(wall - startup))
    table.add("in a fresh process: imports of kg.pipeline & co", secs(steps["imports"]))
    names = {"read": "read + cell checks", "map": "mapping to RDF", "shacl": "SHACL (validate)",
             "write": "store write (snapshot + manifest)"}
    for key, label in names.items():
        table.add(f"  {label}: first / warm",
                  f"{secs(cold[key])} ({cold[key] / total_cold:.0%}) / "
                  f"{secs(warm[key])} ({warm[key] / total_warm:.0%})")
    table.add("  all four steps: first / warm", f"{secs(total_cold)} / {secs(total_warm)}")
    table.add("  rows/s (four steps, warm)", f"{rows / total_warm:,.0f}")
    table.add("  triples/s (four steps, warm)", f"{triples / total_warm:,.0f}")
    for label, statement in (("imports at start-up (kg.cli)", "import kg.cli"),
                             ("imports an import adds", "import kg.cli, kg.pipeline, pyshacl")):
        total, heavy = heaviest_imports(statement)
        table.add(f"{label}: total; top packages", f"{secs(total)}; "
                  + ", ".join(f"{n} {secs(t)}" for n, t in heavy))
    return table


def section_shacl(work: Path, runs: int, big: dict[str, int], rudof: bool) -> Table:
    typical = work / "typical" / "XAA"
    if not typical.exists():
        write_country(typical, "XAA", **TYPICAL)
    large = write_country(work / "shacl" / "XZZ", "XZZ", **big)
    res = run_child("shacl", str(runs), "1" if rudof else "0", str(typical), str(large))
    table = Table(f"2. SHACL of one country (kg.validate.validate, fresh process, "
                  f"warm = median of {runs})")
    for label, entry, target in (("typical country", res[0], 0.5), ("10k-triple country", res[1],
                                                                     None)):
        table.add(f"{label} ({entry['triples']:,} triples): warm", secs(entry["warm"]),
                  "< 0.5 s" if target else "", (entry["warm"] < target) if target else None)
        table.add("  first call (loads shapes, model, pyshacl)", secs(entry["cold"]))
        if "rudof_warm" in entry:
            table.add("  pyrudof: warm / first", f"{secs(entry['rudof_warm'])} / "
                      f"{secs(entry['rudof_cold'])}")
            table.add("  pyrudof: same results as pyshacl", "yes" if entry["rudof_same"] else "NO")
    if rudof:
        from benchmarks.rudof import compare_fixtures

        same, total, diffs = compare_fixtures()
        table.add("pyrudof vs pyshacl on tests/shapes fixtures", f"{same}/{total} identical")
        for line in diffs[:8]:
            table.add(f"  {line}", "")
    return table


def section_many(work: Path, countries: int, big: dict[str, int]) -> tuple[Table, Path, str]:
    codes = iso3_codes(countries)
    t = time.perf_counter()
    folders = [write_country(work / "many" / c, c, **big) for c in codes]
    generated = time.perf_counter() - t
    store = work / "many-store"
    wall, code, err, largest, summed, _cpu = run_cli_sampled(
        ["--store", str(store), "import", *map(str, folders)])
    if code:
        raise SystemExit(f"migkg import of {countries} countries failed ({code}):\n{err[-3000:]}")
    manifest = json.loads((store / "manifest.json").read_text())
    triples = sum(e["triples"] for g, e in manifest["graphs"].items() if "/graph/X" in g)
    rows = sum(sum(1 for _ in open(f, encoding="utf-8")) - 1
               for folder in folders for f in folder.glob("*.csv"))
    size = sum(f.stat().st_size for f in (store / "graphs").iterdir())
    table = Table(f"3. {countries} synthetic countries imported by one `migkg import`")
    table.add("data", f"{countries} x {big['actors']} actors, {big['sources']} sources, "
                      f"{big['relations']} relations...: {rows:,} rows -> {triples:,} triples "
                      f"(generated in {secs(generated)})")
    from kg import pipeline

    table.add("wall time", secs(wall), "< 60 s", wall < 60)
    table.add("  checked by", f"{min(pipeline.CHECK_WORKERS, os.cpu_count() or 1)} worker "
                              "processes (kg.pipeline.CHECK_WORKERS), then written in order")
    table.add("  rows/s, triples/s", f"{rows / wall:,.0f}, {triples / wall:,.0f}")
    table.add("peak RSS, largest process (wait4)", mib(largest), "< 2 GiB", largest < 2 << 30)
    table.add("peak RSS, command + workers summed (sampled)", mib(summed), "< 2 GiB",
              summed < 2 << 30)
    table.add("snapshot files on disk", mib(size))
    return table, store, codes[0]


def section_open(store: Path, iso3: str, runs: int) -> Table:
    from kg.namespaces import DataIRIs

    query = FIRST_QUERY % DataIRIs().country(iso3)
    code = OPEN_AND_QUERY % (str(store), query)
    samples = []
    for _ in range(runs):
        with tempfile.TemporaryFile() as out:
            t = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-c", code], stdout=out, cwd=ROOT)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t
            if os.waitstatus_to_exitcode(status):
                raise SystemExit("open + first query failed")
            out.seek(0)
            inner = json.loads(out.read().decode())
        samples.append((wall, inner, usage.ru_maxrss * 1024))
    wall = statistics.median(s[0] for s in samples)
    pick = sorted(samples, key=lambda s: s[0])[len(samples) // 2]
    inner = pick[1]
    table = Table(f"4. Open the store and answer a first query (new process, median of {runs})")
    table.add("python -c: open_store + one SELECT, wall incl. start", secs(wall), "< 5 s",
              wall < 5)
    table.add("  imports (kg.store & co)", secs(inner["imports"]))
    table.add("  open_store (loads every snapshot)", secs(inner["open"]))
    table.add(f"  first SELECT ({inner['rows']} rows: one country's actors)",
              secs(inner["query"]))
    table.add("  peak RSS", mib(pick[2]))
    return table


def section_broken(work: Path, runs: int) -> Table:
    from benchmarks.broken_files import KINDS
    from kg.config import Settings
    from kg.errors import InputError
    from kg.ingest import read_questionnaire

    valid = write_country(work / "broken" / "valid", "XAB", **TYPICAL)
    settings = Settings()
    read_questionnaire(valid, settings)  # load the template and vocabularies once
    table = Table(f"5. Broken and hostile files through read_questionnaire (median of {runs})")
    for label, build, refuse in KINDS:
        path = build(valid, work / "broken")
        times, first = [], ""
        for _ in range(runs):
            t = time.perf_counter()
            try:
                read_questionnaire(path, settings)
                first = "read without error"
            except InputError as exc:
                first = exc.lines("en")[0]
            times.append(time.perf_counter() - t)
        took = statistics.median(times)
        refused = first != "read without error"
        table.add(label, secs(took), "< 1 s" if refuse else "read",
                  (refused == refuse) and (took < 1 if refuse else True))
        table.add(f"  {first[:110]}{'…' if len(first) > 110 else ''}", "")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions of timed runs")
    parser.add_argument("--countries", type=int, default=100, help="countries in section 3")
    parser.add_argument("--scale", type=float, default=3.3,
                        help="row counts of a section-3 country = typical x scale (~10k triples)")
    parser.add_argument("--only", default="1,2,3,4,5", help="sections to run, e.g. 1,2")
    parser.add_argument("--no-pyrudof", action="store_true", help="skip pyrudof even if installed")
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temp folder)")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child)
        return
    sections = {int(s) for s in args.only.split(",") if s.strip()}
    big = scaled(args.scale)
    rudof = not args.no_pyrudof and _has_pyrudof()
    work = args.keep or Path(tempfile.mkdtemp(prefix="migkg-import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    missed = False
    try:
        tables: list[Table] = []
        if 1 in sections:
            tables.append(section_typical(work, args.runs))
            tables[-1].print()
        if 2 in sections:
            tables.append(section_shacl(work, args.runs, big, rudof))
            tables[-1].print()
        if 3 in sections or 4 in sections:
            table, store, iso3 = section_many(work, args.countries, big)
            if 3 in sections:
                tables.append(table)
                table.print()
            if 4 in sections:
                tables.append(section_open(store, iso3, args.runs))
                tables[-1].print()
        if 5 in sections:
            tables.append(section_broken(work, args.runs))
            tables[-1].print()
        missed = any(t.missed for t in tables)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"\n(machine: {os.cpu_count()} CPUs; Python {sys.version.split()[0]}; "
          f"benchmark process peak RSS {mib(usage.ru_maxrss * 1024)}; "
          f"pyrudof {'measured' if rudof else 'not measured'})")
    if missed:
        print("Some targets were MISSED.")
        sys.exit(1)


def _has_pyrudof() -> bool:
    try:
        import pyrudof  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
