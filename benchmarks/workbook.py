"""Questionnaire workbook benchmarks (issue 20): not timed tests, a report of measured figures.

    .venv/bin/python benchmarks/workbook.py [--repeat N]

A typical country (benchmarks/questionnaires.py: 50 actors, 40 sources, ~150 other
rows, the import benchmark's) and the complete demo country XAA are imported through
the real pipeline into a temporary embedded store and into an `oxigraph serve`; each
figure is N calls in a warm process (what the web app pays per download): wall time
(median, and best, which the target is judged on) and CPU time (what an idle core
takes, when the machine is shared); then the command line once, interpreter start
included. Targets:
  1. blank template (.xlsx), en and fr                                   < 1 s
  2. pre-filled questionnaire of a typical country, .xlsx and CSV zip,
     on both backends                                                    < 1 s
Exit code 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.store import start_server  # noqa: E402
from kg import workbook  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.pipeline import import_paths  # noqa: E402
from kg.resources import demo_countries_dir  # noqa: E402
from kg.store import open_store  # noqa: E402
from tests.factories.questionnaires import write_country  # noqa: E402

_import_bench = importlib.import_module("benchmarks.import")
Table, run_cli = _import_bench.Table, _import_bench.run_cli
TARGET_S = 1.0
TYPICAL = "XTY"


class Timing:
    """Wall and CPU seconds of repeat calls, after one call to warm up. On a machine shared
    with other work, wall time grows with the load; CPU time is what one idle core takes."""

    def __init__(self, fn, repeat: int):
        self.size = len(fn())
        self.wall, self.cpu = [], []
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            self.cpu.append(time.process_time() - cpu)
            self.wall.append(time.perf_counter() - wall)

    def __str__(self) -> str:
        return (f"wall {statistics.median(self.wall):.2f} s (best {min(self.wall):.2f}), "
                f"CPU {statistics.median(self.cpu):.2f} s")

    @property
    def ok(self) -> bool:
        return min(self.wall) < TARGET_S


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="calls per figure")
    args = parser.parse_args()
    table = Table(f"Questionnaire workbooks, warm calls (machine load: {load()})")
    with tempfile.TemporaryDirectory(prefix="migkg-bench-workbook-") as tmp:
        work = Path(tmp)
        typical = write_country(work / TYPICAL, TYPICAL)
        paths = [typical, demo_countries_dir() / "XAA"]
        for lang in ("en", "fr"):
            t = Timing(lambda lang=lang: workbook.template(lang), args.repeat)
            table.add(f"template --lang {lang} ({t.size // 1024} KiB)", str(t),
                      f"< {TARGET_S:.0f} s", t.ok)
        embedded = Settings(store_dir=work / "store")
        server, base_url = start_server(work / "oxigraph")
        remote = Settings(endpoint=f"{base_url}/query", update_endpoint=f"{base_url}/update",
                          graph_store_endpoint=f"{base_url}/store")
        try:
            for name, settings in (("embedded", embedded), ("oxigraph serve", remote)):
                with open_store(settings) as store:
                    import_paths(store, paths, settings, user="benchmark")
                    for iso3, what in ((TYPICAL, "typical country"), ("XAA", "XAA")):
                        for fmt in ("xlsx", "csv"):
                            t = Timing(lambda iso3=iso3, fmt=fmt, store=store,
                                       settings=settings: workbook.questionnaire(
                                store, iso3, base=settings.base, fmt=fmt,
                                include_restricted=True).data, args.repeat)
                            table.add(f"questionnaire {what} {fmt}, {name} ({t.size // 1024} KiB)",
                                      str(t), f"< {TARGET_S:.0f} s", t.ok)
        finally:
            server.terminate()
            server.wait()
        cli = Table("Command line, one run each (interpreter start and imports included)")
        for label, argv in (
            ("migkg template -o questionnaire.xlsx", ["template", "-o", str(work / "t.xlsx")]),
            (f"migkg questionnaire {TYPICAL} -o {TYPICAL}.xlsx",
             ["--store", str(embedded.store_dir), "questionnaire", TYPICAL, "-o",
              str(work / "q.xlsx")]),
            (f"migkg questionnaire {TYPICAL} --format csv -o {TYPICAL}.zip",
             ["--store", str(embedded.store_dir), "questionnaire", TYPICAL, "--format", "csv",
              "-o", str(work / "q.zip")]),
        ):
            wall, code, err, _rss = run_cli(argv)
            if code != 0:
                raise SystemExit(f"{label} failed: {err}")
            cli.add(label, secs(wall))
    table.print()
    cli.print()
    return 1 if table.missed else 0


if __name__ == "__main__":
    sys.exit(main())
