"""Fault trials (issue 22): the full versions of tests/faults, tests/pipeline/test_kill.py and
tests/pipeline/test_truth_concurrency.py. A report of what happened, not a timed test.

    flock /work/notes/bench.lock nice -n 5 .venv/bin/python benchmarks/faults.py \
        [--kills 20] [--races 5] [--timeout 2] [--only kill,race,remote,disk]

Trials:
  kill    --kills SIGKILLs of `migkg import` at random moments (uniform over 0.05-1.0 of a full
          import's time) while it replaces a country of ~300 actors: after each, the country
          holds its old data or its new data, never a mix, and the next import works and
          leaves no temporary file;
  race    --races rounds of two `migkg import` of the same country started together: each
          ends 0 (the lock serialises them) or with a clear refusal, no import record is lost
          (records added = imports that succeeded), the data is one of the two;
  remote  an endpoint that accepts and never answers, one that dies after receiving a
          write, one that refuses: `migkg` exits 3 within --timeout (+ start-up) with one
          line; the web app's /readyz answers 503 within the timeout while /healthz stays 200;
  disk    a full disk (a small tmpfs; root only): exit 3 naming the store, the old data
          intact, no temporary file left.
Exit code 1 if a trial saw a wrong outcome.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.config import Settings  # noqa: E402
from kg.namespaces import DataIRIs  # noqa: E402
from kg.store import open_store  # noqa: E402
from tests.factories import fault_endpoints  # noqa: E402
from tests.factories.questionnaires import write_country  # noqa: E402

IRIS = DataIRIs()
PROV_ACTIVITY = "http://www.w3.org/ns/prov#Activity"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "MIGKG_CONFIG": ""}


def migkg(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg.cli", *args]


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(migkg(*args), env=kw.pop("env", ENV), capture_output=True, text=True,
                          **kw)


def state(store_dir: Path, iso3: str) -> tuple[frozenset[str], int]:
    """(the country's data triples without its import records, the number of import records)."""
    prefix = IRIS.entity(iso3, "import", "")
    with open_store(Settings(store_dir=store_dir)) as store:
        triples = store.graph_triples(IRIS.graph(iso3))
    data = frozenset(str(t) for t in triples if not t.subject.value.startswith(prefix))
    records = {t.subject.value for t in triples if t.subject.value.startswith(prefix)
               and t.predicate.value == RDF_TYPE and t.object.value == PROV_ACTIVITY}
    return data, len(records)


def leftovers(store_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(store_dir)) for p in store_dir.rglob("*")
                  if p.is_file() and (".tmp" in p.name or p.name.endswith("~")))


