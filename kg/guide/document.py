"""The guide laid out once for every format: a Guide becomes a Document of blocks.

Blocks (headings, paragraphs, bullet lists, tables, the figure) hold every fixed
text already translated (kg/locale/<lang>/guide.toml) and every data text as a
Span, unescaped; each renderer (kg/guide/render.py) escapes for its own format.
So HTML, Markdown, DOCX and PDF say the same thing in the same order.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from kg import __version__, i18n
from kg.guide.sections import (
    GLOSSARY_SCHEMES,
    SEED_AREAS,
    Actor,
    Challenge,
    Concept,
    Contact,
    ContextEntry,
    DomainSection,
    Guide,
    Named,
    Recommendation,
    Source,
    Text,
)

# A long list in the text (network findings) shows this many names, then "and N more".
LIST_HEAD = 8
# The executive summary names this many open challenges and top recommendations at most.
SUMMARY_CHALLENGES = 3
SUMMARY_RECOMMENDATIONS = 5
# The guide's own key terms, explained in the glossary (guide.term.<key>.label / .definition).
KEY_TERMS = (
    "national_coordinating_authority", "migration_profile", "working_group", "data_source",
    "existing_source", "potential_source", "policy_cycle", "policy_framework",
    "problem_solution_matrix", "broker", "single_point_of_failure", "fragile_link",
    "isolated_producer",
)

SAFE_SCHEMES = ("http://", "https://", "mailto:")
# Column widths (percent) of each kind of table, by its columns.
WIDTHS: dict[tuple[str, ...], tuple[int, ...]] = {
    ("entity", "role", "contact"): (34, 38, 28),
    ("figure", "value"): (80, 20),
    ("source", "kind", "producers", "users", "domains", "periodicity", "access"):
        (22, 11, 15, 17, 14, 12, 9),
    ("stage", "actors", "count"): (22, 70, 8),
    ("step", "date", "participants", "note"): (17, 14, 41, 28),
    ("member", "type"): (65, 35),
    ("practice", "stage", "year", "actors", "sources"): (34, 13, 7, 23, 23),
    ("challenge", "action", "status", "responsible"): (36, 34, 12, 18),
    ("file", "rows", "sha256"): (24, 9, 67),
    ("entity", "held_sources", "contact"): (36, 36, 28),
    ("instrument", "year", "status", "responsible", "domains"): (38, 8, 14, 22, 18),
    ("acronym", "full_name"): (18, 82),
    ("entity", "contact"): (45, 55),
}


# Page and table fonts (kg/guide/templates/guide.css): A4 less 2 x 1.8 cm of margins, in points;
# body tables at .9 of 10 pt, wide ones at .8.
TEXT_WIDTH_PT = (21.0 - 2 * 1.8) / 2.54 * 72
TABLE_FONT_PT = 9.0
WIDE_FONT_PT = 8.0
CELL_PADDING_EM = 1.05  # both sides' padding and the borders, and a little room


@cache
def _font(bold: bool):
    """DejaVu Sans (Bold), the guide's font, as matplotlib ships it: its exact advances."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(
        family="DejaVu Sans", weight="bold" if bold else "normal"), fallback_to_default=True)
    font = FT2Font(path)
    font.set_size(100, 72)  # 100 pt at 72 dpi: widths in 1/100 em
    return font


@cache
def word_width_em(word: str, bold: bool = False) -> float:
    """A word's width in the guide's font, in em."""
    import warnings

    font = _font(bold)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a glyph the font lacks: a box, same width
        # Lone surrogates and the like become U+FFFD, as every renderer shows them.
        font.set_text(re.sub("[\ud800-\udfff]", "\ufffd", word), 0.0)
    return font.get_width_height()[0] / 64 / 100


def fit_widths(header: Sequence[str], rows: Sequence[Sequence[Cell]], base: Sequence[int],
               font_pt: float) -> tuple[float, ...]:
    """Column widths (percent) from `base`, widened so that the longest word of each column
    fits without being broken (links and checksums may break anywhere: not counted), the
    room taken from columns that have some to spare. `base` when the words cannot all fit."""
    if not base:
        return ()
    mins = []
    for i, title in enumerate(header):
        em = max((word_width_em(w, bold=True) for w in title.split()), default=0.0)
        for row in rows:
            for line in row[i]:
                for span in line:
                    if span.href or span.code:
                        continue
                    for w in span.text.split():
                        em = max(em, word_width_em(w, bold=span.strong))
        mins.append((em + CELL_PADDING_EM) * font_pt / TEXT_WIDTH_PT * 100)
    if sum(mins) > 100:
        return tuple(base)
    widths = [max(float(b), m) for b, m in zip(base, mins, strict=True)]
    excess = sum(widths) - 100
    while excess > 1e-6:
        slack = [w - m for w, m in zip(widths, mins, strict=True)]
        room = sum(slack)
        widths = [w - excess * s / room for w, s in zip(widths, slack, strict=True)]
        excess = sum(widths) - 100
    # Tenths of a percent, each at least its column's need, summing to 100.
    out = [math.ceil(w * 10 - 1e-9) / 10 for w in widths]
    i = max(range(len(out)), key=lambda k: (out[k] - mins[k], -k))
    out[i] = round(out[i] - (sum(out) - 100), 1)
    return tuple(out)


