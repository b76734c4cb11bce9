"""Country guide benchmarks (issues 7 and 18): not timed tests, a report of measured figures.

    .venv/bin/python benchmarks/guide.py [--repeat N] [--countries N] [--all-format html]
                                         [--store DIR]

The demo countries are imported through the real pipeline into a temporary embedded
store; each figure is a full `build_guide` (every named query, the network figure and
findings, read once per guide) plus `render`, as `migkg guide` does. Wall and CPU time
are both given: on a shared machine wall time is inflated by the other processes, CPU
time is what the guide costs. Targets, warm (the process has made one guide before; the
first one also pays for imports and font caches, reported as "cold"), in CPU time:
  1. HTML guide of the complete demo country (XAA)                      < 1 s
  2. Markdown guide of XAA                                              < 1 s
  3. PDF guide of XAA (PDF/UA, tagged)                                  < 4 s
  4. every demo country x every format x both languages                < 60 s
  5. `migkg guide --all` over --countries synthetic countries (typical size: 50 actors,
     40 sources...), both languages: total, per guide and peak memory (reported).
Exit code 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.config import Settings  # noqa: E402
from kg.guide import FORMATS, build_guide, render  # noqa: E402
from kg.pipeline import import_paths  # noqa: E402
from kg.resources import demo_countries_dir  # noqa: E402
from kg.store import open_store  # noqa: E402
from tests.factories.questionnaires import iso3_codes, write_country  # noqa: E402

TARGETS = {"html": 1.0, "md": 1.0, "pdf": 4.0, "all": 60.0}
TYPICAL = {"actors": 50, "sources": 40, "relations": 60, "challenges": 30,
           "recommendations": 30, "practices": 10, "process": 7, "references": 13}


def guide_bytes(store, iso3: str, lang: str, fmt: str) -> bytes:
    """One guide, built and rendered as the CLI does (PNG figure only for DOCX)."""
    return render(build_guide(store, iso3, lang, png=fmt == "docx"), fmt)


def timed(fn, repeat: int) -> tuple[float, float, list[float], int]:
    """(median wall seconds, median CPU seconds, every wall run, output size)."""
    walls, cpus, size = [], [], 0
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        size = len(fn())
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), walls, size


def migkg() -> str:
    return str(Path(sys.executable).with_name("migkg"))


def guide_all(store_dir: Path, countries: int, fmt: str, work: Path) -> None:
    """`migkg guide --all` over `countries` synthetic countries, in a child process: wall,
    CPU, per guide, peak RSS."""
    settings = Settings(store_dir=store_dir)
    store = open_store(settings)
    codes = iso3_codes(countries)
    have = {c for c in codes if build_exists(store, c)}
    missing = [c for c in codes if c not in have]
    if missing:
        start, cpu = time.perf_counter(), time.process_time()
        folders = [write_country(work / "src" / c, c, **TYPICAL) for c in missing]
        import_paths(store, folders, settings, user="benchmark")
        print(f"\n{len(missing)} synthetic countries imported in "
              f"{time.perf_counter() - start:.0f} s wall, {time.process_time() - cpu:.0f} s CPU"
              f" (parent only)")
    store.close()
    out = work / "guides"
    env = {**os.environ, "MIGKG_STORE": str(store_dir)}
    start = time.perf_counter()
    proc = subprocess.Popen([migkg(), "guide", "--all", "--format", fmt, "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    files = sorted(out.glob(f"*.{fmt}"))
    total_countries = len({f.name.split(".")[0] for f in files})
    print(f"\nmigkg guide --all --format {fmt}: {len(files)} guides ({total_countries} countries"
          f" x 2 languages), exit {os.waitstatus_to_exitcode(status)}")
    print(f"  total {wall:.1f} s wall, {cpu:.1f} s CPU; per guide {wall / max(len(files), 1):.2f}"
          f" s wall, {cpu / max(len(files), 1):.2f} s CPU; peak RSS "
          f"{usage.ru_maxrss / 1024:.0f} MiB; {sum(f.stat().st_size for f in files) / 2**20:.1f}"
          f" MiB written")


def build_exists(store, iso3: str) -> bool:
    from kg.guide.build import countries

    if not hasattr(build_exists, "known"):
        build_exists.known = set(countries(store))
    return iso3 in build_exists.known


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per single-guide figure")
    parser.add_argument("--countries", type=int, default=100,
                        help="synthetic countries for `migkg guide --all` (0: skip)")
    parser.add_argument("--all-format", default="html", choices=FORMATS,
                        help="format of the `migkg guide --all` run")
    parser.add_argument("--store", type=Path,
                        help="store of the synthetic countries, kept between runs")
    parser.add_argument("--skip-demo", action="store_true", help="only the --all run")
    args = parser.parse_args()
    missed = []
    with tempfile.TemporaryDirectory(prefix="migkg-bench-guide-") as tmp:
        if not args.skip_demo:
            missed += demo(Path(tmp), args.repeat)
        if args.countries:
            guide_all(args.store or Path(tmp) / "synthetic-store", args.countries,
                      args.all_format, Path(tmp))
    if missed:
        print(f"\nMISSED: {', '.join(missed)}")
        return 1
    return 0


def demo(tmp: Path, repeat: int) -> list[str]:
    missed = []
    settings = Settings(store_dir=tmp / "store")
    store = open_store(settings)
    start = time.perf_counter()
    paths = sorted(p for p in demo_countries_dir().iterdir() if p.is_dir())
    import_paths(store, paths, settings, user="benchmark")
    print(f"demo countries imported in {time.perf_counter() - start:.2f} s "
          f"({', '.join(p.name for p in paths)})")

    start = time.perf_counter()
    guide_bytes(store, "XAA", "en", "html")
    print(f"cold: first XAA HTML guide in this process {time.perf_counter() - start:.2f} s")

    print(f"\n{'guide':<16}{'wall':>8}{'CPU':>8}{'wall runs':>24}{'size':>12}{'target (CPU)':>14}")
    for lang in ("en", "fr"):
        for fmt, runs in (("html", repeat), ("md", repeat), ("pdf", max(1, repeat - 1))):
            wall, cpu, walls, size = timed(
                lambda fmt=fmt, lang=lang: guide_bytes(store, "XAA", lang, fmt), runs)
            ok = cpu < TARGETS[fmt]
            missed += [] if ok else [f"XAA {lang} {fmt}"]
            shown = ", ".join(f"{r:.2f}" for r in walls)
            print(f"{'XAA ' + lang + ' ' + fmt:<16}{wall:>7.2f}s{cpu:>7.2f}s{shown:>24}"
                  f"{size:>11,}B{'< ' + str(TARGETS[fmt]) + ' s':>9} {'ok' if ok else 'MISSED'}")

    start, cpu0 = time.perf_counter(), time.process_time()
    per: dict[str, float] = dict.fromkeys(FORMATS, 0.0)
    count = 0
    for iso3 in ("XAA", "XAB", "XAC"):
        for lang in ("en", "fr"):
            for fmt in FORMATS:
                t = time.process_time()
                guide_bytes(store, iso3, lang, fmt)
                per[fmt] += time.process_time() - t
                count += 1
    total, cpu = time.perf_counter() - start, time.process_time() - cpu0
    ok = cpu < TARGETS["all"]
    missed += [] if ok else ["all"]
    print(f"\nall demo guides: {count} files in {total:.2f} s wall, {cpu:.2f} s CPU "
          f"(target < {TARGETS['all']:.0f} s) {'ok' if ok else 'MISSED'}")
    print("  CPU by format: " + ", ".join(f"{fmt} {secs:.2f} s" for fmt, secs in per.items()))
    store.close()
    return missed


if __name__ == "__main__":
    sys.exit(main())
