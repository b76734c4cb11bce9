"""What a national authority reads (issue 18): foreword and endorsement, a summary in
sentences, context and policy framework, section 1.2 by seed domain, the timeline's order,
the annexes, collapsed re-imports, long lists cut short with the full list in an annex."""

from __future__ import annotations

from dataclasses import replace

from kg.guide import render
from kg.guide.document import Bullets, Para, Table, layout
from kg.guide.sections import NetworkPart, guide_from_rows
from tests.guide.handmade import CONCEPTS, B, rows


def build(lang: str = "en", **changes):
    data = replace(rows(), **changes)
    return guide_from_rows("XZZ", lang, data, network=changes.pop("network", None))


def text_of(g) -> str:
    return render(g, "md").decode("utf-8")


def test_undated_steps_follow_the_template_order_not_the_end() -> None:
    concepts = [c for c in CONCEPTS if c["scheme"] != "process-activity"] + [
        {"scheme": "process-activity", "code": code, "label": code.title(), "label_lang": "en",
         "position": i} for i, code in enumerate(
            ("questionnaire", "national_workshop", "analysis_drafting", "endorsement",
             "publication"), 1)]
    process = [
        {"step": B + "process/pub", "activity": "publication", "date": "2024-11-05"},
        {"step": B + "process/end", "activity": "endorsement"},
        {"step": B + "process/draft", "activity": "analysis_drafting"},
        {"step": B + "process/ws", "activity": "national_workshop", "date": "2023-10"},
        {"step": B + "process/q", "activity": "questionnaire", "date": "2023-05"},
    ]
    g = build(concepts=concepts, process=process)
    assert [s.activity.code for s in g.process] == [
        "questionnaire", "national_workshop", "analysis_drafting", "endorsement", "publication"]


def test_unchanged_reimports_are_one_entry_with_a_count() -> None:
    files = [{"file_name": "actors.csv", "sha256": "ab" * 32, "row_count": 4}]
    prov = [{"import": B + f"import/{i}", "started": f"2024-03-0{i}T10:00:00Z",
             "ended": f"2024-03-0{i}T10:00:01Z", **f} for i in (1, 2, 3) for f in files]
    prov.append({"import": B + "import/4", "started": "2024-03-04T10:00:00Z",
                 "ended": "2024-03-04T10:00:01Z", "file_name": "actors.csv",
                 "sha256": "cd" * 32, "row_count": 5})
    g = build(provenance=prov)
    assert [(r.count, r.last_ended) for r in g.imports] == [(3, "2024-03-03T10:00:01Z"),
                                                            (1, "")]
    assert g.data_date == "2024-03-04"
    md = text_of(g)
    assert "The same files were imported 3 times in all" in md
    assert "#### Import 2:" in md and "#### Import 3:" not in md


def test_sub_domains_roll_up_into_their_seed_domain() -> None:
    concepts = [c for c in CONCEPTS] + [
        {"scheme": "domain", "code": "remittances", "label": "Remittances", "label_lang": "en",
         "broader": "migration_development"}]
    actors = rows().actors + [
        {"actor": B + "actor/cb", "name": "Central Bank", "name_lang": "en",
         "type": "ministry", "domains": "remittances"}]
    sources = rows().sources + [
        {"source": B + "source/bop", "title": "Balance of payments", "title_lang": "en",
         "kind": "census", "status": "existing", "producers": B + "actor/cb",
         "domains": "remittances"}]
    g = build(concepts=concepts, actors=actors, sources=sources)
    md_dev = next(d for d in g.domain_sections if d.concept.code == "migration_development")
    assert [h.actor.name.value for h in md_dev.holders] == ["Central Bank"]
    assert [n.name.value for n in md_dev.holders[0].sources] == ["Balance of payments"]
    assert md_dev.existing_sources == 1
    assert "Central Bank" not in {a.name.value for a in g.other_government}


