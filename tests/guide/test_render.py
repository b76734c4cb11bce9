"""The four formats on hand-built guide data: escaping, restricted contacts, status, bytes."""

from __future__ import annotations

import html.parser
import io
import random
import zipfile

import docx
import pypdf
import pytest

from kg.guide import render
from kg.guide.document import layout, safe_href
from kg.guide.render import clean, data_only_fetcher, gc_paused, md_escape, pdf_from_html
from kg.guide.sections import NetworkPart, guide_from_rows
from tests.guide.handmade import BREAKOUT, CONTROL, HOSTILE, guide, rows

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
       b'<rect width="40" height="20" fill="#0b3d62"/></svg>')


class _Tags(html.parser.HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_html_escapes_hostile_text_once() -> None:
    page = render(guide(), "html").decode("utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "x&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "&amp;lt;" not in page and "&amp;#34;" not in page  # never escaped twice
    found = tags(page)
    assert not [t for t, _ in found if t in ("script", "iframe", "object", "embed", "base")]
    assert all(t != "img" for t, _ in found)  # no figure given: no image at all
    assert not [a for _, a in found if any(k.startswith("on") for k in a)]
    hrefs = [a["href"] for t, a in found if t == "a" and a.get("href")]
    assert hrefs and all(h.startswith(("#", "http://", "https://", "mailto:")) for h in hrefs)
    assert "javascript:alert(3)" in page  # shown as text, never a link
    assert "\x00" not in page and "\x0b" not in page and "\ud800" not in page


def test_html_is_self_contained_with_inline_figure() -> None:
    page = render(guide(network=NetworkPart(svg=SVG, findings={"relation_count": 1})),
                  "html").decode("utf-8")
    found = tags(page)
    images = [a["src"] for t, a in found if t == "img"]
    assert images and all(src.startswith("data:image/svg+xml;base64,") for src in images)
    assert not [a for t, a in found if t == "link"]
    assert "<style>" in page and "@page" in page
    assert "default-src 'none'" in page  # the page may load nothing but its own data: URIs


def test_markdown_escapes_only_what_starts_markup() -> None:
    text = render(guide(), "md").decode("utf-8")
    assert "Ministry of the Interior" in text
    assert "+999 1 23" in text  # inside a table cell, a leading + starts nothing
    assert r"Helps \*migrants\* \_here\_ \| now" in text
    assert r"\<img src=x onerror=alert(1)>" in text
    assert "javascript:alert(3)" in text and "](javascript:" not in text
    assert "\x00" not in text


@pytest.mark.parametrize(("raw", "start", "expected"), [
    ("Ministry of Labour, Employment", False, "Ministry of Labour, Employment"),
    ("snake_case_name", False, "snake_case_name"),
    ("_lead and trail_", False, r"\_lead and trail\_"),
    ("# not a heading", True, r"\# not a heading"),
    ("# inline hash", False, "# inline hash"),
    ("1. not a list", True, r"1\. not a list"),
    ("- dash", True, r"\- dash"),
    ("a & b &amp; c", False, r"a & b \&amp; c"),
    ("x < y <b>", False, r"x < y \<b>"),
    ("line\nbreak", False, "line break"),
])
def test_md_escape(raw: str, start: bool, expected: str) -> None:
    assert md_escape(raw, start) == expected


def test_safe_href() -> None:
    assert safe_href("https://x.example/a?b=1") == "https://x.example/a?b=1"
    assert safe_href("mailto:a@b.example") == "mailto:a@b.example"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:x", "file:///etc/passwd", "data:text/html,x",
                'https://x.example/"onmouseover=1', "https://x.example/\x00", " vbscript:x"):
        assert safe_href(bad) == ""


def test_clean_replaces_what_xml_cannot_hold() -> None:
    assert clean(CONTROL) == ("Bad\ufffdname\ufffdwith\ufffd\ufffdcontrols\ufffd and \ufffd "
                              "surrogate")
    assert clean("tab\tline\nbidi \u200f ok") == "tab\tline\nbidi \u200f ok"


def test_docx_opens_with_headings_tables_and_clean_text() -> None:
    data = render(guide(network=NetworkPart(svg=SVG, png=_png())), "docx")
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:4] == ["Executive summary", "Country context and policy framework",
                            "1. Panorama of migration data and information sources",
                            "1.1 Mapping of information sources, existing and potential"]
    assert "3.5 Problem/solution matrix" in headings and "6. What we don't know yet" in headings
    assert document.paragraphs[0].style.name == "Title"
    # The policy cycle table: a header row and the six stages.
    cycle = [t for t in document.tables if t.rows[0].cells[0].text == "Stage"]
    assert len(cycle) == 1 and len(cycle[0].rows) == 7
    assert cycle[0].rows[1].cells[0].text == "1. Needs identification"
    body = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert HOSTILE in body and BREAKOUT in body
    assert "Bad\ufffdname" in body
    assert len(document.inline_shapes) == 1  # the network figure
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
        assert "javascript:" not in archive.read("word/_rels/document.xml.rels").decode()
    assert "\x00" not in xml


