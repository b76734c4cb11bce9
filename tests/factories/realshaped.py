"""A real-shaped questionnaire (fictional code XGH, modelled on a West African country's
answers): a ministry with directorates, a university with a research centre, an immigration
service known by its acronym, accented French names, eight remittance and three diaspora
sources (sub-domains of migration and development), censuses of one series, one-off studies.

What the graph must say about it (issue 15) is written next to the rows that make it true.
"""

from __future__ import annotations

from pathlib import Path

from tests.factories.questionnaires import write_csv

ISO3 = "XGH"


def actor(id_: str, name: str, name_fr: str = "", *, acronym: str = "", type_: str,
          parent: str = "", domains: str = "", stages: str = "") -> dict[str, str]:
    return {"id": id_, "name": name, "name_fr": name_fr, "acronym": acronym, "type": type_,
            "parent": parent, "domains": domains, "policy_stages": stages}


ACTORS = [
    actor("moi", "Ministry of the Interior", "Ministère de l'Intérieur", acronym="MINT",
          type_="ministry", domains="border_management; trends", stages="decision"),
    # Two directorates of the ministry: related to nobody but their ministry. Not isolated:
    # "no declared relation outside its parent organisation".
    actor("dir-refugees", "Directorate of Refugee Affairs", "Direction des réfugiés",
          type_="government_agency", parent="moi", domains="asylum_protection"),
    actor("dir-returns", "Directorate of Returns", "Direction des retours",
          type_="government_agency", parent="moi", domains="return_reintegration"),
    # An agency under the ministry whose only outside relation is to an NGO: through the
    # hierarchy it is the NGO's only way to the rest of the network.
    actor("gis", "Immigration Service", "Service de l'immigration", acronym="G.I.S.",
          type_="government_agency", parent="moi", domains="border_management",
          stages="implementation"),
    actor("ngo", "Migrants' Rights Network", "Réseau des droits des migrants",
          type_="civil_society", domains="diaspora"),
    actor("nso", "National Statistical Office", "Office national de la statistique",
          acronym="NSO", type_="statistics_office", domains="trends",
          stages="monitoring_evaluation"),
    actor("bank", "Central Bank", "Banque centrale", acronym="BCX", type_="government_agency",
          domains="remittances"),
    actor("mfa", "Ministry of Foreign Affairs", "Ministère des Affaires étrangères",
          acronym="MFA", type_="ministry", domains="diaspora"),
    # A university and its research centre, related to nobody else: the centre is part of
    # the university, the pair is not two isolated actors.
    actor("univ", "University of the Coast", "Université de la Côte", type_="academia_research",
          domains="labour_migration"),
    actor("centre", "Centre for Migration Studies", "Centre d'études des migrations",
          acronym="CMS", type_="academia_research", parent="univ", domains="labour_migration"),
    # Truly isolated: no relation, no parent, no sub-unit.
    actor("dpo", "Disaster Preparedness Office", "Bureau de préparation aux catastrophes",
          type_="government_agency", domains="crisis_migration"),
]

RELATIONS = [
    ("moi", "coordinates", "nso"),
    ("nso", "shares_data_with", "bank"),
    ("bank", "shares_data_with", "mfa"),
    ("gis", "shares_data_with", "ngo"),
]


def source(id_: str, title: str, *, kind: str, producer: str, domains: str,
           periodicity: str = "", latest: str = "", status: str = "existing",
           title_fr: str = "") -> dict[str, str]:
    return {"id": id_, "title": title, "title_fr": title_fr, "kind": kind, "status": status,
            "producer": producer, "domains": domains, "periodicity": periodicity,
            "latest_year": latest}


SOURCES = [
    # One series of censuses: 2000 and 2010 are superseded by 2021, never stale.
    source("census-2000", "2000 Population and Housing Census", kind="census", producer="nso",
           domains="trends", periodicity="decennial", latest="2000"),
    source("census-2010", "2010 Population and Housing Census", kind="census", producer="nso",
           domains="trends", periodicity="decennial", latest="2010"),
    source("census-2021", "2021 Population and Housing Census", kind="census", producer="nso",
           domains="trends", periodicity="decennial", latest="2021",
           title_fr="Recensement général de la population et de l'habitat 2021"),
    # Annual, last published in 2016: stale in 2025 (age 9 > 1 + margin).
    source("lfs", "Labour Force Survey", kind="labour_force_survey", producer="nso",
           domains="labour_migration", periodicity="annual", latest="2016"),
    # One-off studies, however old, are not stale.
    source("study-2008", "Study on return migrants", kind="research_study", producer="centre",
           domains="return_reintegration", periodicity="one_off", latest="2008"),
    source("study-undated", "Survey of nurses working abroad", kind="research_study",
           producer="centre", domains="diaspora", latest="2009"),
    # Continuous and recent: not stale.
    source("arrivals", "Arrivals and departures records", kind="border_crossing_records",
           producer="gis", domains="border_management", periodicity="continuous",
           latest="2024"),
    source("asylum", "Asylum register", kind="asylum_refugee_records", producer="dir-refugees",
           domains="asylum_protection", periodicity="continuous", latest="2024"),
    # Eight remittance sources and three diaspora sources: migration and development has
    # eleven existing sources through its sub-domains.
    *[source(f"remit-{i}", f"Remittance statistics {i}", kind="remittance_statistics",
             producer="bank", domains="remittances", periodicity="quarterly", latest="2024")
      for i in range(1, 9)],
    source("diaspora-1", "Consular register of nationals abroad", kind="consular_registration",
           producer="mfa", domains="diaspora", periodicity="continuous", latest="2024"),
    source("diaspora-2", "Diaspora skills database", kind="database_portal", producer="mfa",
           domains="diaspora", periodicity="continuous", latest="2023"),
    source("diaspora-3", "Diaspora investment survey", kind="migration_survey", producer="mfa",
           domains="diaspora; remittances", periodicity="multi_year", latest="2022"),
]


def write(folder: Path) -> Path:
    """The questionnaire as a CSV folder; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder, "country", [{"iso3": ISO3, "name": "Republic of Gold Coast",
                                   "name_fr": "République de la Côte-de-l'Or",
                                   "coordinator": "moi"}])
    write_csv(folder, "actors", ACTORS)
    write_csv(folder, "data_sources", SOURCES)
    write_csv(folder, "relations", [{"subject": s, "relation": r, "object": o}
                                    for s, r, o in RELATIONS])
    return folder
