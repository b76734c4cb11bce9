"""check_all checks several questionnaires in worker processes: the same answer as one by one."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kg import pipeline
from kg.config import Settings
from kg.errors import ValidationError
from tests.pipeline.conftest import copy_tables, write_questionnaire


def country(folder: Path, iso3: str, **edits: dict[str, str]) -> Path:
    """The small questionnaire as country iso3; edits: table -> {column: value} of row 1."""
    tables = copy_tables()
    tables["country"][0]["iso3"] = iso3
    for table, values in edits.items():
        tables[table][0].update(values)
    return write_questionnaire(folder / iso3.lower(), tables)


@pytest.fixture
def paths(tmp_path: Path) -> list[Path]:
    return [
        country(tmp_path, "XAA"),
        country(tmp_path, "XAB", actors={"email": "not-an-email"}),  # a cell error
        country(tmp_path / "again", "XAA"),  # the same country twice
        country(tmp_path, "XAC", actors={"parent": "moi"}),  # SHACL: its own parent
        country(tmp_path, "XAD"),
    ]


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let check_all fork: earlier tests may have left idle native threads (OpenBLAS starts
    one when numpy is imported), which make the real _fork_is_safe() say no."""
    monkeypatch.setattr(pipeline, "_fork_is_safe", lambda: True)


def outcome(paths: list[Path], workers: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(pipeline, "CHECK_WORKERS", workers)
    seen: list[str] = []
    with pytest.raises(ValidationError) as info:
        pipeline.check_all(paths, Settings(), progress=seen.append)
    assert seen == [str(p) for p in paths]
    return info.value.lines("en")


def test_pooled_check_reports_the_same_problems_in_the_same_order(paths, monkeypatch, forking):
    serial = outcome(paths, 1, monkeypatch)
    pooled = outcome(paths, 2, monkeypatch)
    assert pooled == serial
    # Several questionnaires: each line starts with its questionnaire's path as given.
    root = str(paths[0].parent)
    assert [line.split(":")[0].replace(root, "T") for line in serial] == [
        "T/xab/actors.csv", "T/xac/actors.csv", "T/again/xaa/country.csv"]


def test_pooled_check_gives_the_same_checked_questionnaires(paths, monkeypatch, forking):
    valid = [paths[4], paths[0], country(paths[0].parent, "XAE")]
    monkeypatch.setattr(pipeline, "CHECK_WORKERS", 1)
    serial = pipeline.check_all(valid, Settings())
    monkeypatch.setattr(pipeline, "CHECK_WORKERS", 2)
    pooled = pipeline.check_all(valid, Settings())
    assert [c.iso3 for c in pooled] == ["XAD", "XAA", "XAE"]
    for a, b in zip(serial, pooled, strict=True):
        assert a.mapped.triples == b.mapped.triples
        assert a.questionnaire.files == b.questionnaire.files
        assert [p.line() for p in a.problems] == [p.line() for p in b.problems]
        assert a.figures == b.figures
        # Rows and the node -> row map stay in the worker (only SHACL locations needed them).
        assert b.mapped.node_rows == {} and b.questionnaire.iso3 == a.questionnaire.iso3


def test_a_threaded_caller_checks_one_by_one(paths, monkeypatch):
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not pipeline._fork_is_safe()
        monkeypatch.setattr(pipeline, "_pool_check", None)  # would fail if a pool were used
        assert outcome(paths, 2, monkeypatch) == outcome(paths, 1, monkeypatch)
    finally:
        stop.set()
        thread.join()
