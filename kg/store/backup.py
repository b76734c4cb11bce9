"""Backup and restore of a whole store, checked by a manifest of sha256 checksums.

A backup is a folder:

    manifest.json    {"format": "migkg-backup", "version", "created", "tool_version", "base",
                      "source": {"kind", "location"}, "graphs": {iri: triples},
                      "files": [{"name", "format", "graph"?, "bytes", "sha256"}]}
    graphs/<name>.ttl    embedded store: its committed Turtle snapshots, byte for byte
    store.nq             remote store: every quad as sorted N-Quads

Backing up the embedded store takes no lock: it copies the snapshot files of one committed
manifest (files are never rewritten once committed, and each is checked against its
sha256), so imports and the web app go on meanwhile and the copy is never torn. The remote
store is dumped graph by graph, each graph in one request (consistent per country). The
folder is written under a temporary name and renamed when complete.

Restore reads and checks everything first (manifest, every file's size and sha256, that it
parses, the triple count of every graph, the deployment's base IRI); only then does it
replace the store's whole content in one step (Store.replace_all). A damaged or mismatched
backup is refused with an InputError (exit 2) and the store is not touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import pyoxigraph as ox

from kg import __version__
from kg.errors import InputError, Location, Problem
from kg.store.base import Store

FORMAT = "migkg-backup"
VERSION = 1
MANIFEST = "manifest.json"
DUMP = "store.nq"
_RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "n-quads": ox.RdfFormat.N_QUADS}


@dataclass(frozen=True)
class BackupReport:
    folder: Path
    graphs: int
    triples: int
    bytes: int


def _problem(where: Path | str, key: str, **params: object) -> InputError:
    return InputError(Problem(Location(str(where)), f"backup.{key}", params))


def backup(store: Store, target: Path, *, base: str) -> BackupReport:
    """Write a backup of the whole store into the folder target (absent or empty)."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise _problem(target, "target_not_empty")
    from kg.store.embedded import EmbeddedStore  # the one backend with files to copy

    if isinstance(store, EmbeddedStore):
        entries, data = store.snapshot()
        source = {"kind": "embedded", "location": str(store.path)}
        files = {f"graphs/{entries[g]['file']}": (blob, "turtle", g) for g, blob in data.items()}
        counts = {g: int(e["triples"]) for g, e in entries.items()}
    else:
        quads = sorted(store.quads(), key=str)
        counts = defaultdict(int)
        for q in quads:
            counts[q.graph_name.value] += 1
        source = {"kind": "remote", "location": getattr(store, "endpoint", repr(store))}
        files = {DUMP: (ox.serialize(quads, format=ox.RdfFormat.N_QUADS), "n-quads", None)}
    manifest: dict[str, Any] = {
        "format": FORMAT, "version": VERSION,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tool_version": __version__, "base": base, "source": source,
        "graphs": dict(sorted(counts.items())),
        "files": [
            {"name": name, "format": fmt, **({"graph": graph} if graph else {}),
             "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest()}
            for name, (blob, fmt, graph) in sorted(files.items())
        ],
    }
    _write_folder(target, {**{n: blob for n, (blob, _, _) in files.items()},
                           MANIFEST: json.dumps(manifest, indent=1, ensure_ascii=False).encode()
                           + b"\n"})
    return BackupReport(target, len(counts), sum(counts.values()),
                        sum(len(blob) for blob, _, _ in files.values()))


def _write_folder(target: Path, files: dict[str, bytes]) -> None:
    """Write files into a temporary sibling folder, fsync them, then rename it to target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".tmp-{target.name}.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        for name, blob in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(blob)
                fh.flush()
                os.fsync(fh.fileno())
        if target.exists():
            target.rmdir()  # checked empty above
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def read_backup(source: Path, *, base: str) -> dict[str, list[ox.Triple]]:
    """Every graph of a backup, after checking all of it; InputError (exit 2) if anything is off."""
    source = Path(source)
    manifest_path = source / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_bytes())
    except FileNotFoundError:
        raise _problem(manifest_path, "no_manifest") from None
    except (OSError, ValueError) as exc:
        raise _problem(manifest_path, "bad_manifest", reason=str(exc)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _problem(manifest_path, "bad_manifest", reason=f"not a {FORMAT} manifest")
    if not isinstance(manifest.get("version"), int) or manifest["version"] > VERSION:
        raise _problem(manifest_path, "newer", version=manifest.get("version"), supported=VERSION)
    if manifest.get("base") != base:
        raise _problem(manifest_path, "other_base", theirs=manifest.get("base"), ours=base)
    counts, files = manifest.get("graphs"), manifest.get("files")
    if not isinstance(counts, dict) or not isinstance(files, list):
        raise _problem(manifest_path, "bad_manifest", reason="no graphs or files list")
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    for entry in files:
        for name, triple_list in _read_file(source, entry).items():
            graphs[name].extend(triple_list)
    for graph, triple_list in graphs.items():
        if counts.get(graph) != len(triple_list):
            raise _problem(manifest_path, "count", graph=graph, found=len(triple_list),
                           expected=counts.get(graph, 0))
    missing = sorted(set(counts) - set(graphs))
    if missing:
        raise _problem(manifest_path, "count", graph=missing[0], found=0,
                       expected=counts[missing[0]])
    return dict(graphs)


def _read_file(source: Path, entry: Any) -> dict[str, list[ox.Triple]]:
    """One listed file's graphs, checked: a safe name, its size, its sha256, and that it parses."""
    manifest_path = source / MANIFEST
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise _problem(manifest_path, "bad_manifest", reason=f"bad file entry {entry!r}")
    name = PurePosixPath(entry["name"])
    if name.is_absolute() or ".." in name.parts or entry.get("format") not in _RDF_FORMATS:
        raise _problem(manifest_path, "bad_manifest", reason=f"bad file entry {entry['name']!r}")
    path = source / name
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise _problem(path, "unreadable", reason=exc.strerror or str(exc)) from None
    if len(blob) != entry.get("bytes") or hashlib.sha256(blob).hexdigest() != entry.get("sha256"):
        raise _problem(path, "checksum")
    rdf_format = _RDF_FORMATS[entry["format"]]
    out: dict[str, list[ox.Triple]] = defaultdict(list)
    try:
        if rdf_format is ox.RdfFormat.N_QUADS:
            for q in ox.parse(blob, format=rdf_format):
                if not isinstance(q.graph_name, ox.NamedNode):
                    raise _problem(path, "default_graph")
                out[q.graph_name.value].append(q.triple)
        else:
            graph = ox.NamedNode(str(entry.get("graph")))
            out[graph.value] = [q.triple if isinstance(q, ox.Quad) else q
                                for q in ox.parse(blob, format=rdf_format)]
    except (SyntaxError, ValueError) as exc:
        raise _problem(path, "unparsable", reason=str(exc)) from None
    return out


def restore(store: Store, source: Path, *, base: str) -> BackupReport:
    """Replace the store's whole content with the backup in source, after checking it all."""
    graphs = read_backup(source, base=base)
    store.replace_all(graphs)
    size = 0
    with contextlib.suppress(OSError):
        size = sum(p.stat().st_size for p in Path(source).rglob("*") if p.is_file())
    return BackupReport(Path(source), len(graphs), sum(len(t) for t in graphs.values()), size)
