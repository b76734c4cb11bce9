"""The shells (kg/cli, webapp) enter kg through one door: kg.service, plus kg.errors,
kg.config and kg.i18n. Every import in their files is checked, including those inside
functions and under TYPE_CHECKING; third-party imports are limited to the shells' own
frameworks."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHELLS = (ROOT / "kg" / "cli", ROOT / "webapp")
ALLOWED_KG = ("kg.service", "kg.errors", "kg.config", "kg.i18n")
ALLOWED_FROM_KG = {"__version__", "i18n", "errors", "config", "service"}
OWN = ("kg.cli", "webapp")
THIRD_PARTY = {"click", "flask", "werkzeug", "jinja2", "markupsafe", "waitress", "gunicorn"}


def _allowed(module: str) -> bool:
    top = module.split(".")[0]
    if top == "kg":
        return any(module == m or module.startswith(m + ".")
                   for m in (*ALLOWED_KG, *OWN))
    if top == "webapp":
        return True
    return top in sys.stdlib_module_names or top in THIRD_PARTY


def forbidden_imports(source: str, filename: str = "<source>") -> list[str]:
    """`FILE:LINE: import` for every import a shell may not make."""
    out = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            bad = [a.name for a in node.names if not _allowed(a.name)]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside the shell's own package
                continue
            module = node.module or ""
            if module == "kg":
                bad = [f"kg.{a.name}" for a in node.names if a.name not in ALLOWED_FROM_KG]
            else:
                bad = [] if _allowed(module) else [module]
        else:
            continue
        out.extend(f"{filename}:{node.lineno}: {name}" for name in bad)
    return out


def shell_files() -> list[Path]:
    return sorted(p for folder in SHELLS for p in folder.rglob("*.py"))


def test_the_shells_exist():
    assert len(shell_files()) >= 8


@pytest.mark.parametrize("path", shell_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_shells_import_only_the_service_layer(path: Path):
    assert forbidden_imports(path.read_text(encoding="utf-8"),
                             str(path.relative_to(ROOT))) == []


@pytest.mark.parametrize("source", [
    "from kg.store import open_store",
    "import kg.pipeline",
    "from kg import query",
    "def f():\n    from kg.guide.render import render",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from kg.network.load import x",
    "import pyoxigraph",
    "import rdflib.graph",
])
def test_the_check_catches_a_forbidden_import(source: str):
    assert forbidden_imports(source)


def test_the_check_allows_the_door():
    source = ("from kg import i18n, __version__\nfrom kg.service import Workspace\n"
              "from kg.errors import UserError\nimport kg.config\nfrom kg.cli.output import x\n"
              "import click, json\nfrom flask import Flask\nfrom . import pages\n")
    assert forbidden_imports(source) == []


def _imported_modules(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.add(node.module)
    return out


def test_tests_and_benchmarks_share_data_only_through_tests_factories():
    """Synthetic-data factories live in tests/factories: tests never import benchmarks/,
    benchmarks import from tests/ only its factories."""
    wrong = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        wrong += [f"{path.relative_to(ROOT)}: {m}" for m in _imported_modules(path)
                  if m.split(".")[0] == "benchmarks"]
    for path in sorted((ROOT / "benchmarks").glob("*.py")):
        wrong += [f"{path.relative_to(ROOT)}: {m}" for m in _imported_modules(path)
                  if m.split(".")[0] == "tests" and not m.startswith("tests.factories")]
    assert wrong == []
