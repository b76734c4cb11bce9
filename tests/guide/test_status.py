"""The guide's status comes from the process data (guide-country): draft, endorsed, published."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kg.guide import build_guide, render
from kg.pipeline import import_paths
from kg.store import open_store

# (iso3, process rows as (activity, date, participants)) -> expected status and date.
CASES = {
    "XZA": ([("endorsement", "2024-09-12", "coord; other"), ("publication", "2024-11", "coord")],
            "published", "2024-11"),
    "XZB": ([("endorsement", "2024-09-12", "other"), ("publication", "2024-11-05", "coord")],
            "draft", ""),
    "XZC": ([("endorsement", "2024-09-12", "coord"), ("publication", "2023-01-10", "coord")],
            "endorsed", "2024-09-12"),
    "XZD": ([("endorsement", "2024-09-12", "coord"), ("publication", "2024", "coord")],
            "published", "2024"),
    "XZE": ([("endorsement", "", "coord"), ("publication", "2024-05-01", "other")],
            "published", "2024-05-01"),
    "XZF": ([("national_workshop", "2024-01", "coord; other")], "draft", ""),
}


def write_country(folder: Path, iso3: str, steps: list[tuple[str, str, str]]) -> Path:
    folder.mkdir(parents=True)
    tables = {
        "country": [{"iso3": iso3, "name": f"Test {iso3}", "name_fr": f"Essai {iso3}",
                     "coordinator": "coord"}],
        "actors": [
            {"id": "coord", "name": "Coordination Office", "type": "government_agency",
             "domains": "trends", "policy_stages": "formulation"},
            {"id": "other", "name": "Other Ministry", "type": "ministry",
             "domains": "trends", "policy_stages": "decision"},
        ],
        "process": [{"id": f"s{i}", "activity": a, "date": d, "participants": p}
                    for i, (a, d, p) in enumerate(steps)],
    }
    for name, rows in tables.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return folder


@pytest.fixture(scope="module")
def status_store(tmp_path_factory: pytest.TempPathFactory):
    from kg.config import Settings

    root = tmp_path_factory.mktemp("status")
    settings = Settings(store_dir=root / "store")
    folders = [write_country(root / iso3, iso3, steps) for iso3, (steps, *_rest) in CASES.items()]
    store = open_store(settings)
    import_paths(store, folders, settings, user="tests")
    yield store
    store.close()


@pytest.mark.parametrize("iso3", sorted(CASES))
def test_status_rule(status_store, iso3: str) -> None:
    _steps, status, date = CASES[iso3]
    g = build_guide(status_store, iso3, "en", network=False)
    assert (g.status, g.status_date) == (status, date)
    page = render(g, "html").decode()
    assert f'name="migkg.status" content="{status}"' in page
    assert ('class="watermark"' in page) == (status == "draft")