@dataclass(frozen=True)
class Span:
    """A piece of text; `lang` marks data shown in the other language (fallback)."""

    text: str
    href: str = ""
    strong: bool = False
    em: bool = False
    lang: str = ""
    free: bool = False  # free text whose language the data does not declare
    code: bool = False  # a checksum or code: may break anywhere, shown in a fixed font


Inline = tuple[Span, ...]
Cell = tuple[Inline, ...]  # lines of a table cell


@dataclass(frozen=True)
class Heading:
    level: int  # 1 = section, 2 = subsection, 3 = group
    text: str
    anchor: str


@dataclass(frozen=True)
class Para:
    content: Inline
    style: str = ""  # "" | "note" | "lead"


@dataclass(frozen=True)
class Bullets:
    items: tuple[Inline, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    style: str = ""  # css class hint: "figures", "wide"
    widths: tuple[float, ...] = ()  # column widths in percent (fixed layout: faster PDF)


@dataclass(frozen=True)
class Figure:
    svg: bytes
    png: bytes
    caption: str
    alt: str


@dataclass(frozen=True)
class Cover:
    title: str
    subtitle: Inline
    lines: tuple[Inline, ...]
    status: str
    status_label: str
    notice: str  # the draft / restricted notice, "" when none


Block = Heading | Para | Bullets | Table | Figure


@dataclass(frozen=True)
class Document:
    lang: str
    title: str
    cover: Cover
    contents: tuple[Heading, ...]
    blocks: tuple[Block, ...]
    watermark: str = ""  # shown on every page of a draft
    meta: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------------

def safe_href(url: str) -> str:
    """The URL if it may become a link (http, https, mailto), else "" (shown as text only)."""
    candidate = url.strip()
    lowered = candidate.lower()
    if not lowered.startswith(SAFE_SCHEMES) or any(c in candidate for c in ' <>"\'`\\'):
        return ""
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in candidate):
        return ""
    return candidate


class Words:
    """Fixed texts of one language; `inline` fills placeholders with spans."""

    def __init__(self, lang: str):
        self.lang = lang

    def raw(self, key: str) -> str:
        full = f"guide.{key}"
        found = i18n.catalogue(self.lang).get(full) or i18n.catalogue("en").get(full)
        if found is None:
            raise KeyError(f"missing message {full}")  # a bug: every key is in the catalogue
        return found

    def __call__(self, key: str, **params: object) -> str:
        return self.raw(key).format(**params) if params else self.raw(key)

    def n(self, key: str, n: int, **params: object) -> str:
        """The plural form of key for n: key.zero (if any) for 0, key.one for 1, else key.other."""
        return self(self.form(key, n), n=n, **params)

    def form(self, key: str, n: int) -> str:
        return i18n.plural_key(f"guide.{key}", n, self.lang).removeprefix("guide.")

    def inline_n(self, key: str, n: int, **params: object) -> Inline:
        return self.inline(self.form(key, n), n=n, **params)

    def quoted(self, items: Sequence[object]) -> Inline:
        """Labels in the language's quotation marks, joined as a list ("a", "b" and "c")."""
        return self.listed([(Span(self("quote_open")), *spans(i), Span(self("quote_close")))
                            for i in items])

    def listed(self, items: Sequence[Inline]) -> Inline:
        """Pieces joined as a list in prose: "a", "a and b", "a, b and c"."""
        out: list[Span] = []
        for i, item in enumerate(items):
            if i:
                out.append(Span(self("list_and") if i == len(items) - 1 else self("list_sep")))
            out.extend(item)
        return tuple(out)

    def inline(self, key: str, **params: object) -> Inline:
        """The message with each {name} replaced by spans (Text fallbacks stay marked)."""
        out: list[Span] = []
        for literal, name, _spec, _conv in string.Formatter().parse(self.raw(key)):
            if literal:
                out.append(Span(literal))
            if name is not None:
                out.extend(spans(params[name]))
        return tuple(out)

    def date(self, value: str) -> str:
        """An ISO date, year-month or year in words ("5 November 2024", "5 novembre 2024")."""
        m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip()[:10])
        if not m:
            return value
        year, month, day = m.groups()
        if not month:
            return year
        name = self(f"month.{int(month)}")
        if not day:
            return self("date.month_year", month=name, year=year)
        d = self("date.day1") if int(day) == 1 else str(int(day))
        return self("date.day_month_year", day=d, month=name, year=year)

    def timestamp(self, value: str) -> str:
        """An xsd:dateTime in UTC as 'YYYY-MM-DD HH:MM:SS UTC' (same in both languages)."""
        m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]00:00)?",
                         value.strip())
        return f"{m.group(1)} {m.group(2)} UTC" if m else value