def test_section_1_2_holders_then_others_with_challenges_and_recommendations() -> None:
    g = build()
    trends = next(d for d in g.domain_sections if d.concept.code == "trends")
    # The statistics office produces the census (trends) but works on labour migration only.
    assert [h.actor.iri for h in trends.holders] == [B + "actor/nso"]
    assert [n.name.value for n in trends.holders[0].sources] == ["Population census"]
    assert [a.iri for a in trends.others] == [B + "actor/moi"]
    md = text_of(g)
    section = md[md.index("#### Migration trends"):md.index("#### Border management")]
    assert "##### Entities collecting data" in section
    assert "##### Other government entities working on this domain" in section


def test_challenges_and_recommendations_under_their_domain() -> None:
    challenges = [dict(c, domains="trends") if c["challenge"].endswith("late") else c
                  for c in rows().challenges]
    g = build(challenges=challenges)
    trends = next(d for d in g.domain_sections if d.concept.code == "trends")
    assert [c.title.value for c in trends.challenges] == ["Data arrive late"]
    assert [r.text.value for r in trends.recommendations] == ["Share border data"]


def test_summary_is_sentences_not_a_table() -> None:
    doc = layout(build())
    start = next(i for i, b in enumerate(doc.blocks) if getattr(b, "anchor", "") == "summary")
    end = next(i for i, b in enumerate(doc.blocks) if getattr(b, "anchor", "") == "context")
    part = doc.blocks[start + 1:end]
    assert not any(isinstance(b, Table) for b in part)
    text = " ".join("".join(s.text for s in b.content) for b in part if isinstance(b, Para))
    assert "The guide records one existing data source and no potential source." in text
    assert "(Ministry of the Interior, MOI), with a working group of one member." in text
    assert "The problem/solution matrix lists 2 challenges: one resolved and one without any" \
        in text
    assert "The guide makes one recommendation, of high priority:" in text
    assert any(isinstance(b, Bullets) for b in part)


def test_french_summary_agrees_in_number() -> None:
    md = text_of(build("fr"))
    assert "Le guide recense une source de données existante et aucune source potentielle." \
        in md
    assert "La matrice problème/solution recense 2\u00a0défis" not in md
    assert "La matrice problème/solution recense 2 défis\u00a0: un résolu et un sans aucune " \
        "action corrective." in md


def test_no_context_is_said_in_the_section_and_in_the_gaps() -> None:
    g = build(context=[])
    assert "no_context" in {gap.key for gap in g.gaps}
    md = text_of(g)
    assert md.count("The country context and its policy and legal framework are not yet "
                    "documented.") == 2


def test_policy_framework_table() -> None:
    concepts = CONCEPTS + [
        {"scheme": "context-topic", "code": "law", "label": "Law", "label_lang": "en",
         "position": 5},
        {"scheme": "instrument-status", "code": "in_force", "label": "In force",
         "label_lang": "en", "definition": "Applies now.", "definition_lang": "en"}]
    context = [{"entry": B + "context/act", "instrument": "true", "topic": "law",
                "title": "Migration Act", "title_lang": "en", "year": 2010,
                "status": "in_force", "responsible": B + "actor/moi",
                "domains": "border_management"}]
    g = build(concepts=concepts, context=context)
    assert "no_policy_framework" not in {gap.key for gap in g.gaps}
    assert "no_context_facts" in {gap.key for gap in g.gaps}
    md = text_of(g)
    assert "| **Migration Act**<br>Law | 2010 | In force | Ministry of the Interior | " \
        "Border management |" in md
    assert "- **In force**: Applies now." in md  # the glossary defines the code used


