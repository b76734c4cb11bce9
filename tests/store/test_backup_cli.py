"""`migkg backup` / `migkg restore` as a user runs them: exit codes, messages, both backends."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.config import Settings
from kg.store import open_store
from tests.conftest import load_demo


def store_args(settings: Settings) -> list[str]:
    if settings.endpoint:
        args = ["--endpoint", settings.endpoint, "--update-endpoint", settings.update_endpoint]
        return args + (["--graph-store", settings.graph_store_endpoint]
                       if settings.graph_store_endpoint else [])
    return ["--store", str(settings.store_dir)]


@pytest.mark.remote
@pytest.mark.parametrize("kind", ["embedded", "remote"])
def test_backup_then_restore_from_the_command_line(
        kind: str, tmp_path: Path, settings_for: Callable[[str], Settings]) -> None:
    settings = settings_for(kind)
    with open_store(settings) as store:
        load_demo(store, settings)
        before = sorted(str(q) for q in store.quads())
    run = CliRunner()
    made = run.invoke(main, [*store_args(settings), "backup", str(tmp_path / "b")])
    assert made.exit_code == 0, made.output
    assert made.stderr.startswith("backed up 4 graphs (") and made.stdout == ""
    assert run.invoke(main, [*store_args(settings), "delete", "XAA"]).exit_code == 0
    restored = run.invoke(main, [*store_args(settings), "--lang", "fr", "restore",
                                 str(tmp_path / "b")])
    assert restored.exit_code == 0, restored.output
    assert restored.stderr.startswith("4 graphes restaurés (")
    with open_store(settings) as store:
        assert sorted(str(q) for q in store.quads()) == before
    # A damaged backup: exit 2, one line naming the file, the store as it was.
    manifest = tmp_path / "b" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["graphs"][sorted(data["graphs"])[0]] += 1
    manifest.write_text(json.dumps(data))
    refused = run.invoke(main, [*store_args(settings), "restore", str(tmp_path / "b")])
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"{manifest}::: the backup holds ")
    assert len(refused.stderr.splitlines()) == 1
    with open_store(settings) as store:
        assert sorted(str(q) for q in store.quads()) == before
    taken = run.invoke(main, [*store_args(settings), "backup", str(tmp_path / "b")])
    assert taken.exit_code == 2 and "already exists and is not empty" in taken.stderr
