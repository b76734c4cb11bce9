"""Write a guide as HTML, Markdown, DOCX or PDF bytes, each escaping data its own way.

- HTML: one self-contained page (inline CSS, the figure as a data: URI) from a Jinja
  template with autoescape on, so data is escaped exactly once; links only for
  http(s) and mailto.
- Markdown: escapes only the characters that would start markup, so names stay
  searchable as plain text.
- DOCX: python-docx with real Heading styles and tables; characters XML cannot
  hold are replaced; fixed core properties and zip timestamps (same guide, same bytes).
- PDF: WeasyPrint from the same HTML with a fetcher that loads data: URIs only
  (no network, no file: attachment), dates pinned to the data's import time; Python's
  cyclic garbage collector paused while WeasyPrint works (see gc_paused).
"""

from __future__ import annotations

import base64
import gc
import io
import re
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from urllib.parse import quote, unquote_to_bytes

import jinja2
from markupsafe import Markup, escape

from kg.guide.document import (
    Bullets,
    Document,
    Figure,
    Heading,
    Inline,
    Para,
    Span,
    Table,
    Words,
    layout,
    safe_href,
)
from kg.guide.sections import Guide

FORMATS = ("html", "md", "docx", "pdf")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}

# Characters XML 1.0 cannot hold (C0 controls but TAB/LF/CR, lone surrogates, U+FFFE/FFFF):
# python-docx refuses them and browsers and PDF readers show garbage; U+FFFD shows the spot.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A fixed date for files whose data has no import time (zip entries need one).
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def clean(text: str) -> str:
    """The text with every character XML cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def render(guide: Guide | Document, fmt: str) -> bytes:
    """The guide in one format (html, md, docx, pdf) as bytes."""
    doc = guide if isinstance(guide, Document) else layout(guide)
    if fmt == "html":
        return html(doc).encode("utf-8")
    if fmt == "md":
        return markdown(doc).encode("utf-8")
    if fmt == "docx":
        return docx(doc)
    if fmt == "pdf":
        return pdf(doc)
    raise ValueError(f"unknown guide format {fmt!r}; one of {', '.join(FORMATS)}")


def data_date(doc: Document) -> datetime:
    """The guide's date as a datetime (midnight UTC): never 'now', so output is reproducible."""
    try:
        return datetime.strptime(doc.meta.get("date", ""), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return _EPOCH


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

def _inline_html(spans: Inline) -> Markup:
    out = []
    for s in spans:
        if not s.text:
            continue
        piece = escape(clean(s.text))
        if s.lang:
            piece = Markup('<span lang="{}">{}</span>').format(s.lang, piece)
        elif s.free:
            # lang="": the data does not say which language this free text is in.
            piece = Markup('<span lang="">{}</span>').format(piece)
        if s.code:
            piece = Markup('<span class="code">{}</span>').format(piece)
        if s.em:
            piece = Markup("<em>{}</em>").format(piece)
        if s.strong:
            piece = Markup("<strong>{}</strong>").format(piece)
        href = safe_href(s.href)  # checked again here: only http(s) and mailto become links
        if href:
            piece = Markup('<a href="{}">{}</a>').format(clean(href), piece)
        if s.lang:
            piece += Markup(' <span class="fallback">({})</span>').format(s.lang)
        out.append(piece)
    return Markup("").join(out)


def _finalize(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean(value)
    return value


@cache
def _environment() -> jinja2.Environment:
    # autoescape=True explicitly: a bare Environment escapes nothing.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(files("kg.guide") / "templates")),
        autoescape=True, undefined=jinja2.StrictUndefined, finalize=_finalize,
        keep_trailing_newline=True,
    )
    env.filters["inline"] = _inline_html
    env.filters["kind"] = lambda block: type(block).__name__.lower()
    env.filters["data_uri"] = lambda data, mime: (
        f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}")
    return env


@cache
def _css() -> Markup:
    # Our own file, not data: safe to inline as is.
    return Markup((files("kg.guide") / "templates" / "guide.css").read_text(encoding="utf-8"))


@cache
def watermark_svg(text: str) -> str:
    """An A4 page's watermark: text outlined as paths (no text to extract), rotated, pale.

    Drawn as the page background in print, a PDF artifact that screen readers and text
    extraction (pdftotext, copy and paste) leave out. Same text, same bytes."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path as MplPath
    from matplotlib.textpath import TextPath

    path = TextPath((0, 0), text, size=100,
                    prop=FontProperties(family="DejaVu Sans", weight="bold"))
    ext = path.get_extents()
    d = []
    for points, code in path.iter_segments(curves=True, simplify=False):
        xy = [f"{v:.1f}" for v in points]
        if code == MplPath.MOVETO:
            d.append("M" + " ".join(xy))
        elif code == MplPath.LINETO:
            d.append("L" + " ".join(xy))
        elif code == MplPath.CURVE3:
            d.append("Q" + " ".join(xy))
        elif code == MplPath.CURVE4:
            d.append("C" + " ".join(xy))
        elif code == MplPath.CLOSEPOLY:
            d.append("Z")
    w, h = ext.width, ext.height
    # A4 in points; the text's box centred, turned 35 degrees, 80 % of the page's width.
    scale = 0.8 * 595 / w
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="595" height="842" '
        'viewBox="0 0 595 842">'
        f'<g transform="translate(297.5 421) rotate(-35) scale({scale:.4f} {-scale:.4f}) '
        f'translate({-(ext.x0 + w / 2):.1f} {-(ext.y0 + h / 2):.1f})">'
        f'<path d="{" ".join(d)}" fill="#b00020" fill-opacity="0.10"/></g></svg>')


def html(doc: Document) -> str:
    page_watermark = ""
    if doc.watermark:
        page_watermark = "data:image/svg+xml;base64," + base64.b64encode(
            watermark_svg(clean(doc.watermark)).encode("utf-8")).decode("ascii")
    return _environment().get_template("guide.html").render(
        doc=doc, css=_css(), contents_title=Words(doc.lang)("contents"),
        page_watermark=page_watermark)


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------

_MD_ALWAYS = re.compile(r"([\\`*\[\]|~])")
_MD_TAG = re.compile(r"<(?=[A-Za-z/!?])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_MD_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|>|[+*-](?=\s|$)|\d{1,9}[.)](?=\s|$))")


def md_escape(text: str, at_start: bool = False) -> str:
    """Escape only what would start Markdown markup; line breaks become spaces."""
    text = re.sub(r"\s*[\r\n]+\s*", " ", clean(text))
    text = _MD_ALWAYS.sub(r"\\\1", text)
    text = _MD_TAG.sub(r"\\<", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    # "_" starts emphasis only at a word boundary; snake_case stays as it is.
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    if at_start:
        text = text.lstrip()
        m = _MD_START.match(text)
        if m:
            mark = m.group(2)
            escaped = mark[:-1] + "\\" + mark[-1]
            text = escaped + text[m.end():]
    return text


def _md_url(url: str) -> str:
    return quote(url, safe=":/?#@!$&'*+,;=%-._~")


def _inline_md(spans: Inline, line_start: bool = True) -> str:
    out: list[str] = []
    for s in spans:
        if not s.text:
            continue
        at_start = not out
        href = safe_href(s.href)
        if href and s.text == href:
            piece = f"<{_md_url(href)}>"
        else:
            text = md_escape(s.text, at_start and line_start)
            core = text.strip()
            if not core:
                out.append(text + (f" ({s.lang})" if s.lang else ""))
                continue
            lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
            if core and s.em:
                core = f"*{core}*"
            if core and s.strong:
                core = f"**{core}**"
            if href:
                core = f"[{core}]({_md_url(href)})"
            piece = lead + core + trail
        if s.lang:
            piece += f" ({s.lang})"
        out.append(piece)
    return "".join(out)


def _md_table(block: Table) -> list[str]:
    header = "| " + " | ".join(md_escape(h) for h in block.header) + " |"
    rule = "|" + "|".join("---" for _ in block.header) + "|"
    lines = [header, rule]
    for row in block.rows:
        cells = ["<br>".join(_inline_md(line, False) for line in cell) for cell in row]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown(doc: Document) -> str:
    """The guide as CommonMark + GFM tables (no figure: it is in the other formats)."""
    w = Words(doc.lang)
    out: list[str] = [f"# {md_escape(doc.cover.title, True)}", "",
                      f"**{_inline_md(doc.cover.subtitle)}**", ""]
    if doc.watermark:
        out += [f"> **{md_escape(doc.watermark)}**", ""]
    for line in doc.cover.lines:
        out += [_inline_md(line), ""]
    if doc.cover.notice:
        out += [f"> {md_escape(doc.cover.notice)}", ""]
    out += [f"## {md_escape(w('contents'))}", ""]
    for h in doc.contents:
        out.append(f"{'  ' * (h.level - 1)}- {md_escape(h.text, True)}")
    out.append("")
    for block in doc.blocks:
        if isinstance(block, Heading):
            out += [f"{'#' * (block.level + 1)} {md_escape(block.text)}", ""]
        elif isinstance(block, Para):
            text = _inline_md(block.content)
            out += [f"*{text}*" if block.style == "note" and "*" not in text else text, ""]
        elif isinstance(block, Bullets):
            out += [f"- {_inline_md(item)}" for item in block.items] + [""]
        elif isinstance(block, Table):
            out += _md_table(block) + [""]
        elif isinstance(block, Figure):
            out += [f"*{md_escape(block.caption)}* {md_escape(w('figure_in_other_formats'))}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------

# Word's own watermark: a VML text path in the header (shape type 136 = WordArt text).
_WATERMARK_XML = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    '<w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas><v:f eqn="sum #0 0 10800"/>'
    '<v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/>'
    '<v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/>'
    '<v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/>'
    '<v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/>'
    '<v:f eqn="sum @6 0 @5"/></v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/>'
    '</v:shapetype><v:shape id="migkg-watermark" o:spid="_x0000_s2049" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:468pt;height:117pt;'
    'rotation:315;z-index:-251654144;mso-position-horizontal:center;'
    'mso-position-horizontal-relative:margin;mso-position-vertical:center;'
    'mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="#e8b4bc" '
    'stroked="f"><v:fill opacity=".5"/><v:textpath style="font-family:&quot;DejaVu Sans&quot;;'
    'font-size:1pt" string="{text}"/></v:shape></w:pict></w:r>'
)


def _docx_runs(paragraph, spans: Inline) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for s in spans:
        if not s.text:
            continue
        texts = [(clean(s.text), s)]
        if s.lang:
            texts.append((f" ({s.lang})", Span("", em=True)))
        for value, style in texts:
            if safe_href(style.href) and value == clean(s.text):
                rid = paragraph.part.relate_to(safe_href(style.href), RT.HYPERLINK,
                                               is_external=True)
                link = OxmlElement("w:hyperlink")
                link.set(qn("r:id"), rid)
                run = paragraph.add_run(value)
                run.style = _hyperlink_style(paragraph)
                run.bold = style.strong or None
                run.italic = style.em or None
                link.append(run._r)
                paragraph._p.append(link)
                continue
            run = paragraph.add_run(value)
            run.bold = style.strong or None
            run.italic = style.em or None
            if style.lang:
                _run_lang(run, style.lang)


# Word's language tags for the guide's languages.
DOCX_LANGS = {"en": "en-GB", "fr": "fr-FR"}


def _run_lang(run, lang: str) -> None:
    """Mark a run as being in another language than the document's (spell check, speech)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement("w:lang")
    element.set(qn("w:val"), DOCX_LANGS.get(lang, lang))
    run._r.get_or_add_rPr().append(element)


def _docx_language(document, lang: str) -> None:
    """The guide's language in the styles' defaults and every style that names one, and in
    the settings' theme font language: a French guide has no en-US left to spell-check with."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tag = DOCX_LANGS.get(lang, lang)
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is None:
            rpr_default = OxmlElement("w:rPrDefault")
            defaults.insert(0, rpr_default)
        rpr = rpr_default.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            rpr_default.append(rpr)
        if rpr.find(qn("w:lang")) is None:
            rpr.append(OxmlElement("w:lang"))
    for element in styles.iter(qn("w:lang")):
        element.set(qn("w:val"), tag)
        if element.get(qn("w:eastAsia")):
            element.set(qn("w:eastAsia"), tag)
    normal = document.styles["Normal"].element.get_or_add_rPr()
    if normal.find(qn("w:lang")) is None:
        element = OxmlElement("w:lang")
        element.set(qn("w:val"), tag)
        normal.append(element)
    settings = document.settings.element
    for element in settings.iter(qn("w:themeFontLang")):
        element.set(qn("w:val"), tag)


def _hyperlink_style(paragraph):
    styles = paragraph.part.document.styles
    try:
        return styles["Hyperlink"]
    except KeyError:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import RGBColor

        style = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
        style.font.color.rgb = RGBColor(0x0B, 0x53, 0x94)
        style.font.underline = True
        return style


def _docx_table(document, block: Table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    table = document.add_table(rows=1, cols=len(block.header))
    table.style = document.styles["Table Grid"]
    header = table.rows[0]
    # Repeat the header row on each page.
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, text in zip(header.cells, block.header, strict=True):
        run = cell.paragraphs[0].add_run(clean(text))
        run.bold = True
    size = Pt(8) if block.style == "wide" else Pt(9)
    if block.widths:
        usable = document.sections[0].page_width - document.sections[0].left_margin \
            - document.sections[0].right_margin
        table.autofit = False
        for column, percent in zip(table.columns, block.widths, strict=True):
            column.width = int(usable * percent / 100)
    for row in block.rows:
        cells = table.add_row().cells
        for cell, lines in zip(cells, row, strict=True):
            for i, line in enumerate(lines):
                paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
                _docx_runs(paragraph, line)
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            if block.widths:
                cell.width = table.columns[i].width  # Word reads cell widths, not column ones
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = size
                for link in paragraph._p.findall(qn("w:hyperlink")):
                    for r in link.findall(qn("w:r")):
                        from docx.text.run import Run

                        Run(r, paragraph).font.size = size
    document.add_paragraph()


def docx(doc: Document) -> bytes:
    """The guide as a Word document: headings, tables, the figure; same guide, same bytes."""
    from xml.sax.saxutils import quoteattr

    import docx as python_docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Cm, Pt, RGBColor

    document = python_docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.name = "DejaVu Sans"
    normal.font.size = Pt(10)
    _docx_language(document, doc.lang)

    if doc.watermark:
        header = section.header.paragraphs[0]
        header.add_run(clean(doc.watermark)).bold = True
        header._p.append(parse_xml(_WATERMARK_XML.replace(
            'string="{text}"', f"string={quoteattr(clean(doc.watermark))}")))

    cover = doc.cover
    document.add_paragraph(clean(cover.title), style="Title")
    _docx_runs(document.add_paragraph(style="Subtitle"), cover.subtitle)
    status = document.add_paragraph()
    run = status.add_run(clean(cover.status_label).upper())
    run.bold = True
    run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20) if cover.status == "draft" \
        else RGBColor(0x1B, 0x6E, 0x20)
    for line in cover.lines:
        _docx_runs(document.add_paragraph(), line)
    if cover.notice:
        notice = document.add_paragraph().add_run(clean(cover.notice))
        notice.bold = True
    document.add_page_break()

    for block in doc.blocks:
        if isinstance(block, Heading):
            document.add_heading(clean(block.text), level=min(block.level, 4))
        elif isinstance(block, Para):
            paragraph = document.add_paragraph()
            _docx_runs(paragraph, block.content)
            if block.style == "note":
                for r in paragraph.runs:
                    r.italic = True
            elif block.style == "signature":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif isinstance(block, Bullets):
            for item in block.items:
                _docx_runs(document.add_paragraph(style="List Bullet"), item)
        elif isinstance(block, Table):
            _docx_table(document, block)
        elif isinstance(block, Figure):
            if block.png:
                shape = document.add_picture(io.BytesIO(block.png), width=Cm(16.5))
                # Alternative text: what a screen reader says instead of the picture.
                shape._inline.docPr.set("descr", clean(block.alt))
                shape._inline.docPr.set("title", clean(block.caption))
                document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            document.add_paragraph(clean(block.caption), style="Caption")

    when = data_date(doc)
    props = document.core_properties
    props.title = clean(doc.title)
    props.subject = clean(doc.meta.get("description", ""))
    props.keywords = clean(doc.meta.get("keywords", ""))
    props.author = props.last_modified_by = doc.meta.get("generator", "migkg")
    props.category = doc.meta.get("status", "")
    props.content_status = clean(doc.meta.get("status_label", ""))
    props.language = doc.lang
    props.comments = ""
    props.created = props.modified = when.replace(tzinfo=None)
    props.last_printed = when.replace(tzinfo=None)
    props.revision = 1
    props.identifier = doc.meta.get("country", "")
    props.version = doc.meta.get("generator", "")

    buffer = io.BytesIO()
    document.save(buffer)
    # The template's copy of the styles for older Word (stylesWithEffects.xml) names en-US too.
    tag = DOCX_LANGS.get(doc.lang, doc.lang).encode("ascii")
    return _fixed_zip(buffer.getvalue(), when, {
        "word/stylesWithEffects.xml": lambda xml: xml.replace(b'"en-US"', b'"' + tag + b'"')})


def _fixed_zip(data: bytes, when: datetime, edits=None) -> bytes:
    """The same archive with every entry dated `when` (zip stores local write times);
    `edits` maps an entry's name to a function rewriting its bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            content = src.read(info.filename)
            if edits and info.filename in edits:
                content = edits[info.filename](content)
            dst.writestr(entry, content)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------

def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

    class DataOnlyFetcher(URLFetcher):
        """Loads data: URIs (decoded here, no opener involved) and refuses everything else.

        A URLFetcher subclass, as WeasyPrint 70 requires (a plain function crashes it):
        no http(s), no file: (so no local file can be attached to the PDF), no redirects.
        """

        def __init__(self) -> None:
            super().__init__(timeout=1, allowed_protocols=("data",), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            if not url[:5].lower() == "data:":
                self.refused.append(url)
                raise URLFetchingError(f"only data: URIs are loaded, not {url[:60]!r}")
            meta, comma, payload = url[5:].partition(",")
            if not comma:
                raise URLFetchingError("malformed data: URI")
            params = [p.strip() for p in meta.split(";")]
            is_base64 = params[-1].lower() == "base64"
            media_type = params[0] if params and "/" in params[0] else "text/plain"
            raw = unquote_to_bytes(payload)
            try:
                body = base64.b64decode(raw, validate=False) if is_base64 else raw
            except ValueError as exc:
                raise URLFetchingError("malformed base64 in data: URI") from exc
            return URLFetcherResponse(url, body, {"Content-Type": media_type})

    return DataOnlyFetcher


def data_only_fetcher():
    """A fresh WeasyPrint URL fetcher that loads data: URIs only."""
    return _fetcher_class()()


_gc_lock = threading.Lock()
_gc_pauses = 0  # renders in flight in this process (web server threads)
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's automatic cyclic garbage collection off for the block, then one collection.

    WeasyPrint makes ~1M objects for the ~45-page XAA guide (styles, boxes, layouts, PDF
    objects) tied together by reference cycles, and nearly all of them live to the end. The
    collector, triggered by allocations, went through them ~750 times per PDF, 5-6 of them
    full collections of the whole heap: 1.1-1.4 s of CPU in a 3.7-4.4 s render. Paused, the
    cycles are freed by one collection of the young generation at the end (~0.35 s), so
    memory is returned before the caller goes on (peak RSS unchanged).

    Process-wide (the collector is): with several renders in flight (threads of the web
    server), the collector stays off until the last one ends and is then restored to what
    it was before the first began; each render still collects its own garbage as it ends.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()
        gc.collect(0)


def pdf_from_html(html_text: str) -> bytes:
    """Any HTML to PDF/UA with the data:-only fetcher; the PDF's dates come from the HTML meta.

    WeasyPrint logs each URL the fetcher refuses (a guide made here has none).
    """
    from weasyprint import HTML

    with gc_paused():
        document = HTML(string=clean(html_text), base_url=None,
                        url_fetcher=data_only_fetcher()).render(pdf_tags=True)
        # PDF/UA-1: tagged (headings, tables, figures with their alt text), with the
        # document's title shown and its language set; backgrounds (the draft watermark)
        # are artifacts.
        data = document.write_pdf(pdf_identifier=False, attachments=None,
                                  pdf_variant="pdf/ua-1", pdf_tags=True)
        del document  # its cycles are garbage now, collected as the pause ends
    return data


def pdf(doc: Document) -> bytes:
    """The guide as PDF, from the same HTML: same guide, same bytes."""
    return pdf_from_html(html(doc))
