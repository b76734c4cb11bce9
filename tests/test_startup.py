"""Start-up cost: the command line imports no heavy library before a command needs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Each of these takes 50-500 ms to import; `migkg --help` must not pay for any of them.
HEAVY = ("matplotlib", "weasyprint", "docx", "flask", "rdflib", "pyshacl", "networkx",
         "openpyxl", "jinja2", "SPARQLWrapper", "kg.pipeline", "kg.validate", "kg.guide",
         "kg.network", "webapp")

PROBE = """
import importlib.util, json, sys
import kg.cli, kg.cli.commands
if importlib.util.find_spec("kg.service") is not None:
    import kg.service  # the use-case layer the shells go through: lazy as well
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {0} or m in {0})))
"""


def test_importing_the_cli_imports_nothing_heavy() -> None:
    code = PROBE.replace("{0}", repr(set(HEAVY)))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout) == []


def test_help_lists_every_command_without_them() -> None:
    code = ("import sys\nfrom kg.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in sys.modules if m in {set(HEAVY)!r}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    *_, loaded = out.stdout.strip().splitlines()
    assert loaded == "[]"
    for command in ("import", "query", "guide", "network", "serve", "export"):
        assert f"  {command} " in out.stdout
