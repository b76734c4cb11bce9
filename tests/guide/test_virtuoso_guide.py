"""`migkg guide` on the second engine: Virtuoso 7.2 gives the same guide as the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.store import open_store
from tests.conftest import virtuoso_settings

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.remote
@pytest.mark.virtuoso
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_migkg_guide_on_virtuoso_gives_the_golden_guide(pinned_store, virtuoso_server,
                                                        lang: str) -> None:
    settings = virtuoso_settings(virtuoso_server)
    with open_store(settings) as server:  # the pinned demo graphs, byte for byte
        server.replace_all({g: pinned_store.graph_triples(g) for g in pinned_store.graphs()})
    try:
        result = CliRunner().invoke(main, [
            "--endpoint", settings.endpoint, "--update-endpoint", settings.update_endpoint,
            "--graph-store", settings.graph_store_endpoint,
            "guide", "XAA", "--lang", lang, "--format", "md", "-o", "-"],
            env={"MIGKG_ENDPOINT_DATASET": "named", "MIGKG_CONFIG": ""})
    finally:
        # Emptied for the next user of the session's server: the golden-query fixture reloads
        # an empty server, but cannot tell these graphs from its own by their size.
        with open_store(settings) as server:
            server.replace_all({})
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (GOLDEN / f"XAA.{lang}.md").read_text(encoding="utf-8")
