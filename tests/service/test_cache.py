"""kg.cache.Kept: least recently used first out, bounded by estimated memory, never a value
computed at another store fingerprint."""

from __future__ import annotations

import pytest

from kg.cache import Kept, rows_cost
from kg.config import Settings
from kg.service import Workspace


def test_values_of_another_fingerprint_are_never_returned() -> None:
    kept = Kept(1000)
    kept.put("a", 1, "old", 10)
    assert kept.get("a", 1) == "old"
    assert kept.get("a", 2) is None
    kept.put("a", 2, "new", 10)
    assert kept.get("a", 2) == "new" and kept.used == 10 and len(kept) == 1


def test_least_recently_used_go_first_when_over_budget() -> None:
    kept = Kept(30)
    for key in "abc":
        kept.put(key, 0, key.upper(), 10)
    assert kept.get("a", 0) == "A"  # a is now the most recently used
    kept.put("d", 0, "D", 10)
    assert kept.get("b", 0) is None
    assert [kept.get(k, 0) for k in "acd"] == ["A", "C", "D"] and kept.used == 30


def test_a_value_larger_than_the_budget_is_not_kept() -> None:
    kept = Kept(30)
    kept.put("a", 0, "A", 10)
    kept.put("huge", 0, "H", 31)
    assert kept.get("huge", 0) is None and kept.get("a", 0) == "A"
    nothing = Kept(0)
    nothing.put("a", 0, "A", 1)
    assert nothing.get("a", 0) is None and len(nothing) == 0


def test_rows_cost_grows_with_rows_and_text() -> None:
    short = rows_cost([{"a": "x", "b": 1}])
    assert rows_cost([{"a": "x", "b": 1}] * 2) == 2 * short
    assert rows_cost([{"a": "x" * 1000, "b": 1}]) == short + 999
    assert rows_cost([]) == 0


@pytest.mark.parametrize("cache_mb", [0, 256])
def test_workspace_answers_are_the_same_with_or_without_the_cache(tmp_path, cache_mb) -> None:
    from kg.service import demo_paths

    settings = Settings(store_dir=tmp_path / "store", cache_mb=cache_mb)
    with Workspace(settings) as ws:
        ws.write(ws.check([p for p in demo_paths() if p.name == "XAC"]), user="tests")
        first = ws.run_query("actors", {"country": "XAC"}, "en").rows
        assert ws.run_query("actors", {"country": "XAC"}, "en").rows == first
        assert len(ws._results) == (1 if cache_mb else 0)
        assert (ws.country("XAC") is ws.country("XAC")) == bool(cache_mb)
