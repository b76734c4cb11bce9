"""Guides of the demo countries, built from the store through the named queries.

Golden Markdown guides live in tests/guide/golden/<ISO3>.<lang>.md; they are compared
byte for byte and rewritten only when MIGKG_REGENERATE_GOLDEN=1 (`make golden`).
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import docx
import pypdf
import pytest

from kg.guide import build_guide, render
from kg.guide.document import layout
from kg.guide.render import md_escape
from tests.guide.french import english_left, french_text

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("MIGKG_REGENERATE_GOLDEN") == "1"
COUNTRIES = ("XAA", "XAB", "XAC")


@pytest.fixture(scope="module")
def guides(pinned_store):
    """Every demo guide in both languages, built once (no PNG: only DOCX needs it)."""
    return {(c, lang): build_guide(pinned_store, c, lang, png=False)
            for c in COUNTRIES for lang in ("en", "fr")}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("iso3", COUNTRIES)
def test_golden_markdown(guides, iso3: str, lang: str) -> None:
    text = render(guides[(iso3, lang)], "md").decode("utf-8")
    path = GOLDEN / f"{iso3}.{lang}.md"
    if REGENERATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}: run `make golden`"
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.name} differs from the guide; review and run `make golden` if intended")


def test_same_graph_same_bytes(pinned_store, guides) -> None:
    again = build_guide(pinned_store, "XAB", "fr")
    for fmt in ("html", "md", "docx"):
        assert render(again, fmt) == render(build_guide(pinned_store, "XAB", "fr"), fmt), fmt
    assert render(guides[("XAB", "fr")], "md") == render(again, "md")


def test_status_follows_the_process_data(guides) -> None:
    assert guides[("XAA", "en")].status == "published"
    assert guides[("XAA", "en")].status_date == "2024-11-05"
    assert guides[("XAB", "en")].status == "draft"
    assert guides[("XAC", "fr")].status == "draft"
    assert ">PROJET<" in render(guides[("XAB", "fr")], "html").decode()
    assert 'class="watermark"' not in render(guides[("XAA", "fr")], "html").decode()


def test_every_actor_of_the_country_appears(guides) -> None:
    for (iso3, lang), g in guides.items():
        grouped = [a.iri for grp in (*g.domain_groups, *g.other_groups) for a in grp.actors]
        assert set(grouped) == {a.iri for a in g.actors}, (iso3, lang)
        text = render(g, "md").decode("utf-8")
        panorama = text[text.index("## 1. "):text.index("## 2. ")]
        for actor in g.actors:
            assert md_escape(actor.name.value) in panorama, (iso3, lang, actor.name)
    assert len(guides[("XAA", "en")].actors) == 46


@pytest.mark.parametrize("iso3", ["XAA", "XAB"])
def test_french_guide_has_no_english_fixed_text(guides, iso3: str) -> None:
    page = render(guides[(iso3, "fr")], "html").decode("utf-8")
    assert english_left(page) == []
    assert "Le cycle de la politique migratoire et ses acteurs" in french_text(page)


def test_fallback_language_is_marked(guides) -> None:
    # XAB's "Census used for the national employment strategy" has a French title, but
    # "Central Bank of Sarvelia"'s fr name exists too; the primature has only a French name.
    en = render(guides[("XAB", "en")], "md").decode("utf-8")
    assert "Primature (fr)" in en
    fr = render(guides[("XAA", "fr")], "md").decode("utf-8")
    assert "Remittance statistics informed the removal of a tax on transfer fees** (en)" in fr


def test_restricted_contacts_only_when_asked(pinned_store, guides) -> None:
    public = render(guides[("XAA", "en")], "md").decode("utf-8")
    assert "ops@bapd.police.valdoria.example" not in public
    assert "Head of Border Information Unit" not in public
    assert "secretariat@migration.valdoria.example" in public
    full = render(build_guide(pinned_store, "XAA", "en", include_restricted=True),
                  "md").decode("utf-8")
    assert "ops@bapd.police.valdoria.example" in full
    assert "restricted contact" in full


def test_sparse_country_lists_its_gaps(guides) -> None:
    g = guides[("XAC", "en")]
    keys = {gap.key: [t.value for t in gap.items] for gap in g.gaps}
    assert keys["domain_no_existing_source"] == [
        "Border management", "Migration in crisis situations", "Labour migration"]
    assert keys["source_no_producer"] == ["Survey of return migrants 2017"]
    assert keys["actor_no_domain"] == ["Lumeria Migrant Support Network"]
    assert keys["stage_no_actor"] == ["Decision", "Reformulation"]
    assert keys["challenge_no_action"] == ["Work permits are recorded on paper only"]
    assert keys["recommendation_no_addressee"] == [
        "Set up a working group on migration data bringing together the ministries, the "
        "statistics bureau and the central bank."]
    for key in ("no_process", "no_practices", "thin_recommendations"):
        assert key in keys
    text = render(g, "md").decode("utf-8")
    gaps = text[text.index("## 6. What we don't know yet"):text.index("## Annex A")]
    assert "Domains with no existing data source: Border management; " in gaps
    assert "Challenges with no corrective action: Work permits are recorded on paper only" \
        in gaps
    assert "No step of the migration profile process has been recorded." in gaps
    fr = render(guides[("XAC", "fr")], "md").decode("utf-8")
    assert "## 6. Ce que nous ne savons pas encore" in fr
    assert "Étapes du cycle politique sans acteur recensé\u00a0: Décision; Reformulation" in fr


def test_docx_has_headings_and_table_rows(pinned_store) -> None:
    g = build_guide(pinned_store, "XAA", "en")
    document = docx.Document(io.BytesIO(render(g, "docx")))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    wanted = [(f"Heading {b.level}", b.text) for b in layout(g).blocks
              if type(b).__name__ == "Heading"]
    assert headings == wanted
    assert ("Heading 1", "2. The migration policy cycle and its actors") in headings
    tables = {t.rows[0].cells[0].text: t for t in document.tables}
    assert len(tables["Stage"].rows) == 7
    assert [r.cells[0].paragraphs[0].text for r in tables["Challenge"].rows][1:] == [
        c.title.value for c in g.challenges]
    sources = [t for t in document.tables if t.rows[0].cells[0].text == "Data source"]
    assert [len(t.rows) - 1 for t in sources] == [22, 6]
    assert len(document.inline_shapes) == 1  # the network figure
    assert document.core_properties.content_status == "Published"


def test_pdf_holds_every_heading_and_actor(pinned_store) -> None:
    g = build_guide(pinned_store, "XAA", "en", png=False)
    data = render(g, "pdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    for block in layout(g).blocks:
        if type(block).__name__ == "Heading":
            assert re.sub(r"\s+", " ", block.text) in text, block.text
    for actor in g.actors:
        assert re.sub(r"\s+", " ", actor.name.value) in text, actor.name.value
    assert reader.metadata["/Keywords"].startswith("XAA, Published")
    assert b"/EmbeddedFile" not in data


@pytest.mark.remote
def test_remote_store_gives_the_same_guide(demo_store, remote_demo_store) -> None:
    """The same named queries on `oxigraph serve` give the same guide (import times aside)."""
    from dataclasses import replace

    for iso3, lang in (("XAA", "fr"), ("XAC", "en")):
        local = build_guide(demo_store, iso3, lang, png=False)
        remote = build_guide(remote_demo_store, iso3, lang, png=False)
        assert remote.imports and remote.data_date
        strip = {"imports": (), "data_date": ""}
        assert render(replace(remote, **strip), "md") == render(replace(local, **strip), "md")
