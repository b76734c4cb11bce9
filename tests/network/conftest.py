"""Hand-made query rows (the shape kg.query gives) and graphs with known answers."""

from __future__ import annotations

import pytest

from kg.network import build

A = "https://w3id.org/migkg/id/XZZ/actor/"
S = "https://w3id.org/migkg/id/XZZ/source/"

# Hostile names: must show as text everywhere, never run.
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = 'x"><script>alert(1)</script> href'
AMP = "Ministry of Labour & Social <b>Affairs</b>"

STAGES = ["needs_identification", "formulation", "decision", "implementation",
          "monitoring_evaluation", "reformulation"]


def concept_rows() -> list[dict]:
    rows = [{"scheme": "policy-stage", "code": c, "label": c.replace("_", " ").title(),
             "position": i + 1} for i, c in enumerate(STAGES)]
    rows += [{"scheme": "domain", "code": c, "label": c.replace("_", " ").title(),
              "position": None} for c in ("trends", "border_management", "labour_migration")]
    rows += [{"scheme": "actor-type", "code": c, "label": c.replace("_", " ").capitalize(),
              "position": None} for c in ("ministry", "government_agency", "statistics_office",
                                          "international_organisation", "civil_society")]
    rows += [{"scheme": "relation-type", "code": c, "label": c.replace("_", " "),
              "position": None} for c in ("shares_data_with", "coordinates", "reports_to",
                                          "supports")]
    return rows


def actor_rows() -> list[dict]:
    """Two triangles (a b c) and (d e f) joined by c-d, g hanging on f, h alone."""
    def actor(local: str, name: str, typ: str, domains: str = "", stages: str = "",
              acronym: str | None = None) -> dict:
        return {"actor": A + local, "label": name, "acronym": acronym, "type": typ,
                "domains": domains, "stages": stages, "country": "XZZ", "parent": None}
    return [
        actor("a", IMG, "ministry", "trends; border_management", "formulation; decision"),
        actor("b", SCRIPT, "government_agency", "border_management", "implementation"),
        actor("c", "Coordination Committee", "government_agency", "trends",
              "formulation; decision; implementation", acronym="NCC"),
        actor("d", "National Statistics Office", "statistics_office", "trends",
              "monitoring_evaluation", acronym="NSO"),
        actor("e", AMP, "ministry", "labour_migration", "formulation"),
        actor("f", "International Organisation", "international_organisation", "trends",
              "implementation"),
        actor("g", "=HYPERLINK(\"http://evil.example\")", "civil_society", "", ""),
        actor("h", "Lonely Research Centre", "civil_society", "trends", ""),
    ]


def relation_rows() -> list[dict]:
    def rel(s: str, code: str, o: str, note: str = "", refs: str = "") -> dict:
        return {"relation": f"{A}{s}--{code}--{o}", "subject": A + s, "relation_type": code,
                "object": A + o, "note": note, "references": refs}
    return [
        rel("a", "shares_data_with", "b", note="+221 33 000 00 00"),
        rel("a", "coordinates", "b"),  # a second, parallel relation a -> b
        rel("b", "reports_to", "a"),
        rel("b", "shares_data_with", "c"),
        rel("c", "coordinates", "a", refs="Annual report; Workshop minutes"),
        rel("c", "coordinates", "d", note=SCRIPT),
        rel("d", "shares_data_with", "e"),
        rel("e", "reports_to", "f"),
        rel("f", "supports", "d"),
        rel("f", "supports", "g", note="-1"),
    ]


def link_rows() -> list[dict]:
    def link(src: str, title: str, actor: str, how: str) -> dict:
        return {"source": S + src, "source_label": title, "kind": "census", "status": "existing",
                "domains": "trends", "actor": A + actor, "link": how}
    return [
        link("census", "Census", "d", "produces"),
        link("census", "Census", "a", "uses"),
        link("census", "Census", "c", "uses"),
        link("register", "Border register " + IMG, "b", "produces"),
        link("lonely", "Unused survey", "h", "produces"),
        link("lonely", "Unused survey", "h", "uses"),  # its own use does not count
    ]


@pytest.fixture
def vocab() -> build.Vocabulary:
    return build.Vocabulary.from_rows(concept_rows())


@pytest.fixture
def relations(vocab: build.Vocabulary):
    return build.relation_graph(actor_rows(), relation_rows(), vocab, country="XZZ")


@pytest.fixture
def sources(vocab: build.Vocabulary):
    return build.source_graph(actor_rows(), link_rows(), vocab, country="XZZ")
