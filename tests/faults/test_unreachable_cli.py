"""Issue 15 part 6: every command that needs the store, pointed at an endpoint nobody answers,
exits 3 with one line naming the endpoint, and never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kg.resources import demo_countries_dir
from tests.conftest import run_migkg


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A backup and an export made from a real (embedded) store, for restore and guide-diff."""
    root = tmp_path_factory.mktemp("unreachable")
    store = root / "store"
    assert run_migkg(store, "import", str(demo_countries_dir() / "XAC")).exit_code == 0
    assert run_migkg(store, "backup", str(root / "backup")).exit_code == 0
    export = root / "XAC.trig"
    assert run_migkg(store, "export", "--country", "XAC", "-o", str(export)).exit_code == 0
    return {"backup": root / "backup", "export": export, "out": root}


COMMANDS = {
    "countries": ["countries"],
    "query": ["query", "actors", "-p", "country=XAC"],
    "sparql": ["sparql", "-"],
    "export": ["export"],
    "delete": ["delete", "XAC"],
    "import": ["import", "{demo}"],
    "demo": ["demo"],
    "guide": ["guide", "XAC", "-o", "{out}/g.html"],
    "guide-diff": ["guide-diff", "XAC", "--from", "{export}"],
    "network": ["network", "XAC", "--format", "json", "-o", "{out}/n.json"],
    "network-summary": ["network-summary", "XAC"],
    "questionnaire": ["questionnaire", "XAC", "-o", "{out}/q.xlsx"],
    "backup": ["backup", "{out}/new-backup"],
    "restore": ["restore", "{backup}"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_unreachable_endpoint_exits_3_naming_it(name: str, files: dict[str, Path]) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}/query"
    args = [a.format(demo=demo_countries_dir() / "XAC", **files) for a in COMMANDS[name]]
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["--endpoint", endpoint, *args],
                                input="SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert result.exit_code == 3, (result.exit_code, result.stderr, result.exception)
    errors = [line for line in result.stderr.splitlines() if line.startswith("migkg: ")]
    assert len(errors) == 1 and endpoint in errors[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout
