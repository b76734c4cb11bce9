"""What changed between two versions of a country's data, told in the guide's language.

A version is either the current store or an RDF export of the country (`migkg
export --country ISO3`, any of its formats). Each version is loaded into its own
temporary store with the project's vocabularies, and both guides are built through
the same named queries; the summary compares the guides: new and removed actors,
sources, challenges and recommendations, source status changes, challenges
resolved (corrective action now implemented or effective), the guide's status.
"""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.config import Settings
from kg.errors import InputError, Location, Problem
from kg.guide.build import build_guide
from kg.guide.document import Words
from kg.guide.sections import Guide, Named, Text, sort_key
from kg.namespaces import DataIRIs
from kg.store import Store

RDF_FORMATS = {
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


@dataclass
class Change:
    """One heading of the summary (a guide.diff.<key>) and its lines."""

    key: str
    items: list[Text | tuple[Text, str, str]] = field(default_factory=list)


@dataclass
class Diff:
    iso3: str
    lang: str
    country: Text
    old_label: str
    new_label: str
    changes: list[Change]

    @property
    def empty(self) -> bool:
        return not any(c.items for c in self.changes)


def _by_iri(items: Iterable, name: Callable) -> dict[str, Text]:
    return {i.iri: name(i) for i in items}


def _added_removed(old: dict[str, Text], new: dict[str, Text]) -> tuple[list[Text], list[Text]]:
    def ordered(keys: set[str], source: dict[str, Text]) -> list[Text]:
        return sorted((source[k] for k in keys), key=sort_key)
    return ordered(set(new) - set(old), new), ordered(set(old) - set(new), old)


def compare(old: Guide, new: Guide, old_label: str, new_label: str) -> Diff:
    """The changes from the old guide to the new one (both in the same language)."""
    w = Words(new.lang)
    changes: list[Change] = []

    def pair(key_new: str, key_removed: str, a: dict[str, Text], b: dict[str, Text]) -> None:
        added, removed = _added_removed(a, b)
        changes.append(Change(key_new, list(added)))
        changes.append(Change(key_removed, list(removed)))

    pair("new_actors", "removed_actors", _by_iri(old.actors, lambda a: a.name),
         _by_iri(new.actors, lambda a: a.name))
    pair("new_sources", "removed_sources", _by_iri(old.sources, lambda s: s.title),
         _by_iri(new.sources, lambda s: s.title))
    old_sources = {s.iri: s for s in old.sources}
    changes.append(Change("status_changes", [
        (s.title, old_sources[s.iri].status.label.value, s.status.label.value)
        for s in new.sources
        if s.iri in old_sources and old_sources[s.iri].status.code != s.status.code]))
    pair("new_challenges", "removed_challenges", _by_iri(old.challenges, lambda c: c.title),
         _by_iri(new.challenges, lambda c: c.title))
    old_challenges = {c.iri: c for c in old.challenges}
    resolved, moved = [], []
    for c in new.challenges:
        before = old_challenges.get(c.iri)
        if before is None:
            continue
        was = before.action_status.label.value if before.action_status else w("diff.none")
        now = c.action_status.label.value if c.action_status else w("diff.none")
        if c.resolved and not before.resolved:
            resolved.append((c.title, was, now))
        elif was != now:
            moved.append((c.title, was, now))
    changes.append(Change("resolved", resolved))
    changes.append(Change("action_changes", moved))
    pair("new_recommendations", "removed_recommendations",
         _by_iri(old.recommendations, lambda r: r.text),
         _by_iri(new.recommendations, lambda r: r.text))
    if old.status != new.status:
        changes.append(Change("guide_status", [
            (Text(""), w(f"status.{old.status}"), w(f"status.{new.status}"))]))
    return Diff(new.iso3, new.lang, new.country, old_label, new_label, changes)


def plain(diff: Diff) -> dict:
    """The summary as plain data in the diff's language: title, from_to, and a section
    (heading, items as strings) per kind of change that has any; empty when none has."""
    w = Words(diff.lang)
    sections = []
    for change in diff.changes:
        if not change.items:
            continue
        items = []
        for item in change.items:
            if isinstance(item, tuple):
                name, was, now = item
                arrow = w("diff.status_change", old=was, new=now)
                items.append(f"{_shown(name)}{w('colon')}{arrow}" if name.value else arrow)
            else:
                items.append(_shown(item))
        sections.append({"key": change.key, "heading": w(f"diff.{change.key}"), "items": items})
    return {"title": w("diff.title", country=diff.country.value, iso3=diff.iso3),
            "from_to": w("diff.from_to", old=diff.old_label, new=diff.new_label),
            "sections": sections, "empty": diff.empty, "no_change": w("diff.no_change")}


def text(diff: Diff) -> str:
    """The summary as Markdown-like plain text, headings only for what changed."""
    p = plain(diff)
    lines = [f"# {p['title']}", "", p["from_to"], ""]
    if p["empty"]:
        return "\n".join([*lines, p["no_change"], ""])
    for section in p["sections"]:
        lines += [f"## {section['heading']}", "", *(f"- {i}" for i in section["items"]), ""]
    return "\n".join(lines)


def _shown(t: Text | Named) -> str:
    value = t.name if isinstance(t, Named) else t
    return f"{value.value} ({value.lang})" if value.lang else value.value


def load_export(path: Path, iso3: str, settings: Settings, folder: Path) -> Store:
    """A temporary store holding the country's data from an RDF export and the vocabularies."""
    from kg.store.embedded import EmbeddedStore
    from kg.vocab import load_model_triples

    compressed = path.suffix.lower() == ".gz"  # an import's snapshot (kg.history)
    fmt = RDF_FORMATS.get(Path(path.stem).suffix.lower() if compressed else path.suffix.lower())
    if fmt is None:
        raise InputError(Problem(Location(str(path)), "guide.diff.unknown_format",
                                 {"name": path.name}))
    limit = settings.limits.max_upload_bytes
    if compressed:
        with gzip.open(path, "rb") as f:
            data = f.read(limit + 1)
    else:
        data = path.read_bytes()
    if len(data) > limit:
        raise InputError(Problem(Location(str(path)), "guide.diff.too_large", {"limit": limit}))
    iris = DataIRIs(settings.base)
    graph = iris.graph(iso3)
    try:
        # pyoxigraph's parsers fetch nothing (no remote JSON-LD context, no entities).
        parsed = list(ox.parse(data, format=fmt))
    except (SyntaxError, ValueError, OSError) as exc:
        raise InputError(Problem(Location(str(path)), "guide.diff.unreadable",
                                 {"reason": str(exc).splitlines()[0][:200]})) from None
    triples: list[ox.Triple] = []
    for item in parsed:
        if isinstance(item, ox.Quad):
            g = item.graph_name
            named = g.value if isinstance(g, ox.NamedNode) else ""
            if named and named != graph:
                continue  # other countries, vocabularies: not this country's data
            triples.append(item.triple)
        else:
            triples.append(item)
    country = ox.NamedNode(iris.country(iso3))
    if not any(t.subject == country for t in triples):
        raise InputError(Problem(Location(str(path)), "guide.diff.not_in_file", {"iso3": iso3}))
    store = EmbeddedStore(folder / path.name.replace(".", "_"))
    store.replace_graph(iris.vocabulary_graph, load_model_triples())
    store.replace_graph(graph, dict.fromkeys(triples))
    return store


def diff(store: Store | None, iso3: str, lang: str, settings: Settings, *,
         old_path: Path, new_path: Path | None = None,
         labels: tuple[str, str] | None = None) -> Diff:
    """Compare an export (old) with another export or, when new_path is None, the store;
    labels name the two versions (default: the file names)."""
    w = Words(lang)
    with tempfile.TemporaryDirectory(prefix="migkg-diff-") as tmp:
        folder = Path(tmp)
        old_store = load_export(old_path, iso3, settings, folder)
        try:
            old = build_guide(old_store, iso3, lang, network=False)
        finally:
            old_store.close()
        if new_path is not None:
            new_store = load_export(new_path, iso3, settings, folder)
            try:
                new = build_guide(new_store, iso3, lang, network=False)
            finally:
                new_store.close()
            new_label = new_path.name
        else:
            assert store is not None
            new = build_guide(store, iso3, lang, network=False)
            new_label = w("diff.current_store")
    old_label = old_path.name
    if labels:
        old_label, new_label = labels
    return compare(old, new, old_label, new_label)
