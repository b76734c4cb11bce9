"""A realistic country questionnaire, shaped like the real ones working groups send.

A ministry of the interior with its directorates (immigration, border police), a statistics
office, a central bank with its remittance sources, a diaspora agency, a university
research centre; an extra column the template does not know (`confidence`, as several
real questionnaires carry), in actors and data_sources. Valid as written; tests edit
copies of the tables to make the faults they need.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

Tables = dict[str, list[dict[str, str]]]

REAL: Tables = {
    "country": [{
        "iso3": "XRL", "name": "Republic of Realia", "name_fr": "République de Réalie",
        "coordinator": "min-interior", "mp_status": "in_preparation", "mp_last_edition": "2019",
        "notes": "Answers collected at the 2024 national workshop.",
        "reviewed_by": "Working group secretariat",
    }],
    "actors": [
        {"id": "min-interior", "name": "Ministry of the Interior",
         "name_fr": "Ministère de l'Intérieur", "acronym": "MOI", "type": "ministry",
         "parent": "", "domains": "border_management; trends",
         "policy_stages": "formulation; decision", "role": "Lead ministry on migration.",
         "website": "https://interior.realia.example/", "email": "migration@interior.realia.example",
         "contact_visibility": "public", "wg_member": "yes", "source": "r-workshop",
         "confidence": "high"},
        {"id": "dir-immigration", "name": "Directorate of Immigration",
         "name_fr": "Direction de l'immigration", "acronym": "DI", "type": "government_agency",
         "parent": "min-interior", "domains": "border_management; labour_migration",
         "policy_stages": "implementation", "role": "Issues visas and residence permits.",
         "website": "", "email": "", "contact_visibility": "", "wg_member": "yes",
         "source": "r-workshop", "confidence": "medium"},
        {"id": "dir-border-police", "name": "Directorate of Border Police",
         "name_fr": "Direction de la police des frontières", "acronym": "DPF",
         "type": "government_agency", "parent": "min-interior", "domains": "border_management",
         "policy_stages": "implementation", "role": "Records entries and exits.",
         "website": "", "email": "", "contact_visibility": "", "wg_member": "no",
         "source": "", "confidence": ""},
        {"id": "nso", "name": "National Statistics Office",
         "name_fr": "Institut national de la statistique", "acronym": "NSO",
         "type": "statistics_office", "parent": "", "domains": "trends",
         "policy_stages": "monitoring_evaluation", "role": "Runs the census.",
         "website": "https://stats.realia.example/", "email": "focal@stats.realia.example",
         "contact_visibility": "restricted", "wg_member": "yes", "source": "r-workshop",
         "confidence": "high; checked 2024-05"},
        {"id": "central-bank", "name": "Central Bank of Realia",
         "name_fr": "Banque centrale de Réalie", "acronym": "CBR", "type": "government_agency",
         "parent": "", "domains": "remittances; migration_development",
         "policy_stages": "monitoring_evaluation", "role": "Compiles remittance statistics.",
         "website": "", "email": "", "contact_visibility": "", "wg_member": "no",
         "source": "", "confidence": "=low"},
        {"id": "diaspora-agency", "name": "Diaspora Affairs Agency",
         "name_fr": "Agence des affaires de la diaspora", "acronym": "DAA",
         "type": "government_agency", "parent": "", "domains": "diaspora",
         "policy_stages": "implementation", "role": "", "website": "", "email": "",
         "contact_visibility": "", "wg_member": "no", "source": "", "confidence": ""},
        {"id": "univ-research", "name": "Migration Research Centre, University of Realia",
         "name_fr": "", "acronym": "MRC", "type": "academia_research", "parent": "",
         "domains": "trends", "policy_stages": "", "role": "Surveys of return migrants.",
         "website": "", "email": "", "contact_visibility": "", "wg_member": "no",
         "source": "", "confidence": ""},
    ],
    "data_sources": [
        {"id": "census-2020", "title": "2020 Population and Housing Census", "title_fr": "",
         "kind": "census", "status": "existing", "producer": "nso", "users": "min-interior",
         "domains": "trends", "periodicity": "decennial", "latest_year": "2020",
         "access": "public", "url": "", "notes": "", "source": "r-workshop",
         "confidence": "high"},
        {"id": "remittance-bop", "title": "Balance of payments: personal remittances",
         "title_fr": "", "kind": "remittance_statistics", "status": "existing",
         "producer": "central-bank", "users": "", "domains": "remittances",
         "periodicity": "quarterly", "latest_year": "2024", "access": "public", "url": "",
         "notes": "", "source": "", "confidence": "medium"},
        {"id": "remittance-survey", "title": "Survey of remittance-receiving households",
         "title_fr": "", "kind": "household_survey", "status": "potential",
         "producer": "central-bank", "users": "", "domains": "remittances",
         "periodicity": "", "latest_year": "", "access": "", "url": "", "notes": "",
         "source": "", "confidence": ""},
        {"id": "border-records", "title": "Entry and exit records", "title_fr": "",
         "kind": "border_crossing_records", "status": "existing",
         "producer": "dir-border-police", "users": "dir-immigration",
         "domains": "border_management", "periodicity": "continuous", "latest_year": "2024",
         "access": "restricted", "url": "", "notes": "", "source": "", "confidence": ""},
    ],
    "relations": [
        {"subject": "nso", "relation": "shares_data_with", "object": "min-interior",
         "note": "Annual tables.", "source": ""},
        {"subject": "central-bank", "relation": "shares_data_with", "object": "nso",
         "note": "", "source": ""},
    ],
    "references": [
        {"id": "r-workshop", "title": "Report of the national workshop",
         "publisher": "Ministry of the Interior", "year": "2024", "url": ""},
    ],
}

# The columns the template does not know, by file, in the tables above.
UNKNOWN = {"country": ["reviewed_by"], "actors": ["confidence"], "data_sources": ["confidence"]}


def tables() -> Tables:
    """A fresh copy of the realistic country's tables."""
    return {name: [dict(r) for r in rows] for name, rows in REAL.items()}


def write_folder(folder: Path, data: Tables | None = None) -> Path:
    """The questionnaire as a folder of CSV files (the header: the first row's keys)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (data or tables()).items():
        columns: list[str] = []
        for row in rows:
            columns += [c for c in row if c not in columns]
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def write_xlsx(target: Path, data: Tables | None = None) -> Path:
    """The questionnaire as a workbook, one sheet per file, every cell text."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in (data or tables()).items():
        ws = wb.create_sheet(name)
        columns = list(rows[0]) if rows else []
        ws.append(columns)
        for row in rows:
            ws.append([row.get(c, "") for c in columns])
            for cell in ws[ws.max_row]:
                cell.data_type = "s"  # text, as the template's cells are ("=low" is no formula)
    wb.save(target)
    return target