def trial_kill(work: Path, kills: int) -> list[str]:
    old = write_country(work / "old", "XAA", actors=300, sources=200, relations=400, seed=1)
    new = write_country(work / "new", "XAA", actors=300, sources=200, relations=400, seed=2)
    store = work / "kill-store"
    s = ["--store", str(store)]
    run(*s, "import", str(new), check=True)
    new_data = state(store, "XAA")[0]
    run(*s, "import", str(old), check=True)
    old_data = state(store, "XAA")[0]
    started = time.monotonic()
    run(*s, "import", str(new), check=True)
    full = time.monotonic() - started
    rnd = random.Random(22)
    outcomes = {"old": 0, "new": 0}
    errors = []
    for i in range(kills):
        run(*s, "import", str(old), check=True)
        delay = rnd.uniform(0.05, 1.0) * full
        proc = subprocess.Popen(migkg(*s, "import", str(new)), env=ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = state(store, "XAA")[0]
        if now == old_data:
            outcomes["old"] += 1
        elif now == new_data:
            outcomes["new"] += 1
        else:
            errors.append(f"kill {i + 1} at {delay:.2f} s: a mix of old and new")
    done = run(*s, "import", str(new))
    if done.returncode != 0 or state(store, "XAA")[0] != new_data:
        errors.append(f"the import after the kills failed: {done.stderr.strip()[-300:]}")
    left = leftovers(store)
    if left:
        errors.append(f"temporary files left after the next import: {left}")
    print(f"kill: {kills} SIGKILLs over a {full:.1f} s import (random moments): "
          f"{outcomes['old']} old, {outcomes['new']} new, {len(errors)} wrong; "
          f"next import {'ok' if done.returncode == 0 else 'FAILED'}, leftovers {len(left)}")
    return errors


def trial_race(work: Path, races: int) -> list[str]:
    a = write_country(work / "race-a", "XAB", actors=200, sources=100, relations=200, seed=4)
    b = write_country(work / "race-b", "XAB", actors=200, sources=100, relations=200, seed=5)
    store = work / "race-store"
    s = ["--store", str(store)]
    run(*s, "import", str(a), check=True)
    data_a = state(store, "XAB")[0]
    run(*s, "import", str(b), check=True)
    data_b = state(store, "XAB")[0]
    errors, codes, waits = [], [], []
    for i in range(races):
        before = state(store, "XAB")[1]
        started = time.monotonic()
        procs = [subprocess.Popen(migkg(*s, "import", str(x)), env=ENV, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for x in (a, b)]
        outs = [p.communicate() for p in procs]
        waits.append(time.monotonic() - started)
        rcs = [p.returncode for p in procs]
        codes += rcs
        data, records = state(store, "XAB")
        if data not in (data_a, data_b):
            errors.append(f"race {i + 1}: the country is neither questionnaire")
        if records != before + rcs.count(0):
            errors.append(f"race {i + 1}: {records - before} import records added for "
                          f"{rcs.count(0)} imports that succeeded")
        for rc, (_, err) in zip(rcs, outs, strict=True):
            if rc not in (0, 2, 3) or (rc and not err.strip().startswith(("migkg:", "XAB"))):
                errors.append(f"race {i + 1}: exit {rc}: {err.strip()[-300:]}")
    print(f"race: {races} rounds of two imports of one country: exit codes "
          f"{sorted(set(codes))} ({codes.count(0)}/{len(codes)} succeeded), both done in "
          f"{min(waits):.1f}-{max(waits):.1f} s, {len(errors)} wrong")
    return errors


def trial_remote(work: Path, timeout: float) -> list[str]:
    errors = []
    env = {**ENV, "MIGKG_REMOTE_READ_TIMEOUT": str(timeout),
           "MIGKG_REMOTE_WRITE_TIMEOUT": str(timeout)}
    country = ROOT / "data" / "countries" / "XAC"
    cases = [("silent", fault_endpoints.silent, ("countries",), "did not answer within"),
             ("silent", fault_endpoints.silent, ("import", str(country)), "did not answer"),
             # its first request is a read (the country's import records): a plain error
             ("dying", fault_endpoints.dying, ("import", str(country)), "closed the connection"),
             ("refusing 503", lambda: fault_endpoints.status(503), ("countries",), "503"),
             ("black hole", fault_endpoints.black_hole, ("countries",), "")]
    for name, factory, args, expected in cases:
        with factory() as endpoint:
            base = endpoint.base
            started = time.monotonic()
            done = run("--endpoint", f"{base}/query", "--update-endpoint", f"{base}/update",
                       "--graph-store", f"{base}/store", *args, env=env, timeout=120)
            took = time.monotonic() - started
        # One migkg: line (an import also lists its questionnaire's warnings before it).
        lines = [x for x in done.stderr.strip().splitlines() if x.startswith("migkg:")]
        ok = done.returncode == 3 and len(lines) == 1 and expected in lines[0]
        print(f"remote: {name:12} migkg {args[0]:9} exit {done.returncode} in {took:4.1f} s "
              f"(limit {timeout:g} s + start-up): {lines[-1][:150] if lines else ''}")
        if not ok:
            errors.append(f"remote {name} {args[0]}: exit {done.returncode}: {done.stderr[-300:]}")
    # A server that dies after receiving a write (the store's own replace, as an import's
    # last step): the outcome is unknown, said so, with how to check.
    import pyoxigraph as ox

    from kg.errors import StoreError
    from kg.store import open_store as open_remote

    triple = ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                       ox.Literal("o"))
    with fault_endpoints.dying() as endpoint:
        store = open_remote(Settings(endpoint=f"{endpoint.base}/query",
                                     update_endpoint=f"{endpoint.base}/update",
                                     graph_store_endpoint=f"{endpoint.base}/store",
                                     remote_write_timeout_s=timeout))
        started = time.monotonic()
        try:
            store.replace_graph("http://example.org/g", [triple])
            message = "no error"
        except StoreError as exc:
            message = str(exc)
        took = time.monotonic() - started
    print(f"remote: dying after a write: {took:.1f} s: {message[:220]}")
    if "the outcome is unknown" not in message or "cannot reach" in message:
        errors.append(f"dying after a write: {message}")
    # The web app over a silent store: /readyz says not ready within the limit, /healthz up.
    from webapp import create_app

    with fault_endpoints.silent() as endpoint:
        app = create_app(Settings(endpoint=f"{endpoint.base}/query",
                                  update_endpoint=f"{endpoint.base}/update",
                                  remote_read_timeout_s=timeout, endpoint_dataset="union"))
        client = app.test_client()
        started = time.monotonic()
        ready = client.get("/readyz")
        took = time.monotonic() - started
        health = client.get("/healthz")
        print(f"remote: silent store: /readyz {ready.status_code} in {took:.1f} s, "
              f"/healthz {health.status_code}")
        if ready.status_code != 503 or health.status_code != 200 or took > timeout + 5:
            errors.append(f"/readyz {ready.status_code} in {took:.1f} s, /healthz "
                          f"{health.status_code}")
        ready.close()
        health.close()
    return errors


def trial_disk(work: Path) -> list[str]:
    disk = work / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=640k", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        print("disk: skipped (mounting a tmpfs is not allowed here)")
        return []
    errors = []
    try:
        big = write_country(work / "big", "XAC", actors=300, sources=200, relations=400, seed=3)
        store = disk / "store"
        run("--store", str(store), "import", str(ROOT / "data" / "countries" / "XAC"),
            check=True)
        before = state(store, "XAC")
        for attempt in (1, 2):
            done = run("--store", str(store), "import", str(big))
            line = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
            print(f"disk: full disk, import {attempt}: exit {done.returncode}: {line[:160]}")
            if done.returncode != 3 or str(store) not in line:
                errors.append(f"disk attempt {attempt}: exit {done.returncode}: {line}")
            if state(store, "XAC") != before:
                errors.append(f"disk attempt {attempt}: the old data changed")
            if leftovers(store):
                errors.append(f"disk attempt {attempt}: left {leftovers(store)}")
    finally:
        subprocess.run(["umount", str(disk)], check=False)
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--races", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--only", default="kill,race,remote,disk")
    args = parser.parse_args()
    only = set(args.only.split(","))
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="migkg-faults-") as tmp:
        work = Path(tmp)
        if "kill" in only:
            errors += trial_kill(work, args.kills)
        if "race" in only:
            errors += trial_race(work, args.races)
        if "remote" in only:
            errors += trial_remote(work, args.timeout)
        if "disk" in only:
            errors += trial_disk(work)
    for error in errors:
        print(f"WRONG: {error}")
    print("faults: all outcomes as expected" if not errors else f"faults: {len(errors)} wrong")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
