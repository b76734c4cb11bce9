"""The guide laid out once for every format: a Guide becomes a Document of blocks.

Blocks (headings, paragraphs, bullet lists, tables, the figure) hold every fixed
text already translated (kg/locale/<lang>/guide.toml) and every data text as a
Span, unescaped; each renderer (kg/guide/render.py) escapes for its own format.
So HTML, Markdown, DOCX and PDF say the same thing in the same order.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kg import __version__, i18n
from kg.guide.sections import (
    SEED_AREAS,
    SEED_DOMAINS,
    Actor,
    ActorGroup,
    Challenge,
    Concept,
    Contact,
    Guide,
    Named,
    Source,
    Text,
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
}


@dataclass(frozen=True)
class Span:
    """A piece of text; `lang` marks data shown in the other language (fallback)."""

    text: str
    href: str = ""
    strong: bool = False
    em: bool = False
    lang: str = ""
    free: bool = False  # free text whose language the data does not declare


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
    widths: tuple[int, ...] = ()  # column widths in percent (fixed layout: faster PDF)


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
        self.blocks.append(Table(tuple(self.w(f"col.{k}") for k in keys),
                                 tuple(tuple(r) for r in rows), style, WIDTHS.get(keys, ())))

    def label_value(self, key: str, value: Inline | str) -> Inline:
        return (Span(self.w(key), strong=True), Span(self.w("colon")),
                *(spans(value) if isinstance(value, str) else value))

    # -- cells --------------------------------------------------------------------------------
    def actor_cell(self, a: Actor, with_domains: bool = False) -> Cell:
        name: list[Span] = [Span(a.name.value, strong=True, lang=a.name.lang)]
        if a.acronym:
            name += [Span(" ("), Span(a.acronym, free=True), Span(")")]
        lines: list[Inline] = [tuple(name), spans(a.type)]
        if a.parent:
            lines.append(self.w.inline("part_of", parent=a.parent))
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

    def summary(self) -> None:
        g, w, f = self.g, self.w, self.g.figures
        self.heading(1, w("summary.title"), "summary")
        self.para(w.inline("summary.intro", country=g.country))
        if g.coordinator:
            self.para(self.label_value("summary.coordinator", spans(g.coordinator.name)))
        if g.mp_status:
            mp = spans(g.mp_status)
            if g.mp_last_edition:
                mp = (*mp, *w.inline("summary.last_edition", year=g.mp_last_edition))
            self.para(self.label_value("summary.mp_status", mp))
        rows = [
            ("fig.actors", f.actors),
            ("fig.government_actors", f.government_actors),
            ("fig.other_actors", f.other_actors),
            ("fig.existing_sources", f.existing_sources),
            ("fig.potential_sources", f.potential_sources),
            ("fig.seed_domains_with_source",
             w("fig.out_of", n=f.seed_domains_with_source, total=len(SEED_DOMAINS))),
            ("fig.stages_with_actor", w("fig.out_of", n=f.stages_with_actor, total=f.stage_count)),
            ("fig.wg_members", f.wg_members),
            ("fig.practices", f.practices),
            ("fig.challenges", f.challenges),
            ("fig.challenges_with_action", f.challenges_with_action),
            ("fig.challenges_resolved", f.challenges_resolved),
            ("fig.recommendations", f.recommendations),
            ("fig.references", f.references),
            ("fig.gaps", len(g.gaps)),
        ]
        self.table(("figure", "value"),
                   [(((Span(w(k)),),), ((Span(str(v)),),)) for k, v in rows], "figures")

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
        for group in g.domain_groups:
            self.domain_group(group)
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

    def domain_group(self, group: ActorGroup) -> None:
        w = self.w
        if group.concept is None:
            if not group.actors:
                return
            self.heading(3, w("government.other_domains"), "domain-other")
            self.actor_table(group.actors, with_domains=True)
            return
        self.heading(3, group.concept.label.value, f"domain-{group.concept.code}")
        if not group.actors:
            self.note("government.none_in_domain")
        else:
            self.actor_table(group.actors)

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

    def process(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("process.title"), "process")
        self.heading(2, w("process.overview"), "overview")
        if g.mp_status:
            mp = spans(g.mp_status)
            if g.mp_last_edition:
                mp = (*mp, *w.inline("summary.last_edition", year=g.mp_last_edition))
            self.para(self.label_value("summary.mp_status", mp))
        else:
            self.note("process.no_mp_status")
        self.para(self.label_value("process.guide_status", w(f"status.{g.status}")))
        self.note(f"process.status_rule_{g.status}")
        if g.process:
            self.table(("step", "date", "participants", "note"), [
                ((spans(s.activity),), ((Span(w.date(s.date)),),) if s.date else (),
                 self.names(s.participants), ((Span(s.note, free=True),),) if s.note else ())
                for s in g.process])
        else:
            self.note("process.no_steps")

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
                item: list[Span] = [Span(r.text.value, strong=True, lang=r.text.lang)]
                if r.priority:
                    item += w.inline("recommendations.priority", priority=r.priority)
                if r.addressed_to:
                    item += w.inline("recommendations.addressed_to",
                                     names=joined(n.name for n in r.addressed_to))
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
        if net.svg or net.png:
            self.blocks.append(Figure(net.svg, net.png, w("network.caption", country=g.country),
                                      w("network.alt", country=g.country)))
        self.table(("figure", "value"), [
            (((Span(w("network.actor_count")),),), ((Span(str(f.get("actor_count", 0))),),)),
            (((Span(w("network.relation_count")),),),
             ((Span(str(f.get("relation_count", 0))),),)),
            (((Span(w("network.communities")),),), ((Span(str(f.get("communities", 0))),),)),
        ], "figures")
        meanings = f.get("meanings") or {}
        items = []
        for key in ("brokers", "articulation_points", "bridges", "isolated_producers",
                    "isolates"):
            values = f.get(key) or []
            if key == "bridges":
                names = [" – ".join(str(x) for x in pair) for pair in values]
            else:
                names = [str(x) for x in values]
            found: Inline = joined(Span(n, free=True) for n in names) if names \
                else (Span(w("network.none_found"), em=True),)
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

    def appendix(self) -> None:
        g, w = self.g, self.w
        self.heading(1, w("references.title"), "references")
        if g.references:
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
        else:
            self.note("references.none")
        self.heading(1, w("provenance.title"), "provenance")
        self.para(w.inline("provenance.intro"))
        if not g.imports:
            self.note("provenance.none")
        for i, rec in enumerate(g.imports, 1):
            self.heading(3, w("provenance.import", n=i, started=w.timestamp(rec.started),
                              ended=w.timestamp(rec.ended)), f"import-{i}")
            self.table(("file", "rows", "sha256"), [
                (((Span(f.name),),), ((Span("" if f.rows is None else str(f.rows)),),),
                 ((Span(f.sha256),),)) for f in rec.files])

    def build(self) -> Document:
        g, w = self.g, self.w
        cover = self.cover()
        self.summary()
        self.panorama()
        self.cycle()
        self.process()
        self.recommendations()
        self.network()
        self.gaps()
        self.appendix()
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