def test_foreword_signed_and_endorsement_statement() -> None:
    country = [dict(rows().country[0], foreword="First paragraph.\n\nSecond one.",
                    foreword_lang="fr", foreword_by=B + "actor/moi")]
    md = text_of(build(country=country))
    part = md[md.index("## Foreword"):md.index("## Executive summary")]
    assert "First paragraph. (fr)\n\nSecond one. (fr)" in part
    assert "**Ministry of the Interior**" in part
    assert "This guide has not yet been endorsed by the national coordinating authority " \
        "(Ministry of the Interior, MOI)." in part


def test_annexes_acronyms_glossary_contacts() -> None:
    md = text_of(build())
    assert "| **MOI** | Ministry of the Interior |" in md
    contacts = md[md.index("## Annex C. Contact list"):md.index("## Annex D")]
    assert "info@moi.test.example" in contacts and "secret@" not in contacts
    restricted = render(guide_from_rows("XZZ", "en", rows(), include_restricted=True), "md")
    assert b"secret@nso.test.example" in restricted


def test_long_lists_show_the_first_few_and_the_rest_in_an_annex() -> None:
    names = [f"Actor {i:02d}" for i in range(12)]
    net = NetworkPart(findings={"actor_count": 12, "relation_count": 0, "communities": 0,
                                "isolates": names})
    g = guide_from_rows("XZZ", "en", rows(), network=net)
    md = text_of(g)
    assert "Actor 07 and 4 more (full list in Annex F)" in md
    annex = md[md.index("## Annex F. Lists in full"):]
    assert all(n in annex for n in names)


# -- accessible files ----------------------------------------------------------------------

def _pdftotext(data: bytes) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")


def test_pdf_is_tagged_with_title_and_language_and_the_watermark_is_no_text() -> None:
    import io

    import pypdf

    from kg.guide.render import pdf

    g = build("fr")
    assert g.status == "draft"
    doc = layout(g)
    data = pdf(doc)
    root = pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert root["/Lang"] == "fr" and root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] and "/StructTreeRoot" in root
    assert pypdf.PdfReader(io.BytesIO(data)).metadata.title.startswith("Guide sur")
    # The watermark is an outlined background (an artifact): the text is the same without it.
    unmarked = pdf(replace(doc, watermark=""))
    assert _pdftotext(data) == _pdftotext(unmarked)
    assert data != unmarked and data == pdf(doc)


def test_docx_language_in_styles_and_alt_text_on_the_figure() -> None:
    import io
    import zipfile

    from tests.guide.test_render import SVG, _png

    g = guide_from_rows("XZZ", "fr", rows(), network=NetworkPart(svg=SVG, png=_png()))
    data = render(g, "docx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                assert b"en-US" not in archive.read(name), name
        styles = archive.read("word/styles.xml").decode("utf-8")
        document = archive.read("word/document.xml").decode("utf-8")
    assert 'w:val="fr-FR"' in styles
    assert 'descr="Test Republic\u00a0: schéma du réseau' in document
    assert render(g, "docx") == data


def test_no_word_is_broken_inside_a_table_cell() -> None:
    """Every word of every table cell comes out whole in the PDF's text (links, e-mail
    addresses and checksums may break: they are not words)."""
    import re

    from kg.guide.render import pdf

    concepts = CONCEPTS + [{"scheme": "source-kind", "code": "consular_registration",
                            "label": "Immatriculation consulaire", "label_lang": "fr"}]
    sources = [dict(s, kind="consular_registration",
                    title="Développement réintégration Pluriannuelle environnementale")
               for s in rows().sources]
    doc = layout(guide_from_rows("XZZ", "fr", replace(rows(), concepts=concepts,
                                                       sources=sources)))
    words = set(re.findall(r"[\w'’-]+", _pdftotext(pdf(doc))))
    for block in doc.blocks:
        if not isinstance(block, Table):
            continue
        assert round(sum(block.widths), 6) == 100 or not block.widths
        for row in block.rows:
            for cell in row:
                for line in cell:
                    for span in line:
                        if span.href or span.code:
                            continue
                        for word in re.findall(r"[\w'’-]+", span.text):
                            assert word in words, word