def _png() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1))
    fig.add_subplot().plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["html", "md", "docx"])
def test_restricted_contacts_only_when_asked(fmt: str) -> None:
    def text_of(data: bytes) -> str:
        if fmt != "docx":
            return data.decode("utf-8")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read("word/document.xml").decode("utf-8")

    public = text_of(render(guide(), fmt))
    assert "secret@nso.test.example" not in public and "Secret person" not in public
    assert "info@moi.test.example" in public
    full = text_of(render(guide(include_restricted=True), fmt))
    assert "secret@nso.test.example" in full and "Secret person" in full
    assert "do not distribute" in full


def test_restricted_contacts_are_dropped_even_if_a_query_returns_them() -> None:
    g = guide()
    assert all(not c.restricted for a in g.actors for c in a.contacts)


def _status(status: str):
    data = rows()
    data.country[0]["status"] = status
    data.country[0]["published_on"] = "2024-11-05"
    data.country[0]["endorsed_on"] = "2024-09-01"
    return guide_from_rows("XZZ", "en", data)


def test_draft_has_a_watermark_and_published_none() -> None:
    draft, published = _status("draft"), _status("published")
    assert draft.status == "draft" and published.status == "published"
    page = render(draft, "html").decode()
    assert 'class="watermark"' in page and ">DRAFT<" in page
    assert 'class="watermark"' not in render(published, "html").decode()
    assert 'name="migkg.status" content="published"' in render(published, "html").decode()
    assert "Status: Published (5 November 2024)" in render(published, "md").decode()
    assert "Status: Endorsed (1st" not in render(_status("endorsed"), "md").decode()
    assert "Status: Endorsed (1 September 2024)" in render(_status("endorsed"), "md").decode()
    d = docx.Document(io.BytesIO(render(draft, "docx")))
    assert "DRAFT" in d.sections[0].header._element.xml
    assert d.core_properties.content_status == "Draft"
    p = docx.Document(io.BytesIO(render(published, "docx")))
    assert "DRAFT" not in p.sections[0].header._element.xml
    assert p.core_properties.content_status == "Published"


def test_same_rows_in_any_order_give_the_same_bytes() -> None:
    first = {fmt: render(guide(), fmt) for fmt in ("html", "md", "docx")}
    shuffled = rows()
    rng = random.Random(7)
    for name in ("actors", "contacts", "sources", "challenges", "concepts"):
        rng.shuffle(getattr(shuffled, name))
    again = guide_from_rows("XZZ", "en", shuffled)
    for fmt, data in first.items():
        assert render(again, fmt) == data, fmt


