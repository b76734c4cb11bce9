"""Backup and restore: restore-then-compare on every backend, damaged backups refused, a
consistent copy while a writer keeps committing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import Settings
from kg.errors import InputError
from kg.namespaces import DEFAULT_BASE
from kg.store import Store, open_store
from kg.store.backup import backup, read_backup, restore
from kg.store.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parents[2]
EX = "http://example.org/"
EXTRA = f"{EX}graph/extra"


def sorted_nquads(store: Store) -> bytes:
    """The whole store as sorted N-Quads lines: what 'identical' means here."""
    return b"".join(sorted(ox.serialize([q], format=ox.RdfFormat.N_QUADS)
                           for q in store.quads()))


@pytest.fixture(params=["embedded", "remote"])
def source(request: pytest.FixtureRequest, demo_store: Store) -> Store:
    """The demo data on each backend (read-only)."""
    if request.param == "remote":
        return request.getfixturevalue("remote_demo_store")
    return demo_store


@pytest.mark.remote
@pytest.mark.parametrize("kind", ["embedded", "remote", "remote-sparql"])
def test_restore_then_compare(source: Store, kind: str, tmp_path: Path,
                              settings_for: Callable[[str], Settings]) -> None:
    folder = tmp_path / "backup"
    made = backup(source, folder, base=DEFAULT_BASE)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format"] == "migkg-backup" and made.graphs == 4
    assert manifest["source"]["kind"] == ("embedded" if isinstance(source, EmbeddedStore)
                                          else "remote")
    target = open_store(settings_for(kind))
    target.replace_graph(EXTRA, [ox.Triple(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"),
                                           ox.Literal("gone after the restore"))])
    done = restore(target, folder, base=DEFAULT_BASE)
    assert (done.graphs, done.triples) == (made.graphs, made.triples)
    assert target.graphs() == source.graphs()
    assert sorted_nquads(target) == sorted_nquads(source)
    again = tmp_path / "again"  # and a backup of the restored store restores the same again
    backup(target, again, base=DEFAULT_BASE)
    assert as_sets(read_backup(again, base=DEFAULT_BASE)) == as_sets(
        read_backup(folder, base=DEFAULT_BASE))


def as_sets(graphs: dict[str, list[ox.Triple]]) -> dict[str, set[ox.Triple]]:
    return {g: set(ts) for g, ts in graphs.items()}


def spoil_manifest(change: Callable[[dict], None]) -> Callable[[Path], str]:
    def spoil(folder: Path) -> str:
        path = folder / "manifest.json"
        manifest = json.loads(path.read_text())
        change(manifest)
        path.write_text(json.dumps(manifest))
        return str(path)
    return spoil


def flip_byte(folder: Path) -> str:
    victim = sorted((folder / "graphs").iterdir())[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x20
    victim.write_bytes(bytes(data))
    return str(victim)


def truncate(folder: Path) -> str:
    victim = sorted((folder / "graphs").iterdir())[-1]
    victim.write_bytes(victim.read_bytes()[:-100])
    return str(victim)


def remove_file(folder: Path) -> str:
    victim = sorted((folder / "graphs").iterdir())[0]
    victim.unlink()
    return str(victim)


def garbage_manifest(folder: Path) -> str:
    (folder / "manifest.json").write_text('{"format": "migkg-backup", "vers')
    return str(folder / "manifest.json")


def no_manifest(folder: Path) -> str:
    (folder / "manifest.json").unlink()
    return str(folder / "manifest.json")


def consistent_but_unparsable(folder: Path) -> str:
    """A file changed along with its checksum: the parse still catches it."""
    import hashlib

    victim = sorted((folder / "graphs").iterdir())[0]
    victim.write_bytes(b"<http://x> <http://y> .\n")
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["name"].endswith(victim.name):
            entry["bytes"] = victim.stat().st_size
            entry["sha256"] = hashlib.sha256(victim.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return str(victim)


def _first_graph(m: dict) -> str:
    return sorted(m["graphs"])[0]


SPOILERS = {
    "flipped byte": (flip_byte, "does not match its size or sha256"),
    "truncated file": (truncate, "does not match its size or sha256"),
    "missing file": (remove_file, "cannot read this backup file (No such file or directory)"),
    "garbage manifest": (garbage_manifest, "the backup's manifest cannot be read"),
    "no manifest": (no_manifest, "not a backup: manifest.json is missing"),
    "newer format": (spoil_manifest(lambda m: m.update(version=99)),
                     "format version 99, this migkg reads version 1 at most"),
    "other deployment": (spoil_manifest(lambda m: m.update(base="https://other.example/")),
                         "made for the base IRI https://other.example/"),
    "wrong count": (spoil_manifest(lambda m: m["graphs"].update({_first_graph(m): 1})),
                    "its manifest says 1; the backup is damaged"),
    "path outside": (spoil_manifest(lambda m: m["files"][0].update(name="../../etc/passwd")),
                     "bad file entry '../../etc/passwd'"),
    "unparsable": (consistent_but_unparsable, "is not valid RDF"),
}


@pytest.mark.parametrize("spoiler", sorted(SPOILERS))
def test_damaged_or_mismatched_backup_is_refused_and_the_store_untouched(
        spoiler: str, demo_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    backup(demo_store, folder, base=DEFAULT_BASE)
    spoil, words = SPOILERS[spoiler]
    where = spoil(folder)
    target = EmbeddedStore(tmp_path / "target")
    target.replace_graph(EXTRA, [ox.Triple(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"),
                                           ox.Literal("kept"))])
    before = sorted_nquads(target)
    manifest_before = (tmp_path / "target" / "manifest.json").read_bytes()
    with pytest.raises(InputError) as caught:
        restore(target, folder, base=DEFAULT_BASE)
    assert caught.value.exit_code == 2
    [line] = caught.value.lines()
    assert line.startswith(f"{where}::: ") and words in line, line
    assert "nothing was restored" in line.lower()
    assert (tmp_path / "target" / "manifest.json").read_bytes() == manifest_before
    assert sorted_nquads(EmbeddedStore(tmp_path / "target")) == before


def test_backup_folder_must_be_new_or_empty(demo_store: Store, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="already exists and is not empty"):
        backup(demo_store, tmp_path / "full", base=DEFAULT_BASE)
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["keep.txt"]
    (tmp_path / "empty").mkdir()
    assert backup(demo_store, tmp_path / "empty", base=DEFAULT_BASE).graphs == 4
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


# A writer that keeps replacing graph G with version "a" (300 triples) or "b" (200), and
# graph H with a counter, committing as fast as it can until killed.
WRITER = """
import sys, pyoxigraph as ox
from kg.store.embedded import EmbeddedStore
store = EmbeddedStore(sys.argv[1])
p = ox.NamedNode("http://example.org/p")
def version(tag, n):
    return [ox.Triple(ox.NamedNode(f"http://example.org/{tag}{i}"), p, ox.Literal(tag * 50))
            for i in range(n)]