def spans(value: object) -> Inline:
    if isinstance(value, Span):
        return (value,)
    if isinstance(value, tuple) and all(isinstance(v, Span) for v in value):
        return value
    if isinstance(value, Text):
        return (Span(value.value, lang=value.lang),)
    if isinstance(value, Concept):
        return (Span(value.label.value, lang=value.label.lang),)
    if isinstance(value, Named):
        return (Span(value.name.value, lang=value.name.lang),)
    return (Span(str(value)),)


def lower_first(text: str) -> str:
    """A label set inside a sentence: its first letter in lower case ("High" -> "high")."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def joined(items: Iterable[object], sep: str = "; ") -> Inline:
    out: list[Span] = []
    for i, item in enumerate(items):
        if i:
            out.append(Span(sep))
        out.extend(spans(item))
    return tuple(out)


def link(label: str, url: str) -> Span:
    return Span(label, href=safe_href(url))


# ---------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------

class _Layout:
    def __init__(self, guide: Guide):
        self.g = guide
        self.w = Words(guide.lang)
        self.blocks: list[Block] = []
        self.contents: list[Heading] = []
        self.long_lists: list[tuple[str, list[str]]] = []  # shown in full in the last annex

    # -- primitives ---------------------------------------------------------------------------
    def heading(self, level: int, text: str, anchor: str) -> None:
        h = Heading(level, text, anchor)
        self.blocks.append(h)
        if level <= 2:
            self.contents.append(h)

    def para(self, content: Inline | str, style: str = "") -> None:
        self.blocks.append(Para(spans(content) if isinstance(content, str) else content, style))

    def note(self, key: str, **params: object) -> None:
        self.para(self.w.inline(key, **params), "note")

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[Cell]], style: str = ""
              ) -> None:
        """A table whose header cells are the catalogue's col.<key> texts."""
        keys = tuple(columns)
        header = tuple(self.w(f"col.{k}") for k in keys)
        body = tuple(tuple(r) for r in rows)
        widths = fit_widths(header, body, WIDTHS.get(keys, ()), WIDE_FONT_PT if style == "wide"
                            else TABLE_FONT_PT)
        self.blocks.append(Table(header, body, style, widths))

    def label_value(self, key: str, value: Inline | str) -> Inline:
        return (Span(self.w(key), strong=True), Span(self.w("colon")),
                *(spans(value) if isinstance(value, str) else value))

    # -- cells --------------------------------------------------------------------------------
    def actor_cell(self, a: Actor, with_domains: bool = False, with_role: bool = False) -> Cell:
        name: list[Span] = [Span(a.name.value, strong=True, lang=a.name.lang)]
        if a.acronym:
            name += [Span(" ("), Span(a.acronym, free=True), Span(")")]
        lines: list[Inline] = [tuple(name), spans(a.type)]
        if a.parent:
            lines.append(self.w.inline("part_of", parent=a.parent))
        if with_role and a.role:
            lines.append((Span(a.role, em=True, free=True),))
        if with_domains and a.domains:
            lines.append(self.w.inline("domains_list", domains=joined(a.domains)))
        return tuple(lines)

    def contact_cell(self, a: Actor) -> Cell:
        lines: list[Inline] = []
        for c in a.contacts:
            lines += self.contact_lines(c)
        if a.website:
            lines.append((link(a.website, a.website),))
        return tuple(lines)

    def contact_lines(self, c: Contact) -> list[Inline]:
        lines: list[Inline] = []
        if c.person:
            lines.append((Span(c.person, free=True),))
        if c.email:
            lines.append((link(c.email, f"mailto:{c.email}"),))
        if c.phone:
            lines.append((Span(c.phone, free=True),))
        if c.restricted and lines:
            lines.append((Span(self.w("restricted_mark"), em=True),))
        return lines

    def names(self, items: Sequence[Named] | Sequence[Actor]) -> Cell:
        refs = [i.ref if isinstance(i, Actor) else i for i in items]
        return (joined(r.name for r in refs),) if refs else ()

    def actor_table(self, actors: Sequence[Actor], with_domains: bool = False) -> None:
        rows = [(self.actor_cell(a, with_domains), ((Span(a.role, free=True),),) if a.role else (),
                 self.contact_cell(a)) for a in actors]
        self.table(("entity", "role", "contact"), rows)

    # -- sections -----------------------------------------------------------------------------
    def cover(self) -> Cover:
        g, w = self.g, self.w
        status = w(f"status.{g.status}")
        status_line = (w.inline("cover.status_dated", status=status, date=w.date(g.status_date))
                       if g.status_date else w.inline("cover.status", status=status))
        lines: list[Inline] = [status_line]
        if g.data_date:
            lines.append(w.inline("cover.data_date", date=w.date(g.data_date)))
        if g.latest_data_year:
            lines.append(w.inline("cover.latest_year", year=g.latest_data_year))
        if g.coordinator:
            lines.append(w.inline("cover.coordinator", name=g.coordinator.name))
        lines.append(w.inline("cover.generated", version=__version__))
        notices = []
        if g.status == "draft":
            notices.append(w("cover.draft_notice"))
        if g.include_restricted:
            notices.append(w("cover.restricted_notice"))
        return Cover(w("title"), (Span(g.country.value, lang=g.country.lang),),
                     tuple(lines), g.status, status, " ".join(notices))

    # -- prose helpers ------------------------------------------------------------------------
    def acronymed(self, a: Actor) -> Inline:
        """The actor's name and its acronym, to stand inside brackets: "Name, ACR"."""
        out = spans(a.name)
        return (*out, Span(", "), Span(a.acronym, free=True)) if a.acronym else out

    def endorsement(self) -> Inline:
        """Who endorsed the guide and when, and its publication, as the process data says."""
        g, w = self.g, self.w
        if g.status == "draft" or g.coordinator is None:
            if g.coordinator is None:
                return w.inline("endorsement.no_coordinator")
            return w.inline("endorsement.not_yet", coordinator=self.acronymed(g.coordinator))
        step = g.endorsement
        coordinator = self.acronymed(g.coordinator)
        out: list[Span] = list(
            w.inline("endorsement.dated", date=w.date(step.date), coordinator=coordinator)
            if step is not None and step.date
            else w.inline("endorsement.undated", coordinator=coordinator))
        others = [n for n in (step.participants if step else ()) if n.iri != g.coordinator.iri]
        if others:
            out += w.inline("endorsement.others", names=joined((n.name for n in others), ", "))
        if g.status == "published":
            pub = g.publication
            out += (w.inline("endorsement.published_dated", date=w.date(pub.date))
                    if pub is not None and pub.date else w.inline("endorsement.published"))
        return tuple(out)

    def foreword(self) -> None:
        g, w = self.g, self.w
        if not g.foreword.value:
            return
        self.heading(1, w("foreword.title"), "foreword")
        for chunk in re.split(r"\n\s*\n", g.foreword.value.strip()):
            text = " ".join(chunk.split())
            if text:
                self.para((Span(text, lang=g.foreword.lang),))
        if g.foreword_by:
            self.para((Span(g.foreword_by.name.value, strong=True, lang=g.foreword_by.name.lang),),
                      "signature")
        self.para(self.endorsement(), "note")

    def summary(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("summary.title"), "summary")
        self.para(w.inline("summary.intro", country=g.country))
        # Sources, per seed domain.
        existing, potential = len(g.existing_sources), len(g.potential_sources)
        self.para(w.inline("summary.sources", existing=w.n("n.existing_sources", existing),
                           potential=w.n("n.potential_sources", potential)))
        if g.domain_sections:
            self.para(w.inline("summary.by_domain"))
            self.blocks.append(Bullets(tuple(
                w.inline("summary.domain", domain=d.concept,
                         existing=w.n("n.existing_sources", d.existing_sources),
                         potential=w.n("n.potential_sources", d.potential_sources))
                for d in g.domain_sections)))
        # Coordination and the migration profile.
        if g.coordinator:
            wg = len(g.working_group)
            self.para(w.inline("summary.coordinated_wg" if wg else "summary.coordinated_no_wg",
                               coordinator=self.acronymed(g.coordinator),
                               members=w.n("n.members", wg)))
        else:
            self.para(w.inline("summary.no_coordinator"))
        if g.mp_status and g.mp_status.code == "none":
            self.para(w.inline("summary.no_profile"))
        elif g.mp_last_edition and g.mp_status:
            self.para(w.inline("summary.profile", year=g.mp_last_edition, status=g.mp_status))
        elif g.mp_status:
            self.para(w.inline("summary.profile_undated", status=g.mp_status))
        # The policy cycle: strongest and weakest stages.
        stages = [s for s in g.stage_groups if s.concept is not None]
        if stages:
            most = max(len(s.actors) for s in stages)
            least = min(len(s.actors) for s in stages)
            if most == least:
                self.para(w.inline("summary.cycle_even", actors=w.n("n.actors", most)))
            else:
                strong = [s.concept for s in stages if len(s.actors) == most]
                weak = [s.concept for s in stages if len(s.actors) == least]
                weakest = (w.inline_n("summary.cycle_none", len(weak), stages=w.quoted(weak))
                           if least == 0 else
                           w.inline_n("summary.cycle_weak", len(weak), stages=w.quoted(weak),
                                      actors=w.n("n.actors", least)))
                sentence = (*w.inline_n("summary.cycle_strong", len(strong),
                                        stages=w.quoted(strong), actors=w.n("n.actors", most)),
                            Span(" "), *weakest)
                self.para(sentence)
        # Challenges: how many are resolved, under way, without action; the main open ones.
        self.summary_challenges()
        self.summary_recommendations()
        # Context and gaps.
        if g.instruments:
            self.para(w.inline("summary.framework", instruments=w.n("n.instruments",
                                                                      len(g.instruments))))
        else:
            self.para(w.inline("summary.no_framework"))
        if g.gaps:
            self.para(w.inline_n("summary.gaps", len(g.gaps)))

    def summary_challenges(self) -> None:
        g, w = self.g, self.w
        if not g.challenges:
            self.para(w.inline("summary.no_challenges"))
            return
        resolved = [c for c in g.challenges if c.resolved]
        under_way = [c for c in g.challenges if not c.resolved and c.has_action]
        none = [c for c in g.challenges if not c.has_action]
        parts = [w.inline_n(key, len(items)) for key, items in (
            ("n.resolved", resolved), ("n.under_way", under_way), ("n.without_action", none))
            if items]
        self.para(w.inline("summary.challenges",
                           challenges=w.n("n.challenges", len(g.challenges)),
                           parts=w.listed(parts)))
        open_ = [c for c in g.challenges if not c.resolved]
        if not open_:
            self.para(w.inline("summary.all_resolved"))
            return
        # The main open challenges: those more recommendations address, then those with no
        # corrective action yet.
        addressed: dict[str, int] = {}
        for r in g.recommendations:
            for n in r.addresses:
                addressed[n.iri] = addressed.get(n.iri, 0) + 1
        ranked = sorted(open_, key=lambda c: (-addressed.get(c.iri, 0), c.has_action))
        main = ranked[:SUMMARY_CHALLENGES]
        self.para(w.inline_n("summary.main_challenges", len(main),
                             titles=joined((Span(c.title.value, em=True, lang=c.title.lang)
                                            for c in main), w("semicolon"))))

    def summary_recommendations(self) -> None:
        g, w = self.g, self.w
        recs = g.recommendations
        if not recs:
            self.para(w.inline("summary.no_recommendations"))
            return
        with_priority = [r for r in recs if r.priority is not None]
        if not with_priority:
            self.para(w.inline("summary.recommendations_no_priority",
                               recommendations=w.n("n.recommendations", len(recs))))
            return
        top_code = g.top_priority.code if g.top_priority else with_priority[0].priority.code
        top = [r for r in recs if r.priority is not None and r.priority.code == top_code]
        priority = top[0].priority
        label = Span(lower_first(priority.label.value), lang=priority.label.lang)
        if len(top) == len(recs):
            self.para(w.inline_n("summary.recommendations_all", len(recs), priority=label))
        else:
            self.para(w.inline("summary.recommendations_top",
                               recommendations=w.n("n.recommendations", len(recs)),
                               top=w.inline_n("n.top", len(top), priority=label)))
        shown = top[:SUMMARY_RECOMMENDATIONS]
        items = [(Span(r.text.value, lang=r.text.lang),) for r in shown]
        if len(top) > len(shown):
            items.append(w.inline("more_in_section", n=len(top) - len(shown),
                                  section=w("recommendations.title")))
        self.blocks.append(Bullets(tuple(items)))

    def context(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("context.title"), "context")
        if not g.context:
            self.note("context.none")
            return
        topics: dict[str, list[ContextEntry]] = {}
        for e in g.context_facts:
            topics.setdefault(e.topic.code, []).append(e)
        for code, entries in topics.items():
            topic = entries[0].topic
            self.heading(2, topic.label.value, f"context-{code}")
            for e in entries:
                body: list[Span] = [Span(e.title.value, strong=True, lang=e.title.lang)]
                if e.year:
                    body.append(Span(f" ({e.year})"))
                if e.text.value:
                    body += [Span(w("colon")), Span(e.text.value, lang=e.text.lang)]
                if e.references:
                    body += w.inline("context.sources", names=joined(
                        (Span(n.name.value, free=True) for n in e.references), w("semicolon")))
                self.para(tuple(body))
        self.heading(2, w("context.framework"), "policy-framework")
        if not g.instruments:
            self.note("context.no_framework")
            return
        rows = []
        for e in g.instruments:
            first: list[Inline] = [(Span(e.title.value, strong=True, lang=e.title.lang),),
                                   spans(e.topic)]
            if e.text.value:
                first.append((Span(e.text.value, em=True, lang=e.text.lang),))
            rows.append((tuple(first), ((Span(str(e.year)),),) if e.year else (),
                         (spans(e.status),) if e.status else (), self.names(e.responsible),
                         (joined(e.domains),) if e.domains else ()))
        self.table(("instrument", "year", "status", "responsible", "domains"), rows, "wide")

    def panorama(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("panorama.title"), "panorama")
        self.heading(2, w("sources.title"), "sources")
        if not g.sources:
            self.note("sources.none")
        for key, items in (("existing", g.existing_sources), ("potential", g.potential_sources)):
            if not g.sources:
                break
            self.heading(3, w(f"sources.{key}"), f"sources-{key}")
            if not items:
                self.note(f"sources.none_{key}")
                continue
            self.table(("source", "kind", "producers", "users",
                        "domains", "periodicity", "access"),
                       [self.source_row(s) for s in items], "wide")
        self.heading(2, w("government.title"), "government")
        self.note("government.intro_restricted" if g.include_restricted
                  else "government.intro")
        for section in g.domain_sections:
            self.domain_section(section)
        if g.other_government:
            self.heading(3, w("government.other_domains"), "domain-other")
            self.note("government.other_domains_intro")
            self.actor_table(g.other_government, with_domains=True)
        self.heading(2, w("others.title"), "others")
        if not g.other_groups:
            self.note("others.none")
        for group in g.other_groups:
            assert group.concept is not None
            self.heading(3, group.concept.label.value, f"type-{group.concept.code}")
            self.actor_table(group.actors, with_domains=True)

    def source_row(self, s: Source) -> tuple[Cell, ...]:
        title: list[Inline] = [(Span(s.title.value, strong=True, lang=s.title.lang,
                                     href=safe_href(s.url)),)]
        if s.url and not safe_href(s.url):
            title.append((Span(s.url),))
        if s.notes:
            title.append((Span(s.notes, em=True, free=True),))
        period: list[Inline] = []
        if s.periodicity:
            period.append(spans(s.periodicity))
        if s.latest_year:
            period.append(self.w.inline("sources.latest_year", year=s.latest_year))
        return (tuple(title), (spans(s.kind),), self.names(s.producers), self.names(s.users),
                (joined(s.domains),) if s.domains else (), tuple(period),
                (spans(s.access),) if s.access else ())

    def domain_section(self, d: DomainSection) -> None:
        w, code = self.w, d.concept.code
        self.heading(3, d.concept.label.value, f"domain-{code}")
        self.heading(4, w("government.holders"), f"domain-{code}-holders")
        if d.holders:
            self.table(("entity", "held_sources", "contact"), [
                (self.actor_cell(h.actor, with_role=True), self.names(h.sources),
                 self.contact_cell(h.actor)) for h in d.holders])
        else:
            self.note("government.no_holders")
        if d.others:
            # Named only: their roles and contacts are under the domains whose data they hold,
            # under "Other domains" or in the contact list (Annex C).
            self.heading(4, w("government.others"), f"domain-{code}-others")
            self.para(joined((self.acronymed_inline(a) for a in d.others), w("semicolon")))
        self.heading(4, w("government.challenges"), f"domain-{code}-challenges")
        if d.challenges:
            self.blocks.append(Bullets(tuple(self.challenge_item(c) for c in d.challenges)))
        else:
            self.note("government.no_challenges")
        self.heading(4, w("government.recommendations"), f"domain-{code}-recommendations")
        if d.recommendations:
            self.blocks.append(Bullets(tuple(self.recommendation_item(r, brief=True)
                                             for r in d.recommendations)))
        else:
            self.note("government.no_recommendations")

    def challenge_item(self, c: Challenge) -> Inline:
        item: list[Span] = [Span(c.title.value, strong=True, lang=c.title.lang), Span(" (")]
        item += (spans(c.action_status) if c.action_status
                 else (Span(self.w("matrix.no_action"), em=True),))
        item.append(Span(")"))
        return tuple(item)

    def recommendation_item(self, r: Recommendation, brief: bool = False) -> Inline:
        w = self.w
        item: list[Span] = [Span(r.text.value, strong=not brief, lang=r.text.lang)]
        if r.priority:
            item += w.inline("recommendations.priority", priority=r.priority)
        if r.addressed_to and not brief:
            item += w.inline("recommendations.addressed_to",
                             names=joined(n.name for n in r.addressed_to))
        return tuple(item)

    def cycle(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("cycle.title"), "cycle")
        self.note("cycle.intro")
        rows = []
        for i, group in enumerate(g.stage_groups, 1):
            assert group.concept is not None
            actors = self.names(group.actors) or ((Span(w("cycle.nobody"), em=True),),)
            rows.append((((Span(f"{i}. "), *spans(group.concept)),), actors,
                         ((Span(str(len(group.actors))),),)))
        self.table(("stage", "actors", "count"), rows)

    def overview(self) -> None:
        """3.1: what the migration profile covers, the guide's status, the process timeline."""
        g, w = self.g, self.w
        self.heading(2, w("process.overview"), "overview")
        if g.mp_last_edition:
            self.para(w.inline("process.edition", year=g.mp_last_edition))
        if g.mp_status:
            self.para(self.label_value("summary.mp_status", spans(g.mp_status)))
        else:
            self.note("process.no_mp_status")
        if g.coordinator:
            self.para(w.inline("process.coordinated", coordinator=self.acronymed(g.coordinator)))
        if g.working_group:
            members = {a.iri for a in g.working_group}
            drawn = [s for s in g.existing_sources
                     if members & {n.iri for n in (*s.producers, *s.users)}]
            if drawn:
                iris = {s.iri for s in drawn}
                domains = [d.concept for d in g.domain_sections if iris & set(d.sources)]
                self.para(w.inline("process.draws_on",
                                   sources=w.n("n.existing_sources", len(drawn)),
                                   domains=joined(domains, ", ") if domains
                                   else (Span(w("none")),)))
        self.para(self.label_value("process.guide_status", w(f"status.{g.status}")))
        self.para(self.endorsement())
        self.heading(3, w("process.timeline"), "timeline")
        if g.process:
            self.note("process.timeline_order")
            self.table(("step", "date", "participants", "note"), [
                ((spans(s.activity),), ((Span(w.date(s.date)),),) if s.date else (),
                 self.names(s.participants), ((Span(s.note, free=True),),) if s.note else ())
                for s in g.process])
        else:
            self.note("process.no_steps")

    def process(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("process.title"), "process")
        self.overview()
        self.heading(2, w("process.working_group"), "working-group")
        if g.working_group:
            self.table(("member", "type"), [
                ((spans(a.name),), (spans(a.type),)) for a in g.working_group])
        else:
            self.note("process.no_working_group")

        self.heading(2, w("process.coordinator"), "coordinator")
        if g.coordinator:
            c = g.coordinator
            self.table(("entity", "role", "contact"), [
                (self.actor_cell(c), ((Span(c.role, free=True),),) if c.role else (),
                 self.contact_cell(c))])
        else:
            self.note("process.no_coordinator")

        self.heading(2, w("process.practices"), "practices")
        if g.practices:
            rows = []
            for p in g.practices:
                first: list[Inline] = [(Span(p.title.value, strong=True, lang=p.title.lang),)]
                if p.description:
                    first.append((Span(p.description, free=True),))
                rows.append((tuple(first), (spans(p.stage),) if p.stage else (),
                             ((Span(str(p.year)),),) if p.year else (),
                             self.names(p.actors), self.names(p.sources)))
            self.table(("practice", "stage", "year", "actors", "sources"), rows, "wide")
        else:
            self.note("process.no_practices")

        self.heading(2, w("process.matrix"), "matrix")
        if g.challenges:
            self.table(("challenge", "action", "status", "responsible"),
                       [self.challenge_row(c) for c in g.challenges], "wide")
        else:
            self.note("process.no_challenges")

    def challenge_row(self, c: Challenge) -> tuple[Cell, ...]:
        w = self.w
        first: list[Inline] = [(Span(c.title.value, strong=True, lang=c.title.lang),),
                               spans(c.category)]
        if c.description:
            first.append((Span(c.description, free=True),))
        if c.affects:
            first.append(w.inline("matrix.affects", names=joined(n.name for n in c.affects)))
        action: Cell = (((Span(c.action, free=True),),) if c.action
                        else ((Span(w("matrix.no_action"), em=True),),))
        status: Cell = (spans(c.action_status),) if c.action_status else ()
        return (tuple(first), action, status, self.names(c.responsible))

    def recommendations(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("recommendations.title"), "recommendations")
        for group in g.areas:
            if group.area.code not in SEED_AREAS and not group.recommendations:
                continue  # the seed's five areas always show; others only when used
            self.heading(2, group.area.label.value, f"area-{group.area.code}")
            if not group.recommendations:
                self.note("recommendations.none_in_area")
                continue
            items = []
            for r in group.recommendations:
                item = list(self.recommendation_item(r))
                if r.addresses:
                    item += w.inline("recommendations.addresses",
                                     names=joined(n.name for n in r.addresses))
                items.append(tuple(item))
            self.blocks.append(Bullets(tuple(items)))

    def network(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("network.title"), "network")
        net = g.network
        if net is None:
            self.note("network.unavailable")
            return
        f = net.findings
        actors = int(f.get("actor_count", 0) or 0)
        relations = int(f.get("relation_count", 0) or 0)
        communities = int(f.get("communities", 0) or 0)
        self.para(w.inline("network.counts", actors=w.n("n.network_actors", actors),
                           relations=w.n("n.relations", relations),
                           groups=w.n("n.groups", communities)))
        if net.svg or net.png:
            self.blocks.append(Figure(net.svg, net.png, w("network.caption", country=g.country),
                                      w("network.alt", country=g.country)))
        meanings = f.get("meanings") or {}
        items = []
        for key in ("brokers", "articulation_points", "bridges", "isolated_producers",
                    "isolates", "within_organisation"):
            values = f.get(key) or []
            if key == "bridges":
                names = [" – ".join(str(x) for x in pair) for pair in values]
            else:
                names = [str(x) for x in values]
            head = names[:LIST_HEAD]
            found: Inline = joined(Span(n, free=True) for n in head) if head \
                else (Span(w("network.none_found"), em=True),)
            if len(names) > len(head):
                found = (*found, *w.inline("more_in_annex", n=len(names) - len(head)))
                self.long_lists.append((w(f"network.{key}"), names))
            item = [Span(w(f"network.{key}"), strong=True), Span(w("colon")), *found]
            meaning = meanings.get(key) if isinstance(meanings, dict) else None
            if meaning:
                item.append(Span(f" ({meaning})", em=True))
            items.append(tuple(item))
        self.blocks.append(Bullets(tuple(items)))

    def gaps(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("gaps.title"), "gaps")
        if not g.gaps:
            self.note("gaps.none")
            return
        self.para(w.inline("gaps.intro"))
        self.blocks.append(Bullets(tuple(
            w.inline(f"gap.{gap.key}", items=joined(gap.items)) if gap.items
            else w.inline(f"gap.{gap.key}") for gap in g.gaps)))

    def acronyms(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("acronyms.title"), "acronyms")
        found = sorted({(a.acronym, a.name) for a in g.actors if a.acronym},
                       key=lambda x: (x[0].casefold(), x[0], x[1].value))
        if not found:
            self.note("acronyms.none")
            return
        self.table(("acronym", "full_name"), [
            (((Span(acr, free=True, strong=True),),), (spans(name),)) for acr, name in found])

    def glossary(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("glossary.title"), "glossary")
        self.para(w.inline("glossary.intro"))
        # A list per vocabulary, "term: definition" (lighter to lay out than tables).
        self.heading(3, w("glossary.key_terms"), "glossary-terms")
        self.blocks.append(Bullets(tuple(
            (Span(w(f"term.{k}.label"), strong=True), Span(w("colon")),
             Span(w(f"term.{k}.definition"))) for k in KEY_TERMS)))
        for scheme in GLOSSARY_SCHEMES:
            entries = [e for e in g.glossary if e.scheme == scheme]
            if not entries:
                continue
            self.heading(3, w(f"scheme.{scheme}"), f"glossary-{scheme}")
            self.blocks.append(Bullets(tuple(
                (Span(e.concept.label.value, strong=True, lang=e.concept.label.lang),
                 Span(w("colon")), *spans(e.definition)) for e in entries)))

    def contacts(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("contacts.title"), "contacts")
        self.note("contacts.intro_restricted" if g.include_restricted else "contacts.intro")
        rows = [(self.acronymed_cell(a), self.contact_cell(a))
                for a in g.actors if a.contacts or a.website]
        if rows:
            self.table(("entity", "contact"), rows)
        else:
            self.note("contacts.none")

    def acronymed_inline(self, a: Actor) -> Inline:
        """'Name (ACR)' for a list in the text."""
        name: list[Span] = [Span(a.name.value, lang=a.name.lang)]
        if a.acronym:
            name += [Span(" ("), Span(a.acronym, free=True), Span(")")]
        return tuple(name)

    def acronymed_cell(self, a: Actor) -> Cell:
        name: list[Span] = [Span(a.name.value, strong=True, lang=a.name.lang)]
        if a.acronym:
            name += [Span(" ("), Span(a.acronym, free=True), Span(")")]
        return (tuple(name), spans(a.type))

    def references(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("references.title"), "references")
        if not g.references:
            self.note("references.none")
            return
        items = []
        for r in g.references:
            item: list[Span] = [Span(r.title, strong=True, free=True)]
            if r.publisher:
                item += [Span(". "), Span(r.publisher, free=True)]
            if r.year:
                item.append(Span(f", {r.year}" if r.publisher else f". {r.year}"))
            item.append(Span("."))
            if r.url:
                item += [Span(" "), link(r.url, r.url)]
            if r.cited_by:
                item += w.inline("references.cited_by",
                                 names=joined((n.name for n in r.cited_by), "; "))
            items.append(tuple(item))
        self.blocks.append(Bullets(tuple(items)))

    def provenance(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("provenance.title"), "provenance")
        self.para(w.inline("provenance.intro"))
        if not g.imports:
            self.note("provenance.none")
        for i, rec in enumerate(g.imports, 1):
            self.heading(3, w("provenance.import", n=i, started=w.timestamp(rec.started),
                              ended=w.timestamp(rec.ended)), f"import-{i}")
            if rec.count > 1:
                self.note("provenance.reimported", count=rec.count,
                          last=w.timestamp(rec.last_ended))
            self.table(("file", "rows", "sha256"), [
                (((Span(f.name, free=True),),), ((Span("" if f.rows is None else str(f.rows)),),),
                 ((Span(f.sha256, code=True),),))
                for f in rec.files])

    def lists(self) -> None:
        w = self.w
        if not self.long_lists:
            return
        self.heading(1, w("lists.title"), "lists")
        for title, names in self.long_lists:
            self.heading(3, title, "list-" + re.sub(r"[^a-z0-9]+", "-", title.lower()))
            self.blocks.append(Bullets(tuple((Span(n, free=True),) for n in names)))

    def build(self) -> Document:
        g, w = self.g, self.w
        cover = self.cover()
        self.foreword()
        self.summary()
        self.context()
        self.panorama()
        self.cycle()
        self.process()
        self.recommendations()
        self.network()
        self.gaps()
        self.acronyms()
        self.glossary()
        self.contacts()
        self.references()
        self.provenance()
        self.lists()
        title = f"{w('title')} – {g.country.value}"
        meta = {
            "title": title,
            "status": g.status,
            "status_label": w(f"status.{g.status}"),
            "date": g.data_date,
            "language": g.lang,
            "country": g.iso3,
            "description": w("meta.description", status=w(f"status.{g.status}"),
                             country=g.country.value),
            "keywords": ", ".join([g.iso3, w(f"status.{g.status}"), w("meta.keywords")]),
            "generator": f"migkg {__version__}",
        }
        return Document(g.lang, title, cover, tuple(self.contents), tuple(self.blocks),
                        w("watermark") if g.status == "draft" else "", meta)


def layout(guide: Guide) -> Document:
    """The guide as a Document: every section in the seed's order, all text in guide.lang."""
    return _Layout(guide).build()
