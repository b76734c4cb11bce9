"""The Workspace keeps named-query answers while the store does not change: a repeated
dashboard query costs nothing, a write (in this process or another) is seen at once, and a
caller changing its rows does not change what the next caller gets."""

from __future__ import annotations

import shutil
import subprocess
import sys

from kg.config import Settings
from kg.service import Workspace, demo_paths


def _store(tmp_path, names=("XAC",)) -> Settings:
    settings = Settings(store_dir=tmp_path / "store")
    with Workspace(settings) as ws:
        ws.write(ws.check([p for p in demo_paths() if p.name in names]), user="tests")
    return settings


def test_repeated_query_is_served_from_the_cache(tmp_path, monkeypatch):
    settings = _store(tmp_path)
    with Workspace(settings) as ws:
        first = ws.run_query("country-summary", {}, "en", capped=False)
        import kg.query.execute as execute

        def fail(*args, **kwargs):
            raise AssertionError("the store was queried again")

        monkeypatch.setattr(execute, "run", fail)
        again = ws.run_query("country-summary", {}, "en", capped=False)
        assert again.rows == first.rows and again.rows is not first.rows
        again.rows[0]["country"] = "changed by a caller"
        assert ws.run_query("country-summary", {}, "en", capped=False).rows == first.rows


def test_a_write_is_seen_at_once(tmp_path):
    settings = _store(tmp_path)
    with Workspace(settings) as ws:
        assert [r["country"] for r in ws.countries().rows] == ["XAC"]
        ws.write(ws.check([p for p in demo_paths() if p.name == "XAB"]), user="tests")
        assert sorted(r["country"] for r in ws.countries().rows) == ["XAB", "XAC"]
        ws.delete("XAB")
        assert [r["country"] for r in ws.countries().rows] == ["XAC"]


def test_another_process_write_is_seen(tmp_path):
    settings = _store(tmp_path)
    xab = next(p for p in demo_paths() if p.name == "XAB")
    migkg = shutil.which("migkg", path=str(__import__("pathlib").Path(sys.executable).parent))
    with Workspace(settings) as ws:
        assert [r["country"] for r in ws.countries().rows] == ["XAC"]
        subprocess.run([migkg, "--store", str(settings.store_dir), "import", str(xab)],
                       check=True, capture_output=True)
        assert sorted(r["country"] for r in ws.countries().rows) == ["XAB", "XAC"]