a, b = version("a", 300), version("b", 200)
print("ready", flush=True)
i = 0
while True:
    i += 1
    store.replace_graph("http://example.org/graph/G", a if i % 2 else b)
    store.replace_graph("http://example.org/graph/H", [ox.Triple(p, p, ox.Literal(str(i)))])
"""


def test_backups_taken_while_a_writer_commits_are_consistent(tmp_path: Path) -> None:
    path = tmp_path / "store"
    EmbeddedStore(path).replace_graph(EXTRA, [ox.Triple(ox.NamedNode(f"{EX}s"),
                                                        ox.NamedNode(f"{EX}p"), ox.Literal("x"))])
    writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(WRITER), str(path)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        store = EmbeddedStore(path)
        seen = set()
        for n in range(8):
            folder = tmp_path / f"b{n}"
            backup(store, folder, base=DEFAULT_BASE)
            graphs = read_backup(folder, base=DEFAULT_BASE)  # every checksum and count holds
            g = graphs.get(f"{EX}graph/G", [])
            tags = {t.object.value[0] for t in g}
            assert (len(g), tags) in ((300, {"a"}), (200, {"b"}), (0, set()))
            seen.add(len(g))
            assert len(graphs[EXTRA]) == 1
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()
    assert seen & {300, 200}, "the writer never committed during the backups"
