"""Hand-built query rows for a small country, to test the guide without a store."""

from __future__ import annotations

from kg.guide.sections import GuideRows, NetworkPart, guide_from_rows

B = "https://w3id.org/migkg/id/XZZ/"
HOSTILE = "<img src=x onerror=alert(1)>"
BREAKOUT = 'x"><script>alert(2)</script>'
CONTROL = "Bad\x00name\x0bwith\x0c\x1bcontrols\ufffe and \ud800 surrogate"

CONCEPTS = [
    *({"scheme": "domain", "code": c, "label": label, "label_lang": lang} for c, label in {
        "trends": "Migration trends", "border_management": "Border management",
        "crisis_migration": "Crisis migration",
        "migration_development": "Migration and development",
        "labour_migration": "Labour migration"}.items() for lang in ["en"]),
    *({"scheme": "policy-stage", "code": c, "label": label, "label_lang": "en", "position": i}
      for i, (c, label) in enumerate({
          "needs_identification": "Needs identification", "formulation": "Formulation",
          "decision": "Decision", "implementation": "Implementation",
          "monitoring_evaluation": "Monitoring and evaluation",
          "reformulation": "Reformulation"}.items(), 1)),
    *({"scheme": "actor-type", "code": c, "label": label, "label_lang": "en"} for c, label in {
        "ministry": "Ministry", "statistics_office": "Statistics office",
        "civil_society": "Civil society", "academia_research": "Academia and research"}.items()),
    *({"scheme": "recommendation-area", "code": c, "label": label, "label_lang": "en",
       "position": i}
      for i, (c, label) in enumerate({
          "cooperation": "Cooperation", "training_human_resources": "Training and human resources",
          "data_collection": "Improving data collection",
          "border_management_information": "Border management information",
          "crisis_migration_information": "Crisis migration information",
          "other": "Other"}.items(), 1)),
    *({"scheme": "priority", "code": c, "label": c.title(), "label_lang": "en", "position": i}
      for i, c in enumerate(("high", "medium", "low"), 1)),
    {"scheme": "source-status", "code": "existing", "label": "Existing", "label_lang": "en"},
    {"scheme": "source-status", "code": "potential", "label": "Potential", "label_lang": "en"},
    {"scheme": "source-kind", "code": "census", "label": "Census", "label_lang": "en"},
    {"scheme": "action-status", "code": "implemented", "label": "Implemented",
     "label_lang": "en"},
    {"scheme": "process-activity", "code": "endorsement", "label": "Endorsement",
     "label_lang": "en"},
    {"scheme": "mp-status", "code": "in_preparation", "label": "In preparation",
     "label_lang": "en"},
]


def rows(hostile: str = HOSTILE) -> GuideRows:
    """A small country; `hostile` goes into names, roles, notes and URLs."""
    return GuideRows(
        country=[{"country": B[:-1], "iso3": "XZZ", "name": "Test Republic", "name_lang": "en",
                  "coordinator": B + "actor/moi", "mp_status": "in_preparation",
                  "mp_last_edition": 2019, "status": "draft"}],
        concepts=CONCEPTS,
        actors=[
            {"actor": B + "actor/moi", "name": "Ministry of the Interior", "name_lang": "en",
             "acronym": "MOI", "type": "ministry", "domains": "border_management; trends",
             "stages": "formulation; decision", "role": "Border policy.",
             "website": "https://moi.test.example/", "wg_member": "true"},
            {"actor": B + "actor/nso", "name": f"Statistics {hostile}", "name_lang": "en",
             "type": "statistics_office", "domains": "labour_migration",
             "stages": "monitoring_evaluation", "role": BREAKOUT,
             "website": "javascript:alert(3)", "wg_member": "false"},
            {"actor": B + "actor/ngo", "name": CONTROL, "name_lang": "fr",
             "type": "civil_society", "domains": "", "role": "Helps *migrants* _here_ | now"},
        ],
        contacts=[
            {"actor": B + "actor/moi", "contact_person": "Head of unit",
             "email": "mailto:info@moi.test.example", "phone": "+999 1 23",
             "visibility": "public"},
            {"actor": B + "actor/nso", "contact_person": "Secret person",
             "email": "mailto:secret@nso.test.example", "visibility": "restricted"},
        ],
        sources=[
            {"source": B + "source/census", "title": "Population census", "title_lang": "en",
             "kind": "census", "status": "existing", "producers": B + "actor/nso",
             "users": f"{B}actor/moi; {B}actor/ngo", "domains": "trends",
             "latest_year": 2020, "url": "https://nso.test.example/census", "notes": hostile},
        ],
        challenges=[
            {"challenge": B + "challenge/late", "title": "Data arrive late", "title_lang": "en",
             "category": "update_capacity", "affects": f"{B}source/census; {B}actor/nso",
             "action": "Quarterly releases", "action_status": "implemented",
             "responsible": B + "actor/nso"},
            {"challenge": B + "challenge/none", "title": "Nobody acts", "title_lang": "en",
             "category": "coordination"},
        ],
        recommendations=[
            {"recommendation": B + "recommendation/share", "text": "Share border data",
             "text_lang": "en", "area": "cooperation", "priority": "high",
             "addressed_to": B + "actor/moi", "addresses": B + "challenge/late"},
        ],
        practices=[],
        process=[{"step": B + "process/ws", "activity": "national_workshop", "date": "2021-05",
                  "participants": B + "actor/moi"}],
        references=[{"reference": B + "reference/r1", "title": "Annual report",
                     "publisher": "Ministry", "year": 2021, "url": "file:///etc/passwd",
                     "cited_by": B + "actor/moi"}],
        provenance=[{"import": B + "import/1", "started": "2024-03-01T10:00:00Z",
                     "ended": "2024-03-01T10:00:01Z", "file_name": "actors.csv",
                     "sha256": "ab" * 32, "row_count": 4}],
    )


def guide(lang: str = "en", include_restricted: bool = False, hostile: str = HOSTILE,
          network: NetworkPart | None = None):
    return guide_from_rows("XZZ", lang, rows(hostile), include_restricted=include_restricted,
                           network=network)
