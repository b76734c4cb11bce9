"""The audit log: one JSON object per line (Settings.audit_path, `var/audit.jsonl`).

Every login (success and failure), upload, confirmation, deletion and user change is one
record: {"time", "event", "user", "ip", "outcome", ...details}. Each record is written with
one write() on a file opened O_APPEND under an exclusive lock, so concurrent worker processes
never interleave or tear lines; the file is fsynced after each record.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

EVENTS = ("login", "logout", "upload", "confirm", "discard", "delete", "user")
MAX_FIELD_CHARS = 500


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_FIELD_CHARS]
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value][:100]
    if isinstance(value, dict):
        return {str(k)[:100]: _clean(v) for k, v in list(value.items())[:100]}
    return value


def record(path: Path, event: str, *, user: str | None, ip: str | None, outcome: str,
           **details: Any) -> dict[str, Any]:
    """Append one record; returns it."""
    entry = {"time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "event": event,
             "user": user or "", "ip": ip or "", "outcome": outcome}
    entry.update({k: _clean(v) for k, v in details.items()})
    line = (json.dumps(entry, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        written = 0
        while written < len(line):
            written += os.write(fd, line[written:])
        os.fsync(fd)
    finally:
        os.close(fd)  # releases the lock
    return entry


def records(path: Path, limit: int = 500) -> list[dict[str, Any]]:
    """The latest `limit` records, newest first (a torn or foreign line is skipped)."""
    try:
        with path.open("rb") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH)
            tail = deque(fh, maxlen=limit)
    except FileNotFoundError:
        return []
    out = []
    for raw in reversed(tail):
        try:
            item = json.loads(raw)
        except ValueError:
            continue
        if isinstance(item, dict):
            out.append(item)
    return out
