"""Snapshots of a country as each import wrote it, so that any two imports can be compared.

The store keeps only a country's latest data (and every import's record); a guide-diff
between two earlier imports needs what each of them wrote. Each written import leaves one
gzipped N-Triples file, `<history>/<ISO3>/<import id>.nt.gz` (the import id is the last
segment of its IRI), written atomically. Imports made before this existed have none.
The folder is Settings.history: the `history` setting, else `history` in the state folder
(./var/history by default), on either store backend.
"""

from __future__ import annotations

import gzip
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

SUFFIX = ".nt.gz"
# The import ids pipeline.import_record mints: <UTC stamp>-<12 hex digits>.
IMPORT_ID = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}$")


def import_id(import_iri: str) -> str:
    return import_iri.rstrip("/").rsplit("/", 1)[-1]


def path(folder: Path, iso3: str, ident: str) -> Path | None:
    """The snapshot file of an import, None when the id is not one we mint."""
    if not IMPORT_ID.match(ident):
        return None
    return folder / iso3 / f"{ident}{SUFFIX}"


def save(folder: Path, iso3: str, import_iri: str, triples: Iterable[ox.Triple]) -> Path:
    target = path(folder, iso3, import_id(import_iri))
    if target is None:
        raise ValueError(f"not an import IRI: {import_iri}")
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = sorted(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        # mtime=0: same data, same bytes.
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            out.write("".join(lines).encode())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def available(folder: Path, iso3: str) -> set[str]:
    """The import ids of a country that have a snapshot."""
    country = folder / iso3
    if not country.is_dir():
        return set()
    return {p.name[: -len(SUFFIX)] for p in country.glob(f"*{SUFFIX}")
            if IMPORT_ID.match(p.name[: -len(SUFFIX)])}


def import_time(ident: str) -> str:
    """When an import started, from its id, as 'YYYY-MM-DD HH:MM:SS UTC'."""
    stamp = ident.split("-", 1)[0]
    return (f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}:"
            f"{stamp[13:15]} UTC")
