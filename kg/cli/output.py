"""Writing command output: stdout for '-', else atomically to a file (never half-written)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from kg.errors import Location, ParameterError, Problem


class LazyChoice(click.Choice):
    """A click.Choice whose choices come from a module imported only when they are needed
    (the command runs or shows its help), so `migkg --help` does not import it."""

    def __init__(self, load: Callable[[], Sequence[str]], case_sensitive: bool = True) -> None:
        self._load = load
        self._loaded: tuple[str, ...] | None = None
        self.case_sensitive = case_sensitive

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        if self._loaded is None:
            self._loaded = tuple(self._load())
        return self._loaded


def write_output(output: str, data: bytes) -> None:
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(output)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ParameterError(Problem(Location(output), "cli.cannot_write",
                                     {"error": exc.strerror or str(exc)})) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp makes the file private; an exported guide or graph is an ordinary file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_files(folder: str, files: dict[str, bytes]) -> None:
    """Write files into a folder (created if needed), each atomically; other files are left alone."""
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(Problem(Location(folder), "cli.cannot_write",
                                     {"error": exc.strerror or str(exc)})) from None
    for name, data in files.items():
        write_output(str(path / name), data)