def test_docx_metadata_and_zip_dates_are_fixed() -> None:
    data = render(guide(), "docx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2024, 3, 1, 0, 0, 0)}
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.created.year == 2024 and props.modified == props.created
    assert props.title == "Guide on the use of migration data – Test Republic"


def test_every_actor_appears_under_a_heading() -> None:
    g = guide()
    grouped = {a.iri for grp in (*g.domain_groups, *g.other_groups) for a in grp.actors}
    assert grouped == {a.iri for a in g.actors}
    text = render(g, "md").decode()
    for actor in g.actors:
        assert md_escape(clean(actor.name.value)) in text


def test_gaps_of_the_small_country() -> None:
    keys = [(gap.key, tuple(i.value for i in gap.items)) for gap in guide().gaps]
    assert ("challenge_no_action", ("Nobody acts",)) in keys
    assert ("stage_no_actor", ("Needs identification", "Implementation", "Reformulation")) in keys
    assert ("domain_no_existing_source",
            ("Border management", "Crisis migration", "Migration and development",
             "Labour migration")) in keys
    assert ("no_practices", ()) in keys
    assert ("thin_sources", ()) in keys
    assert ("area_no_recommendation", ("Training and human resources",
                                       "Improving data collection",
                                       "Border management information",
                                       "Crisis migration information")) in keys
    assert ("actor_no_domain", (CONTROL,)) in keys
    document = layout(guide())
    assert any(getattr(b, "text", "") == "6. What we don't know yet" for b in document.blocks)


def test_pdf_of_hostile_data_is_made_and_reproducible() -> None:
    g = guide(network=NetworkPart(svg=SVG, findings={"relation_count": 1}))
    data = render(g, "pdf")
    assert data == render(g, "pdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert HOSTILE in text and "DRAFT" in text
    assert reader.metadata["/CreationDate"] == "D:20240301"
    assert reader.metadata["/Keywords"].startswith("XZZ, Draft")
    assert b"/EmbeddedFile" not in data and b"/JavaScript" not in data


def test_pdf_rendering_fetches_nothing(canary) -> None:
    """Remote images, stylesheets, fonts and file: attachments: no request, nothing attached."""
    page = f"""<!DOCTYPE html><html><head>
    <link rel="stylesheet" href="{canary.url}/style.css">
    <style>@import url("{canary.url}/import.css");
      @font-face {{ font-family: X; src: url("{canary.url}/font.woff"); }}
      body {{ background: url("{canary.url}/bg.png"); }}</style>
    <link rel="attachment" href="file:///etc/hostname">
    <base href="{canary.url}/base/"></head><body>
    <p>Text</p><img src="{canary.url}/remote.png"><img src="relative.png">
    <a rel="attachment" href="file:///etc/hostname">attached?</a>
    <a rel="attachment" href="{canary.url}/attach.txt">attached too?</a>
    <object data="{canary.url}/object.svg"></object>
    <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
      <image href="{canary.url}/svg-image.png" width="10" height="10"/>
      <image xlink:href="file:///etc/hostname" width="10" height="10"/></svg>
    <img src="data:image/svg+xml;base64,{__import__('base64').b64encode(SVG).decode()}">
    </body></html>"""
    data = pdf_from_html(page)
    assert canary.hits == 0, canary.paths
    assert data.startswith(b"%PDF")
    assert b"/EmbeddedFile" not in data and b"/FileAttachment" not in data


def test_fetcher_loads_data_uris_only(canary) -> None:
    from weasyprint.urls import URLFetcher, URLFetchingError

    fetcher = data_only_fetcher()
    assert isinstance(fetcher, URLFetcher)  # WeasyPrint 70 needs a subclass, not a function
    encoded = __import__("base64").b64encode(SVG).decode()
    response = fetcher.fetch(f"data:image/svg+xml;base64,{encoded}")
    assert response.read() == SVG and response.content_type == "image/svg+xml"
    assert fetcher.fetch("data:,a%20b").read() == b"a b"
    for url in (f"{canary.url}/x.png", "file:///etc/hostname", "ftp://127.0.0.1/x",
                "DATA-x:y", "javascript:alert(1)"):
        with pytest.raises(URLFetchingError):
            fetcher.fetch(url)
    assert canary.hits == 0


def _collections_during(fn) -> list[int]:
    """The generation of every garbage collection run while fn() runs."""
    import gc

    seen: list[int] = []

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(watch)
    try:
        fn()
    finally:
        gc.callbacks.remove(watch)
    return seen


def test_pdf_rendering_pauses_the_garbage_collector_and_collects_once() -> None:
    """While WeasyPrint works the collector is off; one young collection at the end."""
    import gc

    rows_html = "".join(f"<tr><td>Row {i}</td><td>Text {i}</td></tr>" for i in range(200))
    page = f"<!DOCTYPE html><html lang='en'><title>T</title><table>{rows_html}</table></html>"
    assert gc.isenabled()
    pdf_from_html(page)  # WeasyPrint's first import runs the collector too
    assert _collections_during(lambda: pdf_from_html(page)) == [0]
    assert gc.isenabled()
    # Without the pause the same page triggers many collections: the check above can fail.
    from weasyprint import HTML

    many = _collections_during(lambda: HTML(string=page, url_fetcher=data_only_fetcher())
                               .render(pdf_tags=True).write_pdf())
    assert len(many) > 10
    gc.disable()
    try:
        assert pdf_from_html(page).startswith(b"%PDF")
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_garbage_collector_pause_is_restored_after_an_error_and_by_the_last_thread() -> None:
    import gc
    import threading

    with pytest.raises(ValueError), gc_paused():
        assert not gc.isenabled()
        raise ValueError("render failed")
    assert gc.isenabled()

    inside, release = threading.Event(), threading.Event()

    def other_render() -> None:
        with gc_paused():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other_render)
    thread.start()
    try:
        assert inside.wait(10)
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the other render is still in flight
    finally:
        release.set()
        thread.join(10)
    assert gc.isenabled()
