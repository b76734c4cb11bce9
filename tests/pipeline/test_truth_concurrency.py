"""Issue 15 part 9: two `migkg import` of one country at once, as real processes.

Writers of a country are serialised (the embedded store's file lock covers reading the old
import records, writing and committing; a remote store's writers on this machine share an
flock): no import record is ever lost, and each process's message is true: "data unchanged"
only when the graph already held exactly its data.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.config import Settings
from kg.namespaces import MKG, DataIRIs
from kg.pipeline import split_import_records
from kg.store import open_store
from tests.factories import real_country

ROUNDS = 3


def variants(tmp_path: Path) -> dict[str, Path]:
    """Two versions of one country's answers: a, and b where an actor was renamed."""
    a = real_country.write_folder(tmp_path / "a")
    tables = real_country.tables()
    tables["actors"][0]["name"] = "Ministry of Interior and Public Security"
    b = real_country.write_folder(tmp_path / "b", tables)
    return {"a": a, "b": b}


def run_together(global_args: list[str], paths: list[Path]) -> list[tuple[int, str]]:
    """Start one `migkg import` per path at the same moment; (exit code, stderr) of each."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    # In the test's own folder: a remote store's state (history, write marker) defaults to
    # ./var, which must not land in the repository.
    procs = [subprocess.Popen([sys.executable, "-m", "kg.cli", *global_args, "import", str(p)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env=env, cwd=paths[0].parent) for p in paths]
    out = []
    for p in procs:
        with p:
            _, stderr = p.communicate(timeout=300)
            out.append((p.returncode, stderr))
    return out


def check_history(settings: Settings, variant_of: dict[str, str],
                  outcomes: list[tuple[str, str]]) -> None:
    """Every import left its record; in commit order, each message matches what it found."""
    iris = DataIRIs(settings.base)
    with open_store(settings) as store:
        triples = store.graph_triples(iris.graph("XRL"))
        records = sorted({t.subject.value for t in triples
                          if t.object.value == str(MKG.ImportActivity)})
        assert len(records) == len(outcomes)  # no record lost
        # Which variant each record imported: the sha256 of its actors.csv.
        sha = {t.subject.value.split("/file/")[0]: t.object.value for t in triples
               if t.predicate.value == str(MKG.sha256) and t.subject.value.endswith("/actors.csv")}
        order = [variant_of[sha[r]] for r in records]
        data, _ = split_import_records(triples, iris, "XRL")
    # The data in the graph are the last committed import's.
    last = order[-1]
    assert ("Ministry of Interior and Public Security" in {t.object.value for t in data}) == (
        last == "b")
    # Messages: in commit order, "unchanged" exactly when the previous import had the same data.
    expected: list[tuple[str, bool]] = []
    for i, variant in enumerate(order):
        expected.append((variant, i > 0 and order[i - 1] == variant))
    said = sorted((v, "data unchanged" in message) for v, message in outcomes)
    assert said == sorted(expected)


def sha_of(folder: Path) -> str:
    import hashlib

    return hashlib.sha256((folder / "actors.csv").read_bytes()).hexdigest()


def history_of(settings: Settings, args: list[str], tmp_path: Path) -> None:
    paths = variants(tmp_path)
    variant_of = {sha_of(p): name for name, p in paths.items()}
    outcomes: list[tuple[str, str]] = []
    for round_ in range(ROUNDS):
        order = ["a", "b"] if round_ % 2 == 0 else ["b", "a"]
        results = run_together(args, [paths[v] for v in order])
        for variant, (code, stderr) in zip(order, results, strict=True):
            assert code == 0, stderr
            message = [line for line in stderr.splitlines() if line.startswith("XRL: ")]
            assert len(message) == 1, stderr
            outcomes.append((variant, message[0]))
    check_history(settings, variant_of, outcomes)


def test_two_concurrent_imports_into_the_embedded_store(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    history_of(settings, ["--store", str(settings.store_dir)], tmp_path)


@pytest.mark.remote
def test_two_concurrent_imports_into_a_remote_store(settings_for, tmp_path: Path) -> None:
    settings = settings_for("remote")
    args = ["--endpoint", settings.endpoint or "", "--update-endpoint",
            settings.update_endpoint or "", "--graph-store", settings.graph_store_endpoint or ""]
    history_of(settings, args, tmp_path)


@pytest.mark.parametrize("kind", ["embedded", pytest.param("remote", marks=pytest.mark.remote)])
def test_the_lock_covers_reading_the_old_records(kind: str, settings_for,
                                                tmp_path: Path) -> None:
    """Two writers, each in its own store handle (as two processes), with the time between
    reading the old records and writing widened: the second waits for the first, so both
    records are kept and the second knows what the first wrote."""
    import threading
    import time

    from kg.pipeline import check_all, write

    settings = settings_for(kind)
    paths = variants(tmp_path)
    checked = {v: check_all([p], settings)[0] for v, p in paths.items()}
    reports: dict[str, object] = {}
    errors: list[BaseException] = []

    def writer(variant: str) -> None:
        try:
            with open_store(settings) as store:
                read = store.graph_triples

                def slow_read(graph: str):
                    found = read(graph)
                    time.sleep(0.5)  # another writer would slip in here without the lock
                    return found

                store.graph_triples = slow_read  # type: ignore[method-assign]
                reports[variant] = write(store, [checked[variant]], settings, user=variant)[0]
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(v,)) for v in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with open_store(settings) as store:
        triples = store.graph_triples(DataIRIs(settings.base).graph("XRL"))
    records = {t.subject.value for t in triples if t.object.value == str(MKG.ImportActivity)}
    assert len(records) == 2
    assert sorted(r.changed for r in reports.values()) == [True, True]  # a then b, or b then a
