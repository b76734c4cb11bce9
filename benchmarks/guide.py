"""Country guide benchmarks (issue 7): not timed tests, a report of measured figures.

    .venv/bin/python benchmarks/guide.py [--repeat N]

The demo countries are imported through the real pipeline into a temporary embedded
store; each figure is a full `build_guide` (every named query, the network figure and
findings) plus `render`, as `migkg guide` does. Targets, warm (the process has made
one guide before; the first one also pays for imports and matplotlib's font cache,
reported as "cold"):
  1. HTML guide of the complete demo country (XAA)                      < 1 s
  2. Markdown guide of XAA                                              < 1 s
  3. PDF guide of XAA                                                   < 10 s
  4. every demo country x every format x both languages                < 60 s
Exit code 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
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

TARGETS = {"html": 1.0, "md": 1.0, "pdf": 10.0, "all": 60.0}


def guide_bytes(store, iso3: str, lang: str, fmt: str) -> bytes:
    """One guide, built and rendered as the CLI does (PNG figure only for DOCX)."""
    return render(build_guide(store, iso3, lang, png=fmt == "docx"), fmt)


def timed(fn, repeat: int) -> tuple[float, list[float], int]:
    """(median seconds, every run, output size) of repeat calls."""
    runs, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(fn())
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), runs, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per single-guide figure")
    args = parser.parse_args()
    missed = []
    with tempfile.TemporaryDirectory(prefix="migkg-bench-guide-") as tmp:
        settings = Settings(store_dir=Path(tmp) / "store")
        store = open_store(settings)
        start = time.perf_counter()
        paths = sorted(p for p in demo_countries_dir().iterdir() if p.is_dir())
        import_paths(store, paths, settings, user="benchmark")
        print(f"demo countries imported in {time.perf_counter() - start:.2f} s "
              f"({', '.join(p.name for p in paths)})")

        start = time.perf_counter()
        guide_bytes(store, "XAA", "en", "html")
        print(f"cold: first XAA HTML guide in this process {time.perf_counter() - start:.2f} s")

        print(f"\n{'guide':<24}{'median':>9}{'runs':>28}{'size':>12}{'target':>9}")
        for fmt, repeat in (("html", args.repeat), ("md", args.repeat), ("pdf", 1)):
            median, runs, size = timed(lambda fmt=fmt: guide_bytes(store, "XAA", "en", fmt),
                                       repeat)
            ok = median < TARGETS[fmt]
            missed += [] if ok else [f"XAA {fmt}"]
            shown = ", ".join(f"{r:.2f}" for r in runs)
            print(f"{'XAA en ' + fmt:<24}{median:>8.2f}s{shown:>28}{size:>11,}B"
                  f"{'< ' + str(TARGETS[fmt]) + ' s':>9} {'ok' if ok else 'MISSED'}")

        start = time.perf_counter()
        per: dict[str, float] = {fmt: 0.0 for fmt in FORMATS}
        count = 0
        for iso3 in ("XAA", "XAB", "XAC"):
            for lang in ("en", "fr"):
                for fmt in FORMATS:
                    t = time.perf_counter()
                    guide_bytes(store, iso3, lang, fmt)
                    per[fmt] += time.perf_counter() - t
                    count += 1
        total = time.perf_counter() - start
        ok = total < TARGETS["all"]
        missed += [] if ok else ["all"]
        print(f"\nall demo guides: {count} files in {total:.2f} s (target < {TARGETS['all']:.0f} s)"
              f" {'ok' if ok else 'MISSED'}")
        print("  by format: " + ", ".join(f"{fmt} {secs:.2f} s" for fmt, secs in per.items()))
        store.close()
    if missed:
        print(f"\nMISSED: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
