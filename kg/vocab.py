"""The ontology and the SKOS vocabularies, loaded from ontology/ and data/vocabularies/.

Each data/vocabularies/<scheme>.ttl holds one concept scheme `voc:<scheme>`; its concepts
`voc:<scheme>/<code>` carry the template code as `skos:notation`, one `skos:prefLabel` and one
`skos:definition` per language and an `mkg:listOrder` (the template's order). A scheme that
also defines a `skos:OrderedCollection` (policy-stage: the cycle) is ordered by that list.

A broken file is a bug in the project's data, reported as DataFileError naming file and line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg import i18n
from kg.errors import DataFileError
from kg.namespaces import MKG, RDF, RDFS, SKOS, VOC, concept, scheme
from kg.resources import ontology_dir, vocabularies_dir

LANGUAGES = ("en", "fr")

_NOTATION = str(SKOS.notation)
_IN_SCHEME = str(SKOS.inScheme)
_PREF_LABEL = str(SKOS.prefLabel)
_DEFINITION = str(SKOS.definition)
_MEMBER_LIST = str(SKOS.memberList)
_RDFS_LABEL = str(RDFS.label)
_LIST_ORDER = str(MKG.listOrder)
_DIRECT_PROPERTY = str(MKG.directProperty)
_ROW_CLASS = str(MKG.rowClass)
_FIRST, _REST, _NIL = str(RDF.first), str(RDF.rest), str(RDF.nil)

__all__ = [
    "Concept", "Vocabularies", "load_model_triples", "load_vocabularies", "model_files",
]


@dataclass(frozen=True)
class Concept:
    iri: str
    scheme: str
    code: str
    order: int
    labels: dict[str, str] = field(compare=False, hash=False)
    definitions: dict[str, str] = field(compare=False, hash=False)
    direct_property: str | None = None
    row_class: str | None = None  # context-topic: the class of the rows with this topic


class Vocabularies:
    """Every concept scheme: codes, concept IRIs, labels and definitions."""

    def __init__(self, concepts: Iterable[Concept], labels: dict[str, dict[str, str]],
                 definitions: dict[str, dict[str, str]]):
        self._by_scheme: dict[str, list[Concept]] = defaultdict(list)
        self._by_iri: dict[str, Concept] = {}
        for c in concepts:
            self._by_scheme[c.scheme].append(c)
            self._by_iri[c.iri] = c
        self._by_code = {s: {c.code: c for c in cs} for s, cs in self._by_scheme.items()}
        # prefLabel / rdfs:label and definitions of every IRI (schemes and terms too).
        self._labels = labels
        self._definitions = definitions

    def schemes(self) -> list[str]:
        """Scheme names (file stems), sorted."""
        return sorted(self._by_scheme)

    def concepts(self, scheme_name: str) -> list[Concept]:
        """The scheme's concepts in their order (cycle order for policy-stage)."""
        if scheme_name not in self._by_scheme:
            raise KeyError(scheme_name)
        return list(self._by_scheme[scheme_name])

    def codes(self, scheme_name: str) -> list[str]:
        """Allowed codes (skos:notation) of a scheme, in the template's order."""
        return [c.code for c in self.concepts(scheme_name)]

    def concept(self, scheme_name: str, code: str) -> str:
        """IRI of the concept with this code; KeyError if the scheme or code is unknown."""
        return self._by_code[scheme_name][code].iri

    def has_code(self, scheme_name: str, code: str) -> bool:
        return code in self._by_code.get(scheme_name, {})

    def code_of(self, iri: str) -> tuple[str, str] | None:
        """(scheme, code) of a concept IRI, None if it is not a concept."""
        c = self._by_iri.get(iri)
        return (c.scheme, c.code) if c else None

    def label(self, iri: str, lang: str = "en") -> str:
        """Label of a concept, scheme or ontology term in lang, else in the other language."""
        return _pick(self._labels, iri, lang)

    def definition(self, iri: str, lang: str = "en") -> str:
        """Definition of a concept, scheme or ontology term in lang, else in the other language."""
        return _pick(self._definitions, iri, lang)

    def direct_property(self, relation_code: str) -> str:
        """IRI of the direct property of a relation-type code (e.g. mkg:sharesDataWith)."""
        prop = self._by_code["relation-type"][relation_code].direct_property
        if prop is None:
            raise KeyError(relation_code)
        return prop

    def row_class(self, topic_code: str) -> str:
        """IRI of the class of context.csv rows with this topic (e.g. mkg:PolicyInstrument)."""
        cls = self._by_code["context-topic"][topic_code].row_class
        if cls is None:
            raise KeyError(topic_code)
        return cls


