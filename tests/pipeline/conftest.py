"""A small, valid questionnaire written to disk, and ways to spoil it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories.questionnaires import write_csv

SMALL: dict[str, list[dict[str, str]]] = {
    "country": [{
        "iso3": "XZZ", "name": "Test Republic", "name_fr": "République de test",
        "coordinator": "moi", "mp_status": "in_preparation", "mp_last_edition": "2019",
        "notes": "Fictional test country.",
    }],
    "actors": [
        {"id": "moi", "name": "Ministry of the Interior", "name_fr": "Ministère de l'Intérieur",
         "type": "ministry", "domains": "border_management; trends",
         "policy_stages": "formulation;decision", "email": "info@moi.test.example",
         "phone": "+999 1 23", "contact_person": "Head of unit", "wg_member": "yes",
         "website": "https://moi.test.example/", "source": "r1"},
        {"id": "nso", "name": "National Statistics Office", "type": "statistics_office",
         "domains": "trends", "policy_stages": "monitoring_evaluation",
         "email": "secret@nso.test.example", "contact_visibility": "restricted",
         "wg_member": "no"},
        {"id": "dir", "name": "Directorate of Borders", "type": "government_agency",
         "parent": "moi", "domains": "border_management"},
    ],
    "data_sources": [
        {"id": "census", "title": "Population census", "kind": "census", "status": "existing",
         "producer": "nso", "users": "moi", "domains": "trends", "periodicity": "decennial",
         "latest_year": "2020", "access": "public", "url": "https://nso.test.example/census"},
        {"id": "border-db", "title": "Border database", "kind": "border_crossing_records",
         "status": "potential", "producer": "dir", "domains": "border_management"},
    ],
    "relations": [
        {"subject": "nso", "relation": "shares_data_with", "object": "moi", "note": "monthly"},
        {"subject": "dir", "relation": "reports_to", "object": "moi"},
    ],
    "challenges": [
        {"id": "late-data", "title": "Data arrive late", "category": "update_capacity",
         "affects": "census; nso", "corrective_action": "Quarterly releases",
         "action_status": "in_progress", "responsible": "nso"},
    ],
    "recommendations": [
        {"id": "share-more", "text": "Share border data monthly", "area": "cooperation",
         "addressed_to": "dir", "addresses": "late-data", "priority": "high"},
    ],
    "practices": [
        {"id": "census-use", "title": "Census used for planning", "actors": "moi",
         "data_sources": "census", "policy_stage": "formulation", "year": "2021"},
    ],
    "process": [
        {"id": "ws", "activity": "national_workshop", "date": "2021-05", "participants": "moi"},
    ],
    "references": [
        {"id": "r1", "title": "Annual report", "publisher": "Ministry", "year": "2021"},
    ],
}


def write_questionnaire(folder: Path, tables: dict[str, list[dict[str, str]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        write_csv(folder, name, rows)
    return folder


def copy_tables() -> dict[str, list[dict[str, str]]]:
    return {name: [dict(r) for r in rows] for name, rows in SMALL.items()}


@pytest.fixture
def small_folder(tmp_path: Path) -> Path:
    return write_questionnaire(tmp_path / "xzz", copy_tables())
