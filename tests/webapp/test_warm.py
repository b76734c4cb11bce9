"""serve --production warms the pages visitors open most (webapp.warm): afterwards a country
page and its network view run no query, the warming stays within the cache budget, and it
starts again once the store has settled after a change."""

from __future__ import annotations

import dataclasses
import shutil
import time

import pytest

from webapp import create_app
from webapp.warm import Warmer, paths


@pytest.fixture
def warm_app(web_settings, tmp_path):
    """An app over a copy of the web store (the test writes to it)."""
    store_dir = tmp_path / "store"
    shutil.copytree(web_settings.store_dir, store_dir)
    return create_app(dataclasses.replace(web_settings, store_dir=store_dir,
                                          state_dir=tmp_path / "state"))


def _no_store_reads(monkeypatch) -> None:
    import kg.network.load as load
    import kg.query.execute as execute

    def refuse(*args, **kwargs):
        raise AssertionError("the store was read after warming")

    monkeypatch.setattr(execute, "run", refuse)
    monkeypatch.setattr(execute, "rows", refuse)
    monkeypatch.setattr(load, "country", refuse)


def test_warmed_pages_run_no_query(warm_app, monkeypatch):
    ws = warm_app.extensions["migkg_workspace"]
    codes = ws.country_codes()
    opened = Warmer(warm_app).warm_once()
    assert opened == 2 * len(paths(codes))  # both languages
    _no_store_reads(monkeypatch)
    with warm_app.test_client() as client:
        for lang in ("en", "fr"):
            for path in paths(codes):
                assert client.get(path, query_string={"lang": lang}).status_code == 200, path


def test_warming_stops_at_the_budget(web_settings, tmp_path):
    settings = dataclasses.replace(web_settings, cache_mb=1, state_dir=tmp_path)
    app = create_app(settings)
    ws = app.extensions["migkg_workspace"]
    opened = Warmer(app).warm_once()
    assert 0 < opened < 2 * len(paths(ws.country_codes()))
    assert ws.cache_share() >= 0.8


def test_warming_starts_again_when_the_store_changes(warm_app, monkeypatch):
    ws = warm_app.extensions["migkg_workspace"]
    warmer = Warmer(warm_app, interval_s=0.05, settle_s=0.5)
    passes = []
    real = warmer.warm_once
    monkeypatch.setattr(warmer, "warm_once", lambda: passes.append(real()) or passes[-1])
    warmer.start()
    try:
        deadline = time.monotonic() + 60
        while len(passes) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        assert len(passes) == 1  # nothing changed: no second pass
        ws.delete("XAB")
        changed = time.monotonic()
        while len(passes) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(passes) == 2
        assert time.monotonic() - changed >= 0.5  # not before the store settled
        # The second pass saw the store without XAB.
        assert passes[1] == 2 * len(paths(ws.country_codes()))
    finally:
        warmer.stop()