def _pick(table: dict[str, dict[str, str]], iri: str, lang: str) -> str:
    texts = table[iri]
    if lang in texts:
        return texts[lang]
    for other in LANGUAGES:
        if other in texts:
            return texts[other]
    return next(iter(texts.values()))


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------

def _message(key: str, **params: object) -> str:
    return i18n.t(f"vocab.{key}", "en", **params)


def _parse(path: Path) -> list[ox.Triple]:
    """Triples of one Turtle file; a syntax error becomes DataFileError with the line."""
    try:
        quads = list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        if line is None:  # older pyoxigraph: only the message says where
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
        detail = exc.msg or str(exc)
        raise DataFileError(str(path), line, _message("syntax", detail=detail)) from None
    except OSError as exc:
        raise DataFileError(str(path), None, _message("unreadable", detail=str(exc))) from None
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def _line_of(path: Path, iri: str) -> int | None:
    """Line where the file describes this IRI: as a subject if it can, else its first mention."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    local = re.escape(re.split(r"[/#]", iri)[-1])
    token = re.compile(rf"<{re.escape(iri)}>|(?<![\w<-])[\w-]*:{local}(?![\w-])")
    for at_start in (True, False):
        for n, text in enumerate(lines, start=1):
            found = token.search(text)
            if found and (found.start() == 0 or not at_start):
                return n
    return None


def _rdf_list(triples: list[ox.Triple], head: ox.NamedNode | ox.BlankNode) -> list[str]:
    first = {t.subject: t.object for t in triples if t.predicate.value == _FIRST}
    rest = {t.subject: t.object for t in triples if t.predicate.value == _REST}
    items: list[str] = []
    node = head
    while not (isinstance(node, ox.NamedNode) and node.value == _NIL) and node in first:
        items.append(first[node].value)
        node = rest.get(node)
        if node is None or len(items) > 10_000:
            break
    return items


def _texts(triples: list[ox.Triple], predicates: set[str]) -> dict[str, dict[str, list[str]]]:
    """iri -> lang -> texts, for language-tagged literals of the given predicates."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        if (t.predicate.value in predicates and isinstance(t.subject, ox.NamedNode)
                and isinstance(t.object, ox.Literal) and t.object.language):
            out[t.subject.value][t.object.language].append(t.object.value)
    return out


def _load_scheme(path: Path, labels: dict, definitions: dict) -> list[Concept]:
    name = path.stem
    scheme_iri = scheme(name)
    triples = _parse(path)
    label_texts = _texts(triples, {_PREF_LABEL})
    definition_texts = _texts(triples, {_DEFINITION})
    members = sorted({t.subject.value for t in triples if t.predicate.value == _IN_SCHEME
                      and t.object.value == scheme_iri and isinstance(t.subject, ox.NamedNode)})
    if not members:
        raise DataFileError(str(path), None, _message("empty_scheme", scheme=scheme_iri))
    values: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        if t.predicate.value in (_NOTATION, _LIST_ORDER, _DIRECT_PROPERTY, _ROW_CLASS):
            values[t.subject.value][t.predicate.value].append(t.object)

    def fail(iri: str, key: str, **params: object) -> DataFileError:
        return DataFileError(str(path), _line_of(path, iri), _message(key, concept=iri, **params))

    concepts: list[Concept] = []
    seen: dict[str, str] = {}
    for iri in [scheme_iri, *members]:
        for what, table in (("prefLabel", label_texts), ("definition", definition_texts)):
            for lang in LANGUAGES:
                count = len(table.get(iri, {}).get(lang, []))
                if count != 1:
                    raise fail(iri, "text_count", what=what, language=lang, count=count)
        labels[iri] = {lang: texts[0] for lang, texts in label_texts[iri].items()}
        definitions[iri] = {lang: texts[0] for lang, texts in definition_texts[iri].items()}
    for iri in members:
        notations = values[iri][_NOTATION]
        if len(notations) != 1:
            raise fail(iri, "notation_count", count=len(notations))
        code = notations[0].value
        if code in seen:
            raise fail(iri, "duplicate_notation", code=code, first=seen[code])
        seen[code] = iri
        if iri != concept(name, code):
            raise fail(iri, "iri_mismatch", expected=concept(name, code))
        orders = values[iri][_LIST_ORDER]
        if len(orders) != 1 or not re.fullmatch(r"-?\d+", orders[0].value):
            raise fail(iri, "list_order")
        props = values[iri][_DIRECT_PROPERTY]
        if name == "relation-type" and len(props) != 1:
            raise fail(iri, "direct_property")
        classes = values[iri][_ROW_CLASS]
        if name == "context-topic" and len(classes) != 1:
            raise fail(iri, "row_class")
        concepts.append(Concept(
            iri=iri, scheme=name, code=code, order=int(orders[0].value),
            labels=labels[iri], definitions=definitions[iri],
            direct_property=props[0].value if props else None,
            row_class=classes[0].value if classes else None))
    concepts.sort(key=lambda c: (c.order, c.code))
    # An ordered collection (the policy cycle) is the order; mkg:listOrder must agree with it.
    for t in triples:
        if t.predicate.value == _MEMBER_LIST:
            cycle = _rdf_list(triples, t.object)
            if cycle != [c.iri for c in concepts]:
                raise DataFileError(str(path), _line_of(path, t.subject.value),
                                    _message("collection_order", collection=t.subject.value))
    return concepts


