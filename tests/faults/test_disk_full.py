"""A full disk under the embedded store: exit 3 naming the store, old data intact, no leftovers.

The disk is a real, small tmpfs mounted for the test (the suite runs as root, as CI does).
Where mounting is not allowed, the CLI test falls back to a real file size limit
(RLIMIT_FSIZE) on the importing process, which fails its writes with EFBIG the same way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import StoreError
from kg.namespaces import DataIRIs
from kg.resources import demo_countries_dir
from kg.store.embedded import EmbeddedStore
from tests.factories.questionnaires import write_country

ROOT = Path(__file__).resolve().parents[2]
PAGE = 4096
EX = "http://example.org/"
G1, G2 = f"{EX}graph/A", f"{EX}graph/B"


def mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)
    return done.returncode == 0


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path | None]:
    """A tmpfs of `size` at folder (None if mounting is not allowed here), unmounted after."""
    if not mount_tmpfs(folder, size):
        yield None
        return
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def fill(disk: Path, leave_pages: int) -> Path:
    """Fill the disk, then free exactly `leave_pages` pages of it."""
    filler = disk / "filler"
    write_until_full(filler)
    os.truncate(filler, max(0, filler.stat().st_size - leave_pages * PAGE))
    return filler


def write_until_full(path: Path) -> None:
    """Write zeros to path until the disk is full (unbuffered: nothing left to flush)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        block = b"\0" * (16 * PAGE)
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, block)
        with contextlib.suppress(OSError):
            while True:  # the last pages, one at a time
                os.write(fd, block[:PAGE])
    finally:
        os.close(fd)


def triples(prefix: str, n: int) -> list[ox.Triple]:
    p = ox.NamedNode(f"{EX}p")
    return [ox.Triple(ox.NamedNode(f"{EX}{prefix}{i}"), p, ox.Literal(f"{prefix} {i} " * 8))
            for i in range(n)]


def leftovers(store_dir: Path) -> list[str]:
    """Files no committed manifest names (temp files, uncommitted snapshots)."""
    import json

    named = {e["file"] for e in json.loads((store_dir / "manifest.json").read_text())["graphs"]
             .values()}
    stray = [n for n in os.listdir(store_dir / "graphs") if n not in named]
    return stray + [n for n in os.listdir(store_dir) if n.startswith(".tmp-")]


def test_full_disk_at_every_step_of_a_write(tmp_path: Path) -> None:
    """Room for less than the snapshot, for the snapshot but not the manifest, for both."""
    with small_disk(tmp_path / "disk", "4m") as disk:
        if disk is None:
            pytest.skip("mounting a tmpfs is not allowed here")
        store = EmbeddedStore(disk / "store")
        store.replace_graph(G1, triples("old", 50))
        new = triples("new", 3000)
        size = len(ox.serialize(new, format=ox.RdfFormat.TURTLE))
        pages = -(-size // PAGE)
        outcomes = []
        for room in (pages - 1, pages, pages + 1):  # the manifest needs one page more
            filler = fill(disk, room)
            try:
                store.replace_graph(G2, new)
                outcomes.append("written")
            except StoreError as exc:
                outcomes.append("refused")
                assert str(exc).startswith(f"cannot write to the store in {disk / 'store'}:"
                                           " No space left on device; the graph <")
                assert "keeps its previous data and no temporary file is left" in str(exc)
                assert leftovers(disk / "store") == []
                reopened = EmbeddedStore(disk / "store")
                assert reopened.graphs() == [G1]
                assert len(reopened.graph_triples(G1)) == 50
            finally:
                filler.unlink()
        assert outcomes == ["refused", "refused", "written"]
        assert len(EmbeddedStore(disk / "store").graph_triples(G2)) == 3000


def test_space_held_by_a_killed_writer_is_given_back(tmp_path: Path) -> None:
    """A temp snapshot left by a SIGKILLed writer must not make every later write fail."""
    with small_disk(tmp_path / "disk", "1m") as disk:
        if disk is None:
            pytest.skip("mounting a tmpfs is not allowed here")
        store = EmbeddedStore(disk / "store")
        store.replace_graph(G1, triples("old", 10))
        stale = disk / "store" / "graphs" / ".tmp-deadbeef-9.ttl.4242.1"
        write_until_full(stale)  # what a killed writer left: as big as the disk allows
        with pytest.raises(OSError) as full:
            (disk / "probe").write_bytes(b"x" * PAGE)
        assert full.value.errno == errno.ENOSPC
        store.replace_graph(G2, triples("new", 200))  # sweeps the stale file first
        assert not stale.exists() and leftovers(disk / "store") == []
        assert EmbeddedStore(disk / "store").graphs() == [G1, G2]


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a killing signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_cli_import_on_a_full_disk_exits_3_naming_the_store(tmp_path: Path) -> None:
    big = write_country(tmp_path / "big", "XAC", actors=300, sources=200, relations=400, seed=3)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    iris = DataIRIs()
    with small_disk(tmp_path / "disk", "640k") as disk:
        store_dir = (disk or tmp_path) / "store"
        run = [sys.executable, "-m", "kg.cli", "--store", str(store_dir), "import"]
        subprocess.run([*run, str(demo_countries_dir() / "XAC")], env=env, check=True,
                       capture_output=True)
        before = {g: EmbeddedStore(store_dir).graph_triples(g)
                  for g in EmbeddedStore(store_dir).graphs()}
        limit = None if disk else _limit_file_size(400_000)  # XAC fits, the big one does not
        done = subprocess.run([*run, str(big)], env=env, capture_output=True, text=True,
                              preexec_fn=limit)
        assert done.returncode == 3, done.stderr
        lines = done.stderr.strip().splitlines()
        reason = "No space left on device" if disk else "File too large"
        assert lines[-1] == (f"migkg: cannot write to the store in {store_dir}: {reason}; the"
                             f" graph <{iris.graph('XAC')}> keeps its previous data and no"
                             " temporary file is left. Free some space on that disk and run"
                             " the command again")
        after = EmbeddedStore(store_dir)
        assert {g: after.graph_triples(g) for g in after.graphs()} == before
        assert leftovers(store_dir) == []
        french = subprocess.run([*run[:-1], "--lang", "fr", "import", str(big)], env=env,
                                capture_output=True, text=True, preexec_fn=limit)
        assert french.returncode == 3
        assert f"impossible d'écrire dans le dépôt dans {store_dir}" in french.stderr
