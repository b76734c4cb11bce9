"""A `migkg import` killed at any moment leaves the country's old graph or its new one."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.config import Settings
from kg.namespaces import DataIRIs
from kg.store import open_store
from tests.factories.questionnaires import write_country

IRIS = DataIRIs()


def migkg(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg.cli", *args]


def data_triples(settings: Settings) -> frozenset[str]:
    prefix = IRIS.entity("XAA", "import", "")
    with open_store(settings) as store:
        return frozenset(str(t) for t in store.graph_triples(IRIS.graph("XAA"))
                         if not t.subject.value.startswith(prefix))


@pytest.mark.slow
def test_sigkill_during_import_leaves_old_or_new_graph(tmp_path: Path):
    old = write_country(tmp_path / "old", "XAA", actors=300, sources=200, relations=400, seed=1)
    new = write_country(tmp_path / "new", "XAA", actors=300, sources=200, relations=400, seed=2)
    settings = Settings(store_dir=tmp_path / "store")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    store_args = ["--store", str(settings.store_dir)]

    subprocess.run(migkg(*store_args, "import", str(new)), check=True, env=env,
                   capture_output=True)
    new_data = data_triples(settings)
    subprocess.run(migkg(*store_args, "import", str(old)), check=True, env=env,
                   capture_output=True)
    old_data = data_triples(settings)
    assert old_data != new_data

    started = time.monotonic()
    subprocess.run(migkg(*store_args, "import", str(new)), check=True, env=env,
                   capture_output=True)
    full = time.monotonic() - started

    rnd = random.Random(7)
    outcomes: set[str] = set()
    for _ in range(6):
        subprocess.run(migkg(*store_args, "import", str(old)), check=True, env=env,
                       capture_output=True)
        proc = subprocess.Popen(migkg(*store_args, "import", str(new)), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.3, 1.0) * full)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = data_triples(settings)
        assert now in (old_data, new_data), "a killed import left a mix of old and new"
        outcomes.add("new" if now == new_data else "old")
    # The store still works after the kills.
    subprocess.run(migkg(*store_args, "import", str(new)), check=True, env=env,
                   capture_output=True)
    assert data_triples(settings) == new_data