def _ontology_texts(labels: dict, definitions: dict) -> None:
    for path in _ontology_files():
        triples = _parse(path)
        for iri, texts in _texts(triples, {_RDFS_LABEL, _PREF_LABEL}).items():
            labels.setdefault(iri, {lang: ts[0] for lang, ts in texts.items()})
        for iri, texts in _texts(triples, {_DEFINITION}).items():
            definitions.setdefault(iri, {lang: ts[0] for lang, ts in texts.items()})


def _vocabulary_files(directory: Path | None) -> list[Path]:
    return sorted((directory or vocabularies_dir()).glob("*.ttl"))


def _ontology_files() -> list[Path]:
    return sorted(ontology_dir().glob("*.ttl"))


def model_files() -> list[Path]:
    """The ontology files, then every vocabulary file."""
    return _ontology_files() + _vocabulary_files(None)


@cache
def load_vocabularies(directory: Path | None = None) -> Vocabularies:
    """Every scheme of data/vocabularies/ (or of `directory`), checked; cached."""
    labels: dict[str, dict[str, str]] = {}
    definitions: dict[str, dict[str, str]] = {}
    concepts: list[Concept] = []
    files = _vocabulary_files(directory)
    if not files:
        raise DataFileError(str(directory or vocabularies_dir()), None, _message("no_files"))
    for path in files:
        concepts.extend(_load_scheme(path, labels, definitions))
    if directory is None:
        _ontology_texts(labels, definitions)
    return Vocabularies(concepts, labels, definitions)


@cache
def _model_triples() -> tuple[ox.Triple, ...]:
    out: list[ox.Triple] = []
    for path in model_files():
        # Blank nodes (the cycle's RDF list) become skolem IRIs named after the file and their
        # position: stores rename blank nodes, and the model graph must read back identical.
        names: dict[ox.BlankNode, ox.NamedNode] = {}
        for t in _parse(path):
            s, o = (_skolem(term, names, path.stem) for term in (t.subject, t.object))
            out.append(ox.Triple(s, t.predicate, o))
    return tuple(out + _broader_transitive(out))


_BROADER = ox.NamedNode("http://www.w3.org/2004/02/skos/core#broader")
_BROADER_TRANSITIVE = ox.NamedNode("http://www.w3.org/2004/02/skos/core#broaderTransitive")


def _broader_transitive(triples: list[ox.Triple]) -> list[ox.Triple]:
    """skos:broaderTransitive, the transitive closure of skos:broader (SKOS section 8), stated
    for every concept: queries that count a sub-domain for its broader domains join on one
    plain triple pattern (`?sub skos:broaderTransitive ?d`), which every engine answers alike
    (Virtuoso 7.2 answers `skos:broader+` wrongly when its object is bound from outside)."""
    up: dict[ox.Term, set[ox.Term]] = {}
    for t in triples:
        if t.predicate == _BROADER:
            up.setdefault(t.subject, set()).add(t.object)
    stated = {(t.subject, t.object) for t in triples if t.predicate == _BROADER_TRANSITIVE}
    out = []
    for node in sorted(up, key=str):
        seen: set[ox.Term] = set()
        todo = list(up[node])
        while todo:
            b = todo.pop()
            if b not in seen and b != node:
                seen.add(b)
                todo += up.get(b, ())
        out += [ox.Triple(node, _BROADER_TRANSITIVE, b) for b in sorted(seen, key=str)
                if (node, b) not in stated]
    return out


def _skolem(term, names: dict[ox.BlankNode, ox.NamedNode], stem: str):
    if isinstance(term, ox.BlankNode):
        if term not in names:
            names[term] = ox.NamedNode(f"{VOC}.well-known/genid/{stem}-{len(names)}")
        return names[term]
    return term


def load_model_triples() -> list[ox.Triple]:
    """Every triple of the ontology and of all vocabularies (the vocabulary graph)."""
    return list(_model_triples())
