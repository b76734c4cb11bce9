"""The fictional demo countries under data/countries/ follow the questionnaire template.

Checked with the csv module only (independent of the importer): format, codes, ids and
references, the content minimums of each country (XAA complete, XAB mid-way in French,
XAC early with deliberate gaps and warnings), and that every contact is fictional.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

COUNTRIES = Path(__file__).resolve().parents[2] / "data" / "countries"
DEMO = ("XAA", "XAB", "XAC")

# --- the template (../shared/questionnaire-template.md), copied literally -------------------

DOMAINS = ["trends", "border_management", "crisis_migration", "migration_development",
           "labour_migration", "diaspora", "asylum_protection", "trafficking_smuggling",
           "return_reintegration", "remittances"]
SEED_DOMAINS = ["trends", "border_management", "crisis_migration", "migration_development"]
STAGES = ["needs_identification", "formulation", "decision", "implementation",
          "monitoring_evaluation", "reformulation"]
CODES: dict[str, list[str]] = {
    "mp-status": ["none", "in_preparation", "published", "endorsed"],
    "actor-type": ["ministry", "government_agency", "statistics_office", "local_authority",
                   "parliament", "international_organisation", "regional_organisation",
                   "development_partner", "academia_research", "civil_society", "private_sector",
                   "diaspora_organisation"],
    "domain": DOMAINS,
    "policy-stage": STAGES,
    "contact-visibility": ["public", "restricted"],
    "source-kind": ["census", "household_survey", "migration_survey", "labour_force_survey",
                    "administrative_register", "border_crossing_records", "visa_residence_permits",
                    "work_permits", "asylum_refugee_records", "civil_registration",
                    "consular_registration", "remittance_statistics", "research_study",
                    "database_portal", "other"],
    "source-status": ["existing", "potential"],
    "periodicity": ["one_off", "continuous", "monthly", "quarterly", "annual", "multi_year",
                    "decennial", "irregular"],
    "access": ["public", "on_request", "restricted", "unknown"],
    "relation-type": ["shares_data_with", "coordinates", "supports", "funds", "member_of",
                      "reports_to"],
    "challenge-category": ["understanding", "dissemination", "ownership", "update_capacity",
                           "data_use", "coordination", "data_collection", "data_sharing",
                           "capacity_resources", "legal_framework", "quality_comparability"],
    "action-status": ["proposed", "in_progress", "implemented", "effective"],
    "recommendation-area": ["cooperation", "training_human_resources", "data_collection",
                            "border_management_information", "crisis_migration_information",
                            "other"],
    "priority": ["high", "medium", "low"],
    "process-activity": ["expression_of_interest", "questionnaire", "desk_research",
                         "national_workshop", "analysis_drafting", "endorsement", "publication"],
    # template 1.1 (context.csv)
    "context-topic": ["background", "migration_situation", "policy", "law", "strategy",
                      "agreement", "institutional_framework"],
    "instrument-status": ["draft", "adopted", "in_force", "under_revision", "expired"],
}
INSTRUMENTS = ["policy", "law", "strategy", "agreement"]
SEED_CATEGORIES = ["understanding", "dissemination", "ownership", "update_capacity", "data_use"]

# file -> column -> type (see kg/ingest/template.toml for the type names)
TEMPLATE: dict[str, dict[str, str]] = {
    "country": {"iso3": "iso3", "name": "text", "name_fr": "text", "coordinator": "ref:actors",
                "mp_status": "code:mp-status", "mp_last_edition": "year", "notes": "text",
                "foreword": "text", "foreword_fr": "text", "foreword_by": "ref:actors"},
    "actors": {"id": "id", "name": "text", "name_fr": "text", "acronym": "text",
               "type": "code:actor-type", "parent": "ref:actors", "domains": "codes:domain",
               "policy_stages": "codes:policy-stage", "role": "text", "website": "url",
               "email": "email", "phone": "text", "contact_person": "text",
               "contact_visibility": "code:contact-visibility", "wg_member": "bool",
               "source": "refs:references"},
    "data_sources": {"id": "id", "title": "text", "title_fr": "text", "kind": "code:source-kind",
                     "status": "code:source-status", "producer": "refs:actors",
                     "users": "refs:actors", "domains": "codes:domain",
                     "periodicity": "code:periodicity", "latest_year": "year",
                     "access": "code:access", "url": "url", "notes": "text",
                     "source": "refs:references"},
    "relations": {"subject": "ref:actors", "relation": "code:relation-type",
                  "object": "ref:actors", "note": "text", "source": "refs:references"},
    "challenges": {"id": "id", "title": "text", "title_fr": "text", "description": "text",
                   "category": "code:challenge-category", "affects": "refs:actors|data_sources",
                   "domains": "codes:domain", "corrective_action": "text",
                   "action_status": "code:action-status", "responsible": "refs:actors",
                   "source": "refs:references"},
    "recommendations": {"id": "id", "text": "text", "text_fr": "text",
                        "area": "code:recommendation-area", "addressed_to": "refs:actors",
                        "addresses": "refs:challenges", "priority": "code:priority",
                        "source": "refs:references"},
    "practices": {"id": "id", "title": "text", "title_fr": "text", "description": "text",
                  "actors": "refs:actors", "data_sources": "refs:data_sources",
                  "policy_stage": "code:policy-stage", "year": "year",
                  "source": "refs:references"},
    "process": {"id": "id", "activity": "code:process-activity", "date": "date",
                "participants": "refs:actors", "note": "text", "source": "refs:references"},
    "context": {"id": "id", "topic": "code:context-topic", "title": "text", "title_fr": "text",
                "text": "text", "text_fr": "text", "year": "year",
                "status": "code:instrument-status", "responsible": "refs:actors",
                "domains": "codes:domain", "source": "refs:references"},
    "references": {"id": "id", "title": "text", "publisher": "text", "year": "year",
                   "url": "url"},
}
REQUIRED: dict[str, list[str]] = {
    "country": ["iso3"], "actors": ["id", "type"], "data_sources": ["id", "kind", "status"],
    "relations": ["subject", "relation", "object"], "challenges": ["id", "category"],
    "recommendations": ["id", "area"], "practices": ["id"], "process": ["id", "activity"],
    "context": ["id", "topic"], "references": ["id", "title"],
}
ONE_OF: dict[str, tuple[str, str]] = {
    "country": ("name", "name_fr"), "actors": ("name", "name_fr"),
    "data_sources": ("title", "title_fr"), "challenges": ("title", "title_fr"),
    "recommendations": ("text", "text_fr"), "practices": ("title", "title_fr"),
    "context": ("title", "title_fr"),
}
FR_PAIRS = {"actors": "name_fr", "data_sources": "title_fr", "challenges": "title_fr",
            "recommendations": "text_fr", "practices": "title_fr"}

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\Z")
EMAIL = re.compile(r"[^@\s;,]+@([A-Za-z0-9.-]+)\Z")
DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?\Z")
URL_IN_TEXT = re.compile(r"https?://([^/\s;,\"']+)")
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Rows = list[dict[str, str]]


def load(iso3: str) -> dict[str, Rows]:
    """Every CSV file of a country, by stem; cells stripped, empty cells dropped."""
    out: dict[str, Rows] = {}
    for path in sorted((COUNTRIES / iso3).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            out[path.stem] = [{k: v.strip() for k, v in row.items() if v and v.strip()}
                              for row in csv.DictReader(f)]
    return out


def items(cell: str | None) -> list[str]:
    return [v.strip() for v in (cell or "").split(";") if v.strip()]


def parse_date(text: str) -> dt.date:
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def ids(data: dict[str, Rows], stem: str) -> set[str]:
    return {r["id"] for r in data.get(stem, [])}


@pytest.fixture(scope="module", params=DEMO)
def country(request) -> tuple[str, dict[str, Rows]]:
    return request.param, load(request.param)


@pytest.fixture(scope="module")
def xaa() -> dict[str, Rows]:
    return load("XAA")


@pytest.fixture(scope="module")
def xab() -> dict[str, Rows]:
    return load("XAB")


@pytest.fixture(scope="module")
def xac() -> dict[str, Rows]:
    return load("XAC")


# --- every country ---------------------------------------------------------------------------

def test_three_demo_countries_in_their_folders():
    assert sorted(p.name for p in COUNTRIES.iterdir() if p.is_dir()) == list(DEMO)
    for iso3 in DEMO:
        rows = load(iso3)["country"]
        assert len(rows) == 1 and rows[0]["iso3"] == iso3


@pytest.mark.parametrize("iso3", DEMO)
def test_files_are_plain_utf8_csv_with_template_columns(iso3):
    for path in sorted((COUNTRIES / iso3).iterdir()):
        assert path.suffix == ".csv" and path.stem in TEMPLATE, path
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{path}: BOM"
        text = raw.decode("utf-8")
        assert not CONTROL.search(text), f"{path}: control character"
        records = list(csv.reader(text.splitlines(keepends=True)))
        header = records[0]
        assert len(header) == len(set(header)), f"{path}: duplicate column"
        unknown = set(header) - set(TEMPLATE[path.stem])
        assert not unknown, f"{path}: not template columns {unknown}"
        assert set(REQUIRED[path.stem]) <= set(header), path
        for n, record in enumerate(records[1:], start=2):
            assert len(record) == len(header), f"{path}:{n}: {len(record)} cells"


def test_required_cells_and_cell_types(country):
    iso3, data = country
    for stem, rows in data.items():
        for n, row in enumerate(rows, start=2):
            where = f"{iso3}/{stem}.csv:{n}"
            for col in REQUIRED[stem]:
                assert row.get(col), f"{where}:{col}: required"
            if stem in ONE_OF:
                assert any(row.get(c) for c in ONE_OF[stem]), f"{where}: {ONE_OF[stem]}"
            for col, value in row.items():
                kind = TEMPLATE[stem][col]
                here = f"{where}:{col}: {value!r}"
                if kind == "id":
                    assert SLUG.match(value), here
                elif kind.startswith("code:"):
                    assert value in CODES[kind[5:]], here
                elif kind.startswith("codes:"):
                    vals = items(value)
                    assert vals and all(v in CODES[kind[6:]] for v in vals), here
                    assert len(vals) == len(set(vals)), here
                elif kind == "year":
                    assert value.isdigit() and 1900 <= int(value) <= 2100, here
                elif kind == "url":
                    assert value.startswith("https://"), here
                elif kind == "email":
                    assert EMAIL.match(value), here
                elif kind == "date":
                    assert DATE.match(value), here
                    parse_date(value)  # a real calendar date
                elif kind == "bool":
                    assert value in ("yes", "no"), here
                elif kind == "iso3":
                    assert re.fullmatch(r"X[A-Z]{2}", value), here  # user-assigned range


def test_ids_unique(country):
    iso3, data = country
    for stem, rows in data.items():
        if stem == "relations":
            keys = [(r["subject"], r["relation"], r["object"]) for r in rows]
        elif stem == "country":
            continue
        else:
            keys = [r["id"] for r in rows]
        dupes = [k for k, c in Counter(keys).items() if c > 1]
        assert not dupes, f"{iso3}/{stem}: duplicates {dupes}"


def test_references_resolve_to_the_right_file(country):
    iso3, data = country
    for stem, rows in data.items():
        for n, row in enumerate(rows, start=2):
            for col, value in row.items():
                kind = TEMPLATE[stem][col]
                if not kind.startswith("ref"):
                    continue
                targets = kind.split(":", 1)[1].split("|")
                known = set().union(*(ids(data, t) for t in targets))
                for ref in items(value):
                    assert ref in known, f"{iso3}/{stem}.csv:{n}:{col}: {ref!r} not in {targets}"
                if kind.startswith("ref:"):
                    assert len(items(value)) == 1, f"{iso3}/{stem}.csv:{n}:{col}: one id only"


def test_parents_have_no_cycle_and_relations_no_loop(country):
    iso3, data = country
    parent = {r["id"]: r["parent"] for r in data["actors"] if r.get("parent")}
    for start in parent:
        seen, node = {start}, parent[start]
        while node in parent:
            assert node not in seen, f"{iso3}: parent cycle through {start}"
            seen.add(node)
            node = parent[node]
    for r in data.get("relations", []):
        assert r["subject"] != r["object"], f"{iso3}: self relation {r}"


def test_notes_say_fictional(country):
    iso3, data = country
    notes = data["country"][0]["notes"].lower()
    assert "fictional" in notes and "fictives" in notes, iso3


def test_contacts_are_fictional(country):
    """Every web address and e-mail is under .example; phones use the unassigned +999 code;
    contact persons are functions, never personal names."""
    iso3, data = country
    functions = re.compile(r"head|director|officer|secretary|clerk|coordinator|chef|directeur|"
                           r"secrétaire|responsable|chargé", re.I)
    for stem, rows in data.items():
        for row in rows:
            for col, value in row.items():
                for host in URL_IN_TEXT.findall(value) + EMAIL_IN_TEXT.findall(value):
                    assert host.lower().endswith(".example"), f"{iso3}/{stem}:{col}: {value}"
                if col == "phone":
                    assert value.startswith("+999 "), f"{iso3}/{stem}: {value}"
                if col == "contact_person":
                    assert functions.search(value), f"{iso3}/{stem}: {value} is not a function"


# --- XAA: complete ---------------------------------------------------------------------------

def _graph(data: dict[str, Rows]) -> dict[str, set[str]]:
    adj: dict[str, set[str]] = {a["id"]: set() for a in data["actors"]}
    for r in data["relations"]:
        adj[r["subject"]].add(r["object"])
        adj[r["object"]].add(r["subject"])
    return adj


def _components(adj: dict[str, set[str]], drop_node: str = "",
                drop_edge: tuple[str, str] = ("", "")) -> list[set[str]]:
    seen: set[str] = set()
    comps = []
    for start in adj:
        if start in seen or start == drop_node or not adj[start]:
            continue
        comp, stack = {start}, [start]
        while stack:
            node = stack.pop()
            for nxt in adj[node]:
                if nxt == drop_node or {node, nxt} == set(drop_edge) or nxt in comp:
                    continue
                comp.add(nxt)
                stack.append(nxt)
        seen |= comp
        comps.append(comp)
    return comps


def test_xaa_actors(xaa):
    actors = xaa["actors"]
    assert len(actors) >= 40
    assert {a["type"] for a in actors} == set(CODES["actor-type"])
    assert sum(1 for a in actors if a.get("parent")) >= 8
    assert all(a.get("domains") for a in actors), "XAA must be warning-free"
    assert sum(1 for a in actors if a.get("policy_stages")) >= 0.9 * len(actors)
    assert {s for a in actors for s in items(a.get("policy_stages"))} == set(STAGES)
    assert all(a.get("wg_member") in ("yes", "no") for a in actors)
    assert {a["wg_member"] for a in actors} == {"yes", "no"}
    assert sum(1 for a in actors if a.get("name_fr")) >= 0.75 * len(actors)
    public = [a for a in actors if a.get("email") and a.get("contact_visibility") != "restricted"]
    restricted = [a for a in actors if a.get("contact_visibility") == "restricted"]
    assert len(public) >= 10 and len(restricted) >= 3
    assert sum(1 for a in actors if a.get("website")) >= 10
    assert sum(1 for a in actors if a.get("contact_person")) >= 10
    coordinator = xaa["country"][0]["coordinator"]
    assert coordinator in ids(xaa, "actors")
    assert xaa["country"][0].get("mp_status") and xaa["country"][0].get("mp_last_edition")


def test_xaa_sources(xaa):
    sources = xaa["data_sources"]
    assert len(sources) >= 25
    assert {s["kind"] for s in sources} == set(CODES["source-kind"])
    assert {s["status"] for s in sources} == {"existing", "potential"}
    covered = {d for s in sources for d in items(s.get("domains"))}
    assert set(SEED_DOMAINS) <= covered and len(covered - set(SEED_DOMAINS)) >= 4
    for domain in SEED_DOMAINS:
        assert any(domain in items(s.get("domains")) and s["status"] == "existing"
                   for s in sources), domain
    existing = [s for s in sources if s["status"] == "existing"]
    assert all(s.get("producer") for s in existing), "XAA must be warning-free"
    assert sum(1 for s in sources if s.get("users")) >= 15
    assert sum(1 for s in existing if s.get("periodicity") and s.get("latest_year")
               and s.get("access")) >= 0.9 * len(existing)
    assert sum(1 for s in sources if s.get("url")) >= 5
    assert sum(1 for s in sources if s.get("title_fr")) >= 0.75 * len(sources)


def test_xaa_network(xaa):
    relations = xaa["relations"]
    assert len(relations) >= 30
    assert {r["relation"] for r in relations} == set(CODES["relation-type"])
    adj = _graph(xaa)
    linked = {a for a, n in adj.items() if n}
    assert len(_components(adj)) == 1, "actors with relations form one network"
    # brokers: at least two well-connected actors whose removal cuts the network
    brokers = [a for a in linked if len(adj[a]) >= 6 and len(_components(adj, drop_node=a)) > 1]
    assert len(brokers) >= 2, brokers
    # a bridge between two groups of several actors (not just a leaf)
    edges = {tuple(sorted((r["subject"], r["object"]))) for r in relations}
    splits = [[len(c) for c in _components(adj, drop_edge=e)] for e in edges]
    assert any(len(sizes) == 2 and min(sizes) >= 2 for sizes in splits)
    # an isolated producer: no relation, sole producer of a source nobody else uses
    isolated = {a for a, n in adj.items() if not n}
    lonely = [s for s in xaa["data_sources"]
              if not s.get("users") and len(items(s.get("producer"))) == 1
              and items(s["producer"])[0] in isolated]
    assert lonely


def test_xaa_challenges_and_recommendations(xaa):
    challenges = xaa["challenges"]
    assert len(challenges) >= 10
    categories = {c["category"] for c in challenges}
    assert set(SEED_CATEGORIES) <= categories and len(categories) >= 9
    assert {c["action_status"] for c in challenges} == set(CODES["action-status"])
    for c in challenges:
        assert c.get("corrective_action") and c.get("action_status"), c["id"]
        assert c.get("responsible"), c["id"]
        assert c.get("affects") and c.get("description") and c.get("domains"), c["id"]
    recs = xaa["recommendations"]
    assert len(recs) >= 10
    assert {r["area"] for r in recs} == set(CODES["recommendation-area"])
    assert all(r.get("addressed_to") and r.get("addresses") and r.get("priority") for r in recs)
    practices = xaa["practices"]
    assert len(practices) >= 4
    assert len({p["policy_stage"] for p in practices}) >= 4
    assert all(p.get("actors") and p.get("data_sources") and p.get("year") for p in practices)


def test_xaa_process_is_complete_and_endorsed(xaa):
    process = xaa["process"]
    order = [p["activity"] for p in sorted(process, key=lambda p: parse_date(p["date"]))]
    assert order == CODES["process-activity"]
    coordinator = xaa["country"][0]["coordinator"]
    endorsement = next(p for p in process if p["activity"] == "endorsement")
    publication = next(p for p in process if p["activity"] == "publication")
    assert coordinator in items(endorsement["participants"])
    assert parse_date(publication["date"]) > parse_date(endorsement["date"])


def test_xaa_references_are_cited_across_files(xaa):
    refs = ids(xaa, "references")
    assert len(refs) >= 6
    cited: dict[str, set[str]] = {}
    for stem, rows in xaa.items():
        for row in rows:
            for ref in items(row.get("source")):
                cited.setdefault(ref, set()).add(stem)
    assert set(cited) == refs, refs - set(cited)
    assert len({stem for stems in cited.values() for stem in stems}) >= 6


def test_xaa_has_a_foreword_and_a_complete_context(xaa):
    """Template 1.1: a foreword in both languages signed by the coordinator, and every
    context topic, every instrument status, each instrument with year, responsible, domains."""
    country = xaa["country"][0]
    assert country.get("foreword") and country.get("foreword_fr")
    assert country["foreword_by"] == country["coordinator"]
    context = xaa["context"]
    assert {r["topic"] for r in context} == set(CODES["context-topic"])
    instruments = [r for r in context if r["topic"] in INSTRUMENTS]
    assert {r["status"] for r in instruments} == set(CODES["instrument-status"])
    for r in instruments:
        assert r.get("year") and r.get("responsible") and r.get("domains"), r["id"]
    assert not [r["id"] for r in context if r["topic"] not in INSTRUMENTS and r.get("status")]
    assert sum(1 for r in context if r.get("title_fr") and r.get("text_fr")) >= 0.8 * len(context)


# --- XAB: mid-way, in French -----------------------------------------------------------------

FRENCH = re.compile(r"[éèêàçùôî]|\b(le|la|les|des|du|de|et|aux?|en|une?|sur|pour)\b", re.I)


def test_xab_midway_sizes(xab):
    assert 15 <= len(xab["actors"]) <= 20
    assert 8 <= len(xab["data_sources"]) <= 12
    assert 8 <= len(xab["relations"]) <= 14
    assert 4 <= len(xab["challenges"]) <= 6
    with_action = sum(1 for c in xab["challenges"] if c.get("corrective_action"))
    assert 0 < with_action < len(xab["challenges"])
    assert 3 <= len(xab["recommendations"]) <= 5
    assert 1 <= len(xab["practices"]) <= 2
    assert xab["country"][0]["coordinator"] in ids(xab, "actors")


def test_xab_is_mostly_french(xab):
    both = 0
    for stem, fr in FR_PAIRS.items():
        rows = xab[stem]
        assert sum(1 for r in rows if r.get(fr)) >= 0.9 * len(rows), stem
        both += sum(1 for r in rows if r.get(fr) and r.get(fr.removesuffix("_fr")))
    assert both >= 5, "some rows give both languages"
    free = [v for stem in ("actors", "data_sources", "challenges", "practices", "process")
            for r in xab[stem] for k, v in r.items()
            if k in ("role", "description", "notes", "corrective_action", "note")]
    assert len(free) >= 20
    assert sum(1 for v in free if FRENCH.search(v)) >= 0.9 * len(free)


def test_xab_has_a_french_foreword_and_a_partial_context(xab):
    country = xab["country"][0]
    assert country.get("foreword_fr") and not country.get("foreword")
    topics = {r["topic"] for r in xab["context"]}
    assert "background" not in topics and topics & set(INSTRUMENTS)
    assert 2 <= len(xab["context"]) <= 6


def test_xab_process_stops_at_the_workshop(xab):
    process = sorted(xab["process"], key=lambda p: parse_date(p["date"]))
    activities = [p["activity"] for p in process]
    assert activities == CODES["process-activity"][:4]


# --- XAC: early, with gaps and warnings ------------------------------------------------------

def test_xac_has_the_expected_gaps(xac):
    assert 5 <= len(xac["actors"]) <= 7
    assert 3 <= len(xac["data_sources"]) <= 4
    assert "process" not in xac
    # A questionnaire of template 1.0: no context.csv, no foreword columns.
    assert "context" not in xac and "foreword_by" not in xac["country"][0]
    covered = {d for s in xac["data_sources"] for d in items(s.get("domains"))}
    assert not covered & {"crisis_migration", "border_management"}
    stages = {s for a in xac["actors"] for s in items(a.get("policy_stages"))}
    assert not stages & {"decision", "reformulation"}


def test_xac_has_warnings_but_no_errors(xac):
    """The warning cases of the template's integrity rules, one of each."""
    assert any(not a.get("domains") for a in xac["actors"])
    assert any(s["status"] == "existing" and not s.get("producer") for s in xac["data_sources"])
    assert any(not c.get("corrective_action") for c in xac["challenges"])
    assert len(xac["recommendations"]) == 1
    assert not xac["recommendations"][0].get("addressed_to")
