"""Synthetic questionnaires in the template's CSV format, for the import benchmarks and tests.

Deterministic (seeded) and valid: every reference resolves, every code exists.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

DOMAINS = ["trends", "border_management", "crisis_migration", "migration_development",
           "labour_migration", "diaspora", "asylum_protection", "remittances"]
STAGES = ["needs_identification", "formulation", "decision", "implementation",
          "monitoring_evaluation", "reformulation"]
TYPES = ["ministry", "government_agency", "statistics_office", "local_authority", "parliament",
         "international_organisation", "development_partner", "academia_research",
         "civil_society", "private_sector"]
KINDS = ["census", "household_survey", "administrative_register", "border_crossing_records",
         "visa_residence_permits", "work_permits", "research_study", "other"]
RELATIONS = ["shares_data_with", "coordinates", "supports", "funds", "member_of", "reports_to"]
CATEGORIES = ["understanding", "dissemination", "ownership", "update_capacity", "data_use"]
STATUSES = ["proposed", "in_progress", "implemented", "effective"]
AREAS = ["cooperation", "training_human_resources", "data_collection",
         "border_management_information", "crisis_migration_information"]


def iso3_codes(n: int) -> list[str]:
    """User-assigned codes XAA.. (never real countries)."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [f"X{letters[i // 26]}{letters[i % 26]}" for i in range(n)]


def write_csv(folder: Path, name: str, rows: list[dict[str, str]]) -> None:
    """One template file from row dicts; the header is the union of their keys, in order."""
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def write_country(folder: Path, iso3: str, *, actors: int = 50, sources: int = 40,
                  relations: int = 60, challenges: int = 30, recommendations: int = 30,
                  practices: int = 10, process: int = 7, references: int = 13,
                  seed: int = 0) -> Path:
    rnd = random.Random(f"{iso3}-{seed}")
    folder.mkdir(parents=True, exist_ok=True)
    refs = [f"ref-{i}" for i in range(references)]
    actor_ids = [f"actor-{i}" for i in range(actors)]

    def some(items: list[str], k: int) -> str:
        return "; ".join(rnd.sample(items, min(k, len(items))))

    write_csv(folder, "country", [{
        "iso3": iso3, "name": f"Synthetic country {iso3}", "name_fr": f"Pays synthétique {iso3}",
        "coordinator": actor_ids[0], "mp_status": "published", "mp_last_edition": "2020",
        "notes": "Fictional synthetic data for benchmarks.",
    }])
    write_csv(folder, "actors", [{
        "id": a, "name": f"Actor {i} of {iso3}", "name_fr": f"Acteur {i} de {iso3}",
        "acronym": f"A{i}", "type": TYPES[i % len(TYPES)],
        "parent": actor_ids[i // 5] if i >= 5 and i % 3 == 0 else "",
        "domains": some(DOMAINS, 2), "policy_stages": some(STAGES, 2),
        "role": "Collects and publishes figures.", "email": f"unit{i}@{iso3.lower()}.example",
        "phone": f"+999 {i:04d}", "contact_person": "Head of statistics unit",
        "contact_visibility": "restricted" if i % 7 == 0 else "public",
        "wg_member": "yes" if i % 2 else "no", "source": some(refs, 1),
    } for i, a in enumerate(actor_ids)])
    write_csv(folder, "data_sources", [{
        "id": f"source-{i}", "title": f"Source {i}", "title_fr": f"Source {i}",
        "kind": KINDS[i % len(KINDS)], "status": "existing" if i % 4 else "potential",
        "producer": some(actor_ids, 1), "users": some(actor_ids, 2), "domains": some(DOMAINS, 2),
        "periodicity": "annual", "latest_year": str(2005 + i % 20), "access": "public",
        "url": f"https://data.{iso3.lower()}.example/{i}", "source": some(refs, 1),
    } for i in range(sources)])
    pairs: set[tuple[str, str, str]] = set()
    while len(pairs) < relations:
        s, o = rnd.sample(actor_ids, 2)
        pairs.add((s, rnd.choice(RELATIONS), o))
    write_csv(folder, "relations", [{"subject": s, "relation": r, "object": o, "note": "",
                                  "source": some(refs, 1)} for s, r, o in sorted(pairs)])
    write_csv(folder, "challenges", [{
        "id": f"challenge-{i}", "title": f"Challenge {i}", "category": CATEGORIES[i % 5],
        "affects": some(actor_ids, 1), "domains": some(DOMAINS, 1),
        "corrective_action": f"Action {i}", "action_status": STATUSES[i % 4],
        "responsible": some(actor_ids, 1), "source": some(refs, 1),
    } for i in range(challenges)])
    write_csv(folder, "recommendations", [{
        "id": f"rec-{i}", "text": f"Recommendation {i}", "area": AREAS[i % 5],
        "addressed_to": some(actor_ids, 1), "addresses": f"challenge-{i % challenges}",
        "priority": "high",
    } for i in range(recommendations)])
    write_csv(folder, "practices", [{
        "id": f"practice-{i}", "title": f"Practice {i}", "actors": some(actor_ids, 2),
        "data_sources": f"source-{i % sources}", "policy_stage": STAGES[i % 6], "year": "2019",
    } for i in range(practices)])
    acts = ["expression_of_interest", "questionnaire", "desk_research", "national_workshop",
            "analysis_drafting", "endorsement", "publication"]
    write_csv(folder, "process", [{
        "id": f"step-{i}", "activity": acts[i % 7], "date": f"20{14 + i:02d}-01",
        "participants": actor_ids[0],
    } for i in range(process)])
    write_csv(folder, "references", [{
        "id": r, "title": f"Report {r}", "publisher": "Synthetic publisher", "year": "2020",
    } for r in refs])
    return folder
