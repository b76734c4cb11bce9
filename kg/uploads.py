"""Uploaded questionnaires waiting for confirmation.

A staged upload is a folder `<state>/uploads/<token>/` holding the file under its (cleaned)
name and `upload.json` (name, sha256, size, user, time). It is checked when staged, and
again when confirmed: a file whose SHA-256 is no longer the one the user saw in the report
is refused. Folders older than STAGED_TTL_S are swept. Any worker process can confirm what
another staged (the folder is on disk, not in memory).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kg.config import Settings
from kg.errors import InputError, Location, NotFound, Problem, TooLarge

ACCEPTED = (".zip", ".xlsx")
STAGED_TTL_S = 24 * 3600
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}\Z")
META = "upload.json"
CHUNK = 1 << 16


@dataclass(frozen=True)
class Staged:
    token: str
    name: str
    sha256: str
    size: int
    user: str
    created: float
    path: Path


def clean_name(name: str) -> str:
    """A file name safe on disk that still reads like the user's (letters of any script)."""
    base = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    base = "".join(c for c in base if c.isalnum() or c in "._- ").strip(" .")
    return base[:100] or "upload"


def _uploads(settings: Settings) -> Path:
    return settings.state / "uploads"


def sweep(settings: Settings, now: float | None = None) -> None:
    """Remove staged uploads older than STAGED_TTL_S."""
    now = time.time() if now is None else now
    folder = _uploads(settings)
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        try:
            if now - entry.stat().st_mtime > STAGED_TTL_S:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


def stage(settings: Settings, name: str, stream: BinaryIO, user: str) -> Staged:
    """Save an uploaded file (size limit checked while reading); InputError for a name that is
    neither .zip nor .xlsx, TooLarge past the upload limit."""
    shown = clean_name(name or "")
    suffix = Path(shown).suffix.lower()
    if suffix not in ACCEPTED:
        raise InputError(Problem(Location(shown), "admin.upload.bad_type",
                                 {"allowed": ", ".join(ACCEPTED)}))
    limit = settings.limits.max_upload_bytes
    sweep(settings)
    token = secrets.token_urlsafe(24)
    folder = _uploads(settings) / token
    folder.mkdir(parents=True, mode=0o700)
    target = folder / shown
    digest, size = hashlib.sha256(), 0
    try:
        with target.open("wb") as fh:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(Problem(Location(shown), "admin.upload.too_large",
                                           {"limit": f"{limit:,}"}))
                digest.update(chunk)
                fh.write(chunk)
        if size == 0:
            raise InputError(Problem(Location(shown), "admin.upload.empty", {}))
        staged = Staged(token, shown, digest.hexdigest(), size, user, time.time(), target)
        (folder / META).write_text(json.dumps(
            {"name": shown, "sha256": staged.sha256, "size": size, "user": user,
             "created": staged.created}), encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return staged


def _not_found(token: str) -> NotFound:
    return NotFound(Problem(Location(column="upload"), "admin.upload.gone", {}))


def staged(settings: Settings, token: str) -> Staged:
    """A staged upload by its token; NotFound when it is unknown, swept or malformed."""
    if not TOKEN_RE.match(token or ""):
        raise _not_found(token)
    folder = _uploads(settings) / token
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise _not_found(token) from None
    return Staged(token, meta["name"], meta["sha256"], meta["size"], meta["user"],
                  meta["created"], folder / meta["name"])


def verify(settings: Settings, token: str, expected_sha256: str) -> Staged:
    """The staged upload if its file still has the checksum the user confirmed; else an
    InputError (nothing is written)."""
    item = staged(settings, token)
    digest = hashlib.sha256()
    try:
        with item.path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
    except OSError:
        raise _not_found(token) from None
    actual = digest.hexdigest()
    if not secrets.compare_digest(actual, item.sha256) or not secrets.compare_digest(
            actual, (expected_sha256 or "").strip().lower()):
        raise InputError(Problem(Location(item.name), "admin.upload.changed",
                                 {"expected": (expected_sha256 or "")[:64], "actual": actual}))
    return item


def discard(settings: Settings, token: str) -> None:
    if TOKEN_RE.match(token or ""):
        shutil.rmtree(_uploads(settings) / token, ignore_errors=True)
