"""Registers every command module's commands on the `migkg` group."""

from __future__ import annotations

import importlib

from kg.cli import main

# Each module defines click commands and a `register(group)` function.
_MODULES: tuple[str, ...] = (
    "data",
    "serve",
    "network",
    "guide",
    "query",
    "workbook",
    "ops",
    "users",
    "site",
)

for _name in _MODULES:
    importlib.import_module(f"kg.cli.{_name}").register(main)
